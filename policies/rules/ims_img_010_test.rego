package imgadmit.rules_test

import data.imgadmit.rules

test_ims_img_010_notes_obs_billing if {
	r := rules.reasons with input as _ims_create_request({})
	_ims_of(r, "IMS-IMG-010") == {{
		"id": "IMS-IMG-010",
		"effect": "note",
		"category": "billing",
		"message": "image \"web\" will be stored in OBS; image storage fees are charged according to the OBS billing standards",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background",
	}}
}

test_ims_img_010_notes_system_data_and_iso_images if {
	every pair in [["system", "file"], ["system", "disk"], ["data", "disk"], ["data", "file"], ["iso", "iso_file"]] {
		"IMS-IMG-010" in {x.id | some x in rules.reasons} with input as _ims_create_request({"image_type": pair[0], "source": {"type": pair[1], "id": "src-1"}})
	}
}

test_ims_img_010_quiet_on_every_full_ecs_image if {
	# Charged as its backup (IMS-FE-014 from a CBR backup, IMS-FE-017 from a
	# server, whose backup CBR charges): an OBS note would contradict them.
	every source in ["cbr_backup", "csbs_backup", "server"] {
		r := rules.reasons with input as _ims_create_request({"image_type": "full_ecs", "source": {"type": source, "id": "src-1"}})
		_ims_quiet(r, "IMS-IMG-010")
	}
}

test_ims_img_010_and_ims_fe_017_never_both if {
	r := rules.reasons with input as _ims_create_request({"image_type": "full_ecs", "source": {"type": "server", "id": "srv-1"}})
	{x.id | some x in r; x.category == "billing"} == {"IMS-FE-017"}
}

test_ims_img_010_quiet_on_alibaba if {
	req := json.patch(_ims_create_request({}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-010")
}
