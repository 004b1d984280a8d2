package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_001_reason(message) := {
	"id": "IMS-IMG-001",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Read the Image Disclaimer and agree to it (set agree_disclaimer to true).",
	"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 2",
}

test_ims_img_001_denies_disclaimer_false if {
	r := rules.reasons with input as _ims_create_request({"agree_disclaimer": false})
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image \"web\" cannot be created: agree_disclaimer is false; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_denies_disclaimer_absent if {
	r := rules.reasons with input as json.remove(_ims_create_request({}), ["params/agree_disclaimer"])
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image \"web\" cannot be created: agree_disclaimer is not set; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_denies_non_boolean_agreement if {
	r := rules.reasons with input as json.remove(_ims_create_request({"agree_disclaimer": "yes"}), ["params/name"])
	_ims_of(r, "IMS-IMG-001") == {_ims_img_001_reason("image (unnamed) cannot be created: agree_disclaimer is \"yes\"; the Image Disclaimer must be read and agreed to")}
}

test_ims_img_001_quiet_when_agreed if {
	r := rules.reasons with input as _ims_create_request({})
	_ims_quiet(r, "IMS-IMG-001")
}

test_ims_img_001_quiet_on_alibaba if {
	req := json.patch(_ims_create_request({"agree_disclaimer": false}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-001")
}

test_ims_img_001_quiet_on_other_operations if {
	r := rules.reasons with input as _ims_image_request("image.delete", {"agree_disclaimer": false}, _ims_image({}))
	_ims_quiet(r, "IMS-IMG-001")
}
