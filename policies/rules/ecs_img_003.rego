package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Snapshots kept after their image is deleted are still charged
# description: |
#   When a custom image is deleted, its snapshots are deleted only if asked
#   for; kept snapshots are still charged.
# custom:
#   id: ECS-IMG-003
#   effect: warn
#   category: billing
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?"
#   remediation: Set delete_snapshots to delete the image's snapshots with it, or delete the snapshots once you no longer need them.
reasons contains r if {
	input.operation == "image.delete"
	input.provider == "alibabacloud"
	not input.params.delete_snapshots
	ids := facts.image(input.params.image_id).snapshot_ids
	count(ids) > 0
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is deleted without its snapshots (%s); the snapshots are kept and still charged",
		[input.params.image_id, concat(", ", sort(ids))],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "snapshot_ids", "ECS-IMG-003") if {
	input.operation == "image.delete"
	input.provider == "alibabacloud"
	not input.params.delete_snapshots
}
