# METADATA
# title: imgadmit decision (sidecar tests)
# description: A small, fixed rulebook for the sidecar's tests, routed like the real one.
package imgadmit

import data.imgadmit.rules

_effect_rank := {"deny": 0, "warn": 1, "note": 2}

sorted_reasons := [r |
	some entry in sort([[_effect_rank[x.effect], x.id, x.message, x] | some x in rules.reasons])
	r := entry[3]
]

default allowed := false

allowed if {
	not _denied
}

_denied if {
	some r in rules.reasons
	r.effect == "deny"
}

decision := {
	"allowed": allowed,
	"provider": object.get(input, "provider", null),
	"operation": object.get(input, "operation", null),
	"reasons": sorted_reasons,
}
