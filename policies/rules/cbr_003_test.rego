package imgadmit.rules_test

import data.imgadmit.rules

_cbr_003_restore(patch) := _cbr_request(
	"backup.restore",
	{"backup_id": "bk-1", "server_id": "srv-1"},
	{"backups": {"bk-1": _cbr_with(patch)}},
)

_cbr_003_reason(message) := {
	"id": "CBR-003",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Wait until the backup is available, then restore from it; while it is still being created, a backup marked \"Image can be created\" can only be used to create an image. A backup in error cannot restore; use another backup.",
	"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites",
}

test_cbr_003_denies_protecting_backup_marked_image_creatable if {
	# Seed 003: "Image can be created ... even though it is still being created
	# and cannot be used for restoration." CBR calls that state protecting.
	r := rules.reasons with input as _cbr_003_restore({"status": "protecting", "image_creatable": true})
	r == {_cbr_003_reason("backup bk-1 is still being created (status protecting); although it is marked \"Image can be created\", it cannot be used for restoration until it is available")}
}

test_cbr_003_denies_protecting_backup if {
	r := rules.reasons with input as _cbr_003_restore({"status": "protecting", "image_creatable": false})
	r == {_cbr_003_reason("backup bk-1 is still being created (status protecting) and cannot be used for restoration until it is available")}
}

test_cbr_003_reads_the_consoles_creating_as_protecting if {
	every status in ["creating", "Creating", "PROTECTING"] {
		r := rules.reasons with input as _cbr_003_restore({"status": status, "image_creatable": true})
		{x.message | some x in r} == {"backup bk-1 is still being created (status protecting); although it is marked \"Image can be created\", it cannot be used for restoration until it is available"}
	}
}

test_cbr_003_denies_every_status_but_available if {
	every status in ["deleting", "restoring", "error", "waiting_protect", "waiting_delete", "waiting_restore"] {
		r := rules.reasons with input as _cbr_003_restore({"status": status})
		r == {_cbr_003_reason(sprintf("backup bk-1 is in status %s; only an available backup can be used for restoration", [status]))}
	}
}

test_cbr_003_image_creatable_mark_is_not_needed if {
	req := _cbr_request("backup.restore", {"backup_id": "bk-1", "disk_id": "disk-1"}, {"backups": {"bk-1": {"status": "protecting", "resource_id": "disk-1"}}})
	r := rules.reasons with input as req
	{x.message | some x in r} == {"backup bk-1 is still being created (status protecting) and cannot be used for restoration until it is available"}
}

test_cbr_003_quiet_on_available_backup if {
	req := _cbr_003_restore({})
	r := rules.reasons with input as req
	r == set()
	_cbr_missing_of("CBR-003") == set() with input as req
}

test_cbr_003_missing_status if {
	req := _cbr_request("backup.restore", {"backup_id": "bk-1", "server_id": "srv-1"}, {"backups": {"bk-1": object.remove(_cbr_backup, ["status"])}})
	_cbr_missing_of("CBR-003") == {{"kind": "backups", "id": "bk-1", "field": "status", "rule": "CBR-003", "effect": "deny"}} with input as req
	r := rules.reasons with input as req
	{[x.id, x.message] | some x in r} == {["REQ-002", "backup bk-1 is missing fact \"status\", needed by CBR-003"]}
}

test_cbr_003_quiet_on_alibaba if {
	req := json.patch(_cbr_003_restore({"status": "protecting"}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_cbr_of(r, "CBR-003") == set()
	_cbr_missing_of("CBR-003") == set() with input as req
}
