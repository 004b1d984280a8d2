package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: A full-ECS image made from a shared CBR backup cannot be shared
# description: |
#   A full-ECS image created from a CBR backup can be shared with other
#   tenants, unless the backup was itself shared with this tenant. The image's
#   from_shared_backup says so; when it is not known, the backup's own shared
#   fact (image backup_id -> backups) does.
# custom:
#   id: IMS-FE-007
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Ask the owner of the CBR backup to create the full-ECS image from it and share that image; an image made from a backup shared with you cannot be shared on.
reasons contains r if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	images.full_ecs(input.params.image_id)
	_fe_from_shared_backup(input.params.image_id) == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"image %s is a full-ECS image created from a CBR backup that was shared with this tenant; such an image cannot be shared",
		[input.params.image_id],
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "image_type", "IMS-FE-007", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
}

missing_facts contains facts.missing("images", input.params.image_id, "from_shared_backup", "IMS-FE-007", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	images.may_be_full_ecs(input.params.image_id)
	not _fe_backup_shared_known(input.params.image_id)
}

# _fe_from_shared_backup(id): whether image id was made from a backup shared
# with this tenant: its own fact, else its backup's.
_fe_from_shared_backup(id) := v if {
	v := facts.image(id).from_shared_backup
} else := v if {
	v := facts.backup(facts.image(id).backup_id).shared
}

# _fe_backup_shared_known(id): the backup's shared fact answers for the image.
_fe_backup_shared_known(id) if {
	_ = facts.backup(facts.image(id).backup_id).shared
}
