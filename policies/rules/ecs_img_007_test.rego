package imgadmit.rules_test

import data.imgadmit.rules

_ecs_img_007_delete := _ecs_request("server.delete", {"server_id": "i-1"}, {})

test_ecs_img_007_notes_release if {
	d := data.imgadmit.decision with input as _ecs_img_007_delete
	d == {
		"allowed": true,
		"provider": "alibabacloud",
		"operation": "server.delete",
		"reasons": [{
			"id": "ECS-IMG-007",
			"effect": "note",
			"category": "lifecycle",
			"message": "releasing instance i-1 does not affect the custom images created from it or the instances created from those images",
			"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: What happens to a custom image when the instance from which the image was created is released?",
		}],
	}
	_ecs_missing_of("ECS-IMG-007") == set() with input as _ecs_img_007_delete
}

test_ecs_img_007_quiet_on_other_operations if {
	r := rules.reasons with input as _ecs_request("server.start", {"server_id": "i-1"}, {})
	r == set()
}

test_ecs_img_007_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_img_007_delete)
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-007") == set()
}
