package imgadmit.rules_test

import data.imgadmit.rules

# Every operation IMS-IMG-008 judges, with params that fit it. A member of a
# shared image may use it; only its owner may delete, export or publish it.
_ims_img_008_member_ops := {
	"server.create": {"name": "web-01", "temporary": false},
	"server.change_os": {"server_id": "srv-1"},
	"disk.create": {},
	"image.share": {"members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]},
	"image.replicate": {"name": "web-copy"},
}

_ims_img_008_owner_ops := {
	"image.delete": {"delete_backup": false},
	"image.export": {"bucket_url": "img-export:web.qcow2", "file_format": "qcow2"},
	"image.publish": {"marketplace": "koogallery"},
}

_ims_img_008_op_names := {
	"image.delete": "delete it",
	"image.export": "export it",
	"image.publish": "publish it",
}

_ims_img_008_foreign := _ims_image({"owner_project_id": _ims_other_project})

_ims_img_008_reason(message) := {
	"id": "IMS-IMG-008",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Use an image your project owns or one shared with it (ask the image's owner to share it with your project); only the owner's project can delete, export or publish an image.",
	"source": "Huawei Cloud IMS, Images: Image Types; Huawei Cloud IMS, Creating a Full-ECS Image from a CBR Backup: Table 1",
}

_ims_img_008_not_shared := _ims_img_008_reason("image img-1 is a private image of another project and is not shared with the requesting project 0605767a3300d5762fb7c0186d8d2b3b; private images are only available to their owner and the projects they are shared with")

_ims_img_008_not_owner(op) := _ims_img_008_reason(sprintf(
	"image img-1 is a private image of another project; only its owner may %s, and the requesting project 0605767a3300d5762fb7c0186d8d2b3b is not the owner",
	[_ims_img_008_op_names[op]],
))

test_ims_img_008_denies_foreign_private_image_on_every_use if {
	every op, params in _ims_img_008_member_ops {
		_ims_of(rules.reasons, "IMS-IMG-008") == {_ims_img_008_not_shared} with input as _ims_image_request(op, params, _ims_img_008_foreign)
	}
}

test_ims_img_008_denies_foreign_private_image_to_all_but_its_owner if {
	every op, params in _ims_img_008_owner_ops {
		_ims_of(rules.reasons, "IMS-IMG-008") == {_ims_img_008_not_owner(op)} with input as _ims_image_request(op, params, _ims_img_008_foreign)
	}
}

test_ims_img_008_lets_a_member_use_but_not_delete_export_or_publish if {
	img := _ims_image({"owner_project_id": _ims_other_project, "members": [_ims_project]})
	every op, params in _ims_img_008_member_ops {
		_ims_quiet(rules.reasons, "IMS-IMG-008") with input as _ims_image_request(op, params, img)
	}
	every op, params in _ims_img_008_owner_ops {
		_ims_of(rules.reasons, "IMS-IMG-008") == {_ims_img_008_not_owner(op)} with input as _ims_image_request(op, params, img)
	}
}

test_ims_img_008_quiet_for_owner if {
	every op, params in object.union(_ims_img_008_member_ops, _ims_img_008_owner_ops) {
		_ims_quiet(rules.reasons, "IMS-IMG-008") with input as _ims_image_request(op, params, _ims_image({}))
	}
}

test_ims_img_008_denies_when_shared_with_others_only if {
	img := _ims_image({"owner_project_id": _ims_other_project, "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]})
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_not_shared}
}

test_ims_img_008_never_names_the_owners_project if {
	img := _ims_image({"owner_project_id": _ims_other_project, "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]})
	requests := [_ims_image_request(op, params, img) | some op, params in object.union(_ims_img_008_member_ops, _ims_img_008_owner_ops)]
	every req in array.concat(requests, [json.remove(requests[0], ["project_id"])]) {
		messages := {x.message | some x in rules.reasons} with input as req
		count(messages) > 0
		every m in messages {
			not contains(m, _ims_other_project)
		}
	}
}

test_ims_img_008_denies_without_project_id if {
	req := json.remove(_ims_image_request("image.export", _ims_img_008_owner_ops["image.export"], _ims_image({})), ["project_id"])
	r := rules.reasons with input as req
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_reason("image img-1 is a private image and the request names no project_id, so it cannot be shown to be the owner or a member; private images are only available to their owner and the projects they are shared with")}

	# Owner and members are not needed then: no project can be found in them.
	not _ims_needs(r, "members", "IMS-IMG-008")
	not _ims_needs(r, "owner_project_id", "IMS-IMG-008")
}

test_ims_img_008_received_shared_image if {
	# visibility shared: another project's private image, shared with this
	# tenant. It may be used, not deleted, exported or published; its owner
	# and members are not needed for that.
	img := json.remove(_ims_image({"visibility": "shared"}), ["owner_project_id", "members"])
	every op, params in _ims_img_008_member_ops {
		r := rules.reasons with input as _ims_image_request(op, params, img)
		_ims_quiet(r, "IMS-IMG-008")
	}
	r := rules.reasons with input as _ims_image_request("image.delete", {}, img)
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_reason("image img-1 is a shared image (another project's private image); only its owner may delete it")}
}

test_ims_img_008_received_shared_image_with_known_members if {
	img := _ims_image({"visibility": "shared", "owner_project_id": _ims_other_project, "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]})
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_of(r, "IMS-IMG-008") == {_ims_img_008_reason("image img-1 is a shared image (another project's private image) and is not shared with the requesting project 0605767a3300d5762fb7c0186d8d2b3b; it is only available to its owner and the projects it is shared with")}
}

test_ims_img_008_quiet_on_public_images_without_an_owner if {
	# A public image has no owner: IMS reports none (owner_project_id null).
	every v in ["public", "gold", "market"] {
		img := object.union(json.remove(_ims_image({"visibility": v}), ["members"]), {"owner_project_id": null})
		_ims_quiet(rules.reasons, "IMS-IMG-008") with input as _ims_image_request("server.create", {}, img)
	}
}

test_ims_img_008_needs_all_facts_of_unknown_image if {
	r := rules.reasons with input as _ims_request("server.create", {"image_id": "img-1"}, {})
	_ims_needs(r, "visibility", "IMS-IMG-008")
	_ims_needs(r, "owner_project_id", "IMS-IMG-008")
	_ims_needs(r, "members", "IMS-IMG-008")
	not "IMS-IMG-008" in {x.id | some x in r}
}

test_ims_img_008_delete_needs_no_members if {
	r := rules.reasons with input as _ims_request("image.delete", {"image_id": "img-1"}, {})
	_ims_needs(r, "visibility", "IMS-IMG-008")
	_ims_needs(r, "owner_project_id", "IMS-IMG-008")
	not _ims_needs(r, "members", "IMS-IMG-008")
}

test_ims_img_008_needs_members_of_foreign_private_image if {
	img := json.remove(_ims_img_008_foreign, ["members"])
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_needs(r, "members", "IMS-IMG-008")
	not _ims_needs(r, "owner_project_id", "IMS-IMG-008")
	not "IMS-IMG-008" in {x.id | some x in r}
}

test_ims_img_008_needs_owner_of_private_image if {
	every img in [json.remove(_ims_image({}), ["owner_project_id"]), _ims_image({"owner_project_id": null})] {
		r := rules.reasons with input as _ims_image_request("image.delete", {}, img)
		_ims_needs(r, "owner_project_id", "IMS-IMG-008")
		not "IMS-IMG-008" in {x.id | some x in r}
	}
}

test_ims_img_008_own_image_needs_no_members if {
	img := json.remove(_ims_image({}), ["members"])
	r := rules.reasons with input as _ims_image_request("server.create", {}, img)
	_ims_quiet(r, "IMS-IMG-008")
}

test_ims_img_008_quiet_on_alibaba if {
	req := json.patch(_ims_image_request("server.create", {}, _ims_img_008_foreign), [{"op": "replace", "path": "/provider", "value": "alibabacloud"}])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-IMG-008")
}
