package imgadmit.rules_test

import data.imgadmit.rules

test_req_003_denies_unknown_provider if {
	r := rules.reasons with input as {"provider": "aws", "operation": "image.create", "params": {}}
	r == {{
		"id": "REQ-003",
		"effect": "deny",
		"category": "constraint",
		"message": "unknown provider \"aws\"; known providers: alibabacloud, huaweicloud",
		"remediation": "Use one of the listed providers and operations.",
		"source": "imgadmit request-level rules: operations (CATALOGUE.md, Request-level rules)",
	}}
}

test_req_003_denies_missing_provider if {
	r := rules.reasons with input as {"operation": "image.create", "params": {}}
	{x.message | some x in r} == {"unknown provider null; known providers: alibabacloud, huaweicloud"}
}

test_req_003_denies_pair_that_does_not_exist if {
	r := rules.reasons with input as {"provider": "alibabacloud", "operation": "backup.delete", "params": {"backup_id": "b"}}
	{x.id | some x in r} == {"REQ-003"}
	some x in r
	startswith(x.message, "operation \"backup.delete\" does not exist for provider \"alibabacloud\"; known operations: disk.delete, image.create,")
}

test_req_003_quiet_on_known_pair if {
	r := rules.reasons with input as {"provider": "huaweicloud", "operation": "backup.export", "params": {"backup_id": "b"}}
	not "REQ-003" in {x.id | some x in r}
}
