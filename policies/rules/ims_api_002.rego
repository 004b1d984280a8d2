package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Images encrypted with the default key cannot be shared
# description: |
#   IMS refuses to share an image encrypted with the default KMS key; only
#   images encrypted with a custom key (or not encrypted) can be shared. An
#   image whose facts say nothing of encryption is not encrypted (the API's
#   __system__cmkid is empty then): a missing encrypted_with_default_key is
#   read as false, not asked for.
# custom:
#   id: IMS-API-002
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS API reference, BatchAddMembers (POST /v1/cloudimages/members)"
#   remediation: Share an image encrypted with a custom KMS key instead, for example a copy of this image made with a custom key (cmk_id).
reasons contains r if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	facts.image(input.params.image_id).encrypted_with_default_key == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is encrypted with the default key; images encrypted with the default key cannot be shared",
		[input.params.image_id],
	))
}
