package imgadmit.rules_test

import data.imgadmit.rules

test_ims_fe_016_warns_when_account_in_arrears if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"account": {"in_arrears": true}})
	_fe_reasons(r, "IMS-FE-016") == {{
		"id": "IMS-FE-016",
		"effect": "warn",
		"category": "constraint",
		"message": "the account is in arrears; if backup bk-1 is deleted for arrears, the full-ECS image created from it is deleted too",
		"remediation": "Top up the account to clear the arrears, so that the backup, and the image made from it, are not deleted.",
		"source": "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints",
	}}
}

test_ims_fe_016_quiet_when_account_not_in_arrears if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"account": {"in_arrears": false}})
	_fe_quiet(r, "IMS-FE-016")
}

test_ims_fe_016_inventory_account_wins if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"account": {"in_arrears": false}})
		with data.inventory.resources.account as {"in_arrears": true}
	"IMS-FE-016" in {x.id | some x in r}
}

test_ims_fe_016_missing_account if {
	r := rules.reasons with input as _backup_request(_usable_server_backup)
	not "IMS-FE-016" in {x.id | some x in r}
	"nothing is known about the account (fact \"in_arrears\" is needed by IMS-FE-016)" in _fe_missing(r)
}

test_ims_fe_016_missing_in_arrears if {
	r := rules.reasons with input as _fe_backup_request_with(_usable_server_backup, {"account": {}})
	"the account is missing fact \"in_arrears\", needed by IMS-FE-016" in _fe_missing(r)
}

test_ims_fe_016_quiet_on_image_from_server if {
	r := rules.reasons with input as _fe_from_server_request(_fe_server)
	_fe_quiet(r, "IMS-FE-016")
}

test_ims_fe_016_quiet_on_alibaba if {
	r := rules.reasons with input as _fe_alibaba(_fe_backup_request_with(_usable_server_backup, {"account": {"in_arrears": true}}))
	_fe_quiet(r, "IMS-FE-016")
}

test_ims_fe_016_missing_arrears_only_warns if {
	# Only the warning needs in_arrears: a sound backup is not refused for it.
	d := data.imgadmit.decision with input as _fe_backup_request_with(
		object.union(_usable_server_backup, {"auto_generated": false, "image_creatable": true}),
		{"servers": {"srv-1": _fe_server}},
	)
	d.allowed == true
	{[x.id, x.effect, x.message] | some x in d.reasons; x.id == "REQ-002"} == {["REQ-002", "warn", "nothing is known about the account (fact \"in_arrears\" is needed by IMS-FE-016)"]}
}
