package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_012_share(image) := _ims_image_request("image.share", {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]}, image)

_ims_img_012_reason(message) := {
	"id": "IMS-IMG-012",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Share a private image your project created; public, KooGallery and shared images cannot be shared on, and only the owner's project can share a private image.",
	"source": "Huawei Cloud IMS, Images: Image Types",
}

test_ims_img_012_denies_public_market_and_shared_images if {
	msgs := {m |
		some v in ["public", "market", "shared", "gold", "marketplace", "others", "system"]
		some x in rules.reasons with input as _ims_img_012_share(_ims_image({"visibility": v, "owner_project_id": _ims_other_project}))
		x.id == "IMS-IMG-012"
		m := x.message
	}
	msgs == {
		"image img-1 is a public image; only your own private images can be shared",
		"image img-1 is a KooGallery (market) image; only your own private images can be shared",
		"image img-1 is a shared image (another tenant's private image shared with you); only your own private images can be shared",
	}
}

test_ims_img_012_denies_public_image_without_owner_fact if {
	r := rules.reasons with input as _ims_img_012_share(json.remove(_ims_image({"visibility": "public"}), ["owner_project_id"]))
	_ims_of(r, "IMS-IMG-012") == {_ims_img_012_reason("image img-1 is a public image; only your own private images can be shared")}
	not _ims_needs(r, "owner_project_id", "IMS-IMG-012")
}

test_ims_img_012_denies_private_image_shared_with_requester if {
	# The requester may use the image (a member: IMS-IMG-008 is quiet) but cannot share it on.
	r := rules.reasons with input as _ims_img_012_share(_ims_image({"owner_project_id": _ims_other_project, "members": [_ims_project]}))
	_ims_of(r, "IMS-IMG-012") == {_ims_img_012_reason("image img-1 is a private image of another project, not of the requesting project 0605767a3300d5762fb7c0186d8d2b3b; only the owner's project can share a private image")}
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_012_and_008_each_say_their_own_thing if {
	r := rules.reasons with input as _ims_img_012_share(_ims_image({"owner_project_id": _ims_other_project}))
	{x.id | some x in r; x.effect == "deny"} == {"IMS-IMG-008", "IMS-IMG-012"}
	some x8 in _ims_of(r, "IMS-IMG-008")
	some x12 in _ims_of(r, "IMS-IMG-012")
	contains(x8.message, "is not shared with the requesting project")
	contains(x12.message, "only the owner's project can share a private image")
}

test_ims_img_012_denies_without_project_id if {
	req := json.remove(_ims_img_012_share(_ims_image({})), ["project_id"])
	r := rules.reasons with input as req
	_ims_of(r, "IMS-IMG-012") == {_ims_img_012_reason("image img-1 is a private image and the request names no project_id, so it cannot be shown to be the owner; only the owner's project can share a private image")}
}

test_ims_img_012_quiet_on_own_private_image if {
	r := rules.reasons with input as _ims_img_012_share(_ims_image({}))
	_ims_quiet(r, "IMS-IMG-012")
	{x.id | some x in r} == set()
}

test_ims_img_012_needs_visibility_and_owner if {
	r := rules.reasons with input as _ims_request("image.share", {"image_id": "img-1", "members": []}, {})
	_ims_needs(r, "visibility", "IMS-IMG-012")
	_ims_needs(r, "owner_project_id", "IMS-IMG-012")
	not "IMS-IMG-012" in {x.id | some x in r}
}

test_ims_img_012_quiet_on_other_operations if {
	r := rules.reasons with input as _ims_image_request("image.export", {"bucket_url": "img-export:web.qcow2"}, _ims_image({"visibility": "public"}))
	_ims_quiet(r, "IMS-IMG-012")
}

test_ims_img_012_quiet_on_alibaba if {
	req := json.patch(_ims_img_012_share(_ims_image({"visibility": "public"})), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-012")
}

test_ims_img_012_needs_the_owner_of_a_private_image_with_none if {
	r := rules.reasons with input as _ims_img_012_share(_ims_image({"owner_project_id": null}))
	_ims_needs(r, "owner_project_id", "IMS-IMG-012")
	not "IMS-IMG-012" in {x.id | some x in r}
}
