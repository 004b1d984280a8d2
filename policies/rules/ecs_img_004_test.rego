package imgadmit.rules_test

import data.imgadmit.rules

_ecs_img_004_change_os(image_region, server_region) := _ecs_request(
	"server.change_os",
	{"server_id": "i-1", "image_id": "m-1"},
	{
		"images": {"m-1": {"region": image_region, "source_instance_id": null, "snapshot_ids": ["s-1"]}},
		"servers": {"i-1": {"region": server_region, "status": "stopped"}},
	},
)

test_ecs_img_004_denies_image_from_another_region if {
	d := data.imgadmit.decision with input as _ecs_img_004_change_os("cn-shanghai", "cn-hangzhou")
	d == {
		"allowed": false,
		"provider": "alibabacloud",
		"operation": "server.change_os",
		"reasons": [{
			"id": "ECS-IMG-004",
			"effect": "deny",
			"category": "constraint",
			"message": "image m-1 is in region cn-shanghai but instance i-1 is in region cn-hangzhou; the image must be in the same region as the instance",
			"remediation": "Use an image in the instance's region; copy the image to that region first (CopyImage) and replace the system disk with the copy.",
			"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: If an image was manually created from an ECS instance, can I retrieve instance data after the instance is released on expiration?",
		}],
	}
}

test_ecs_img_004_quiet_in_the_same_region if {
	req := _ecs_img_004_change_os("cn-hangzhou", "cn-hangzhou")
	r := rules.reasons with input as req
	r == set()
	_ecs_missing_of("ECS-IMG-004") == set() with input as req
}

test_ecs_img_004_missing_regions if {
	req := _ecs_request("server.change_os", {"server_id": "i-1", "image_id": "m-1"}, {"images": {"m-1": {"source_instance_id": null}}, "servers": {"i-1": {"status": "stopped"}}})
	_ecs_missing_of("ECS-IMG-004") == {
		{"kind": "images", "id": "m-1", "field": "region", "rule": "ECS-IMG-004", "effect": "deny"},
		{"kind": "servers", "id": "i-1", "field": "region", "rule": "ECS-IMG-004", "effect": "deny"},
	} with input as req
	r := rules.reasons with input as req
	{x.message | some x in r} == {
		"image m-1 is missing fact \"region\", needed by ECS-IMG-004",
		"server i-1 is missing fact \"region\", needed by ECS-IMG-004",
	}
}

test_ecs_img_004_quiet_on_server_create if {
	# Creating an instance from the image is not replacing a system disk.
	req := json.patch(_ecs_img_004_change_os("cn-shanghai", "cn-hangzhou"), [{"op": "replace", "path": "/operation", "value": "server.create"}])
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-004") == set()
	_ecs_missing_of("ECS-IMG-004") == set() with input as req
}

test_ecs_img_004_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_img_004_change_os("cn-shanghai", "cn-hangzhou"))
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-004") == set()
	_ecs_missing_of("ECS-IMG-004") == set() with input as req
}
