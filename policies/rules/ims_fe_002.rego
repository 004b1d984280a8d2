package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: A CBR backup can make only one full-ECS image
# description: |
#   CBR lets one backup create only one full-ECS image (every image made from
#   it would be the same, and one image can provision many ECSs), so a backup
#   from which an image has already been created cannot create another.
# custom:
#   id: IMS-FE-002
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud CBR, Using a Backup to Create an Image: Function Description"
#   remediation: Use the full-ECS image already created from this backup (one image can provision many ECSs), or back up the ECS again and create the image from the new backup.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	b := facts.backup(input.params.source.id)
	b.image_id != null
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s has already been used to create image %s; a CBR backup can be used to create only one full-ECS image",
		[input.params.source.id, b.image_id],
	))
}

missing_facts contains facts.missing("backups", input.params.source.id, "image_id", "IMS-FE-002", "deny") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
}
