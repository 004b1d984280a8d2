package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Data disk images cannot create servers
# description: |
#   A data disk image contains only service data: it is used to create EVS
#   disks, not servers. Servers are created from system disk or full-ECS images.
# custom:
#   id: IMS-IMG-004
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Images: Image Types"
#   remediation: Create the server from a system disk image or a full-ECS image; use the data disk image to create an EVS disk and attach it to the server.
reasons contains r if {
	input.operation == "server.create"
	input.provider == "huaweicloud"
	facts.image(input.params.image_id).image_type == "data"
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a data disk image; data disk images create EVS disks, not servers",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-IMG-004", "deny") if {
	input.operation == "server.create"
	input.provider == "huaweicloud"
}
