package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_007_server_create(params, image) := _ims_image_request("server.create", object.union({"name": "installer", "billing_method": "pay_as_you_go"}, params), image)

_ims_img_007_reason(message) := {
	"id": "IMS-IMG-007",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Create the server from the ISO image as a temporary server (temporary true), install the OS on it, then make a system disk image from it to create permanent servers.",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1",
}

test_ims_img_007_denies_permanent_server_from_iso if {
	r := rules.reasons with input as _ims_img_007_server_create({"temporary": false}, _ims_image({"image_type": "iso"}))
	_ims_of(r, "IMS-IMG-007") == {_ims_img_007_reason("image img-1 is an ISO image and the server is not a temporary one (temporary is false); ISO images can only provision temporary cloud servers")}
}

test_ims_img_007_denies_when_temporary_absent if {
	r := rules.reasons with input as _ims_img_007_server_create({}, _ims_image({"image_type": "iso"}))
	_ims_of(r, "IMS-IMG-007") == {_ims_img_007_reason("image img-1 is an ISO image and the server is not a temporary one (temporary is false); ISO images can only provision temporary cloud servers")}
}

test_ims_img_007_quiet_on_temporary_server if {
	r := rules.reasons with input as _ims_img_007_server_create({"temporary": true}, _ims_image({"image_type": "iso"}))
	_ims_quiet(r, "IMS-IMG-007")
}

test_ims_img_007_quiet_on_other_images if {
	every t in ["system", "full_ecs", "data"] {
		_ims_quiet(rules.reasons, "IMS-IMG-007") with input as _ims_img_007_server_create({"temporary": false}, _ims_image({"image_type": t}))
	}
}

test_ims_img_007_needs_image_type if {
	r := rules.reasons with input as _ims_request("server.create", {"image_id": "img-1"}, {})
	_ims_needs(r, "image_type", "IMS-IMG-007")
	not "IMS-IMG-007" in {x.id | some x in r}
}

test_ims_img_007_quiet_on_alibaba if {
	req := json.patch(_ims_img_007_server_create({}, _ims_image({"image_type": "iso"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-007")
}
