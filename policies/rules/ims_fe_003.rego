package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: The backup must be available, or creating and marked "Image can be created"
# description: |
#   A backup can create an image when it is Available, or while it is still
#   Creating once CBR marks it "Image can be created". In any other status
#   (error, deleting, restoring, ...) it cannot.
# custom:
#   id: IMS-FE-003
#   effect: deny
#   category: constraint
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Wait until the backup is available, or until it is marked "Image can be created" while it is being created; if the backup is in error, back up the ECS again and use the new backup.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	input.params.source.type == "cbr_backup"
	b := facts.backup(input.params.source.id)
	r := reason.from(rego.metadata.rule(), _fe_unusable_backup_message(input.params.source.id, b))
}

missing_facts contains facts.missing("backups", input.params.source.id, "status", "IMS-FE-003") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	input.params.source.type == "cbr_backup"
}

# The mark matters only while the backup is being created.
missing_facts contains facts.missing("backups", input.params.source.id, "image_creatable", "IMS-FE-003") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	input.params.source.type == "cbr_backup"
	facts.backup(input.params.source.id).status == "creating"
}

# _fe_unusable_backup_message(id, b) is the reason a backup cannot create an
# image now; undefined when it can (or when the facts to tell are missing).
_fe_unusable_backup_message(id, b) := sprintf(
	"backup %s is still being created and is not marked \"Image can be created\"; only an available backup, or one being created with that mark, can be used to create an image",
	[id],
) if {
	b.status == "creating"
	b.image_creatable != true
}

_fe_unusable_backup_message(id, b) := sprintf(
	"backup %s is in status %s; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image",
	[id, status],
) if {
	status := b.status
	not status in {"available", "creating"}
}
