package imgadmit.lib.settings_test

import data.imgadmit
import data.imgadmit.lib.settings
import data.imgadmit.rules

# The operator's settings (waivers, enforcement) applied to a rule's reason.
# Most tests apply them to a reason written here, so the answer is the whole
# reason; a few go through the router with a real rule, to show what the
# decision says. The clock is the fixtures' clock (make FIXTURE_NOW).

# 2026-11-24T00:00:00Z
_now := 1795478400000000000

_deny := {
	"id": "IMS-FE-011",
	"effect": "deny",
	"category": "constraint",
	"message": "image img-1 is a full-ECS image and cross-region replication of full-ECS images is not offered in cn-east-3",
	"source": "tests",
}

_req := {
	"provider": "huaweicloud",
	"operation": "image.replicate",
	"region": "cn-north-4",
	"project_id": "p-one",
	"params": {"image_id": "img-1", "destination_region": "cn-east-3"},
}

_waiver := {
	"rule": "IMS-FE-011",
	"expires": "2027-01-31T00:00:00Z",
	"reason": "regions confirmed with support, ticket 4711",
	"approved_by": "cloud-platform-team",
}

# _waived(r, w) is reason r waived by w, the first waiver, for _req: the
# decision shows the waiver's position, and of its resources and projects
# only the request's. _waived_at is the same for a waiver at pos, for req.
_waived(r, w) := _waived_at(r, w, 0, _req)

_waived_at(r, w, pos, req) := object.union(r, {"effect": "waived", "waiver": object.union(
	{"index": pos, "rule": w.rule, "expires": w.expires, "reason": w.reason, "approved_by": w.approved_by},
	object.union(
		{"resources": sort([id | some id in w.resources; id in _subjects(req)]) | w.resources},
		{"projects": [req.project_id] | w.projects},
	),
)})

# _subjects(req) are the request's subject ids, written out for the tests.
_subjects(req) := {id |
	some name in ["image_id", "backup_id", "server_id", "disk_id", "snapshot_id", "resource_id"]
	id := req.params[name]
} | {id | id := req.params.source.id}

# _applied(r, req, waivers, enforcement) is reason r under these settings for
# request req, scanning the waivers as stock OPA does.
_applied(r, req, waivers, enforcement) := x if {
	x := settings.applied(r) with input as req
		with data.inventory.settings as {"waivers": waivers, "enforcement": enforcement}
		with time.now_ns as _now
}

# _indexed is _applied with the index imgadmit loads beside the inventory.
_indexed(r, req, waivers, enforcement) := x if {
	index := _index(waivers)
	x := settings.applied(r) with input as req
		with data.inventory.settings as {"waivers": waivers, "enforcement": enforcement}
		with data.imgadmit_index.waivers_by_rule as index
		with time.now_ns as _now
}

# _index(waivers) is what evaluator.WaiverIndex builds: per rule, the
# [position, waiver] entries of the waivers that name neither resources nor
# projects, of those that name each resource, and of those that name
# projects but no resource, under each project.
_index(waivers) := {id: object.union(_any_entries(waivers, id), {
	"by_resource": {res: [[i, w] | some i, w in waivers; w.rule == id; res in object.get(w, "resources", [])] |
		some w in waivers
		w.rule == id
		some res in object.get(w, "resources", [])
	},
	"by_project": {p: [[i, w] | some i, w in waivers; w.rule == id; not w.resources; p in object.get(w, "projects", [])] |
		some w in waivers
		w.rule == id
		not w.resources
		some p in object.get(w, "projects", [])
	},
}) |
	some id in {w.rule | some w in waivers}
}

# _any_entries is the index's "any" member of rule id: left out when empty.
_any_entries(waivers, id) := {"any": entries} if {
	entries := [[i, w] | some i, w in waivers; w.rule == id; not w.resources; not w.projects]
	count(entries) > 0
} else := {}

test_a_waiver_waives_a_deny if {
	_applied(_deny, _req, [_waiver], {}) == _waived(_deny, _waiver)
}

test_a_waiver_of_another_rule_does_nothing if {
	w := object.union(_waiver, {"rule": "IMS-FE-010"})
	_applied(_deny, _req, [w], {}) == _deny
}

test_a_waived_deny_no_longer_refuses if {
	# CBR-004 refuses every backup export; waived, the request is allowed and
	# the decision keeps the reason with its waiver.
	req := {
		"provider": "huaweicloud",
		"operation": "backup.export",
		"project_id": "p-one",
		"params": {"backup_id": "bk-1"},
		"resources": {"backups": {"bk-1": {"resource_type": "server", "status": "available"}}},
	}
	w := object.union(_waiver, {"rule": "CBR-004"})
	[r] := [x | some x in rules.reasons with input as req]
	r.effect == "deny"
	d := imgadmit.decision with input as req
		with data.inventory.settings.waivers as [w]
		with time.now_ns as _now
	d == {"allowed": true, "provider": "huaweicloud", "operation": "backup.export", "reasons": [_waived(r, w)]}
}

