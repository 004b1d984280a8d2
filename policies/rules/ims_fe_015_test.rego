package imgadmit.rules_test

import data.imgadmit.rules

_fe_delete_request(params, image) := _fe_image_request("image.delete", params, image)

test_ims_fe_015_warns_when_backup_is_kept if {
	r := rules.reasons with input as _fe_delete_request({}, _fe_image)
	_fe_reasons(r, "IMS-FE-015") == {{
		"id": "IMS-FE-015",
		"effect": "warn",
		"category": "billing",
		"message": "image img-1 is a full-ECS image made from backup bk-1, which is kept (delete_backup is false) and will continue to be charged",
		"remediation": "Set delete_backup to true to delete the CBR backup with the image, or keep it knowing that it is still charged.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background",
	}}
}

test_ims_fe_015_warns_when_delete_backup_is_false if {
	r := rules.reasons with input as _fe_delete_request({"delete_backup": false}, _fe_image)
	{x.id | some x in r; x.effect == "warn"; startswith(x.id, "IMS-FE-")} == {"IMS-FE-015"}
}

test_ims_fe_015_quiet_when_backup_is_deleted_without_asking_facts if {
	r := rules.reasons with input as _fe_delete_request({"delete_backup": true}, {})
	_fe_quiet(r, "IMS-FE-015")
}

test_ims_fe_015_quiet_on_image_without_backup if {
	r := rules.reasons with input as _fe_delete_request({}, object.union(_fe_image, {"backup_id": null}))
	_fe_quiet(r, "IMS-FE-015")
}

test_ims_fe_015_quiet_on_system_disk_image_without_asking_more if {
	r := rules.reasons with input as _fe_delete_request({}, object.remove(_fe_system_image, ["backup_id"]))
	_fe_quiet(r, "IMS-FE-015")
}

test_ims_fe_015_missing_facts if {
	r := rules.reasons with input as _fe_delete_request({}, object.remove(_fe_image, ["image_type", "backup_id"]))
	not "IMS-FE-015" in {x.id | some x in r}
	{m | some m in _fe_missing(r); contains(m, "IMS-FE-015")} == {
		"image img-1 is missing fact \"image_type\", needed by IMS-FE-015",
		"image img-1 is missing fact \"backup_id\", needed by IMS-FE-015",
	}
}

test_ims_fe_015_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_delete_request({}, _fe_image))
	_fe_quiet(r, "IMS-FE-015")
}
