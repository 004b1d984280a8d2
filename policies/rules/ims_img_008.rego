package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Another project's private image is not available
# description: |
#   Private images are only available to the users who created them, and to
#   the projects they are shared with. An image shared with the requesting
#   project may be used (server.create, server.change_os, disk.create,
#   image.replicate; sharing it on is IMS-IMG-012's to refuse), but only its
#   owner may delete, export or publish it. A private image owned by another
#   project and not shared with the requesting project is refused for all of
#   these; so is a received shared image (visibility shared) for what only
#   its owner may do. The requesting project is the caller's (project_id,
#   bound to its credential by the sidecar's identities); a request that names
#   none cannot show that it is the owner or a member. The message never names
#   the owner's project: it belongs to another tenant.
# custom:
#   id: IMS-IMG-008
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1"
#   remediation: Use an image your project owns or one shared with it (ask the image's owner to share it with your project); only the owner's project can delete, export or publish an image.
reasons contains r if {
	input.operation in {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate", "image.delete", "image.export", "image.publish"}
	input.provider == "huaweicloud"
	img := facts.image(input.params.image_id)
	img.visibility in {"private", "shared"} # public and market images are everyone's
	not _ims_img_owned_by_requester(input.params.image_id) # the owner may do all of it
	r := reason.from(rego.metadata.rule(), _ims_img_unavailable_message(input.params.image_id, img))
}

# The operations a member of a shared image may carry out, and those only its
# owner may (the rules' bodies list both, literally, for OPA's rule index).
_ims_img_member_ops := {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate"}

_ims_img_owner_ops := {"image.delete", "image.export", "image.publish"}

_ims_img_op_names := {
	"server.create": "create a server from it",
	"server.change_os": "change a server's OS with it",
	"disk.create": "create a disk from it",
	"image.share": "share it",
	"image.replicate": "replicate it",
	"image.delete": "delete it",
	"image.export": "export it",
	"image.publish": "publish it",
}

# _ims_img_unavailable_message(id, img) is why the request may not use the
# image; undefined when it may (or when the facts to tell are missing).
_ims_img_unavailable_message(id, img) := sprintf(
	"image %s is a shared image (another project's private image); only its owner may %s",
	[id, _ims_img_op_names[input.operation]],
) if {
	img.visibility == "shared"
	input.operation in _ims_img_owner_ops
} else := sprintf(
	"image %s is a shared image (another project's private image) and is not shared with the requesting project %s; it is only available to its owner and the projects it is shared with",
	[id, request.project],
) if {
	img.visibility == "shared"
	members := img.members
	not request.project in members
} else := sprintf(
	"image %s is a private image and the request names no project_id, so it cannot be shown to be the owner or a member; private images are only available to their owner and the projects they are shared with",
	[id],
) if {
	img.visibility == "private"
	not request.project
} else := sprintf(
	"image %s is a private image of another project; only its owner may %s, and the requesting project %s is not the owner",
	[id, _ims_img_op_names[input.operation], request.project],
) if {
	img.visibility == "private"
	input.operation in _ims_img_owner_ops
	images.owner(img) != request.project
} else := sprintf(
	"image %s is a private image of another project and is not shared with the requesting project %s; private images are only available to their owner and the projects they are shared with",
	[id, request.project],
) if {
	img.visibility == "private"
	images.owner(img) != request.project
	members := img.members
	not request.project in members
}

# _ims_img_owned_by_requester(id): the image is known to belong to the
# requesting project. (A helper, because in `not f(x).field == v` OPA
# evaluates the call outside the negation: undefined, not true, when f(x) is.)
_ims_img_owned_by_requester(id) if images.owner(facts.image(id)) == request.project

missing_facts contains facts.missing("images", input.params.image_id, "visibility", "IMS-IMG-008", "deny") if {
	input.operation in {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate", "image.delete", "image.export", "image.publish"}
	input.provider == "huaweicloud"
}

# A private image's owner, absent or null, is asked for: only a public image
# has no owner. Without a requesting project the owner cannot help.
missing_facts contains facts.missing_or_null("images", id, "owner_project_id", "IMS-IMG-008", "deny") if {
	input.operation in {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate", "image.delete", "image.export", "image.publish"}
	input.provider == "huaweicloud"
	id := input.params.image_id
	images.may_be_private(id)
	request.project
}

missing_facts contains facts.missing("images", id, "members", "IMS-IMG-008", "deny") if {
	input.operation in {"server.create", "server.change_os", "disk.create", "image.share", "image.replicate"}
	input.provider == "huaweicloud"
	id := input.params.image_id
	images.may_be_private(id)
	request.project
	not _ims_img_owned_by_requester(id)
}
