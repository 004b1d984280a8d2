package imgadmit.rules_test

import data.imgadmit.rules

_cbr_008_note := {
	"id": "CBR-008",
	"effect": "note",
	"category": "billing",
	"message": "backup bk-1 was made by a backup policy; once it is used to create this image it is no longer counted as a retained backup and is never deleted automatically, so it stays, and is charged by CBR billing standards, until the image is deleted",
	"source": "Huawei Cloud CBR, Using a Backup to Create an Image: Function Description",
}

test_cbr_008_notes_a_policy_backup_used_for_an_image if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"auto_generated": true}))
	_fe_reasons(r, "CBR-008") == {_cbr_008_note}
}

test_cbr_008_reads_the_backup_the_inventory_holds_whatever_the_request_calls_it if {
	req := json.patch(_fe_request({}), [{"op": "replace", "path": "/params/source/type", "value": "csbs_backup"}])
	r := rules.reasons with input as req
		with data.inventory.resources.backups as {"bk-1": object.union(_usable_server_backup, {"auto_generated": true})}
	_fe_reasons(r, "CBR-008") == {_cbr_008_note}
}

test_cbr_008_quiet_on_a_manual_backup if {
	r := rules.reasons with input as _backup_request(object.union(_usable_server_backup, {"auto_generated": false}))
	_fe_quiet(r, "CBR-008")
}

test_cbr_008_asks_at_warning_strength if {
	d := data.imgadmit.decision with input as _fe_request({"backups": {"bk-1": _usable_server_backup}, "servers": {"srv-1": _fe_server}, "account": {"in_arrears": false}})
	{[x.id, x.effect, x.message] | some x in d.reasons; x.id == "REQ-002"} == {["REQ-002", "warn", "backup bk-1 is missing fact \"auto_generated\", needed by CBR-008"]}
	d.allowed == true
}

test_cbr_008_quiet_on_other_sources if {
	req := json.patch(_fe_request({}), [{"op": "replace", "path": "/params/source", "value": {"type": "server", "id": "srv-1"}}])
	r := rules.reasons with input as req
	_fe_quiet(r, "CBR-008")
}
