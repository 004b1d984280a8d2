package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: A server's OS cannot be changed with a data disk or ISO image
# description: |
#   Changing a server's OS writes a system disk from the image. A data disk
#   image carries only service data, and an ISO image only provisions
#   temporary servers: neither can change a server's OS.
# custom:
#   id: IMS-IMG-006
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1"
#   remediation: Change the OS with a system disk image (a full-ECS image also works, but writes only its system disk).
reasons contains r if {
	input.operation == "server.change_os"
	input.provider == "huaweicloud"
	image_type := facts.image(input.params.image_id).image_type
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is %s; %s",
		[input.params.image_id, images.type_names[image_type], _ims_img_change_os_refusals[image_type]],
	))
}

# _ims_img_change_os_refusals: why each refused image type cannot change an OS.
_ims_img_change_os_refusals := {
	"data": "a data disk image contains only service data and no OS to change a server's OS with",
	"iso": "an ISO image can only provision temporary servers and cannot change a server's OS",
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-IMG-006", "deny") if {
	input.operation == "server.change_os"
	input.provider == "huaweicloud"
}
