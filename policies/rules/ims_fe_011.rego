package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Cross-region replication of full-ECS images only between regions that offer it
# description: |
#   Cross-region replication of full-ECS images is only available for certain
#   regions. Both the source region (where the image is known to be, else the
#   request's region) and the destination
#   region must be listed in settings.full_ecs_cross_region_regions; the
#   documents name no region, so the shipped list is empty and every such
#   replication is refused until an operator lists the regions.
# custom:
#   id: IMS-FE-011
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Use the full-ECS image to create an ECS, use the ECS to create a system disk image and a data disk image, and replicate those images to the destination region. If both regions do offer cross-region replication of full-ECS images, list them in settings.full_ecs_cross_region_regions.
reasons contains r if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
	images.full_ecs(input.params.image_id)
	offered := facts.settings.full_ecs_cross_region_regions
	lacking := [region |
		some region in [request.replication_source_region_name, input.params.destination_region]
		not region in offered
	]
	count(lacking) > 0
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image and cross-region replication of full-ECS images is not offered in %s; regions that offer it: %s",
		[input.params.image_id, concat(" and ", lacking), _fe_offered_regions(offered)],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-011", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	not request.replicates_within_region
}

_fe_offered_regions(offered) := concat(", ", sort(offered)) if {
	count(offered) > 0
} else := "none listed in settings.full_ecs_cross_region_regions"
