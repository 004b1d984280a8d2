package imgadmit.rules_test

import data.imgadmit.rules

# Helpers shared by the IMS-FE-002..018 tests (the CBR image.create ones also
# reuse _fe_request, _backup_request and _usable_server_backup).

_fe_project := "0605767a3300d5762fb7c0186d8d2b3b"

# _fe_quiet(reasons, id): the rule id gave no reason and asked for no fact.
_fe_quiet(reasons, id) if {
	not id in {x.id | some x in reasons}
	not _fe_asks_fact(reasons, id)
}

_fe_asks_fact(reasons, id) if {
	some x in reasons
	x.id == "REQ-002"
	contains(x.message, id)
}

# _fe_reasons(reasons, id) is every reason the rule id gave.
_fe_reasons(reasons, id) := {x | some x in reasons; x.id == id}

# _fe_missing(reasons) is the messages of the REQ-002 reasons.
_fe_missing(reasons) := {x.message | some x in reasons; x.id == "REQ-002"}

_fe_alibaba(req) := object.union(req, {"provider": "alibabacloud"})

# _fe_image is a full-ECS image img-1 of the requesting project, made from CBR
# backup bk-1 of server srv-1.
_fe_image := {
	"image_type": "full_ecs",
	"visibility": "private",
	"owner_project_id": _fe_project,
	"members": [],
	"backup_id": "bk-1",
	"from_shared_backup": false,
	"replica_of_region": null,
	"region": "cn-north-4",
	"source_instance_id": "srv-1",
	"snapshot_ids": [],
	"status": "active",
	"encrypted_with_default_key": false,
	"is_copied": false,
}

_fe_system_image := object.union(_fe_image, {"image_type": "system", "backup_id": null})

# _fe_image_request is a Huawei request in cn-north-4 on image img-1.
_fe_image_request(operation, params, image) := {
	"provider": "huaweicloud",
	"operation": operation,
	"region": "cn-north-4",
	"project_id": _fe_project,
	"params": object.union({"image_id": "img-1"}, params),
	"resources": {"images": {"img-1": image}},
}

# _fe_server is server srv-1, configured, running, with nothing in progress.
_fe_server := {
	"status": "active",
	"image_creation_in_progress": false,
	"cloud_init": true,
	"region": "cn-north-4",
	"billing_method": "pay_as_you_go",
	"expired_at": null,
	"payment_overdue_since": null,
	"backup_ids": ["bk-1"],
	"image_ids": [],
}

# _fe_backup_request_with is _backup_request with more resources beside bk-1.
_fe_backup_request_with(backup, resources) := _fe_request(object.union({"backups": {"bk-1": backup}}, resources))

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
