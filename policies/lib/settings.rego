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
} else := object.union(r, {"effect": "waived", "waiver": _shown(w)}) if {
	w := _waiver(r.id)
} else := object.union(r, {"effect": mode, "enforcement": mode}) if {
	mode := _enforcement[r.id]
	mode in {"warn", "dryrun"}
} else := object.union(r, {"enforcement": "deny"}) if {
	_enforcement[r.id] == "deny"
} else := r

# data.inventory.settings by name, not object.get on data.inventory: a read
# of the whole inventory would hand the decision every resource imgadmit
# holds (a million at a fleet's size), where this reads the settings alone.
default _settings := {}

_settings := data.inventory.settings

_enforcement := object.get(_settings, "enforcement", {})

# _waiver(id) is the first waiver, in the settings' order, that matches a deny
# of rule id for this request, with its position ([pos, waiver]): not expired, and naming (when it names any) one
# of the resources the request is about and the project it is made as.
#
# imgadmit loads an index of the waivers beside the inventory
# (data.imgadmit_index, built from settings.waivers and nothing else:
# evaluator.WaiverIndex): a rule's [position, waiver] entries that name
# neither resources nor projects ("any"), those naming each resource
# ("by_resource"), and those naming projects but no resource, under each
# project ("by_project"). A decision reads the few entries of the rule that
# can match its resources or its project, rather than every waiver; a rule
# with no waiver costs one lookup. Without the index
# (stock OPA) the list is scanned, with the same result. A waiver naming two
# of the request's resources is two entries of one position: sorting puts
# the first position first either way.
_waiver(id) := entries[0] if {
	byrule := data.imgadmit_index.waivers_by_rule[id]
	_may_match(byrule)
	matched := ({e | some e in byrule.any; _live(e[1])} | {e | some e in byrule.by_project[input.project_id]; _live(e[1])}) | {e |
		some res in request_resources
		some e in byrule.by_resource[res]
		_live(e[1])
	}
	count(matched) > 0
	entries := sort(matched)
} else := ws[0] if {
	not data.imgadmit_index
	ws := [[pos, w] |
		some pos, w in object.get(_settings, "waivers", [])
		w.rule == id
		_live(w)
	]
	count(ws) > 0
}

# _shown([pos, w]) is waiver w as a decision shows it: its position in
# settings.waivers (so a report can tell two alike apart), who approved it,
# why and until when, and of its resources and projects only those of this
# request: a waiver may name other tenants' resources and projects, which a
# decision never shows.
_shown([pos, w]) := object.union(
	{"index": pos, "rule": w.rule, "expires": w.expires, "reason": w.reason, "approved_by": w.approved_by},
	object.union(_shown_resources(w), _shown_projects(w)),
)

_shown_resources(w) := {"resources": sort([id | some id in w.resources; id in request_resources])} if w.resources

else := {}

_shown_projects(w) := {"projects": [input.project_id]} if w.projects

else := {}

# _may_match(byrule): the index holds some entry of the rule this request
# could match (one for any request, or for its project, or for one of its
# resources). Most denies have none: they stop here, before any set is built.
_may_match(byrule) if byrule.any

_may_match(byrule) if byrule.by_project[input.project_id]

_may_match(byrule) if {
	some res in request_resources
	byrule.by_resource[res]
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

# request_resources are the ids the request is about: its subject
# parameters, the resources the operation acts on or reads (the image, the
# backup, the server, the disk, the snapshot, the source an image is made
# from). Never the other *_id parameters the caller chooses freely (a vault,
# a key, an enterprise project, a resource group): naming a waived
# resource there must not borrow its waiver.
request_resources contains id if {
	some name in _subject_params
	id := input.params[name]
	is_string(id)
}

request_resources contains id if {
	id := input.params.source.id
	is_string(id)
}

_subject_params := ["image_id", "backup_id", "server_id", "disk_id", "snapshot_id", "resource_id"]

# relaxes(id) reports whether the settings relax rule id's deny for this
# request: an enforcement of warn or dryrun, or an active waiver that
# matches. REQ-002 reads it: a fact that only a relaxed rule needs warns.
relaxes(id) if _enforcement[id] in {"warn", "dryrun"}

relaxes(id) if _waiver(id)
