package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: The image must be in the instance's region
# description: |
#   Replacing the operating system (system disk) of an instance takes an image
#   in the same region as the instance.
# custom:
#   id: ECS-IMG-004
#   effect: deny
#   category: constraint
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: If an image was manually created from an ECS instance, can I retrieve instance data after the instance is released on expiration?"
#   remediation: Use an image in the instance's region; copy the image to that region first (CopyImage) and replace the system disk with the copy.
reasons contains r if {
	input.operation == "server.change_os"
	input.provider == "alibabacloud"
	image_region := facts.image(input.params.image_id).region
	server_region := facts.server(input.params.server_id).region
	image_region != server_region
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is in region %s but instance %s is in region %s; the image must be in the same region as the instance",
		[input.params.image_id, image_region, input.params.server_id, server_region],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "region", "ECS-IMG-004", "deny") if {
	input.operation == "server.change_os"
	input.provider == "alibabacloud"
}

missing_facts contains facts.missing("servers", input.params.server_id, "region", "ECS-IMG-004", "deny") if {
	input.operation == "server.change_os"
	input.provider == "alibabacloud"
}
