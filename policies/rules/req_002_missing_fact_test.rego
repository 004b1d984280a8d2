package imgadmit.rules_test

import data.imgadmit.rules

test_req_002_denies_unknown_resource if {
	r := {x | some x in rules.reasons; x.id == "REQ-002"} with input as _fe_request({})
	some x in r
	x.effect == "deny"
	x.category == "missing_fact"
	startswith(x.message, "nothing is known about backup bk-1 (fact \"resource_type\" is needed by ")
	contains(x.message, "IMS-FE-001")
}

test_req_002_names_the_missing_field if {
	r := {x.message | some x in rules.reasons; x.id == "REQ-002"} with input as _fe_request({"backups": {"bk-1": {"status": "available"}}})
	some m in r
	startswith(m, "backup bk-1 is missing fact \"resource_type\", needed by ")
}

test_req_002_warns_in_lenient_mode if {
	r := rules.reasons with input as _fe_request({}) with data.inventory.settings.missing_facts as "warn"
	_ids_by_effect(r, "warn") & {"REQ-002"} == {"REQ-002"}
	not "REQ-002" in _ids_by_effect(r, "deny")
}

test_req_002_inventory_fact_satisfies if {
	r := rules.reasons with input as _fe_request({})
		with data.inventory.resources.backups as {"bk-1": {"resource_type": "server"}}
	_needs(r, "status") # other facts of bk-1 are still missing: the check below can fail
	not _needs(r, "resource_type")
}

_needs(reasons, field) if {
	some x in reasons
	x.id == "REQ-002"
	contains(x.message, sprintf("%q", [field]))
}

test_req_002_untrusted_request_facts_are_missing if {
	r := rules.reasons with input as _fe_request({"backups": {"bk-1": {"resource_type": "server"}}})
		with data.inventory.settings.trust_request_facts as false
	_needs(r, "resource_type")
}

test_req_002_is_as_strong_as_the_strongest_rule_that_needs_the_fact if {
	# image_type is needed by deny rules (IMS-IMG-006) and a warn rule
	# (IMS-FE-013) on server.change_os: deny.
	change_os := {
		"provider": "huaweicloud", "operation": "server.change_os", "region": "cn-north-4",
		"project_id": "0605767a3300d5762fb7c0186d8d2b3b",
		"params": {"server_id": "srv-1", "image_id": "img-1"},
		"resources": {"images": {"img-1": {"visibility": "public", "owner_project_id": null}}},
	}
	r := {x | some x in rules.reasons; x.id == "REQ-002"} with input as change_os
	{[x.effect, x.message] | some x in r} == {["deny", "image img-1 is missing fact \"image_type\", needed by IMS-FE-013, IMS-IMG-006"]}
}

test_req_002_warns_when_only_warn_and_note_rules_need_the_fact if {
	req := {
		"provider": "huaweicloud", "operation": "server.delete", "region": "cn-north-4",
		"params": {"server_id": "srv-1"},
	}
	r := {x | some x in rules.reasons; x.id == "REQ-002"} with input as req
	{[x.effect, x.message] | some x in r} == {["warn", "nothing is known about server srv-1 (fact \"backup_ids\" is needed by CBR-007)"]}
}

test_req_002_lenient_mode_never_denies if {
	r := {x.effect | some x in rules.reasons; x.id == "REQ-002"} with input as _fe_request({})
		with data.inventory.settings.missing_facts as "warn"
	r == {"warn"}
}
