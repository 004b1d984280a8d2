package imgadmit.rules

import data.imgadmit.lib.facts
import data.imgadmit.lib.reason
import data.imgadmit.lib.settings

# METADATA
# title: A fact a rule needs is missing
# description: |
#   A rule that cannot decide because a fact it needs is neither in the
#   inventory nor (when trusted) in the request reports it, at the strength of
#   the rule: a fact that a deny rule needs to decide refuses the request (fail
#   closed; with settings.missing_facts = "warn", the CLI's --lenient, it
#   warns); a fact that only warn or note rules need, or deny rules the
#   operator's settings relax for this request (enforcement warn or dryrun, a
#   matching waiver), warns and never refuses.
#   A rule asks only for the facts its answer depends on.
# custom:
#   id: REQ-002
#   effect: deny
#   category: missing_fact
#   providers: [huaweicloud, alibabacloud]
#   source: "imgadmit request-level rules: facts (CATALOGUE.md, Request-level rules)"
#   remediation: Add the fact to the inventory (--data) or, where request facts are trusted, to the request's resources.
reasons contains r if {
	# One reason per missing fact, naming every rule that needs it: records
	# that differ only in their rule give the same reason, once (reasons is a
	# set).
	some m in missing_facts
	needing := {[x.rule, _effect_under_settings(x)] |
		some x in missing_facts
		x.field == m.field
		x.id == m.id
		x.kind == m.kind
	}
	r := reason.with_effect(
		rego.metadata.rule(),
		_missing_effect({effect | some [_, effect] in needing}),
		_missing_message(m.kind, m.id, m.field, concat(", ", sort({rule | some [rule, _] in needing}))),
	)
}

# _effect_under_settings(x) is the effect of the rule that records missing
# fact x, as the operator's settings leave it: a deny rule rolled out as warn
# or dryrun, or waived for this request, needs its facts only to warn (REQ-002
# itself is never relaxed; a fact some enforced deny rule needs still
# refuses).
_effect_under_settings(x) := "warn" if {
	x.effect == "deny"
	settings.relaxes(x.rule)
} else := x.effect

# _missing_effect(effects) is REQ-002's effect for a fact the rules with these
# effects need: deny only when a deny rule needs it, and not in lenient mode.
_missing_effect(effects) := "deny" if {
	"deny" in effects
	facts.settings.missing_facts != "warn"
} else := "warn"

_missing_message(kind, id, field, needed_by) := sprintf(
	"nothing is known about %s (fact %q is needed by %s)",
	[_describe(kind, id), field, needed_by],
) if {
	not _known(kind, id)
} else := sprintf("%s is missing fact %q, needed by %s", [_describe(kind, id), field, needed_by])

_known("account", _) if facts.account

_known(kind, id) if facts.resource(kind, id)

_kind_singular := {
	"images": "image",
	"backups": "backup",
	"servers": "server",
	"disks": "disk",
	"snapshots": "snapshot",
}

_describe("account", _) := "the account"

_describe(kind, id) := sprintf("%s %s", [_kind_singular[kind], id]) if kind != "account"
