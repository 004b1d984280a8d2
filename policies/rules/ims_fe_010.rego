package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Full-ECS images cannot be replicated within a region
# description: |
#   IMS refuses to replicate a full-ECS image within its region. A replication
#   is within the region when destination_region is absent or equals the
#   region the image is in: its known region (the inventory's, whatever region
#   the request names), else the request's region.
# custom:
#   id: IMS-FE-010
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Replicate a system disk or data disk image instead (create an ECS from the full-ECS image, then create those images from that ECS).
reasons contains r if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	request.replicates_within_region
	images.full_ecs(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image; full-ECS images cannot be replicated within a region",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-010", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	request.replicates_within_region
}
