package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_014_notes_backup_billing if {
	# Always: even with nothing known about the backup.
	r := rules.reasons with input as _fe_request({})
	_fe_reasons(r, "IMS-FE-014") == {{
		"id": "IMS-FE-014",
		"effect": "note",
		"category": "billing",
		"message": "only CBR backup bk-1 is charged for this full-ECS image, by CBR billing standards",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background",
	}}
}

test_ims_fe_014_quiet_on_image_from_server if {
	r := rules.reasons with input as _fe_from_server_request(_fe_server)
	_fe_quiet(r, "IMS-FE-014")
}

test_ims_fe_014_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_request({}))
	_fe_quiet(r, "IMS-FE-014")
}
