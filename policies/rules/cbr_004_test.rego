package imgadmit.rules_test

import data.imgadmit.rules

test_cbr_004_denies_export if {
	r := rules.reasons with input as _cbr_request("backup.export", {"backup_id": "bk-1"}, {})
	r == {{
		"id": "CBR-004",
		"effect": "deny",
		"category": "constraint",
		"message": "backup bk-1 cannot be exported; CBR backups do not support exporting to a local PC",
		"remediation": "To take the data to a local PC, create a system disk or data disk image from the server or disk and export that image instead (full-ECS images cannot be exported either).",
		"source": "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",
	}}
}

test_cbr_004_needs_no_facts if {
	_cbr_missing_of("CBR-004") == set() with input as _cbr_request("backup.export", {"backup_id": "bk-1"}, {})
	d := data.imgadmit.decision with input as _cbr_backup_request("backup.export", _cbr_backup)
	d.allowed == false
	[x.id | some x in d.reasons] == ["CBR-004"]
}

test_cbr_004_quiet_on_other_backup_operations if {
	r := rules.reasons with input as _cbr_request("backup.restore", {"backup_id": "bk-1", "server_id": "srv-1"}, {"backups": {"bk-1": _cbr_backup}})
	_cbr_of(r, "CBR-004") == set()
}

test_cbr_004_quiet_on_alibaba if {
	req := json.patch(_cbr_request("backup.export", {"backup_id": "bk-1"}, {}), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	{x.id | some x in r} == {"REQ-003"}
}
