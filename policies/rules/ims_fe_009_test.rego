package imgadmit.rules_test

import data.imgadmit.rules

_fe_export_request(image) := _fe_image_request("image.export", {"bucket_url": "exports:web.qcow2", "file_format": "qcow2"}, image)

test_ims_fe_009_denies_exporting_full_ecs_image if {
	r := rules.reasons with input as _fe_export_request(_fe_image)
	_fe_reasons(r, "IMS-FE-009") == {{
		"id": "IMS-FE-009",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a full-ECS image; full-ECS images cannot be exported",
		"remediation": "Export system disk and data disk images instead (create an ECS from the full-ECS image, then create a system disk image and a data disk image from that ECS).",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",
	}}
}

test_ims_fe_009_quiet_on_system_disk_image if {
	r := rules.reasons with input as _fe_export_request(_fe_system_image)
	_fe_quiet(r, "IMS-FE-009")
}

test_ims_fe_009_missing_image_type if {
	r := rules.reasons with input as _fe_export_request(object.remove(_fe_image, ["image_type"]))
	not "IMS-FE-009" in {x.id | some x in r}
	some m in _fe_missing(r)
	startswith(m, "image img-1 is missing fact \"image_type\", needed by ")
	contains(m, "IMS-FE-009")
}

test_ims_fe_009_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_export_request(_fe_image))
	_fe_quiet(r, "IMS-FE-009")
}
