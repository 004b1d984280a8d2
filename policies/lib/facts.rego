# METADATA
# title: Facts
# description: |
#   The one place rules read facts from. A fact about a resource comes from the
#   inventory (data.inventory.resources) when the inventory describes that
#   resource, and from the request (input.resources) only when it does not and
#   request facts are trusted: a caller can never talk its way past a rule by
#   claiming a fact the inventory already holds. Facts may be written in the
#   clouds' own spellings (CBR "protecting", ECS "SHUTOFF", Alibaba "Running",
#   "2099-12-31T15:59Z", IMS "gold"); they are normalized here, once, so that a
#   rule compares one word. The inventory also decides what a resource it knows
#   is (its kind, its region), whatever the request calls it.
package imgadmit.lib.facts

# Defaults for every setting; data.inventory.settings overrides them key by key.
default_settings := {
	# IMS-FE-011. The seed says cross-region replication of full-ECS images "is
	# only available for certain regions" without naming them, and Huawei
	# Cloud's own pages (IMS user guide "Replicating Images Across Regions",
	# API reference CopyImageCrossRegion, IMS FAQ "Image Replication") publish
	# no list either. So the default is empty, fail closed: every cross-region
	# replication of a full-ECS image is refused with the documented workaround
	# until an operator lists the regions that offer it.
	"full_ecs_cross_region_regions": [],
	"image_tag_policy": null,
	"missing_facts": "deny",
	"trust_request_facts": true,
}

settings := object.union(default_settings, _inventory_settings)

# Reading data.inventory.settings by name (not object.get on data) keeps the
# rule's dependencies narrow: a lookup on the whole of data would depend on
# every rule in the rulebook.
default _inventory_settings := {}

_inventory_settings := data.inventory.settings

# resource(kind, id) is the fact object for one resource, normalized;
# undefined when nothing is known about it. OPA caches a function's result per
# arguments within a decision, so each resource is normalized once however
# many rules read it.
resource(kind, id) := _normalized(kind, r) if r := _written(kind, id)

# written(kind, id, field) is a fact as the inventory or the request wrote
# it: a message names the value at fault in the caller's own spelling.
written(kind, id, field) := _written(kind, id)[field]

# _written(kind, id) is the fact object as the inventory or the request wrote it.
_written(kind, id) := r if {
	r := data.inventory.resources[kind][id]
} else := r if {
	settings.trust_request_facts == true
	r := input.resources[kind][id]
}

image(id) := resource("images", id)

backup(id) := resource("backups", id)

server(id) := resource("servers", id)

disk(id) := resource("disks", id)

snapshot(id) := resource("snapshots", id)

# account is the caller's account facts (arrears), inventory first.
account := a if {
	a := data.inventory.resources.account
} else := a if {
	settings.trust_request_facts == true
	a := input.resources.account
}

# has(kind, id, field) holds when the fact is known; null is a known value
# ("no image was made from this backup"), an absent key is not.
has(kind, id, field) if {
	_ = resource(kind, id)[field]
}

# missing(kind, id, field, rule_id, effect) is the record of a fact that rule
# rule_id needs and does not have; undefined when the fact is known. effect is
# what the rule could do with the fact: "deny" when the answer it decides is a
# deny, "warn" or "note" otherwise. REQ-002 turns these records into reasons,
# at the strength of the strongest rule that needs the fact (a Go test holds
# each literal effect equal to the rule's METADATA).
missing(kind, id, field, rule_id, effect) := {"kind": kind, "id": id, "field": field, "rule": rule_id, "effect": effect} if {
	not has(kind, id, field)
}

# missing_or_null is missing for a fact whose null says nothing either (a
# private image's owner_project_id: only a public image has no owner).
missing_or_null(kind, id, field, rule_id, effect) := {"kind": kind, "id": id, "field": field, "rule": rule_id, "effect": effect} if {
	not _non_null(kind, id, field)
}

_non_null(kind, id, field) if resource(kind, id)[field] != null

has_account(field) if {
	_ = account[field]
}

missing_account(field, rule_id, effect) := {"kind": "account", "id": "", "field": field, "rule": rule_id, "effect": effect} if {
	not has_account(field)
}

# source_type(source) is the kind of resource an image.create source is: what
# the inventory knows source.id as (a backup it holds is a CBR backup, whatever
# source.type says), else source.type as the request gives it. The request's
# own facts do not count here: they are what the caller claims.
source_type(source) := t if {
	known := [t |
		some [kind, t] in _source_kinds
		_ = data.inventory.resources[kind][source.id]
	]
	count(known) > 0
	t := _source_type_choice(known, source.type)
} else := source.type

# The source type each kind of resource is when it is an image's source, in
# the order that settles an id the inventory holds under more than one kind.
_source_kinds := [["backups", "cbr_backup"], ["servers", "server"], ["disks", "disk"], ["snapshots", "snapshot"]]

# An id the inventory holds under more than one kind keeps the request's type
# when that is one of them, else the first in _source_kinds order.
_source_type_choice(known, asked) := asked if {
	asked in known
} else := known[0]

# image_region(id) is the region image id is known to be in; undefined when
# not known.
image_region(id) := r if {
	r := image(id).region
	is_string(r)
}

