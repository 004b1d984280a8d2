package imgadmit.rules_test

import data.imgadmit.rules

_cbr_007_reason(message) := {
	"id": "CBR-007",
	"effect": "note",
	"category": "billing",
	"message": message,
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",
}

_cbr_007_disk_delete(disk) := _cbr_request("disk.delete", {"disk_id": "disk-1"}, {"disks": {"disk-1": disk}})

_cbr_007_server_delete(server) := _cbr_request("server.delete", {"server_id": "srv-1"}, {"servers": {"srv-1": server}})

test_cbr_007_notes_disk_backups if {
	r := rules.reasons with input as _cbr_007_disk_delete({"backup_ids": ["bk-2", "bk-1"], "image_ids": [], "region": "cn-north-4"})
	_cbr_of(r, "CBR-007") == {_cbr_007_reason("disk disk-1 has backups (bk-1, bk-2); deleting the disk does not clear them, and they are still charged according to the CBR billing standards")}
}

test_cbr_007_notes_server_backups if {
	r := rules.reasons with input as _cbr_007_server_delete({"backup_ids": ["bk-1"], "image_ids": [], "region": "cn-north-4"})
	_cbr_of(r, "CBR-007") == {_cbr_007_reason("server srv-1 has backups (bk-1); deleting the server does not clear them, and they are still charged according to the CBR billing standards")}
}

test_cbr_007_quiet_without_backups if {
	req := _cbr_007_disk_delete({"backup_ids": [], "image_ids": [], "region": "cn-north-4"})
	r := rules.reasons with input as req
	_cbr_of(r, "CBR-007") == set()
	_cbr_missing_of("CBR-007") == set() with input as req
}

test_cbr_007_missing_backup_ids if {
	req := _cbr_007_server_delete({"region": "cn-north-4"})
	_cbr_missing_of("CBR-007") == {{"kind": "servers", "id": "srv-1", "field": "backup_ids", "rule": "CBR-007", "effect": "note"}} with input as req
	r := rules.reasons with input as req
	some x in r
	x.id == "REQ-002"
	x.message == "server srv-1 is missing fact \"backup_ids\", needed by CBR-007"
}

test_cbr_007_unknown_disk if {
	req := _cbr_request("disk.delete", {"disk_id": "disk-9"}, {})
	_cbr_missing_of("CBR-007") == {{"kind": "disks", "id": "disk-9", "field": "backup_ids", "rule": "CBR-007", "effect": "note"}} with input as req
}

test_cbr_007_quiet_on_alibaba if {
	req := json.patch(_cbr_007_disk_delete({"backup_ids": ["bk-1"], "image_ids": [], "region": "cn-hangzhou"}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_cbr_of(r, "CBR-007") == set()
	_cbr_missing_of("CBR-007") == set() with input as req
}

test_cbr_007_missing_backups_only_warn if {
	# Only the note needs the backups: deleting the disk is not refused for them.
	d := data.imgadmit.decision with input as _cbr_request("disk.delete", {"disk_id": "disk-9"}, {})
	d.allowed == true
	{[x.id, x.effect] | some x in d.reasons} == {["REQ-002", "warn"], ["IMS-IMG-011", "note"]}
}
