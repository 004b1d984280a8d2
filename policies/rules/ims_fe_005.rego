package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: The source ECS should be configured before a full-ECS image is made
# description: |
#   The ECS behind a full-ECS image (the server itself, or the server a CBR
#   backup was made of) must have been optimized, with Cloud-Init (Linux) or
#   Cloudbase-Init (Windows) installed, or creating the image may fail. The
#   warning stands until the server is known to be configured (cloud_init is
#   true): an unknown server is the warning itself, not a missing fact.
# custom:
#   id: IMS-FE-005
#   effect: warn
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Constraints; Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Optimize the ECS and install Cloud-Init (Linux) or Cloudbase-Init (Windows) before backing it up or creating the image, then record cloud_init true for the server.
reasons contains r if {
	input.operation == "image.create"
	input.provider == "huaweicloud"
	input.params.image_type == "full_ecs"
	request.source_type in {"server", "cbr_backup"}
	not _fe_backup_of_other_resource
	not _fe_source_server_configured
	r := reason.from(rego.metadata.rule(), _fe_unconfigured_source_message)
}

# _fe_source_server is the ECS the full-ECS image comes from: the server
# itself, or the resource a CBR backup was made of.
_fe_source_server := input.params.source.id if request.full_ecs_from_server

_fe_source_server := facts.backup(input.params.source.id).resource_id if request.full_ecs_from_cbr_backup

# A backup of a disk or a bare metal server has no source ECS to configure;
# IMS-FE-001 refuses it.
_fe_backup_of_other_resource if {
	request.full_ecs_from_cbr_backup
	facts.backup(input.params.source.id).resource_type != "server"
}

_fe_source_server_configured if facts.server(_fe_source_server).cloud_init == true

_fe_unconfigured_source_message := sprintf(
	"backup %s names no source server (resource_id), so its server is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail",
	[input.params.source.id],
) if {
	not _fe_source_server
} else := sprintf(
	"%s is not configured with Cloud-Init or Cloudbase-Init (cloud_init is false); creating a full-ECS image from it may fail",
	[_fe_source_server_name],
) if {
	facts.server(_fe_source_server).cloud_init == false
} else := sprintf(
	"%s is not known to be configured with Cloud-Init or Cloudbase-Init; creating a full-ECS image from it may fail",
	[_fe_source_server_name],
)

_fe_source_server_name := sprintf("server %s", [_fe_source_server]) if {
	request.full_ecs_from_server
} else := sprintf("server %s (the source of backup %s)", [_fe_source_server, input.params.source.id])
