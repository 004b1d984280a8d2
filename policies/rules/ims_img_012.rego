package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason
import data.imgadmit.lib.request

# METADATA
# title: Only your own private images can be shared
# description: |
#   Sharing is for private images, by the project that created them. A public
#   image, a KooGallery (market) image, an image another tenant shared with
#   you, or a private image owned by another project cannot be shared on. The
#   message never names the owner's project: it belongs to another tenant.
#   (IMS-IMG-008 separately refuses another project's private image that is
#   not available to the requester at all.)
# custom:
#   id: IMS-IMG-012
#   effect: deny
#   category: constraint
#   providers: [huaweicloud]
#   source: "Huawei Cloud IMS, Images: Image Types"
#   remediation: Share a private image your project created; public, KooGallery and shared images cannot be shared on, and only the owner's project can share a private image.
reasons contains r if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	img := facts.image(input.params.image_id)
	r := reason.from(rego.metadata.rule(), _ims_img_not_own_message(input.params.image_id, img))
}

_ims_img_visibility_names := {
	"public": "a public image",
	"market": "a KooGallery (market) image",
	"shared": "a shared image (another tenant's private image shared with you)",
}

_ims_img_not_own_message(id, img) := sprintf(
	"image %s is %s; only your own private images can be shared",
	[id, _ims_img_visibility_names[img.visibility]],
) if {
	_ims_img_visibility_names[img.visibility]
} else := sprintf(
	"image %s is a private image of another project, not of the requesting project %s; only the owner's project can share a private image",
	[id, request.project],
) if {
	img.visibility == "private"
	images.owner(img) != request.project
} else := sprintf(
	"image %s is a private image and the request names no project_id, so it cannot be shown to be the owner; only the owner's project can share a private image",
	[id],
) if {
	img.visibility == "private"
	not request.project
}

missing_facts contains facts.missing("images", input.params.image_id, "visibility", "IMS-IMG-012", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
}

missing_facts contains facts.missing_or_null("images", id, "owner_project_id", "IMS-IMG-012", "deny") if {
	input.operation == "image.share"
	input.provider == "huaweicloud"
	id := input.params.image_id
	images.may_be_private(id)
	request.project
}