test_a_waived_deny_beside_another_deny_still_refuses if {
	# A deny the waiver does not name keeps refusing.
	other := object.union(_deny, {"id": "IMS-FE-010"})
	sorted := imgadmit.sorted_reasons with rules.reasons as {_deny, other}
		with input as _req
		with data.inventory.settings.waivers as [_waiver]
		with time.now_ns as _now
	sorted == [other, _waived(_deny, _waiver)]
	not imgadmit.allowed with rules.reasons as {_deny, other}
		with input as _req
		with data.inventory.settings.waivers as [_waiver]
		with time.now_ns as _now
}

test_a_resource_waiver_matches_only_its_resources if {
	w := object.union(_waiver, {"resources": ["img-1", "img-9"]})
	_applied(_deny, _req, [w], {}) == _waived(_deny, w)

	# Another image: the waiver does not cover it.
	other := json.patch(_req, [{"op": "replace", "path": "/params/image_id", "value": "img-2"}])
	_applied(_deny, other, [w], {}) == _deny
}

test_a_resource_waiver_reads_the_requests_subjects if {
	w := object.union(_waiver, {"resources": ["snap-2"]})
	snap := object.union(_req, {"params": {"image_id": "img-1", "snapshot_id": "snap-2"}})
	_applied(_deny, snap, [w], {}) == _waived_at(_deny, w, 0, snap)

	# A source is a resource the request is about (image.create from a backup).
	src := object.union(_req, {"operation": "image.create", "params": {"source": {"type": "cbr_backup", "id": "snap-2"}}})
	_applied(_deny, src, [w], {}) == _waived_at(_deny, w, 0, src)

	# A parameter the caller names freely (a vault, a key, an enterprise
	# project) is not what the request is about: naming the waived resource
	# there borrows nothing. Nor do lists, names, or ids that are not strings.
	every name in ["vault_id", "cmk_id", "enterprise_project_id", "kms_key_id", "resource_group_id"] {
		borrow := object.union(_req, {"params": {name: "snap-2"}})
		_applied(_deny, borrow, [w], {}) == _deny
		_indexed(_deny, borrow, [w], {}) == _deny
	}
	none := object.union(_req, {"params": {"name": "snap-2", "image_id": 7, "snapshot_ids": ["snap-2"]}})
	_applied(_deny, none, [w], {}) == _deny
}

test_a_waiver_shows_only_the_requests_resources_and_project if {
	# Another tenant's resources and projects a waiver names never appear
	# in the decision.
	w := object.union(_waiver, {"resources": ["img-1", "img-of-another-tenant"], "projects": ["p-one", "p-of-another-tenant"]})
	x := _applied(_deny, _req, [w], {})
	x.waiver == {"index": 0, "rule": "IMS-FE-011", "expires": w.expires, "reason": w.reason, "approved_by": w.approved_by, "resources": ["img-1"], "projects": ["p-one"]}
}

test_a_project_waiver_matches_only_its_projects if {
	w := object.union(_waiver, {"projects": ["p-one"]})
	_applied(_deny, _req, [w], {}) == _waived(_deny, w)
	_applied(_deny, object.union(_req, {"project_id": "p-two"}), [w], {}) == _deny

	# A request that names no project is not made as p-one.
	_applied(_deny, object.remove(_req, ["project_id"]), [w], {}) == _deny
}

test_a_waiver_with_resources_and_projects_needs_both if {
	w := object.union(_waiver, {"resources": ["img-1"], "projects": ["p-one"]})
	_applied(_deny, _req, [w], {}) == _waived(_deny, w)
	_applied(_deny, object.union(_req, {"project_id": "p-two"}), [w], {}) == _deny
	_applied(_deny, object.union(_req, {"params": {"image_id": "img-2"}}), [w], {}) == _deny
}

test_an_expired_waiver_matches_nothing if {
	expired := object.union(_waiver, {"expires": "2026-11-01T00:00:00Z"})
	_applied(_deny, _req, [expired], {}) == _deny

	# It expires at its time: at that instant it no longer waives.
	now := object.union(_waiver, {"expires": "2026-11-24T00:00:00Z"})
	_applied(_deny, _req, [now], {}) == _deny

	# The same waiver before it expired (a replay with an earlier clock).
	settings.applied(_deny) == _waived(_deny, expired) with input as _req
		with data.inventory.settings.waivers as [expired]
		with time.now_ns as 1793491199000000000

	# Expiry with an offset is the same instant in UTC.
	offset := object.union(_waiver, {"expires": "2026-11-24T08:00:01+08:00"})
	_applied(_deny, _req, [offset], {}) == _waived(_deny, offset)
}

