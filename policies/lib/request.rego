# METADATA
# title: Request
# description: |
#   What a request asks, for the rules of several ids: a full-ECS image
#   created from a CBR backup or from an ECS, the image an image.create makes,
#   the requesting project, where an image.replicate goes. A helper that only
#   one rule needs stays in that rule's file.
#
#   None of these replaces the input.operation and input.provider tests a rule
#   writes first in its own body: OPA's rule index reads only those
#   (docs/writing-rules.md).
package imgadmit.lib.request

import data.imgadmit.lib.facts

# full_ecs_from_cbr_backup: a Huawei full-ECS image is being created from a
# CBR backup: the source is a CBR backup as the inventory knows it, whatever
# the request calls it (a backup the inventory holds passes no rule as a
# "csbs_backup").
full_ecs_from_cbr_backup if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	source_type == "cbr_backup"
}

# full_ecs_from_server: a Huawei full-ECS image is being created from an ECS.
full_ecs_from_server if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	source_type == "server"
}

# source_type is the kind of resource an image.create source is (facts.source_type).
source_type := facts.source_type(input.params.source)

# new_image_name names the image an image.create request makes.
new_image_name := sprintf("%q", [input.params.name]) if {
	is_string(input.params.name)
} else := "(unnamed)"

# project is the requesting project, undefined when the request names none.
project := input.project_id if is_string(input.project_id)

# replicates_within_region: the image.replicate request names no destination
# other than the region the image is replicated from.
replicates_within_region if object.get(input.params, "destination_region", null) == null

replicates_within_region if input.params.destination_region == _replication_source_region

# _replication_source_region is the region an image is replicated from:
# where the image is known to be, else the request's region. A request cannot
# move an image by naming another region (IMS-API-005 denies the mismatch).
_replication_source_region := r if {
	r := facts.image_region(input.params.image_id)
} else := input.region if {
	is_string(input.region)
}

# replication_source_region_name names that region for a message.
replication_source_region_name := _replication_source_region if {
	_replication_source_region
} else := "the source region (neither the request nor the image's facts name one)"
