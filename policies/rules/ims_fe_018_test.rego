package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_018_notes_compression if {
	r := rules.reasons with input as _fe_request({})
	_fe_reasons(r, "IMS-FE-018") == {{
		"id": "IMS-FE-018",
		"effect": "note",
		"category": "constraint",
		"message": "backup bk-1 is compressed when it is used to create the image, so the full-ECS image may be smaller than the backup",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Relationship Between Backups and Images; Huawei Cloud CBR, Using a Backup to Create an Image: Function Description",
	}}
}

test_ims_fe_018_quiet_on_image_from_server if {
	r := rules.reasons with input as _fe_from_server_request(_fe_server)
	_fe_quiet(r, "IMS-FE-018")
}

test_ims_fe_018_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_request({}))
	_fe_quiet(r, "IMS-FE-018")
}
