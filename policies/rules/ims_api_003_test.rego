package imgadmit.rules_test

import data.imgadmit.rules

_ims_api_003_replicate(destination, image) := _ims_image_request("image.replicate", {"name": "installer-copy", "destination_region": destination}, image)

_ims_api_003_iso := _ims_image({"image_type": "iso"})

_ims_api_003_reason(message) := {
	"id": "IMS-API-003",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Create the ISO image in the destination region from the ISO file instead (upload the file to an OBS bucket in that region and import it there).",
	"source": "Huawei Cloud IMS API reference, CopyImageCrossRegion (POST /v1/cloudimages/{image_id}/cross_region_copy)",
}

test_ims_api_003_denies_cross_region_iso if {
	r := rules.reasons with input as _ims_api_003_replicate("cn-east-3", _ims_api_003_iso)
	r == {_ims_api_003_reason("image img-1 is an ISO image; ISO images cannot be replicated across regions (from cn-north-4 to cn-east-3)")}
}

test_ims_api_003_denies_when_request_names_no_region if {
	req := json.remove(_ims_api_003_replicate("cn-east-3", _ims_api_003_iso), ["region"])
	r := rules.reasons with input as req
	_ims_of(r, "IMS-API-003") == {_ims_api_003_reason("image img-1 is an ISO image; ISO images cannot be replicated across regions (from cn-north-4 to cn-east-3)")}
	unknown := json.remove(req, ["resources/images/img-1/region"])
	_ims_of(rules.reasons, "IMS-API-003") == {_ims_api_003_reason("image img-1 is an ISO image; ISO images cannot be replicated across regions (from the source region (neither the request nor the image's facts name one) to cn-east-3)")} with input as unknown
}

test_ims_api_003_quiet_within_region if {
	every req in [
		_ims_api_003_replicate("cn-north-4", _ims_api_003_iso),
		_ims_api_003_replicate(null, _ims_api_003_iso),
		json.remove(_ims_api_003_replicate("x", _ims_api_003_iso), ["params/destination_region"]),
	] {
		_ims_quiet(rules.reasons, "IMS-API-003") with input as req
	}
}

test_ims_api_003_quiet_on_other_images if {
	every t in ["system", "data"] {
		_ims_quiet(rules.reasons, "IMS-API-003") with input as _ims_api_003_replicate("cn-east-3", _ims_image({"image_type": t}))
	}
}

test_ims_api_003_needs_image_type_across_regions if {
	r := rules.reasons with input as _ims_request("image.replicate", {"image_id": "img-1", "destination_region": "cn-east-3"}, {})
	_ims_needs(r, "image_type", "IMS-API-003")
	not "IMS-API-003" in {x.id | some x in r}
}

test_ims_api_003_quiet_on_alibaba if {
	req := json.patch(_ims_api_003_replicate("cn-east-3", _ims_api_003_iso), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-003")
}
