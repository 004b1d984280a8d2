package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

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
	_fe_within_region
	_fe_full_ecs_image(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image; full-ECS images cannot be replicated within a region",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-010", "deny") if {
	input.operation == "image.replicate"
	input.provider == "huaweicloud"
	_fe_within_region
}

# _fe_within_region: the image.replicate request names no destination other
# than the region the image is replicated from.
_fe_within_region if object.get(input.params, "destination_region", null) == null

_fe_within_region if input.params.destination_region == _fe_replication_source_region

# _fe_replication_source_region is the region an image is replicated from:
# where the image is known to be, else the request's region. A request cannot
# move an image by naming another region (IMS-API-005 denies the mismatch).
_fe_replication_source_region := r if {
	r := facts.image_region(input.params.image_id)
} else := input.region if {
	is_string(input.region)
}

_fe_replication_source_region_name := _fe_replication_source_region if {
	_fe_replication_source_region
} else := "the source region (neither the request nor the image's facts name one)"
