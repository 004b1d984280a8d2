package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: ISO images cannot be exported
# description: |
#   Image export takes no ISO images (nor full-ECS images, IMS-FE-009).
# custom:
#   id: IMS-API-004
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS API reference, ExportImage (POST /v1/cloudimages/{image_id}/file)"
#   remediation: Keep the ISO file the image was created from and use that; system disk and data disk images can be exported.
reasons contains r if {
	input.operation == "image.export"
	input.provider == "huaweicloud"
	facts.image(input.params.image_id).image_type == "iso"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is an ISO image; ISO images cannot be exported",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-API-004", "deny") if {
	input.operation == "image.export"
	input.provider == "huaweicloud"
}
