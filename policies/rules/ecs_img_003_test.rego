package imgadmit.rules_test

import data.imgadmit.rules

_ecs_img_003_image(snapshot_ids) := {
	"image_type": "system",
	"visibility": "private",
	"region": "cn-hangzhou",
	"source_instance_id": "i-1",
	"snapshot_ids": snapshot_ids,
	"status": "Available",
	"is_copied": false,
}

_ecs_img_003_delete(params, snapshot_ids) := _ecs_request(
	"image.delete",
	object.union({"image_id": "m-1"}, params),
	{"images": {"m-1": _ecs_img_003_image(snapshot_ids)}},
)

_ecs_img_003_reason(message) := {
	"id": "ECS-IMG-003",
	"effect": "warn",
	"category": "billing",
	"message": message,
	"remediation": "Set delete_snapshots to delete the image's snapshots with it, or delete the snapshots once you no longer need them.",
	"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?",
}

test_ecs_img_003_warns_when_snapshots_are_kept if {
	r := rules.reasons with input as _ecs_img_003_delete({"delete_snapshots": false}, ["s-2", "s-1"])
	r == {_ecs_img_003_reason("image m-1 is deleted without its snapshots (s-1, s-2); the snapshots are kept and still charged")}
}

test_ecs_img_003_warns_by_default if {
	d := data.imgadmit.decision with input as _ecs_img_003_delete({}, ["s-1"])
	d.allowed == true
	d.reasons == [_ecs_img_003_reason("image m-1 is deleted without its snapshots (s-1); the snapshots are kept and still charged")]
}

test_ecs_img_003_quiet_when_snapshots_are_deleted if {
	req := _ecs_img_003_delete({"delete_snapshots": true}, ["s-1"])
	r := rules.reasons with input as req
	r == set()
	_ecs_missing_of("ECS-IMG-003") == set() with input as req
}

test_ecs_img_003_quiet_without_snapshots if {
	req := _ecs_img_003_delete({}, [])
	r := rules.reasons with input as req
	r == set()
	_ecs_missing_of("ECS-IMG-003") == set() with input as req
}

test_ecs_img_003_warns_whatever_the_snapshot_ids_are if {
	# An image consists of snapshots: the warning needs no fact, and names the
	# snapshots only when they are known. The image itself is not known here.
	req := _ecs_request("image.delete", {"image_id": "m-1"}, {})
	_ecs_missing_of("ECS-IMG-003") == set() with input as req
	d := data.imgadmit.decision with input as req
	d.allowed == true
	d.reasons == [_ecs_img_003_reason("image m-1 is deleted without its snapshots; the snapshots are kept and still charged")]
}

test_ecs_img_003_snapshot_ids_not_needed_when_deleted if {
	req := _ecs_request("image.delete", {"image_id": "m-1", "delete_snapshots": true}, {})
	_ecs_missing_of("ECS-IMG-003") == set() with input as req
	r := rules.reasons with input as req
	r == set()
}

test_ecs_img_003_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_img_003_delete({}, ["s-1"]))
	r := rules.reasons with input as req
	_ecs_of(r, "ECS-IMG-003") == set()
	_ecs_missing_of("ECS-IMG-003") == set() with input as req
}
