package imgadmit.rules

import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: A full-ECS image made from an ECS starts with a charged backup
# description: |
#   Before a full-ECS image is created from an ECS, the ECS is backed up; the
#   backup is charged by CBR billing standards.
# custom:
#   id: IMS-FE-017
#   effect: note
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Relationship Between Backups and Images"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_server
	r := reason.from(rego.metadata.rule(), sprintf(
		"server %s is backed up before the full-ECS image is created from it, and that backup is charged by CBR billing standards",
		[input.params.source.id],
	))
}
