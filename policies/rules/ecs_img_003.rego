package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Snapshots kept after their image is deleted are still charged
# description: |
#   When a custom image is deleted, its snapshots are deleted only if asked
#   for; kept snapshots are still charged. A custom image consists of
#   snapshots, so the warning holds whatever their ids are: it needs no fact,
#   names the snapshots when they are known, and is quiet only when the image
#   is known to have none.
# custom:
#   id: ECS-IMG-003
#   effect: warn
#   category: billing
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?"
#   remediation: Set delete_snapshots to delete the image's snapshots with it, or delete the snapshots once you no longer need them.
reasons contains r if {
	input.operation == "image.delete"
	input.provider == "alibabacloud"
	not input.params.delete_snapshots
	not _ecs_image_without_snapshots(input.params.image_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is deleted without its snapshots%s; the snapshots are kept and still charged",
		[input.params.image_id, _ecs_snapshot_list(input.params.image_id)],
	))
}

# _ecs_image_without_snapshots(id): image id is known to consist of no snapshot.
_ecs_image_without_snapshots(id) if count(facts.image(id).snapshot_ids) == 0

_ecs_snapshot_list(id) := sprintf(" (%s)", [concat(", ", sort(ids))]) if {
	ids := facts.image(id).snapshot_ids
} else := ""
