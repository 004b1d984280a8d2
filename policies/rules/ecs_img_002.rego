package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: An image made from an instance consists of snapshots of its disks
# description: |
#   Creating a custom image from an instance creates a snapshot of every disk
#   of the instance (system disk and data disks); the image consists of these
#   snapshots, which are billed as snapshots while the image keeps them.
# custom:
#   id: ECS-IMG-002
#   effect: note
#   category: billing
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What are the relationships and differences between images and snapshots?"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "alibabacloud"
	input.params.source.type == "server"
	r := reason.from(rego.metadata.rule(), sprintf(
		"a snapshot is created for each disk (system disk and data disks) of instance %s, and the custom image consists of these snapshots, which are charged as snapshots",
		[input.params.source.id],
	))
}