test_the_first_matching_waiver_wins if {
	a := object.union(_waiver, {"reason": "ticket 1"})
	b := object.union(_waiver, {"reason": "ticket 2", "resources": ["img-1"]})
	_applied(_deny, _req, [a, b], {}) == _waived(_deny, a)
	_applied(_deny, _req, [b, a], {}) == _waived(_deny, b)

	# One that does not match is passed over for the next.
	expired := object.union(a, {"expires": "2026-01-01T00:00:00Z"})
	_applied(_deny, _req, [expired, b], {}) == _waived_at(_deny, b, 1, _req)
}

test_enforcement_dryrun if {
	_applied(_deny, _req, [], {"IMS-FE-011": "dryrun"}) == object.union(_deny, {"effect": "dryrun", "enforcement": "dryrun"})
}

test_enforcement_warn if {
	_applied(_deny, _req, [], {"IMS-FE-011": "warn"}) == object.union(_deny, {"effect": "warn", "enforcement": "warn"})
}

test_enforcement_deny_says_so if {
	_applied(_deny, _req, [], {"IMS-FE-011": "deny"}) == object.union(_deny, {"enforcement": "deny"})
}

test_enforcement_of_another_rule_does_nothing if {
	_applied(_deny, _req, [], {"IMS-FE-010": "dryrun"}) == _deny
}

test_a_waiver_comes_before_enforcement if {
	_applied(_deny, _req, [_waiver], {"IMS-FE-011": "dryrun"}) == _waived(_deny, _waiver)

	# An expired waiver leaves the enforcement to apply.
	expired := object.union(_waiver, {"expires": "2026-11-01T00:00:00Z"})
	_applied(_deny, _req, [expired], {"IMS-FE-011": "warn"}) == object.union(_deny, {"effect": "warn", "enforcement": "warn"})
}

test_relaxed_denies_are_allowed_and_sorted_after_notes if {
	reasons := {
		_deny,
		object.union(_deny, {"id": "IMS-FE-010"}),
		object.union(_deny, {"id": "IMS-FE-012"}),
		{"id": "IMS-FE-014", "effect": "note", "category": "billing", "message": "n", "source": "tests"},
	}
	sorted := imgadmit.sorted_reasons with rules.reasons as reasons
		with input as _req
		with data.inventory.settings as {"waivers": [_waiver], "enforcement": {"IMS-FE-010": "dryrun", "IMS-FE-012": "warn"}}
		with time.now_ns as _now
	[x.id | some x in sorted] == ["IMS-FE-012", "IMS-FE-014", "IMS-FE-011", "IMS-FE-010"]
	[x.effect | some x in sorted] == ["warn", "note", "waived", "dryrun"]
	imgadmit.allowed with rules.reasons as reasons
		with input as _req
		with data.inventory.settings as {"waivers": [_waiver], "enforcement": {"IMS-FE-010": "dryrun", "IMS-FE-012": "warn"}}
		with time.now_ns as _now
}

test_req_is_never_waived_nor_relaxed if {
	# The evaluator refuses such settings; the rulebook holds the line too.
	every id in ["REQ-001", "REQ-002", "REQ-003", "REQ-004"] {
		r := object.union(_deny, {"id": id})
		w := object.union(_waiver, {"rule": id})
		_applied(r, _req, [w], {}) == r
		_applied(r, _req, [], {id: "dryrun"}) == r
		_applied(r, _req, [], {id: "warn"}) == r
		_applied(r, _req, [], {id: "deny"}) == r
		_indexed(r, _req, [w], {id: "warn"}) == r
	}
}

test_req_002_missing_fact_still_refuses if {
	# A real REQ-002 (the image's type is missing) under settings that name it.
	req := object.union(_req, {"resources": {"images": {"img-1": {"region": "cn-north-4"}}}})
	d := imgadmit.decision with input as req
		with data.inventory.settings as {"waivers": [object.union(_waiver, {"rule": "REQ-002"})], "enforcement": {"REQ-002": "dryrun"}}
		with time.now_ns as _now
	not d.allowed
	[r | some r in d.reasons; r.id == "REQ-002"] == [r | some r in rules.reasons with input as req; r.id == "REQ-002"]
	every r in d.reasons {
		r.effect == "deny"
		not r.enforcement
		not r.waiver
	}
}

test_non_deny_reasons_are_untouched if {
	every effect in ["warn", "note"] {
		r := object.union(_deny, {"effect": effect})
		_applied(r, _req, [_waiver], {"IMS-FE-011": "dryrun"}) == r
		_applied(r, _req, [], {"IMS-FE-011": "deny"}) == r
	}
}

