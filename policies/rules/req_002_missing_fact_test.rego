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
