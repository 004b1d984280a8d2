package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: A full-ECS image goes with its CBR backup when arrears delete the backup
# description: |
#   If a full-ECS image is created from a CBR backup and the backup is deleted
#   because the account is in arrears, the image is deleted too.
# custom:
#   id: IMS-FE-016
#   effect: warn
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints"
#   remediation: Top up the account to clear the arrears, so that the backup, and the image made from it, are not deleted.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	facts.account.in_arrears == true
	r := reason.from(rego.metadata.rule(), sprintf(
		"the account is in arrears; if backup %s is deleted for arrears, the full-ECS image created from it is deleted too",
		[input.params.source.id],
	))
}

missing_facts contains facts.missing_account("in_arrears", "IMS-FE-016", "warn") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
}
