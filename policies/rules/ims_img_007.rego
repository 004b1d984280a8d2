package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: ISO images only provision temporary servers
# description: |
#   An ISO image is a special image, created from an external ISO file, that
#   can only be used to provision temporary cloud servers. A server created
#   from it must be a temporary one (params.temporary true).
# custom:
#   id: IMS-IMG-007
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1"
#   remediation: Create the server from the ISO image as a temporary server (temporary true), install the OS on it, then make a system disk image from it to create permanent servers.
reasons contains r if {
	input.operation == "server.create"
	input.provider == "huaweicloud"
	facts.image(input.params.image_id).image_type == "iso"
	not input.params.temporary == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is an ISO image and the server is not a temporary one (temporary is %s); ISO images can only provision temporary cloud servers",
		[input.params.image_id, json.marshal(object.get(input.params, "temporary", false))],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-IMG-007", "deny") if {
	input.operation == "server.create"
	input.provider == "huaweicloud"
}
