package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_004_denies_backup_without_system_disk if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"includes_system_disk": false}))
	_fe_reasons(r, "IMS-FE-004") == {{
		"id": "IMS-FE-004",
		"effect": "deny",
		"category": "constraint",
		"message": "backup bk-1 does not contain the system disk; a backup used to create an image must contain the system disk data",
		"remediation": "Use a backup of the ECS that includes its system disk, or back up the whole ECS (system disk and data disks) and use that backup.",
		"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites",
	}}
}

test_ims_fe_004_quiet_on_backup_with_system_disk if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	_fe_quiet(r, "IMS-FE-004")
}

test_ims_fe_004_missing_includes_system_disk if {
	r := rules.reasons with input as _backup_request(object.remove(_usable_server_backup, ["includes_system_disk"]))
	not "IMS-FE-004" in {x.id | some x in r}
	"backup bk-1 is missing fact \"includes_system_disk\", needed by IMS-FE-004" in _fe_missing(r)
}

test_ims_fe_004_quiet_for_image_from_server if {
	req := json.patch(_backup_request(object.union(_usable_server_backup, {"includes_system_disk": false})), [{"op": "replace", "path": "/params/source", "value": {"type": "server", "id": "srv-1"}}])
	r := rules.reasons with input as req
	_fe_quiet(r, "IMS-FE-004")
}

test_ims_fe_004_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_backup_request(object.union(_usable_server_backup, {"includes_system_disk": false})))
	_fe_quiet(r, "IMS-FE-004")
}
