package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: Only data disk images can create disks
# description: |
#   An EVS disk is created from a data disk image; system disk, full-ECS and
#   ISO images create servers, not disks.
# custom:
#   id: IMS-IMG-005
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Images: Image Types"
#   remediation: Create the disk from a data disk image (or from a disk backup); use a system disk or full-ECS image to create a server instead.
reasons contains r if {
	input.operation == "disk.create"
	input.provider == "huaweicloud"
	image_type := facts.image(input.params.image_id).image_type
	image_type != "data"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is %s; only data disk images can create EVS disks",
		[input.params.image_id, images.type_name(image_type)],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-IMG-005", "deny") if {
	input.operation == "disk.create"
	input.provider == "huaweicloud"
}
