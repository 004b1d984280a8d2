package imgadmit.rules_test

import data.imgadmit.rules

_ims_api_002_share(image) := _ims_image_request("image.share", {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]}, image)

test_ims_api_002_denies_default_key_image if {
	r := rules.reasons with input as _ims_api_002_share(_ims_image({"encrypted_with_default_key": true}))
	r == {{
		"id": "IMS-API-002",
		"effect": "deny",
		"category": "constraint",
		"message": "image img-1 is encrypted with the default key; images encrypted with the default key cannot be shared",
		"remediation": "Share an image encrypted with a custom KMS key instead, for example a copy of this image made with a custom key (cmk_id).",
		"source": "Huawei Cloud IMS API reference, BatchAddMembers (POST /v1/cloudimages/members)",
	}}
}

test_ims_api_002_quiet_on_other_images if {
	r := rules.reasons with input as _ims_api_002_share(_ims_image({}))
	_ims_quiet(r, "IMS-API-002")
}

test_ims_api_002_reads_a_missing_encryption_fact_as_not_encrypted if {
	# The API's __system__cmkid is empty when the image is not encrypted: facts
	# that say nothing of encryption say it is not encrypted.
	r := rules.reasons with input as _ims_api_002_share(json.remove(_ims_image({}), ["encrypted_with_default_key"]))
	_ims_quiet(r, "IMS-API-002")
	not _ims_mentioned(r, "REQ-002")
}

test_ims_api_002_quiet_on_other_operations if {
	r := rules.reasons with input as _ims_image_request("server.create", {}, _ims_image({"encrypted_with_default_key": true}))
	_ims_quiet(r, "IMS-API-002")
}

test_ims_api_002_quiet_on_alibaba if {
	req := json.patch(_ims_api_002_share(_ims_image({"encrypted_with_default_key": true})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-002")
}
