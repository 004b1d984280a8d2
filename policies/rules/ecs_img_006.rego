package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: Custom images do not depend on billing methods
# description: |
#   A custom image created from a subscription instance can be used to create
#   a pay-as-you-go instance, and the reverse: the use of custom images has
#   nothing to do with the billing methods of instances. The note says so when
#   the new instance's billing method differs from the image's source instance.
# custom:
#   id: ECS-IMG-006
#   effect: note
#   category: billing
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: Can a custom image created from a subscription instance be used to create a pay-as-you-go instance?"
reasons contains r if {
	input.operation == "server.create"
	input.provider == "alibabacloud"
	wanted := input.params.billing_method
	src := images.source_instance(input.params.image_id)
	had := facts.server(src).billing_method
	had != wanted
	r := reason.from(rego.metadata.rule(), sprintf(
		"the new instance is %s while image %s was created from %s instance %s; that is allowed, custom images do not depend on the billing methods of instances",
		[_ecs_billing_name(wanted), input.params.image_id, _ecs_billing_name(had), src],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "source_instance_id", "ECS-IMG-006", "note") if {
	input.operation == "server.create"
	input.provider == "alibabacloud"
	input.params.billing_method
}

missing_facts contains facts.missing("servers", src, "billing_method", "ECS-IMG-006", "note") if {
	input.operation == "server.create"
	input.provider == "alibabacloud"
	input.params.billing_method
	src := images.source_instance(input.params.image_id)
}

_ecs_billing_name(method) := object.get({"pay_as_you_go": "pay-as-you-go"}, method, method)
