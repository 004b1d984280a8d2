package imgadmit.rules

import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Only the CBR backup is charged for a full-ECS image made from it
# description: A full-ECS image created from a CBR backup costs nothing of its own; only the CBR backup is charged.
# custom:
#   id: IMS-FE-014
#   effect: note
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	r := reason.from(rego.metadata.rule(), sprintf(
		"only CBR backup %s is charged for this full-ECS image, by CBR billing standards",
		[input.params.source.id],
	))
}
