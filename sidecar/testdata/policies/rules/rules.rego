package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Backups cannot be exported
# description: Every backup.export is refused.
# custom:
#   id: TEST-001
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: sidecar tests
#   remediation: Export an image instead.
reasons contains r if {
	input.operation == "backup.export"
	r := reason.from(rego.metadata.rule(), sprintf("backup %s cannot be exported", [input.params.backup_id]))
}

# METADATA
# title: Deleting a backup stops its billing
# description: Every backup.delete gets this warning.
# custom:
#   id: TEST-002
#   effect: warn
#   category: billing
#   providers: [huaweicloud]
#   source: sidecar tests
reasons contains r if {
	input.operation == "backup.delete"
	r := reason.from(rego.metadata.rule(), sprintf("deleting backup %s stops its billing", [input.params.backup_id]))
}

# METADATA
# title: A backup being deleted cannot be deleted
# description: Reads the inventory only.
# custom:
#   id: TEST-003
#   effect: deny
#   category: lifecycle
#   providers: [huaweicloud]
#   source: sidecar tests
#   remediation: Wait for the deletion to finish.
reasons contains r if {
	input.operation == "backup.delete"
	data.inventory.resources.backups[input.params.backup_id].status == "deleting"
	r := reason.from(rego.metadata.rule(), sprintf("backup %s is being deleted", [input.params.backup_id]))
}

# METADATA
# title: Torn inventory
# description: |
#   Backups bk-a and bk-b always have the same status in the inventories the
#   tests write; a decision that sees them differ saw half of an update.
# custom:
#   id: TEST-004
#   effect: warn
#   category: constraint
#   providers: [huaweicloud]
#   source: sidecar tests
reasons contains r if {
	input.operation == "backup.delete"
	a := object.get(data.inventory, ["resources", "backups", "bk-a", "status"], "none")
	b := object.get(data.inventory, ["resources", "backups", "bk-b", "status"], "none")
	a != b
	r := reason.from(rego.metadata.rule(), sprintf("bk-a is %s but bk-b is %s", [a, b]))
}

# METADATA
# title: Slow rule
# description: Never finishes in time, for the evaluation deadline.
# custom:
#   id: TEST-005
#   effect: note
#   category: constraint
#   providers: [huaweicloud]
#   source: sidecar tests
reasons contains r if {
	input.operation == "backup.expire"
	input.params.backup_id == "slow"
	n := count([1 |
		some a in numbers.range(1, 100000)
		some b in numbers.range(1, 100000)
		a == b + 1000000
	])
	r := reason.from(rego.metadata.rule(), sprintf("counted %d", [n]))
}
