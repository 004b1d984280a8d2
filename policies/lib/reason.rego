# METADATA
# title: Reasons
# description: |
#   Turns a rule's METADATA into the reason object of the decision, so that a
#   reason's id, effect, category, source and remediation are written once, in
#   the rule's METADATA, and never by hand in a rule body.
package imgadmit.lib.reason

# from(meta, message) is the reason for a rule whose METADATA is meta.
#
# Both helpers build the object in one call, written out with and without a
# remediation, rather than one calling the other and merging with
# object.union: every decision builds its reasons, and each extra function
# call costs OPA about as much as the object itself (docs/performance.md).
from(meta, message) := {
	"id": meta.custom.id,
	"effect": meta.custom.effect,
	"category": meta.custom.category,
	"message": message,
	"source": meta.custom.source,
	"remediation": meta.custom.remediation,
} if {
	meta.custom.remediation
} else := {
	"id": meta.custom.id,
	"effect": meta.custom.effect,
	"category": meta.custom.category,
	"message": message,
	"source": meta.custom.source,
}

# with_effect is from with the effect chosen by the rule (ECS-IMG-005 warns,
# then denies; REQ-002 follows the missing_facts setting).
with_effect(meta, effect, message) := {
	"id": meta.custom.id,
	"effect": effect,
	"category": meta.custom.category,
	"message": message,
	"source": meta.custom.source,
	"remediation": meta.custom.remediation,
} if {
	meta.custom.remediation
} else := {
	"id": meta.custom.id,
	"effect": effect,
	"category": meta.custom.category,
	"message": message,
	"source": meta.custom.source,
}
