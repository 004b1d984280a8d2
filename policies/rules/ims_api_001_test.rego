package imgadmit.rules_test

import data.imgadmit.rules

# _ims_api_001_projects(prefix, n): n distinct project ids.
_ims_api_001_projects(prefix, n) := [sprintf("%s%028d", [prefix, i]) | some i in numbers.range(1, n)]

_ims_api_001_cbr_image(members) := _ims_image({"image_type": "full_ecs", "backup_id": "bk-7f3a", "members": members})

_ims_api_001_share(image, members) := _ims_image_request("image.share", {"members": members}, image)

# _ims_api_001_cbr_share is _ims_api_001_share with bk-7f3a known as a CBR backup.
_ims_api_001_cbr_share(image, members) := json.patch(_ims_api_001_share(image, members), [{
	"op": "add", "path": "/resources/backups",
	"value": {"bk-7f3a": {"resource_type": "OS::Nova::Server", "status": "available", "image_id": "img-1"}},
}])

_ims_api_001_reason(message) := {
	"id": "IMS-API-001",
	"effect": "deny",
	"category": "constraint",
	"message": message,
	"remediation": "Share the image with fewer projects, or first remove members that no longer need it (DELETE /v1/cloudimages/members).",
	"source": "Huawei Cloud IMS API reference, BatchAddMembers (POST /v1/cloudimages/members)",
}

test_ims_api_001_denies_eleventh_tenant_of_cbr_full_ecs_image if {
	req := _ims_api_001_cbr_share(_ims_api_001_cbr_image(_ims_api_001_projects("aaaa", 9)), _ims_api_001_projects("bbbb", 2))
	r := rules.reasons with input as req
	_ims_of(r, "IMS-API-001") == {_ims_api_001_reason("image img-1 would be shared with 11 projects (9 existing members, 2 added); a full-ECS image made from CBR backup bk-7f3a can be shared with at most 10 tenants")}
}

test_ims_api_001_csbs_full_ecs_images_allow_256 if {
	# The API documents the 10-tenant limit for full-ECS images made from CBR
	# backups; bk-7f3a is not among the CBR backups here (a CSBS backup).
	req := _ims_api_001_share(_ims_api_001_cbr_image(_ims_api_001_projects("aaaa", 9)), _ims_api_001_projects("bbbb", 2))
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-001")
}

test_ims_api_001_needs_nothing_at_ten_or_fewer if {
	req := _ims_request("image.share", {"image_id": "img-1", "members": ["p"]}, {"images": {"img-1": {"members": []}}})
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-001")
}

test_ims_api_001_denies_more_than_256_added_whatever_is_known if {
	r := rules.reasons with input as _ims_request("image.share", {"image_id": "img-1", "members": _ims_api_001_projects("bbbb", 257)}, {})
	_ims_of(r, "IMS-API-001") == {_ims_api_001_reason("image img-1 would be shared with at least 257 projects (those added); an image can be shared with at most 256 tenants")}
	not _ims_mentioned(r, "IMS-API-001")
}

test_ims_api_001_quiet_at_ten_tenants_counting_each_once if {
	# 9 existing members, re-adding one of them and adding one new project: 10 in all.
	existing := _ims_api_001_projects("aaaa", 9)
	req := _ims_api_001_cbr_share(_ims_api_001_cbr_image(existing), [existing[0], "bbbb0000000000000000000000000001", existing[0]])
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-001")
}

test_ims_api_001_other_images_allow_256 if {
	every img in [_ims_image({"members": _ims_api_001_projects("aaaa", 200)}), _ims_image({"image_type": "full_ecs", "members": _ims_api_001_projects("aaaa", 200)})] {
		_ims_quiet(rules.reasons, "IMS-API-001") with input as _ims_api_001_share(img, _ims_api_001_projects("bbbb", 56))
	}
}

test_ims_api_001_denies_257th_tenant if {
	req := _ims_api_001_share(_ims_image({"members": _ims_api_001_projects("aaaa", 200)}), _ims_api_001_projects("bbbb", 57))
	r := rules.reasons with input as req
	_ims_of(r, "IMS-API-001") == {_ims_api_001_reason("image img-1 would be shared with 257 projects (200 existing members, 57 added); an image can be shared with at most 256 tenants")}
}

test_ims_api_001_empty_backup_id_is_no_backup if {
	img := _ims_image({"image_type": "full_ecs", "backup_id": "", "members": _ims_api_001_projects("aaaa", 20)})
	r := rules.reasons with input as _ims_api_001_share(img, ["bbbb0000000000000000000000000001"])
	_ims_quiet(r, "IMS-API-001")
}

test_ims_api_001_needs_type_and_members if {
	r := rules.reasons with input as _ims_request("image.share", {"image_id": "img-1", "members": ["p"]}, {})
	_ims_needs(r, "image_type", "IMS-API-001")
	_ims_needs(r, "members", "IMS-API-001")
	_ims_needs(r, "backup_id", "IMS-API-001")
	not "IMS-API-001" in {x.id | some x in r}
}

test_ims_api_001_needs_backup_id_of_full_ecs_image_only if {
	full_ecs := json.remove(_ims_api_001_cbr_image(_ims_api_001_projects("aaaa", 20)), ["backup_id"])
	r1 := rules.reasons with input as _ims_api_001_share(full_ecs, ["bbbb0000000000000000000000000001"])
	_ims_needs(r1, "backup_id", "IMS-API-001")
	not "IMS-API-001" in {x.id | some x in r1}

	system := json.remove(_ims_image({}), ["backup_id"])
	r2 := rules.reasons with input as _ims_api_001_share(system, ["bbbb0000000000000000000000000001"])
	_ims_quiet(r2, "IMS-API-001")
}

test_ims_api_001_quiet_on_alibaba if {
	req := json.patch(
		_ims_api_001_share(_ims_api_001_cbr_image(_ims_api_001_projects("aaaa", 10)), ["bbbb0000000000000000000000000001"]),
		[{"op": "replace", "path": "/provider", "value": "alibabacloud"}],
	)
	r := rules.reasons with input as req
	_ims_quiet(r, "IMS-API-001")
}
