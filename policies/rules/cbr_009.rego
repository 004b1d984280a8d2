package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: A backup restores data only to its own server or disk
# description: |
#   Backups restore data to the original server or disk (a new disk or a
#   full-ECS image is made from a backup with disk.create or image.create, not
#   by restoring it). A restore whose target server or disk is not the
#   resource the backup was made of is refused. A restore that names no
#   target restores to the backup's own resource.
# custom:
#   id: CBR-009
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1 (Backups can be used to restore data to the original server or disk, or to create a new disk or full-ECS image.)"
#   remediation: Restore the backup to the server or disk it was made of; to put its data elsewhere, create a new disk from the backup (disk backups) or a full-ECS image from it (server backups) and create a server from that image.
reasons contains r if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
	[kind, target] := _cbr_restore_target
	b := facts.backup(input.params.backup_id)
	b.resource_id != target
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s was made of %s %s, not of %s %s; a backup restores data only to the original server or disk",
		[input.params.backup_id, _cbr_resource_noun(b), b.resource_id, kind, target],
	))
}

missing_facts contains facts.missing("backups", input.params.backup_id, "resource_id", "CBR-009", "deny") if {
	input.operation == "backup.restore"
	input.provider == "huaweicloud"
	_cbr_restore_target
}

# _cbr_restore_target is [kind, id] of the server or disk the restore writes to.
_cbr_restore_target := ["server", input.params.server_id] if {
	input.operation == "backup.restore"
	is_string(input.params.server_id)
}

_cbr_restore_target := ["disk", input.params.disk_id] if {
	input.operation == "backup.restore"
	is_string(input.params.disk_id)
}

_cbr_resource_nouns := {"server": "server", "disk": "disk", "bare_metal_server": "bare metal server"}

# _cbr_resource_noun(b) names what the backup backs up; "resource" when that is not known.
_cbr_resource_noun(b) := _cbr_resource_nouns[b.resource_type] if {
	_cbr_resource_nouns[b.resource_type]
} else := "resource"
