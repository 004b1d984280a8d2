package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: A backup with an image cannot be deleted
# description: |
#   CBR refuses to delete a backup from which an image has been created: the
#   image has to be deleted first (on IMS, deleting the image can delete its
#   backup with it).
# custom:
#   id: CBR-001
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Function Description"
#   remediation: Delete the image created from the backup first, then delete the backup; or delete the image with delete_backup set, which deletes the backup with it.
reasons contains r if {
	input.operation == "backup.delete"
	input.provider == "huaweicloud"
	image_id := images.from_backup(input.params.backup_id)
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s has been used to create image %s; a backup with an image created cannot be directly deleted",
		[input.params.backup_id, image_id],
	))
}

missing_facts contains facts.missing("backups", input.params.backup_id, "image_id", "CBR-001", "deny") if {
	input.operation == "backup.delete"
	input.provider == "huaweicloud"
}
