package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: A backup still being created cannot be used for restoration
# description: |
#   A backup in the Creating state cannot be used to restore data, even once
#   it is marked "Image can be created" (it can then be used to create an
#   image, but not to restore).
# custom:
#   id: CBR-003
#   effect: deny
#   category: constraint
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Wait until the backup is Available, then restore from it; while it is still being created, a backup marked "Image can be created" can only be used to create an image.
reasons contains r if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
	b := facts.backup(input.params.backup_id)
	b.status == "creating"
	r := reason.from(rego.metadata.rule(), _cbr_creating_message(input.params.backup_id, b))
}

missing_facts contains facts.missing("backups", input.params.backup_id, "status", "CBR-003") if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
}

_cbr_creating_message(id, b) := sprintf(
	"backup %s is still being created (status creating); although it is marked \"Image can be created\", it cannot be used for restoration until it is available",
	[id],
) if {
	b.image_creatable == true
} else := sprintf(
	"backup %s is still being created (status creating) and cannot be used for restoration until it is available",
	[id],
)
