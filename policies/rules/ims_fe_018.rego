package imgadmit.rules

import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: A full-ECS image may be smaller than its backup
# description: A backup is compressed when it is used to create an image, so the image may be smaller than the backup.
# custom:
#   id: IMS-FE-018
#   effect: note
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Relationship Between Backups and Images; Huawei Cloud CBR, Using a Backup to Create an Image: Function Description"
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s is compressed when it is used to create the image, so the full-ECS image may be smaller than the backup",
		[input.params.source.id],
	))
}
