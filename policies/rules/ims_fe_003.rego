package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: The backup must be available, or being created and marked "Image can be created"
# description: |
#   A backup can create an image when it is available, or while it is still
#   being created (CBR status protecting, the console's "Creating") once CBR
#   marks it "Image can be created" (extend_info.supported_restore_mode
#   "snapshot", fact image_creatable). In any other status (waiting_protect,
#   error, deleting, restoring, waiting_delete, waiting_restore) it cannot.
# custom:
#   id: IMS-FE-003
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Wait until the backup is available, or until it is marked "Image can be created" while it is being created; if the backup is in error, back up the ECS again and use the new backup.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	b := facts.backup(input.params.source.id)
	r := reason.from(rego.metadata.rule(), _fe_unusable_backup_message(input.params.source.id, b))
}

missing_facts contains facts.missing("backups", input.params.source.id, "status", "IMS-FE-003", "deny") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
}

# The mark matters only while the backup is being created.
missing_facts contains facts.missing("backups", input.params.source.id, "image_creatable", "IMS-FE-003", "deny") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	facts.backup(input.params.source.id).status == "protecting"
}

# _fe_unusable_backup_message(id, b) is the reason a backup cannot create an
# image now; undefined when it can (or when the facts to tell are missing).
_fe_unusable_backup_message(id, b) := sprintf(
	"backup %s is still being created (status protecting) and is not marked \"Image can be created\"; only an available backup, or one being created with that mark, can be used to create an image",
	[id],
) if {
	b.status == "protecting"
	b.image_creatable == false
}

_fe_unusable_backup_message(id, b) := sprintf(
	"backup %s is in status %s; only an available backup, or one being created that is marked \"Image can be created\", can be used to create an image",
	[id, status],
) if {
	status := b.status
	not status in {"available", "protecting"}
}
