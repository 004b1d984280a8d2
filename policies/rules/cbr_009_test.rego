package imgadmit.rules_test

import data.imgadmit.rules

_cbr_009_restore(target, backup) := _cbr_request("backup.restore", object.union({"backup_id": "bk-1"}, target), {"backups": {"bk-1": backup}})

_cbr_009_reason(message) := {
	"id": "CBR-009",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Restore the backup to the server or disk it was made of; to put its data elsewhere, create a new disk from the backup (disk backups) or a full-ECS image from it (server backups) and create a server from that image.",
	"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1 (Backups can be used to restore data to the original server or disk, or to create a new disk or full-ECS image.)",
}

test_cbr_009_denies_restoring_to_another_server if {
	r := rules.reasons with input as _cbr_009_restore({"server_id": "srv-2"}, _cbr_backup)
	r == {_cbr_009_reason("backup bk-1 was made of server srv-1, not of server srv-2; a backup restores data only to the original server or disk")}
}

test_cbr_009_denies_restoring_a_server_backup_to_a_disk if {
	r := rules.reasons with input as _cbr_009_restore({"disk_id": "vol-9"}, _cbr_with({"resource_type": "OS::Nova::Server"}))
	r == {_cbr_009_reason("backup bk-1 was made of server srv-1, not of disk vol-9; a backup restores data only to the original server or disk")}
}

test_cbr_009_denies_restoring_a_disk_backup_to_another_disk if {
	r := rules.reasons with input as _cbr_009_restore({"disk_id": "vol-9"}, _cbr_with({"resource_type": "disk", "resource_id": "vol-1"}))
	r == {_cbr_009_reason("backup bk-1 was made of disk vol-1, not of disk vol-9; a backup restores data only to the original server or disk")}
}

test_cbr_009_quiet_on_the_original_resource if {
	every req in [
		_cbr_009_restore({"server_id": "srv-1"}, _cbr_backup),
		_cbr_009_restore({"disk_id": "vol-1"}, _cbr_with({"resource_type": "OS::Cinder::Volume", "resource_id": "vol-1"})),
		_cbr_009_restore({}, _cbr_backup),
	] {
		r := rules.reasons with input as req
		r == set()
	}
}

test_cbr_009_needs_the_backups_resource_only_for_a_target if {
	backup := object.remove(_cbr_backup, ["resource_id"])
	_cbr_missing_of("CBR-009") == {{"kind": "backups", "id": "bk-1", "field": "resource_id", "rule": "CBR-009", "effect": "deny"}} with input as _cbr_009_restore({"server_id": "srv-1"}, backup)
	_cbr_missing_of("CBR-009") == set() with input as _cbr_009_restore({}, backup)
}

test_cbr_009_quiet_on_alibaba if {
	req := json.patch(_cbr_009_restore({"server_id": "srv-2"}, _cbr_backup), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	_cbr_of(rules.reasons, "CBR-009") == set() with input as req
}
