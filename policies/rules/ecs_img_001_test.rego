package imgadmit.rules_test

import data.imgadmit.rules

test_ecs_img_001_denies_data_disk_snapshot if {
	r := rules.reasons with input as _ecs_img_001_from_snapshot("data")
	r == {{
		"id": "ECS-IMG-001",
		"effect": "deny",
		"category": "constraint",
		"message": "snapshot s-1 is a snapshot of a data disk; only a system disk snapshot can be used to create a custom image",
		"remediation": "Create the custom image from a snapshot of the instance's system disk, or from the instance itself.",
		"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?",
	}}
}

test_ecs_img_001_quiet_on_system_disk_snapshot if {
	req := _ecs_img_001_from_snapshot("system")
	r := rules.reasons with input as req
	r == set()
	_ecs_missing_of("ECS-IMG-001") == set() with input as req
}

test_ecs_img_001_missing_disk_type if {
	req := _ecs_img_001_create({"type": "snapshot", "id": "s-9"}, {})
	_ecs_missing_of("ECS-IMG-001") == {{"kind": "snapshots", "id": "s-9", "field": "disk_type", "rule": "ECS-IMG-001", "effect": "deny"}} with input as req
	r := rules.reasons with input as req
	{[x.id, x.message] | some x in r} == {["REQ-002", "nothing is known about snapshot s-9 (fact \"disk_type\" is needed by ECS-IMG-001)"]}
}

test_ecs_img_001_quiet_on_instance_source if {
	req := _ecs_img_001_create({"type": "server", "id": "i-1"}, {})
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-001") == set()
	_ecs_missing_of("ECS-IMG-001") == set() with input as req
}

test_ecs_img_001_quiet_on_huawei if {
	req := json.patch(_ecs_on_huawei(_ecs_img_001_from_snapshot("data")), [{"op": "add", "path": "/params/agree_disclaimer", "value": true}])
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-001") == set()
	_ecs_missing_of("ECS-IMG-001") == set() with input as req
}
