# METADATA
# title: Reasons
# description: |
#   Turns a rule's METADATA into the reason object of the decision, so that a
#   reason's id, effect, category, source and remediation are written once, in
#   the rule's METADATA, and never by hand in a rule body.
package imgadmit.lib.reason

# from(meta, message) is the reason for a rule whose METADATA is meta.
from(meta, message) := with_effect(meta, meta.custom.effect, message)

# with_effect is from with the effect chosen by the rule (ECS-IMG-005 warns,
# then denies; REQ-002 follows the missing_facts setting).
with_effect(meta, effect, message) := object.union(
	{
		"id": meta.custom.id,
		"effect": effect,
		"category": meta.custom.category,
		"message": message,
		"source": meta.custom.source,
	},
	_remediation(meta),
)

_remediation(meta) := {"remediation": meta.custom.remediation} if {
	meta.custom.remediation
} else := {}
