# METADATA
# title: Waivers and enforcement
# description: |
#   The operator's settings applied to a rule's reason (SPEC.md, "Waivers
#   and enforcement"): a deny an active waiver matches becomes "waived", with
#   the waiver; a deny whose rule the enforcement relaxes becomes "warn" or
#   "dryrun". The rule's own effect never changes, and REQ-001..004 are never
#   relaxed: what the request or the evaluation lacks is not the operator's
#   to wave through.
package imgadmit.lib.settings

# applied(r) is reason r under the settings. Non-deny reasons (almost all of
# them) return at once.
applied(r) := r if {
	r.effect != "deny"
} else := r if {
	startswith(r.id, "REQ-")
} else := object.union(r, {"effect": "waived", "waiver": w}) if {
	w := _waiver(r.id)
} else := object.union(r, {"effect": mode, "enforcement": mode}) if {
	mode := _enforcement[r.id]
	mode in {"warn", "dryrun"}
} else := object.union(r, {"enforcement": "deny"}) if {
	_enforcement[r.id] == "deny"
} else := r

_settings := object.get(data.inventory, "settings", {})

_enforcement := object.get(_settings, "enforcement", {})

# _waiver(id) is the first waiver, in the settings' order, that matches a deny
# of rule id for this request: not expired, and naming (when it names any) one
# of the resources the request is about and the project it is made as.
#
# imgadmit loads an index of the waivers beside the inventory
# (data.imgadmit_index, built from settings.waivers and nothing else:
# evaluator.WaiverIndex): a rule's [position, waiver] entries that name no
# resource, and those naming each resource. A decision reads the few entries
# of the rule that name no resource or one of the request's, rather than
# every waiver; a rule with no waiver costs one lookup. Without the index
# (stock OPA) the list is scanned, with the same result. A waiver naming two
# of the request's resources is two entries of one position: sorting puts
# the first position first either way.
_waiver(id) := entries[0][1] if {
	byrule := data.imgadmit_index.waivers_by_rule[id]
	entries := sort([entry |
		some entry in array.concat(byrule.any_resource, [e |
			some res in request_resources
			some e in object.get(byrule.by_resource, res, [])
		])
		_live(entry[1])
	])
	count(entries) > 0
} else := ws[0] if {
	not data.imgadmit_index
	ws := [w |
		some w in object.get(_settings, "waivers", [])
		w.rule == id
		_live(w)
	]
	count(ws) > 0
}

# _live(w): waiver w is not expired and covers this request's resources and
# project.
_live(w) if {
	time.parse_rfc3339_ns(w.expires) > time.now_ns()
	_resources_match(w)
	_projects_match(w)
}

_resources_match(w) if not w.resources

_resources_match(w) if {
	some id in w.resources
	id in request_resources
}

_projects_match(w) if not w.projects

_projects_match(w) if input.project_id in w.projects

# request_resources are the ids the request is about: every parameter named
# *_id, every id in a parameter named *_ids, and the source's id (an image
# made from a backup, a server or a disk is about it). A reason is about the
# request's resources; a waiver naming any of them matches the reasons of
# its rule on this request.
request_resources contains id if {
	some name, id in object.get(input, "params", {})
	endswith(name, "_id")
	is_string(id)
}

request_resources contains id if {
	some name, ids in object.get(input, "params", {})
	endswith(name, "_ids")
	is_array(ids)
	some id in ids
	is_string(id)
}

request_resources contains id if {
	id := input.params.source.id
	is_string(id)
}
