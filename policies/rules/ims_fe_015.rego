package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: The backup of a deleted full-ECS image is still charged if kept
# description: |
#   Deleting a full-ECS image made from a CBR backup can delete the backup too
#   (delete_backup); a backup that is kept continues to be charged.
# custom:
#   id: IMS-FE-015
#   effect: warn
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background"
#   remediation: Set delete_backup to true to delete the CBR backup with the image, or keep it knowing that it is still charged.
reasons contains r if {
	input.operation == "image.delete"
	input.provider == "huaweicloud"
	not input.params.delete_backup
	img := facts.image(input.params.image_id)
	img.image_type == "full_ecs"
	img.backup_id != null
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image made from backup %s, which is kept (delete_backup is false) and will continue to be charged",
		[input.params.image_id, img.backup_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-015", "warn") if {
	input.operation == "image.delete"
	input.provider == "huaweicloud"
	not input.params.delete_backup
}

missing_facts contains facts.missing("images", input.params.image_id, "backup_id", "IMS-FE-015", "warn") if {
	input.operation == "image.delete"
	input.provider == "huaweicloud"
	not input.params.delete_backup
	images.may_be_full_ecs(input.params.image_id)
}
