# METADATA
# title: imgadmit decision
# description: |
#   The router: collects every rule's reasons into one decision. Query
#   data.imgadmit.decision with the request as input and the inventory at
#   data.inventory; stock OPA loaded with policies/ gives the same decision as
#   imgadmit (less decision_id and rulebook revision, which imgadmit adds).
package imgadmit

import data.imgadmit.rules

# Effects in the order reasons are listed: what refuses first.
_effect_rank := {"deny": 0, "warn": 1, "note": 2}

# Reasons sorted by effect, then id, then message, so output is deterministic.
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
