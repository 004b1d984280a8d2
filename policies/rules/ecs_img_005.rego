package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason

# METADATA
# title: The image's snapshots are released 15 days after its instance expires
# description: |
#   The snapshots a custom image consists of are deleted 15 days after the
#   instance the image was created from expires, or after a payment for it
#   becomes overdue (the earlier of the two counts). Before that release date
#   the rule warns, giving the date; at or after it the snapshots are gone and
#   the rule denies (custom.escalates_to). The only time-based rule: it reads
#   time.now_ns().
# custom:
#   id: ECS-IMG-005
#   effect: warn
#   escalates_to: deny
#   category: lifecycle
#   source: "Alibaba Cloud ECS FAQ, Images and Snapshots: If an image was manually created from an ECS instance, can I retrieve instance data after the instance is released on expiration?"
#   remediation: Before the release date, keep a sufficient balance in your account and renew the source instance or settle its overdue payment; once the image's snapshots have been released, use another image.
reasons contains r if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
	image_id := input.params.image_id
	src := _ecs_source_instance(image_id)
	[start_ns, field] := _ecs_snapshot_risk(src)
	release_ns := start_ns + _ecs_snapshot_grace_ns
	effect := _ecs_release_effect(release_ns)
	r := reason.with_effect(rego.metadata.rule(), effect, _ecs_release_message(
		effect,
		sprintf("image %s was created from instance %s, %s", [image_id, src, _ecs_risk_event(field, start_ns)]),
		field,
		release_ns,
	))
}

missing_facts contains facts.missing("images", input.params.image_id, "source_instance_id", "ECS-IMG-005") if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
}

missing_facts contains facts.missing("servers", src, field, "ECS-IMG-005") if {
	input.operation in {"server.create", "server.change_os"}
	input.provider == "alibabacloud"
	src := _ecs_source_instance(input.params.image_id)
	some field in _ecs_risk_fields
}

# _ecs_source_instance(image_id) is the instance the image was created from;
# undefined when the image was not created from an instance (null) or that is
# not known. Also used by ECS-IMG-006.
_ecs_source_instance(image_id) := src if {
	src := facts.image(image_id).source_instance_id
	src != null
}

# 15 days, in nanoseconds.
_ecs_snapshot_grace_ns := ((15 * 24) * 3600) * 1000000000

_ecs_risk_fields := ["expired_at", "payment_overdue_since"]

# _ecs_snapshot_risk(src) is [time_ns, field] of the earliest of the
# instance's expiry and overdue payment; undefined when neither is set.
_ecs_snapshot_risk(src) := sort([[time.parse_rfc3339_ns(t), field] |
	some field in _ecs_risk_fields
	t := facts.server(src)[field]
	t != null
])[0]

_ecs_release_effect(release_ns) := "deny" if {
	time.now_ns() >= release_ns
} else := "warn"

_ecs_date(ns) := time.format([ns, "UTC", "2006-01-02"])

_ecs_risk_event("expired_at", ns) := sprintf("which expired on %s", [_ecs_date(ns)]) if {
	ns <= time.now_ns()
} else := sprintf("which expires on %s", [_ecs_date(ns)])

_ecs_risk_event("payment_overdue_since", ns) := sprintf("whose payment has been overdue since %s", [_ecs_date(ns)])

_ecs_risk_fix := {
	"expired_at": "renew the instance",
	"payment_overdue_since": "settle the overdue payment",
}

_ecs_release_message("deny", prefix, _, release_ns) := sprintf(
	"%s; the image's snapshots were released on %s, 15 days after that",
	[prefix, _ecs_date(release_ns)],
)

_ecs_release_message("warn", prefix, field, release_ns) := sprintf(
	"%s; the image's snapshots will be released on %s, 15 days after that, unless you keep the account balance sufficient and %s",
	[prefix, _ecs_date(release_ns), _ecs_risk_fix[field]],
)
