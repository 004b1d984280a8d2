package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Backups outlive the server or disk they were made from
# description: |
#   Deleting a disk (or a server) does not clear its backups: they are stored
#   in OBS apart from it and are still charged by CBR until deleted.
# custom:
#   id: CBR-007
#   effect: note
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1"
reasons contains r if {
	input.operation in {"disk.delete", "server.delete"}
	input.provider == "huaweicloud"
	[kind, id] := _cbr_deleted_resource
	ids := facts.resource(kind, id).backup_ids
	count(ids) > 0
	noun := _cbr_deleted_nouns[kind]
	r := reason.from(rego.metadata.rule(), sprintf(
		"%s %s has backups (%s); deleting the %s does not clear them, and they are still charged according to the CBR billing standards",
		[noun, id, concat(", ", sort(ids)), noun],
	))
}

missing_facts contains facts.missing(kind, id, "backup_ids", "CBR-007", "note") if {
	input.operation in {"disk.delete", "server.delete"}
	input.provider == "huaweicloud"
	[kind, id] := _cbr_deleted_resource
}

# _cbr_deleted_resource is [kind, id] of the server or disk a Huawei request deletes.
_cbr_deleted_resource := ["disks", input.params.disk_id] if {
	input.operation == "disk.delete"
	input.provider == "huaweicloud"
}

_cbr_deleted_resource := ["servers", input.params.server_id] if {
	input.operation == "server.delete"
	input.provider == "huaweicloud"
}

_cbr_deleted_nouns := {"disks": "disk", "servers": "server"}
