package imgadmit.rules_test

import data.imgadmit.rules

test_ims_img_010_notes_obs_billing if {
	r := rules.reasons with input as _ims_create_request({})
	_ims_of(r, "IMS-IMG-010") == {{
		"id": "IMS-IMG-010",
		"effect": "note",
		"category": "billing",
		"message": "image \"web\" will be stored in OBS; image storage fees are charged according to the OBS billing standards",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images",
	}}
}

test_ims_img_010_notes_every_other_kind_of_image if {
	every pair in [["data", "disk"], ["iso", "iso_file"], ["full_ecs", "server"], ["full_ecs", "csbs_backup"]] {
		"IMS-IMG-010" in {x.id | some x in rules.reasons} with input as _ims_create_request({"image_type": pair[0], "source": {"type": pair[1], "id": "src-1"}})
	}
}

test_ims_img_010_quiet_on_full_ecs_from_cbr_backup if {
	# Only the CBR backup is charged for this image (IMS-FE-014).
	r := rules.reasons with input as _ims_create_request({"image_type": "full_ecs", "source": {"type": "cbr_backup", "id": "bk-1"}})
	_ims_quiet(r, "IMS-IMG-010")
}

test_ims_img_010_quiet_on_alibaba if {
	req := json.patch(_ims_create_request({}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-010")
}
