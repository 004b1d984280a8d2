package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Backups cannot be exported
# description: |
#   CBR backups cannot be exported to a local PC; system disk and data disk
#   images can be (full-ECS images cannot).
# custom:
#   id: CBR-004
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1"
#   remediation: To take the data to a local PC, create a system disk or data disk image from the server or disk and export that image instead (full-ECS images cannot be exported either).
reasons contains r if {
	input.operation == "backup.export"
	input.provider == "huaweicloud"
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s cannot be exported; CBR backups do not support exporting to a local PC",
		[input.params.backup_id],
	))
}
