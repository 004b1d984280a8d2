package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_006_change_os(image) := _ims_request(
	"server.change_os",
	{"server_id": "srv-1", "image_id": "img-1"},
	{"images": {"img-1": image}, "servers": {"srv-1": _ims_server}},
)

_ims_img_006_reason(message) := {
	"id": "IMS-IMG-006",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Change the OS with a system disk image (a full-ECS image also works, but writes only its system disk).",
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1",
}

test_ims_img_006_denies_data_disk_image if {
	r := rules.reasons with input as _ims_img_006_change_os(_ims_image({"image_type": "data"}))
	_ims_of(r, "IMS-IMG-006") == {_ims_img_006_reason("image img-1 is a data disk image; a data disk image contains only service data and no OS to change a server's OS with")}
}

test_ims_img_006_denies_iso_image if {
	r := rules.reasons with input as _ims_img_006_change_os(_ims_image({"image_type": "iso"}))
	_ims_of(r, "IMS-IMG-006") == {_ims_img_006_reason("image img-1 is an ISO image; an ISO image can only provision temporary servers and cannot change a server's OS")}
}

test_ims_img_006_quiet_on_system_and_full_ecs_images if {
	every t in ["system", "full_ecs"] {
		_ims_quiet(rules.reasons, "IMS-IMG-006") with input as _ims_img_006_change_os(_ims_image({"image_type": t}))
	}
}

test_ims_img_006_needs_image_type if {
	r := rules.reasons with input as _ims_img_006_change_os({"visibility": "private"})
	_ims_needs(r, "image_type", "IMS-IMG-006")
	not "IMS-IMG-006" in {x.id | some x in r}
}

test_ims_img_006_quiet_on_alibaba if {
	req := json.patch(_ims_img_006_change_os(_ims_image({"image_type": "data"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-006")
}
