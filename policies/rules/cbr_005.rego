package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Back up only optimized servers if the backup is to make images
# description: |
#   Before an ECS is backed up, it should be optimized and have Cloud-Init
#   (Linux) or Cloudbase-Init (Windows) installed; otherwise creating an image
#   from the backup may fail. A server not known to be optimized is the warning
#   itself (no missing fact). Disk backups cannot make images: no warning.
#   What the facts know the resource to be wins over what the request calls
#   it: a known server is backed up as a server (a real CBR checkpoint often
#   names only ids, and its type comes from the vault), a known disk as a disk.
# custom:
#   id: CBR-005
#   effect: warn
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud CBR, Using a Backup to Create an Image: Prerequisites"
#   remediation: Before backing up the ECS, optimize it and install Cloud-Init (Linux) or Cloudbase-Init (Windows), so that images can be created from the backup.
reasons contains r if {
	input.operation == "backup.create"
	input.provider == "huaweicloud"
	_cbr_backs_up_server(input.params.resource_id)
	not _cbr_server_optimized(input.params.resource_id)
	r := reason.from(rego.metadata.rule(), _cbr_optimized_message(input.params.resource_id))
}

# _cbr_backs_up_server(id): the backup is of a server: the facts know id as
# a server, or the request says server and the facts do not know id as a disk.
_cbr_backs_up_server(id) if facts.server(id)

_cbr_backs_up_server(id) if {
	input.params.resource_type == "server"
	not facts.disk(id)
}

# _cbr_server_optimized(id): the server is known to have Cloud-Init / Cloudbase-Init.
_cbr_server_optimized(id) if facts.server(id).cloud_init == true

_cbr_optimized_message(id) := sprintf(
	"server %s is not optimized with Cloud-Init (Linux) or Cloudbase-Init (Windows); creating an image from this backup may fail",
	[id],
) if {
	facts.server(id).cloud_init == false
} else := sprintf(
	"server %s is not known to be optimized with Cloud-Init (Linux) or Cloudbase-Init (Windows); creating an image from this backup may fail",
	[id],
)
