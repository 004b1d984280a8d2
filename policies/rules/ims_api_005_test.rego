package imgadmit.rules_test

import data.imgadmit.rules

_ims_api_005_ops := {
	"image.delete": {},
	"image.share": {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]},
	"image.export": {"bucket_url": "img-export:web.qcow2"},
	"image.replicate": {"name": "web-copy", "destination_region": "cn-south-1"},
	"image.publish": {},
	"server.create": {"name": "web-01"},
	"server.change_os": {"server_id": "srv-1"},
	"disk.create": {},
}

_ims_api_005_reason(message) := {
	"id": "IMS-API-005",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Send the request to the region the image is in; to use the image in another region, replicate it there first and use the replica.",
	"source": "Huawei Cloud IMS API reference: images are regional; CopyImageCrossRegion (POST /v1/cloudimages/{image_id}/cross_region_copy) replicates an image from its own region",
}

_ims_api_005_elsewhere(op, params) := json.patch(_ims_image_request(op, params, _ims_image({})), [{"op": "replace", "path": "/region", "value": "cn-east-3"}])

test_ims_api_005_denies_a_request_from_another_region if {
	every op, params in _ims_api_005_ops {
		r := rules.reasons with input as _ims_api_005_elsewhere(op, params)
		_ims_of(r, "IMS-API-005") == {_ims_api_005_reason("image img-1 is in region cn-north-4, but the request names region cn-east-3; a request is made in the region the image is in")}
	}
}

test_ims_api_005_the_inventory_knows_where_the_image_is if {
	# The request's own facts claim cn-east-3, as its region does; the inventory says cn-north-4.
	req := _ims_api_005_elsewhere("server.create", {})
	r := rules.reasons with input as json.patch(req, [{"op": "replace", "path": "/resources/images/img-1/region", "value": "cn-east-3"}])
		with data.inventory.resources.images as {"img-1": _ims_image({})}
	{x.id | some x in r; x.effect == "deny"} == {"IMS-API-005"}
}

test_ims_api_005_quiet_in_the_images_region if {
	every op, params in _ims_api_005_ops {
		_ims_quiet(rules.reasons, "IMS-API-005") with input as _ims_image_request(op, params, _ims_image({}))
	}
}

test_ims_api_005_quiet_when_either_region_is_not_known if {
	_ims_quiet(rules.reasons, "IMS-API-005") with input as json.remove(_ims_api_005_elsewhere("server.create", {}), ["region"])
	_ims_quiet(rules.reasons, "IMS-API-005") with input as json.remove(_ims_api_005_elsewhere("server.create", {}), ["resources/images/img-1/region"])
}

test_ims_api_005_quiet_on_alibaba if {
	# ECS-IMG-004 judges Alibaba regions (the image and the instance).
	req := _ecs_request("server.create", {"image_id": "m-1", "name": "web-2"}, {"images": {"m-1": {"region": "cn-shanghai", "source_instance_id": null}}})
	_ims_quiet(rules.reasons, "IMS-API-005") with input as req
}
