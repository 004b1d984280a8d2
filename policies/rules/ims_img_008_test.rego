package imgadmit.rules_test

import data.imgadmit.rules

_ims_img_008_ops := {
	"server.create": {"name": "web-01", "temporary": false},
	"image.share": {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]},
	"image.replicate": {"name": "web-copy"},
	"image.export": {"bucket_url": "img-export:web.qcow2", "file_format": "qcow2"},
	"image.delete": {"delete_backup": false},
}

_ims_img_008_foreign := _ims_image({"owner_project_id": _ims_other_project})

_ims_img_008_reason(message) := {
	"id": "IMS-IMG-008",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Use an image your project owns or one shared with it (ask the owner to share the image with your project ID), or send the request with the owner's project_id.",
	"source": "Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1",
}

_ims_img_008_not_shared := _ims_img_008_reason("image img-1 is a private image of project 9d2f1c0b6a7e48c5b3e1f0a2d4c6e8f1 and is not shared with the requesting project 0605767a3300d5762fb7c0186d8d2b3b; private images are only available to their owner and the projects they are shared with")

test_ims_img_008_denies_foreign_private_image_on_every_operation if {
	every op, params in _ims_img_008_ops {
		_ims_of(rules.reasons, "IMS-IMG-008") == {_ims_img_008_not_shared} with input as _ims_image_request(op, params, _ims_img_008_foreign)
	}
}

test_ims_img_008_denies_when_shared_with_others_only if {
	img := _ims_image({"owner_project_id": _ims_other_project, "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]})
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_not_shared}
}

test_ims_img_008_denies_without_project_id if {
	req := json.remove(_ims_image_request("image.export", _ims_img_008_ops["image.export"], _ims_image({})), ["project_id"])
	r := rules.reasons with input as req
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_reason("image img-1 is a private image of project 0605767a3300d5762fb7c0186d8d2b3b and the request names no project_id, so it cannot be shown to be the owner or a member; private images are only available to their owner and the projects they are shared with")}

	# Members are not needed then: no project can be found in them.
	not _ims_needs(r, "members", "IMS-IMG-008")
}

test_ims_img_008_quiet_for_owner if {
	r := rules.reasons with input as _ims_image_request("server.create", {}, _ims_image({}))
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_008_quiet_for_member if {
	img := _ims_image({"owner_project_id": _ims_other_project, "members": [_ims_project]})
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_008_quiet_on_non_private_images if {
	every v in ["public", "shared", "market"] {
		_ims_quiet(rules.reasons, "IMS-IMG-008") with input as _ims_image_request("server.create", {}, json.remove(_ims_image({"visibility": v}), ["owner_project_id", "members"]))
	}
}

test_ims_img_008_quiet_on_other_operations if {
	req := _ims_request("server.change_os", {"server_id": "srv-1", "image_id": "img-1"}, {"images": {"img-1": _ims_img_008_foreign}, "servers": {"srv-1": _ims_server}})
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_008_needs_all_facts_of_unknown_image if {
	r := rules.reasons with input as _ims_request("image.delete", {"image_id": "img-1"}, {})
	_ims_needs(r, "visibility", "IMS-IMG-008")
	_ims_needs(r, "owner_project_id", "IMS-IMG-008")
	_ims_needs(r, "members", "IMS-IMG-008")
	not "IMS-IMG-008" in {x.id | some x in r}
}

test_ims_img_008_needs_members_of_foreign_private_image if {
	img := json.remove(_ims_img_008_foreign, ["members"])
	r := rules.reasons with input as _ims_image_request("image.delete", {}, img)
	_ims_needs(r, "members", "IMS-IMG-008")
	not _ims_needs(r, "owner_project_id", "IMS-IMG-008")
	not "IMS-IMG-008" in {x.id | some x in r}
}

test_ims_img_008_needs_owner_of_private_image if {
	img := json.remove(_ims_image({}), ["owner_project_id"])
	r := rules.reasons with input as _ims_image_request("image.delete", {}, img)
	_ims_needs(r, "owner_project_id", "IMS-IMG-008")
	not "IMS-IMG-008" in {x.id | some x in r}
}

test_ims_img_008_own_image_needs_no_members if {
	img := json.remove(_ims_image({}), ["members"])
	r := rules.reasons with input as _ims_image_request("image.delete", {}, img)
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_008_quiet_on_alibaba if {
	req := json.patch(_ims_image_request("server.create", {}, _ims_img_008_foreign), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-008")
}
