package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: The backup must contain the system disk
# description: |
#   A backup used to create an image must contain the system disk data: a
#   full-ECS image carries the OS from the system disk.
# custom:
#   id: IMS-FE-004
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Use a backup of the ECS that includes its system disk, or back up the whole ECS (system disk and data disks) and use that backup.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	b := facts.backup(input.params.source.id)
	b.includes_system_disk == false
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s does not contain the system disk; a backup used to create an image must contain the system disk data",
		[input.params.source.id],
	))
}

missing_facts contains facts.missing("backups", input.params.source.id, "includes_system_disk", "IMS-FE-004", "deny") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
}
