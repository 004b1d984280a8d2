package imgadmit.rules_test

import data.imgadmit.rules

_cbr_006_reason(message) := {
	"id": "CBR-006",
	"effect": "note",
	"category": "billing",
	"message": message,
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images",
}

test_cbr_006_notes_disk_backup if {
	req := _cbr_request("backup.create", {"resource_type": "disk", "resource_id": "disk-1"}, {})
	r := rules.reasons with input as req
	r == {_cbr_006_reason("backups of EVS disk disk-1 are charged according to the CBR billing standards; they are stored in OBS, apart from the disk")}
	_cbr_missing_of("CBR-006") == set() with input as req
}

test_cbr_006_notes_server_backup if {
	r := rules.reasons with input as _cbr_request("backup.create", {"resource_type": "server", "resource_id": "srv-1"}, {"servers": {"srv-1": {"cloud_init": true}}})
	r == {_cbr_006_reason("backups of ECS srv-1 are charged according to the CBR billing standards; they are stored in OBS, apart from the server's disks")}
}

test_cbr_006_note_allows if {
	d := data.imgadmit.decision with input as _cbr_request("backup.create", {"resource_type": "disk", "resource_id": "disk-1"}, {})
	d.allowed == true
}

test_cbr_006_quiet_on_other_operations if {
	r := rules.reasons with input as _cbr_request("backup.restore", {"backup_id": "bk-1", "disk_id": "disk-1"}, {"backups": {"bk-1": _cbr_with({"resource_type": "disk", "resource_id": "disk-1"})}})
	r == set()
}

test_cbr_006_quiet_on_alibaba if {
	req := json.patch(_cbr_request("backup.create", {"resource_type": "disk", "resource_id": "disk-1"}, {}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	{x.id | some x in r} == {"REQ-003"}
}

test_cbr_006_names_what_the_facts_know if {
	req := _cbr_request("backup.create", {"resource_type": "server", "resource_id": "vol-9"}, {})
	r := rules.reasons with input as req with data.inventory.resources.disks as {"vol-9": {"backup_ids": []}}
	{x.message | some x in r; x.id == "CBR-006"} == {"backups of EVS disk vol-9 are charged according to the CBR billing standards; they are stored in OBS, apart from the disk"}
}