# _normalized(kind, r) is r with every value a rule compares written in
# imgadmit's one word for it. Only the fields that have other spellings are
# looked at, each with one lookup: a decision normalizes every resource it
# reads, and pays per field (docs/performance.md). A word field whose value is
# not a string stops the decision (lower, strict builtin errors): the schemas
# keep such values out, and what gets past them fails closed.
_normalized("backups", r) := object.union(r, {field: word |
	some field, spellings in _words.backups
	word := spellings[lower(r[field])]
})

_normalized("snapshots", r) := object.union(r, {field: word |
	some field, spellings in _words.snapshots
	word := spellings[lower(r[field])]
})

_normalized("servers", r) := object.union(r, object.union(
	{field: word |
		some field, spellings in _words.servers
		word := spellings[lower(r[field])]
	},
	{field: t |
		some field in ["expired_at", "payment_overdue_since"]
		written := r[field]
		is_string(written)
		t := _time(field, written)
	},
))

# IMS writes an empty __backup_id (and owner) for "none".
_normalized("images", r) := object.union(r, object.union(
	{field: word |
		some field, spellings in _words.images
		word := spellings[lower(r[field])]
	},
	{field: null |
		some field in ["backup_id", "owner_project_id"]
		r[field] == ""
	},
))

_normalized("disks", r) := r

# _time(field, t) is time t in RFC 3339. Alibaba writes ExpiredTime without
# seconds (2099-12-31T15:59Z); its pay-as-you-go instances carry a year-2099
# ExpiredTime that means they never expire, read as null. Anything else is
# left for time.parse_rfc3339_ns: a value it cannot read fails the decision
# closed (the evaluator runs with strict builtin errors, REQ-004).
_time(field, t) := null if {
	field == "expired_at"
	startswith(t, "2099-")
} else := concat("", [substring(t, 0, 16), ":00Z"]) if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z$`, t)
} else := t

# _words: for each kind and field, every spelling the clouds (and imgadmit)
# use, lowercased, and imgadmit's word for it. REAL-SHAPES.md §2 lists the
# real attributes; schemas/facts.json accepts exactly these spellings, in any
# case (TestSpellingsAgree).
_words := {
	"backups": {
		# CBR status. CBR has no "creating": a backup being made is
		# "protecting" (the console's "Creating").
		"status": {
			"available": "available",
			"protecting": "protecting",
			"creating": "protecting",
			"deleting": "deleting",
			"restoring": "restoring",
			"error": "error",
			"waiting_protect": "waiting_protect",
			"waiting_delete": "waiting_delete",
			"waiting_restore": "waiting_restore",
		},
		# CBR resource_type.
		"resource_type": {
			"server": "server",
			"os::nova::server": "server",
			"disk": "disk",
			"os::cinder::volume": "disk",
			"bare_metal_server": "bare_metal_server",
			"os::ironic::baremetalserver": "bare_metal_server",
			"native_server": "native_server",
			"os::native::server": "native_server",
			"sfs_turbo": "sfs_turbo",
			"os::sfs::turbo": "sfs_turbo",
			"workspace_desktop": "workspace_desktop",
			"os::workspace::desktopv2": "workspace_desktop",
		},
	},
	"servers": {
		# Huawei ECS status (upper case), Alibaba instance Status (capitalized)
		# and imgadmit's words. One word per state: IMS-FE-006 reads "stopped".
		"status": {
			"active": "active",
			"running": "active",
			"stopped": "stopped",
			"shutoff": "stopped",
			"building": "building",
			"build": "building",
			"pending": "building",
			"starting": "starting",
			"stopping": "stopping",
			"rebooting": "rebooting",
			"reboot": "rebooting",
			"hard_reboot": "rebooting",
			"resizing": "resizing",
			"resize": "resizing",
			"verify_resize": "resizing",
			"revert_resize": "resizing",
			"migrating": "migrating",
			"rebuilding": "rebuilding",
			"rebuild": "rebuilding",
			"paused": "paused",
			"suspended": "suspended",
			"shelved": "shelved",
			"shelved_offloaded": "shelved_offloaded",
			"soft_deleted": "soft_deleted",
			"error": "error",
			"deleted": "deleted",
			"unknown": "unknown",
		},
		# Huawei chargingMode prePaid|postPaid, Alibaba InstanceChargeType
		# PrePaid|PostPaid.
		"billing_method": {
			"subscription": "subscription",
			"prepaid": "subscription",
			"pay_as_you_go": "pay_as_you_go",
			"postpaid": "pay_as_you_go",
		},
	},
	"images": {
		# Huawei __imagetype (gold = public), Alibaba ImageOwnerAlias.
		"visibility": {
			"private": "private",
			"self": "private",
			"public": "public",
			"gold": "public",
			"system": "public",
			"shared": "shared",
			"others": "shared",
			"market": "market",
			"marketplace": "market",
		},
		# Huawei image status; Alibaba Status. Only active is ready (IMS-IMG-013).
		"status": {
			"active": "active",
			"available": "active",
			"queued": "queued",
			"waiting": "queued",
			"saving": "saving",
			"creating": "saving",
			"killed": "killed",
			"createfailed": "killed",
			"deleted": "deleted",
			"unavailable": "unavailable",
			"deprecated": "deprecated",
		},
	},
	"snapshots": {
		# Alibaba SourceDiskType: lowercase in responses, capitalized as a filter.
		"disk_type": {"system": "system", "data": "data"},
		"status": {"progressing": "progressing", "accomplished": "accomplished", "failed": "failed"},
	},
}
