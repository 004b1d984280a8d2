package imgadmit.rules

import data.imgadmit.lib.operations
import data.imgadmit.lib.reason

# METADATA
# title: The operation or provider is unknown
# description: |
#   imgadmit refuses what it does not know: a provider/operation pair with no
#   schema and no rules would otherwise pass with no reasons. The evaluator
#   reports this as an invalid request before evaluation; this rule keeps the
#   rulebook fail-closed on its own (stock OPA, or a caller that skips schemas).
# custom:
#   id: REQ-003
#   effect: deny
#   category: constraint
#   providers: [huaweicloud, alibabacloud]
#   source: "imgadmit request-level rules: operations (CATALOGUE.md, Request-level rules)"
#   remediation: Use one of the listed providers and operations.
reasons contains r if {
	not _known_pair
	r := reason.from(rego.metadata.rule(), _unknown_message)
}

# _known_pair is operations.exists(_provider, _operation) read as one lookup:
# this rule runs for every request, and a lookup costs less than two rules and
# a call. (A helper, because in `not known[input.provider]` OPA reads
# input.provider outside the negation: undefined, not true, when it is absent.)
_known_pair if operations.known[input.provider][input.operation]

_provider := object.get(input, "provider", null)

_operation := object.get(input, "operation", null)

_unknown_message := sprintf("unknown provider %s; known providers: %s", [
	json.marshal(_provider),
	concat(", ", sort(object.keys(operations.known))),
]) if {
	not operations.known[_provider]
} else := sprintf("operation %s does not exist for provider %s; known operations: %s", [
	json.marshal(_operation),
	json.marshal(_provider),
	concat(", ", sort(operations.known[_provider])),
])
