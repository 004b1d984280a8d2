package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: A snapshot used by a custom image cannot be deleted
# description: |
#   ECS checks whether a snapshot is associated with a custom image: such a
#   snapshot cannot be deleted before the image is deleted. DeleteSnapshot
#   fails with SnapshotCreatedImage whatever its Force parameter says.
# custom:
#   id: ECS-SNAP-001
#   effect: deny
#   category: constraint
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?; Alibaba Cloud ECS API reference, DeleteSnapshot"
#   remediation: Delete the custom images created from the snapshot first (DeleteImage), then delete the snapshot; Force does not override this check.
reasons contains r if {
	input.operation == "snapshot.delete"
	input.provider == "alibabacloud"
	ids := facts.snapshot(input.params.snapshot_id).image_ids
	count(ids) > 0
	r := reason.from(rego.metadata.rule(), sprintf(
		"snapshot %s is associated with %s; it cannot be deleted before %s deleted, whatever Force says",
		[input.params.snapshot_id, _ecs_images_phrase(ids), _ecs_images_pronoun(ids)],
	))
}

missing_facts contains facts.missing("snapshots", input.params.snapshot_id, "image_ids", "ECS-SNAP-001", "deny") if {
	input.operation == "snapshot.delete"
	input.provider == "alibabacloud"
}

_ecs_images_phrase(ids) := sprintf("custom image %s", ids) if {
	count(ids) == 1
} else := sprintf("custom images %s", [concat(", ", sort(ids))])

_ecs_images_pronoun(ids) := "the image is" if {
	count(ids) == 1
} else := "the images are"
