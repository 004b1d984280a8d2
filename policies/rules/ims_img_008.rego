package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: Another project's private image is not available
# description: |
#   Private images are only available to the users who created them, and to
#   the projects they are shared with. Using, sharing, replicating, exporting
#   or deleting a private image owned by another project that has not shared
#   it with the requesting project is refused. A request that names no
#   project_id cannot show that it is the owner or a member.
# custom:
#   id: IMS-IMG-008
#   effect: deny
#   category: constraint
#   source: "Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1"
#   remediation: Use an image your project owns or one shared with it (ask the owner to share the image with your project ID), or send the request with the owner's project_id.
reasons contains r if {
	input.operation in {"server.create", "image.share", "image.replicate", "image.export", "image.delete"}
	input.provider == "huaweicloud"
	img := facts.image(input.params.image_id)
	img.visibility == "private"
	r := reason.from(rego.metadata.rule(), _ims_img_unavailable_message(input.params.image_id, img))
}

_ims_img_unavailable_message(id, img) := sprintf(
	"image %s is a private image of project %s and is not shared with the requesting project %s; private images are only available to their owner and the projects they are shared with",
	[id, img.owner_project_id, _ims_img_requester],
) if {
	project := _ims_img_requester
	img.owner_project_id != project
	members := img.members
	not project in members
} else := sprintf(
	"image %s is a private image of project %s and the request names no project_id, so it cannot be shown to be the owner or a member; private images are only available to their owner and the projects they are shared with",
	[id, img.owner_project_id],
) if {
	not _ims_img_requester
	_ = img.owner_project_id
}

# _ims_img_requester is the requesting project, undefined when the request names none.
_ims_img_requester := input.project_id if is_string(input.project_id)

# _ims_img_maybe_private(id): image id is private or not known to be anything else.
_ims_img_maybe_private(id) if not facts.has("images", id, "visibility")

_ims_img_maybe_private(id) if facts.image(id).visibility == "private"

missing_facts contains facts.missing("images", input.params.image_id, "visibility", "IMS-IMG-008") if {
	input.operation in {"server.create", "image.share", "image.replicate", "image.export", "image.delete"}
	input.provider == "huaweicloud"
}

missing_facts contains facts.missing("images", id, "owner_project_id", "IMS-IMG-008") if {
	input.operation in {"server.create", "image.share", "image.replicate", "image.export", "image.delete"}
	input.provider == "huaweicloud"
	id := input.params.image_id
	_ims_img_maybe_private(id)
}

missing_facts contains facts.missing("images", id, "members", "IMS-IMG-008") if {
	input.operation in {"server.create", "image.share", "image.replicate", "image.export", "image.delete"}
	input.provider == "huaweicloud"
	id := input.params.image_id
	_ims_img_maybe_private(id)
	_ims_img_requester
	not _ims_img_owned_by_requester(id)
}

# _ims_img_owned_by_requester(id): the image is known to belong to the
# requesting project. (A helper, because in `not f(x).field == v` OPA
# evaluates the call outside the negation: undefined, not true, when f(x) is.)
_ims_img_owned_by_requester(id) if facts.image(id).owner_project_id == _ims_img_requester
