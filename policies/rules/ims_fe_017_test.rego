package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_017_notes_backup_of_server if {
	# Always: even with nothing known about the server.
	r := rules.reasons with input as _fe_from_server_request({})
	_fe_reasons(r, "IMS-FE-017") == {{
		"id": "IMS-FE-017",
		"effect": "note",
		"category": "billing",
		"message": "server srv-1 is backed up before the full-ECS image is created from it, and that backup is charged by CBR billing standards",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Relationship Between Backups and Images",
	}}
}

test_ims_fe_017_quiet_on_image_from_backup if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	_fe_quiet(r, "IMS-FE-017")
}

test_ims_fe_017_quiet_for_system_disk_image if {
	req := json.patch(_fe_from_server_request(_fe_server), [{"op": "replace", "path": "/params/image_type", "value": "system"}])
	r := rules.reasons with input as req
	_fe_quiet(r, "IMS-FE-017")
}

test_ims_fe_017_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_from_server_request(_fe_server))
	_fe_quiet(r, "IMS-FE-017")
}
