package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_002_denies_used_backup if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"image_id": "img-9"}))
	_fe_reasons(r, "IMS-FE-002") == {{
		"id": "IMS-FE-002",
		"effect": "deny",
		"category": "constraint",
		"message": "backup bk-1 has already been used to create image img-9; a CBR backup can be used to create only one full-ECS image",
		"remediation": "Use the full-ECS image already created from this backup (one image can provision many ECSs), or back up the ECS again and create the image from the new backup.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud CBR, Using a Backup to Create an Image: Function Description",
	}}
}

test_ims_fe_002_quiet_on_unused_backup if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	_fe_quiet(r, "IMS-FE-002")
}

test_ims_fe_002_missing_image_id if {
	r := rules.reasons with input as _backup_request(object.remove(_usable_server_backup, ["image_id"]))
	not "IMS-FE-002" in {x.id | some x in r}
	"backup bk-1 is missing fact \"image_id\", needed by IMS-FE-002" in _fe_missing(r)
}

test_ims_fe_002_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_backup_request(object.union(_usable_server_backup, {"image_id": "img-9"})))
	_fe_quiet(r, "IMS-FE-002")
}

# The scenario of fixtures/requests/IMS-FE-002/fires-used-and-error.json: a
# disk backup, already used for an image, in error. Three refusals at once,
# and only the notes that ride along with every full-ECS image from a backup.
_fe_used_and_error_request := {
	"provider": "huaweicloud",
	"operation": "image.create",
	"region": "cn-north-4",
	"project_id": _fe_project,
	"params": {
		"name": "web-2026-11",
		"image_type": "full_ecs",
		"source": {"type": "cbr_backup", "id": "bk-1"},
		"agree_disclaimer": true,
		"image_tags": [{"key": "env", "value": "prod"}],
	},
	"resources": {
		"backups": {"bk-1": {
			"resource_type": "disk",
			"resource_id": "vol-1",
			"status": "error",
			"image_creatable": false,
			"includes_system_disk": true,
			"image_id": "img-9",
			"shared": false,
			"auto_generated": false,
		}},
		"account": {"in_arrears": false},
	},
}

test_ims_fe_002_used_and_error_disk_backup_denied_three_times if {
	r := rules.reasons with input as _fe_used_and_error_request
	_ids_by_effect(r, "deny") == {"IMS-FE-001", "IMS-FE-002", "IMS-FE-003"}
	{id | some id in _ids_by_effect(r, "warn"); startswith(id, "IMS-FE-")} == set()
	{id | some id in _ids_by_effect(r, "note"); startswith(id, "IMS-FE-")} == {"IMS-FE-014", "IMS-FE-018"}
	{x.message | some x in r; x.effect == "deny"} == {
		"backup bk-1 is a backup of an EVS disk; only ECS (cloud server) backups can be used to create images",
		"backup bk-1 has already been used to create image img-9; a CBR backup can be used to create only one full-ECS image",
		"backup bk-1 is in status error; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image",
	}
}

test_ims_fe_002_a_known_cbr_backup_called_csbs_is_still_judged if {
	# The inventory knows bk-1 as a CBR backup already used for an image: the
	# request cannot skip the CBR rules by calling it a CSBS backup.
	req := json.patch(_fe_request({}), [{"op": "replace", "path": "/params/source/type", "value": "csbs_backup"}])
	r := rules.reasons with input as req
		with data.inventory.resources.backups as {"bk-1": object.union(_usable_server_backup, {"image_id": "img-9"})}
	{x.message | some x in _fe_reasons(r, "IMS-FE-002")} == {"backup bk-1 has already been used to create image img-9; a CBR backup can be used to create only one full-ECS image"}
}

test_ims_fe_002_an_unknown_csbs_backup_is_not_a_cbr_one if {
	req := json.patch(_fe_request({}), [{"op": "replace", "path": "/params/source/type", "value": "csbs_backup"}])
	r := rules.reasons with input as req
	_fe_quiet(r, "IMS-FE-002")
}
