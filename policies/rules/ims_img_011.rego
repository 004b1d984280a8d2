package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Deleting a server or disk leaves its images
# description: |
#   Images are stored apart from the servers and disks they are made from or
#   used to create: deleting a server or disk created from an image does not
#   clear the image, and images made from the server or disk stay too.
# custom:
#   id: IMS-IMG-011
#   effect: note
#   category: lifecycle
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1"
reasons contains r if {
	input.operation in {"server.delete", "disk.delete"}
	input.provider == "huaweicloud"
	[kind, id] := _ims_img_deleted_resource
	r := reason.from(rego.metadata.rule(), sprintf(
		"deleting %s %s does not delete the image it was created from or any image made from it; those images stay until you delete them",
		[kind, id],
	))
}

# _ims_img_deleted_resource is [kind, id] of the server or disk being deleted.
_ims_img_deleted_resource := ["server", input.params.server_id] if input.operation == "server.delete"

_ims_img_deleted_resource := ["disk", input.params.disk_id] if input.operation == "disk.delete"
