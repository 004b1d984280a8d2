package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Only an available backup can be used for restoration
# description: |
#   Data is restored from an available backup. A backup still being created
#   (CBR status protecting, the console's "Creating") cannot be used for
#   restoration, even once it is marked "Image can be created" (it can then
#   make an image, but not restore); nor can a backup in error, being deleted,
#   being restored or waiting for any of these.
# custom:
#   id: CBR-003
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Wait until the backup is available, then restore from it; while it is still being created, a backup marked "Image can be created" can only be used to create an image. A backup in error cannot restore; use another backup.
reasons contains r if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
	b := facts.backup(input.params.backup_id)
	b.status != "available"
	r := reason.from(rego.metadata.rule(), _cbr_unavailable_message(input.params.backup_id, b))
}

missing_facts contains facts.missing("backups", input.params.backup_id, "status", "CBR-003", "deny") if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
}

_cbr_unavailable_message(id, b) := sprintf(
	"backup %s is still being created (status protecting); although it is marked \"Image can be created\", it cannot be used for restoration until it is available",
	[id],
) if {
	b.status == "protecting"
	b.image_creatable == true
} else := sprintf(
	"backup %s is still being created (status protecting) and cannot be used for restoration until it is available",
	[id],
) if {
	b.status == "protecting"
} else := sprintf(
	"backup %s is in status %s; only an available backup can be used for restoration",
	[id, b.status],
)
