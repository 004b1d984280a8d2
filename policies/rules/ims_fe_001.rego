package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Only ECS backups can make full-ECS images
# description: |
#   A full-ECS image can be created from a CBR backup of a cloud server (ECS)
#   only; backups of EVS disks and of bare metal servers cannot make images.
# custom:
#   id: IMS-FE-001
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Background"
#   remediation: Use a CBR backup of an ECS (cloud server backup); to make an image from a disk, create a data disk image from the disk instead.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
	b := facts.backup(input.params.source.id)
	b.resource_type != "server"
	r := reason.from(rego.metadata.rule(), sprintf(
		"backup %s is a backup of %s; only ECS (cloud server) backups can be used to create images",
		[input.params.source.id, _fe_resource_type_name(b.resource_type)],
	))
}

missing_facts contains facts.missing("backups", input.params.source.id, "resource_type", "IMS-FE-001", "deny") if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	request.full_ecs_from_cbr_backup
}

_resource_type_names := {
	"server": "a cloud server (ECS)",
	"disk": "an EVS disk",
	"bare_metal_server": "a bare metal server (BMS)",
	"native_server": "a server outside ECS (OS::Native::Server)",
	"sfs_turbo": "an SFS Turbo file system",
	"workspace_desktop": "a Workspace desktop",
}

# _fe_resource_type_name(t) names what a backup of resource type t backs up.
_fe_resource_type_name(t) := _resource_type_names[t] if {
	_resource_type_names[t]
} else := sprintf("resource type %s", [json.marshal(t)])
