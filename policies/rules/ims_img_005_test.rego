package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_005_disk_create(image) := _ims_image_request("disk.create", {}, image)

_ims_img_005_reason(message) := {
	"id": "IMS-IMG-005",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Create the disk from a data disk image (or from a disk backup); use a system disk or full-ECS image to create a server instead.",
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Images: Image Types",
}

test_ims_img_005_denies_system_disk_image if {
	r := rules.reasons with input as _ims_img_005_disk_create(_ims_image({"image_type": "system"}))
	_ims_of(r, "IMS-IMG-005") == {_ims_img_005_reason("image img-1 is a system disk image; only data disk images can create EVS disks")}
}

test_ims_img_005_denies_every_other_type if {
	msgs := {m |
		some t in ["full_ecs", "iso", "whole"]
		some x in rules.reasons with input as _ims_img_005_disk_create(_ims_image({"image_type": t}))
		x.id == "IMS-IMG-005"
		m := x.message
	}
	msgs == {
		"image img-1 is a full-ECS image; only data disk images can create EVS disks",
		"image img-1 is an ISO image; only data disk images can create EVS disks",
		"image img-1 is of image type \"whole\"; only data disk images can create EVS disks",
	}
}

test_ims_img_005_quiet_on_data_disk_image if {
	r := rules.reasons with input as _ims_img_005_disk_create(_ims_image({"image_type": "data"}))
	_ims_quiet(r, "IMS-IMG-005")
}

test_ims_img_005_quiet_on_disk_from_backup if {
	req := _ims_request("disk.create", {"backup_id": "bk-1"}, {})
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-005")
}

test_ims_img_005_needs_image_type if {
	r := rules.reasons with input as _ims_request("disk.create", {"image_id": "img-1"}, {})
	_ims_needs(r, "image_type", "IMS-IMG-005")
	not "IMS-IMG-005" in {x.id | some x in r}
}

test_ims_img_005_quiet_on_alibaba if {
	req := json.patch(_ims_img_005_disk_create(_ims_image({})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-005")
}
