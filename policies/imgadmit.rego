# METADATA
# title: imgadmit decision
# description: |
#   The router: collects every rule's reasons into one decision. Query
#   data.imgadmit.decision with the request as input and the inventory at
#   data.inventory; stock OPA loaded with policies/ gives the same decision as
#   imgadmit (less decision_id and rulebook revision, which imgadmit adds).
package imgadmit

import data.imgadmit.lib.settings
import data.imgadmit.rules

# Reasons under the operator's settings (waivers, enforcement), sorted by
# effect (what refuses first; then what warns, notes, was waived, runs dry),
# then id, then message, so output is deterministic. The ranks are written
# in place rather than read from a rule: this runs for every reason of every
# decision. An effect with no rank (a typo such as "Deny") sorts first, so it
# can never be dropped, and it refuses (fail closed).
sorted_reasons := [entry[3] |
	some entry in sort([[object.get({"deny": 0, "warn": 1, "note": 2, "waived": 3, "dryrun": 4}, x.effect, -1), x.id, x.message, x] |
		some r in rules.reasons
		x := settings.applied(r)
	])
]

default allowed := false

# Reasons are sorted deny (or unknown) first: the request is allowed when
# there is no reason, or the first one does not refuse.
allowed if count(sorted_reasons) == 0

allowed if sorted_reasons[0].effect in {"warn", "note", "waived", "dryrun"}

decision := {
	"allowed": allowed,
	"provider": object.get(input, "provider", null),
	"operation": object.get(input, "operation", null),
	"reasons": sorted_reasons,
}
