package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: Full-ECS images cannot be exported
# description: IMS refuses to export a full-ECS image (to OBS, and so to a local PC); export its disk images instead.
# custom:
#   id: IMS-FE-009
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1"
#   remediation: Export system disk and data disk images instead (create an ECS from the full-ECS image, then create a system disk image and a data disk image from that ECS).
reasons contains r if {
	input.operation == "image.export"
	input.provider == "huaweicloud"
	images.full_ecs(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image; full-ECS images cannot be exported",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-009", "deny") if {
	input.operation == "image.export"
	input.provider == "huaweicloud"
}
