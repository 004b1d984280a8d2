package imgadmit.rules_test

import data.imgadmit.rules

_cbr_005_create(resource_type, servers) := _cbr_request(
	"backup.create",
	{"resource_type": resource_type, "resource_id": "srv-1"},
	{"servers": servers},
)

_cbr_005_reason(message) := {
	"id": "CBR-005",
	"effect": "warn",
	"category": "constraint",
	"message": message,
	"remediation": "Before backing up the ECS, optimize it and install Cloud-Init (Linux) or Cloudbase-Init (Windows), so that images can be created from the backup.",
	"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites",
}

test_cbr_005_warns_on_server_without_cloud_init if {
	r := rules.reasons with input as _cbr_005_create("server", {"srv-1": {"cloud_init": false, "region": "cn-north-4"}})
	_cbr_of(r, "CBR-005") == {_cbr_005_reason("server srv-1 is not optimized with Cloud-Init (Linux) or Cloudbase-Init (Windows); creating an image from this backup may fail")}
	{x.id | some x in r} == {"CBR-005", "CBR-006"}
}

test_cbr_005_unknown_is_the_warning if {
	req := _cbr_005_create("server", {"srv-1": {"region": "cn-north-4"}})
	r := rules.reasons with input as req
	_cbr_of(r, "CBR-005") == {_cbr_005_reason("server srv-1 is not known to be optimized with Cloud-Init (Linux) or Cloudbase-Init (Windows); creating an image from this backup may fail")}
	_cbr_of(r, "REQ-002") == set()
	_cbr_missing_of("CBR-005") == set() with input as req
}

test_cbr_005_unknown_server_is_the_warning if {
	d := data.imgadmit.decision with input as _cbr_005_create("server", {})
	d.allowed == true
	[[x.id, x.effect] | some x in d.reasons] == [["CBR-005", "warn"], ["CBR-006", "note"]]
}

test_cbr_005_quiet_on_optimized_server if {
	r := rules.reasons with input as _cbr_005_create("server", {"srv-1": {"cloud_init": true}})
	{x.id | some x in r} == {"CBR-006"}
}

test_cbr_005_quiet_on_disk_backup if {
	r := rules.reasons with input as _cbr_request("backup.create", {"resource_type": "disk", "resource_id": "disk-1"}, {})
	{x.id | some x in r} == {"CBR-006"}
}

test_cbr_005_inventory_wins if {
	r := rules.reasons with input as _cbr_005_create("server", {"srv-1": {"cloud_init": true}})
		with data.inventory.resources.servers as {"srv-1": {"cloud_init": false}}
	{x.message | some x in r; x.id == "CBR-005"} == {"server srv-1 is not optimized with Cloud-Init (Linux) or Cloudbase-Init (Windows); creating an image from this backup may fail"}
}

test_cbr_005_a_known_server_is_a_server_whatever_the_request_says if {
	req := _cbr_request("backup.create", {"resource_type": "disk", "resource_id": "srv-1"}, {"disks": {"srv-1": {}}})
	r := rules.reasons with input as req with data.inventory.resources.servers as {"srv-1": {"cloud_init": false}}
	{x.id | some x in r} == {"CBR-005", "CBR-006"}
}

test_cbr_005_a_known_disk_is_a_disk if {
	req := _cbr_request("backup.create", {"resource_type": "server", "resource_id": "vol-1"}, {})
	r := rules.reasons with input as req with data.inventory.resources.disks as {"vol-1": {"backup_ids": []}}
	{x.id | some x in r} == {"CBR-006"}
}

test_cbr_005_quiet_on_alibaba if {
	req := json.patch(_cbr_005_create("server", {}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	{x.id | some x in r} == {"REQ-003"}
}
