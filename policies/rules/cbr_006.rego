package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Backups are charged by CBR
# description: |
#   Backup fees are charged according to the CBR billing standards; backups
#   are stored in OBS, apart from the server or disk they were made from.
# custom:
#   id: CBR-006
#   effect: note
#   category: billing
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Differences Between Backups and Images"
reasons contains r if {
	input.operation == "backup.create"
	input.provider == "huaweicloud"
	[noun, disks] := _cbr_backed_up[_cbr_006_kind]
	r := reason.from(rego.metadata.rule(), sprintf(
		"backups of %s %s are charged according to the CBR billing standards; they are stored in OBS, apart from %s",
		[noun, input.params.resource_id, disks],
	))
}

# What the backup is of: a server or a disk, as CBR-005 reads it (what the
# facts know the resource to be wins over what the request calls it).
_cbr_006_kind := "server" if _cbr_backs_up_server(input.params.resource_id)

else := "disk"

# What backup.create backs up: the name of the resource and of its disks.
_cbr_backed_up := {
	"server": ["ECS", "the server's disks"],
	"disk": ["EVS disk", "the disk"],
}
