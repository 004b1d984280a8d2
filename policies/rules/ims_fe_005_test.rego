package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_005_warns_on_unconfigured_backup_source if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"servers": {"srv-1": object.union(_fe_server, {"cloud_init": false})}})
	_fe_reasons(r, "IMS-FE-005") == {{
		"id": "IMS-FE-005",
		"effect": "warn",
		"category": "constraint",
		"message": "server srv-1 (the source of backup bk-1) is not configured with Cloud-Init or Cloudbase-Init (cloud_init is false); creating a full-ECS image from it may fail",
		"remediation": "Optimize the ECS and install Cloud-Init (Linux) or Cloudbase-Init (Windows) before backing it up or creating the image, then record cloud_init true for the server.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites",
	}}
}

test_ims_fe_005_unknown_server_is_the_warning if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	{x.message | some x in _fe_reasons(r, "IMS-FE-005")} == {"server srv-1 (the source of backup bk-1) is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail"}
	not _fe_asks_fact(r, "IMS-FE-005")
}

test_ims_fe_005_missing_cloud_init_is_the_warning if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"servers": {"srv-1": object.remove(_fe_server, ["cloud_init"])}})
	{x.message | some x in _fe_reasons(r, "IMS-FE-005")} == {"server srv-1 (the source of backup bk-1) is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail"}
	not _fe_asks_fact(r, "IMS-FE-005")
}

test_ims_fe_005_warns_when_backup_names_no_server if {
	r := rules.reasons with input as _backup_request(object.remove(_usable_server_backup, ["resource_id"]))
	{x.message | some x in _fe_reasons(r, "IMS-FE-005")} == {"backup bk-1 names no source server (resource_id), so its server is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail"}
	not _fe_asks_fact(r, "IMS-FE-005")
}

test_ims_fe_005_warns_on_unconfigured_server_source if {
	r := rules.reasons with input as _fe_from_server_request(object.union(_fe_server, {"cloud_init": false}))
	{x.message | some x in _fe_reasons(r, "IMS-FE-005")} == {"server srv-1 is not configured with Cloud-Init or Cloudbase-Init (cloud_init is false); creating a full-ECS image from it may fail"}
}

test_ims_fe_005_warns_on_unknown_server_source if {
	r := rules.reasons with input as _fe_from_server_request({})
	{x.message | some x in _fe_reasons(r, "IMS-FE-005")} == {"server srv-1 is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail"}
}

test_ims_fe_005_quiet_on_configured_backup_source if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"servers": {"srv-1": _fe_server}})
	_fe_quiet(r, "IMS-FE-005")
}

test_ims_fe_005_quiet_on_configured_server_source if {
	r := rules.reasons with input as _fe_from_server_request(_fe_server)
	_fe_quiet(r, "IMS-FE-005")
}

test_ims_fe_005_quiet_on_disk_backup if {
	# A disk backup has no source ECS; IMS-FE-001 refuses it.
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"resource_type": "disk", "resource_id": "vol-1"}))
	_fe_quiet(r, "IMS-FE-005")
	"IMS-FE-001" in {x.id | some x in r}
}

test_ims_fe_005_quiet_for_system_disk_image if {
	req := json.patch(_fe_from_server_request(object.union(_fe_server, {"cloud_init": false})), [{"op": "replace", "path": "/params/image_type", "value": "system"}])
	r := rules.reasons with input as req
	_fe_quiet(r, "IMS-FE-005")
}

test_ims_fe_005_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_from_server_request(object.union(_fe_server, {"cloud_init": false})))
	_fe_quiet(r, "IMS-FE-005")
}
