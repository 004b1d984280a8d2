package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: Full-ECS images cannot be published in KooGallery
# description: IMS refuses to publish a full-ECS image in KooGallery.
# custom:
#   id: IMS-FE-008
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Publish a system disk image instead (create an ECS from the full-ECS image and create a system disk image from that ECS).
reasons contains r if {
	input.operation == "image.publish"
	input.provider == "huaweicloud"
	images.full_ecs(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image; full-ECS images cannot be published in KooGallery",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-008", "deny") if {
	input.operation == "image.publish"
	input.provider == "huaweicloud"
}