test_the_index_and_the_scan_agree if {
	a := object.union(_waiver, {"reason": "ticket 1", "resources": ["img-2"]})
	b := object.union(_waiver, {"reason": "ticket 2", "projects": ["p-one"]})
	expired := object.union(_waiver, {"reason": "ticket 3", "expires": "2026-01-01T00:00:00Z"})
	others := [object.union(_waiver, {"rule": sprintf("IMS-FE-%03d", [n])}) | some n in numbers.range(1, 10)]
	cases := [
		[[], {}],
		[[_waiver], {}],
		[[a], {}],
		[[a, b], {}],
		[[expired, b], {}],
		[[expired], {"IMS-FE-011": "warn"}],
		[array.concat(others, [a]), {"IMS-FE-011": "dryrun"}],
		[array.concat(others, [b]), {}],
	]
	every req in [_req, object.union(_req, {"project_id": "p-two"})] {
		every c in cases {
			_applied(_deny, req, c[0], c[1]) == _indexed(_deny, req, c[0], c[1])
		}
	}
}

test_the_index_is_read_when_present if {
	# imgadmit's index, not the list, answers: a waiver only in the index
	# waives, one only in the list does not.
	settings.applied(_deny) == _waived(_deny, _waiver) with input as _req
		with data.inventory.settings.waivers as []
		with data.imgadmit_index.waivers_by_rule as {"IMS-FE-011": {"any": [[0, _waiver]], "by_resource": {}, "by_project": {}}}
		with time.now_ns as _now
	settings.applied(_deny) == _deny with input as _req
		with data.inventory.settings.waivers as [_waiver]
		with data.imgadmit_index.waivers_by_rule as {"IMS-FE-010": {"any": [[0, _waiver]], "by_resource": {}, "by_project": {}}}
		with time.now_ns as _now
}

test_the_index_keeps_the_settings_order if {
	# The first waiver in the settings' order wins, whichever part of the
	# index holds it, and a waiver naming two of the request's resources
	# (two entries of one position) is still the first.
	a := object.union(_waiver, {"reason": "ticket 1", "resources": ["img-1", "bk-1"]})
	b := object.union(_waiver, {"reason": "ticket 2"})
	c := object.union(_waiver, {"reason": "ticket 3", "resources": ["bk-1"]})
	d := object.union(_waiver, {"reason": "ticket 4", "projects": ["p-one"]})
	req := object.union(_req, {"params": {"image_id": "img-1", "source": {"id": "bk-1"}}})
	_indexed(_deny, req, [a, b, c, d], {}) == _waived_at(_deny, a, 0, req)
	_indexed(_deny, req, [b, a, c, d], {}) == _waived_at(_deny, b, 0, req)
	_indexed(_deny, req, [c, b, a, d], {}) == _waived_at(_deny, c, 0, req)
	_indexed(_deny, req, [d, c, b, a], {}) == _waived_at(_deny, d, 0, req)
	settings._waiver("IMS-FE-011") == [0, a] with input as req
		with data.imgadmit_index.waivers_by_rule as _index([a, b, c, d])
		with time.now_ns as _now
}

test_req_002_warns_for_a_fact_only_relaxed_rules_need if {
	# The image's type is missing; the deny rules that need it are
	# IMS-API-003, IMS-FE-011 and IMS-FE-012. Rolled out as dryrun or warn, or
	# waived for this image, they need it only to warn; enforced, it refuses.
	# Facts other rules need keep refusing.
	req := object.union(_req, {"resources": {"images": {"img-1": {"region": "cn-north-4"}}}})
	needing := ["IMS-API-003", "IMS-FE-011", "IMS-FE-012"]
	_image_type_effect(req, {}) == "deny"
	_image_type_effect(req, {"enforcement": {id: "dryrun" | some id in needing}}) == "warn"
	_image_type_effect(req, {"enforcement": {"IMS-API-003": "warn", "IMS-FE-011": "dryrun", "IMS-FE-012": "warn"}}) == "warn"
	_image_type_effect(req, {"waivers": [object.union(_waiver, {"rule": id, "resources": ["img-1"]}) | some id in needing]}) == "warn"

	# One of them still enforced: the fact still refuses.
	_image_type_effect(req, {"enforcement": {"IMS-API-003": "dryrun", "IMS-FE-011": "dryrun"}}) == "deny"
}

_image_type_effect(req, settings_) := effect if {
	[effect] := [r.effect |
		some r in imgadmit.decision.reasons
		r.id == "REQ-002"
		contains(r.message, `"image_type"`)
	] with input as req
		with data.inventory.settings as settings_
		with time.now_ns as _now
}
