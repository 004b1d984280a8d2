package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_004_server_create(image) := _ims_image_request("server.create", {"name": "web-01", "billing_method": "pay_as_you_go", "temporary": false}, image)

test_ims_img_004_denies_data_disk_image if {
	r := rules.reasons with input as _ims_img_004_server_create(_ims_image({"image_type": "data"}))
	_ims_of(r, "IMS-IMG-004") == {{
		"id": "IMS-IMG-004",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is a data disk image; data disk images create EVS disks, not servers",
		"remediation": "Create the server from a system disk image or a full-ECS image; use the data disk image to create an EVS disk and attach it to the server.",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Images: Image Types",
	}}
}

test_ims_img_004_quiet_on_server_images if {
	every t in ["system", "full_ecs"] {
		_ims_quiet(rules.reasons, "IMS-IMG-004") with input as _ims_img_004_server_create(_ims_image({"image_type": t}))
	}
}

test_ims_img_004_needs_image_type if {
	r := rules.reasons with input as _ims_img_004_server_create(json.remove(_ims_image({}), ["image_type"]))
	_ims_needs(r, "image_type", "IMS-IMG-004")
	not "IMS-IMG-004" in {x.id | some x in r}
}

test_ims_img_004_quiet_on_alibaba if {
	req := json.patch(_ims_img_004_server_create(_ims_image({"image_type": "data"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-004")
}
