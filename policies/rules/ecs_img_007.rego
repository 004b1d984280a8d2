package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Releasing an instance leaves its custom images alone
# description: |
#   After an instance is released (manually or on expiration), the custom
#   images created from it, and the instances created from those images, are
#   not affected.
# custom:
#   id: ECS-IMG-007
#   effect: note
#   category: lifecycle
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: What happens to a custom image when the instance from which the image was created is released?"
reasons contains r if {
	input.operation == "server.delete"
	input.provider == "alibabacloud"
	r := reason.from(rego.metadata.rule(), sprintf(
		"releasing instance %s does not affect the custom images created from it or the instances created from those images",
		[input.params.server_id],
	))
}
