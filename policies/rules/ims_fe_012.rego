package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: A replicated full-ECS image cannot be replicated across regions again
# description: |
#   A full-ECS image can be replicated from its region to another, but the
#   replica (replica_of_region is set) cannot be replicated across regions
#   again.
# custom:
#   id: IMS-FE-012
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Replicate the original full-ECS image from the region it was replicated from, or create an ECS from this image, create a system disk image and a data disk image from that ECS, and replicate those.
reasons contains r if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
	img := facts.image(input.params.image_id)
	img.image_type == "full_ecs"
	img.replica_of_region != null
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image replicated from %s; a replicated full-ECS image cannot be replicated across regions again",
		[input.params.image_id, img.replica_of_region],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-012", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
}

missing_facts contains facts.missing("images", input.params.image_id, "replica_of_region", "IMS-FE-012", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
	images.may_be_full_ecs(input.params.image_id)
}
