package imgadmit.rules_test

import data.imgadmit.rules

_cbr_001_reason(message) := {
	"id": "CBR-001",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Delete the image created from the backup first, then delete the backup; or delete the image with delete_backup set, which deletes the backup with it.",
	"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Function Description",
}

test_cbr_001_denies_backup_with_image if {
	r := rules.reasons with input as _cbr_backup_request("backup.delete", _cbr_with({"image_id": "img-1"}))
	r == {_cbr_001_reason("backup bk-1 has been used to create image img-1; a backup with an image created cannot be directly deleted")}
}

test_cbr_001_denies_in_decision if {
	d := data.imgadmit.decision with input as _cbr_backup_request("backup.delete", _cbr_with({"image_id": "img-1"}))
	d.allowed == false
	[x.id | some x in d.reasons] == ["CBR-001"]
}

test_cbr_001_quiet_without_image if {
	r := rules.reasons with input as _cbr_backup_request("backup.delete", _cbr_backup)
	r == set()
	_cbr_missing_of("CBR-001") == set() with input as _cbr_backup_request("backup.delete", _cbr_backup)
}

test_cbr_001_missing_image_id if {
	req := _cbr_backup_request("backup.delete", object.remove(_cbr_backup, ["image_id"]))
	_cbr_missing_of("CBR-001") == {{"kind": "backups", "id": "bk-1", "field": "image_id", "rule": "CBR-001", "effect": "deny"}} with input as req
	r := rules.reasons with input as req
	{x.id | some x in r} == {"REQ-002"}
	some x in r
	x.message == "backup bk-1 is missing fact \"image_id\", needed by CBR-001"
	x.effect == "deny"
}

test_cbr_001_unknown_backup if {
	r := rules.reasons with input as _cbr_request("backup.delete", {"backup_id": "bk-9"}, {})
	{x.message | some x in r} == {"nothing is known about backup bk-9 (fact \"image_id\" is needed by CBR-001)"}
}

test_cbr_001_inventory_wins if {
	r := rules.reasons with input as _cbr_backup_request("backup.delete", _cbr_backup)
		with data.inventory.resources.backups as {"bk-1": _cbr_with({"image_id": "img-7"})}
	{x.message | some x in r} == {"backup bk-1 has been used to create image img-7; a backup with an image created cannot be directly deleted"}
}

test_cbr_001_quiet_on_alibaba if {
	req := json.patch(_cbr_backup_request("backup.delete", _cbr_with({"image_id": "img-1"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_cbr_of(r, "CBR-001") == set()
	_cbr_missing_of("CBR-001") == set() with input as req
}
