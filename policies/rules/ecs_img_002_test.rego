package imgadmit.rules_test

import data.imgadmit.rules

test_ecs_img_002_notes_image_from_instance if {
	req := _ecs_img_001_create({"type": "server", "id": "i-1"}, {})
	r := rules.reasons with input as req
	r == {{
		"id": "ECS-IMG-002",
		"effect": "note",
		"category": "billing",
		"message": "a snapshot is created for each disk (system disk and data disks) of instance i-1, and the custom image consists of these snapshots, which are charged as snapshots",
		"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?",
	}}
	_ecs_missing_of("ECS-IMG-002") == set() with input as req
	d := data.imgadmit.decision with input as req
	d.allowed == true
}

test_ecs_img_002_quiet_on_snapshot_source if {
	r := rules.reasons with input as _ecs_img_001_from_snapshot("system")
	_ecs_of(r, "ECS-IMG-002") == set()
}

test_ecs_img_002_quiet_on_huawei if {
	req := json.patch(_ecs_on_huawei(_ecs_img_001_create({"type": "server", "id": "i-1"}, {})), [{"op": "add", "path": "/params/agree_disclaimer", "value": true}])
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-002") == set()
}
