package imgadmit.rules_test

import data.imgadmit.rules

_ecs_snap_001_delete(image_ids) := _ecs_request(
	"snapshot.delete",
	{"snapshot_id": "s-1"},
	{"snapshots": {"s-1": {"disk_type": "system", "image_ids": image_ids, "status": "accomplished"}}},
)

_ecs_snap_001_reason(message) := {
	"id": "ECS-SNAP-001",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Delete the custom images created from the snapshot first (DeleteImage), then delete the snapshot; Force does not override this check.",
	"source": "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?; Alibaba Cloud ECS API reference, DeleteSnapshot",
}

test_ecs_snap_001_denies_snapshot_used_by_an_image if {
	r := rules.reasons with input as _ecs_snap_001_delete(["m-1"])
	r == {_ecs_snap_001_reason("snapshot s-1 is associated with custom image m-1; it cannot be deleted before the image is deleted, whatever Force says")}
}

test_ecs_snap_001_denies_snapshot_used_by_images if {
	r := rules.reasons with input as _ecs_snap_001_delete(["m-2", "m-1"])
	r == {_ecs_snap_001_reason("snapshot s-1 is associated with custom images m-1, m-2; it cannot be deleted before the images are deleted, whatever Force says")}
}

test_ecs_snap_001_quiet_on_free_snapshot if {
	req := _ecs_snap_001_delete([])
	d := data.imgadmit.decision with input as req
	d == {"allowed": true, "provider": "alibabacloud", "operation": "snapshot.delete", "reasons": []}
	_ecs_missing_of("ECS-SNAP-001") == set() with input as req
}

test_ecs_snap_001_missing_image_ids if {
	req := _ecs_request("snapshot.delete", {"snapshot_id": "s-1"}, {"snapshots": {"s-1": {"disk_type": "data"}}})
	_ecs_missing_of("ECS-SNAP-001") == {{"kind": "snapshots", "id": "s-1", "field": "image_ids", "rule": "ECS-SNAP-001", "effect": "deny"}} with input as req
	r := rules.reasons with input as req
	{[x.id, x.effect, x.message] | some x in r} == {["REQ-002", "deny", "snapshot s-1 is missing fact \"image_ids\", needed by ECS-SNAP-001"]}
}

test_ecs_snap_001_quiet_on_huawei if {
	req := _ecs_on_huawei(_ecs_snap_001_delete(["m-1"]))
	r := rules.reasons with input as req
	{x.id | some x in r} == {"REQ-003"}
	_ecs_missing_of("ECS-SNAP-001") == set() with input as req
}
