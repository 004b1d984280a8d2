package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Custom images are created from system disk snapshots
# description: |
#   A custom image can be created from a system disk snapshot; a data disk
#   snapshot cannot be the source of an image.
# custom:
#   id: ECS-IMG-001
#   effect: deny
#   category: constraint
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?"
#   remediation: Create the custom image from a snapshot of the instance's system disk, or from the instance itself.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "alibabacloud"
	input.params.source.type == "snapshot"
	disk_type := facts.snapshot(input.params.source.id).disk_type
	disk_type != "system"
	r := reason.from(rego.metadata.rule(), sprintf(
		"snapshot %s is a snapshot of a %s disk; only a system disk snapshot can be used to create a custom image",
		[input.params.source.id, disk_type],
	))
}

missing_facts contains facts.missing("snapshots", input.params.source.id, "disk_type", "ECS-IMG-001", "deny") if {
	input.operation == "image.create"
	input.provider == "alibabacloud"
	input.params.source.type == "snapshot"
}
