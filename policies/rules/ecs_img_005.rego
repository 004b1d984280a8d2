package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.images
import data.imgadmit.lib.reason

# METADATA
# title: The image's snapshots are released 15 days after its instance expires
# description: |
#   The snapshots a custom image consists of are deleted 15 days after the
#   instance the image was created from expires, or after a payment for it
#   becomes overdue (the earlier of the two counts, and only once it has
#   happened: a subscription's future ExpiredTime is no risk yet, and
#   pay-as-you-go's year-2099 ExpiredTime never comes). Before that release
#   date the rule warns, giving the date; once it has passed, the rule denies
#   (custom.escalates_to) unless the image's snapshots are known to still
#   exist (every id in the image's snapshot_ids is a known snapshot), when it
#   keeps warning. A released source instance (status deleted) is no reason
#   to deny: seed 002 says its custom images are not affected; nor is a
#   source instance nothing is known about, whose facts it asks for at warning
#   strength. The only time-based rule: it reads time.now_ns().
# custom:
#   id: ECS-IMG-005
#   effect: warn
#   escalates_to: deny
#   category: lifecycle
#   providers: [alibabacloud]
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: If an image was manually created from an ECS instance, can I retrieve instance data after the instance is released on expiration?; What happens to a custom image when the instance from which the image was created is released?"
#   remediation: Before the release date, keep a sufficient balance in your account and renew the source instance or settle its overdue payment; once the image's snapshots have been released, use another image.
reasons contains r if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
	image_id := input.params.image_id
	src := images.source_instance(image_id)
	not _ecs_released(src)
	[start_ns, field] := _ecs_snapshot_risk(src)
	release_ns := start_ns + _ecs_snapshot_grace_ns
	effect := _ecs_release_effect(image_id, release_ns)
	r := reason.with_effect(rego.metadata.rule(), effect, sprintf("image %s was created from instance %s, %s; %s", [
		image_id, src, _ecs_risk_event(field, start_ns),
		_ecs_release_outcome(effect, field, release_ns),
	]))
}

missing_facts contains facts.missing("images", input.params.image_id, "source_instance_id", "ECS-IMG-005", _ecs_missing_strength(input.params.image_id)) if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
}

# The source instance's expiry and overdue payment, unless it is released. A
# source instance nothing is known about may well be released: its facts are
# asked for, but a released instance is no reason to deny, so only at warning
# strength.
missing_facts contains facts.missing("servers", src, field, "ECS-IMG-005", strength) if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
	src := images.source_instance(input.params.image_id)
	not _ecs_released(src)
	some field in _ecs_risk_fields
	strength := _ecs_source_strength(input.params.image_id, src)
}

# _ecs_released(src): the source instance is known to be released.
_ecs_released(src) if facts.server(src).status == "deleted"

# _ecs_snapshots_exist(image_id): every snapshot the image consists of is
# known to still exist.
_ecs_snapshots_exist(image_id) if {
	ids := facts.image(image_id).snapshot_ids
	count(ids) > 0
	every id in ids {
		facts.snapshot(id)
		not facts.snapshot(id).status == "failed"
	}
}

# _ecs_missing_strength(image_id): a missing fact can turn into a deny only
# while the image's snapshots are not known to still exist.
_ecs_missing_strength(image_id) := "warn" if {
	_ecs_snapshots_exist(image_id)
} else := "deny"

_ecs_source_strength(image_id, src) := "warn" if {
	not facts.server(src)
} else := _ecs_missing_strength(image_id)

# 15 days, in nanoseconds.
_ecs_snapshot_grace_ns := ((15 * 24) * 3600) * 1000000000

_ecs_risk_fields := ["expired_at", "payment_overdue_since"]

# _ecs_snapshot_risk(src) is [time_ns, field] of the earliest of the
# instance's expiry and overdue payment that has already happened; undefined
# when neither has. A time the rulebook cannot read stops the decision
# (strict builtin errors: REQ-004) rather than dropping the reason.
_ecs_snapshot_risk(src) := sort([[ns, field] |
	some field in _ecs_risk_fields
	t := facts.server(src)[field]
	t != null
	ns := time.parse_rfc3339_ns(t)
	ns <= time.now_ns()
])[0]

_ecs_release_effect(image_id, release_ns) := "deny" if {
	time.now_ns() >= release_ns
	not _ecs_snapshots_exist(image_id)
} else := "warn"

_ecs_date(ns) := time.format([ns, "UTC", "2006-01-02"])

_ecs_risk_event("expired_at", ns) := sprintf("which expired on %s", [_ecs_date(ns)])

_ecs_risk_event("payment_overdue_since", ns) := sprintf("whose payment has been overdue since %s", [_ecs_date(ns)])

_ecs_risk_fix := {
	"expired_at": "renew the instance",
	"payment_overdue_since": "settle the overdue payment",
}

# _ecs_release_outcome(effect, field, release_ns) says what becomes
# of the image's snapshots (a warning past the release date means they are
# known to still exist).
_ecs_release_outcome("deny", _, release_ns) := sprintf(
	"the image's snapshots were due to be released on %s, 15 days after that, and are not known to still exist",
	[_ecs_date(release_ns)],
)

_ecs_release_outcome("warn", field, release_ns) := sprintf(
	"the image's snapshots were due to be released on %s, 15 days after that; they still exist, but may be released at any time unless you keep the account balance sufficient and %s",
	[_ecs_date(release_ns), _ecs_risk_fix[field]],
) if {
	time.now_ns() >= release_ns
}

_ecs_release_outcome("warn", field, release_ns) := sprintf(
	"the image's snapshots will be released on %s, 15 days after that, unless you keep the account balance sufficient and %s",
	[_ecs_date(release_ns), _ecs_risk_fix[field]],
) if {
	time.now_ns() < release_ns
}
