# METADATA
# title: Facts
# description: |
#   The one place rules read facts from. A fact about a resource comes from the
#   inventory (data.inventory.resources) when the inventory describes that
#   resource, and from the request (input.resources) only when it does not and
#   request facts are trusted: a caller can never talk its way past a rule by
#   claiming a fact the inventory already holds.
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

# resource(kind, id) is the fact object for one resource, undefined when nothing
# is known about it.
resource(kind, id) := r if {
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

# missing(kind, id, field, rule_id) is the record of a fact a rule needs and
# does not have; undefined when the fact is known. The router turns these into
# REQ-002 reasons.
missing(kind, id, field, rule_id) := {"kind": kind, "id": id, "field": field, "rule": rule_id} if {
	not has(kind, id, field)
}

has_account(field) if {
	_ = account[field]
}

missing_account(field, rule_id) := {"kind": "account", "id": "", "field": field, "rule": rule_id} if {
	not has_account(field)
}
