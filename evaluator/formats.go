package evaluator

import (
	"math"
	"regexp"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// timeFormat is the schemas' format for a time a rule compares
// (common.json#/$defs/time).
const timeFormat = "imgadmit-time"

// The schema library keeps formats in one registry that both its compiler
// and the fast checker (validate_fast.go) read.
func init() { jsonschema.Formats[timeFormat] = isRuleTime }

// alibabaMinuteTime is Alibaba's ExpiredTime form: RFC 3339 without seconds.
var alibabaMinuteTime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z$`)

// The times OPA can turn into nanoseconds (time.parse_rfc3339_ns refuses the rest).
var (
	earliestRuleTime = time.Unix(0, math.MinInt64)
	latestRuleTime   = time.Unix(0, math.MaxInt64)
)

// isRuleTime reports whether v is a time the rulebook can read: what OPA's
// time.parse_rfc3339_ns accepts (Go's time.RFC3339, so no second 60), or
// Alibaba's form without seconds, which the rulebook completes with ":00"
// (lib/facts.rego), within the range OPA can compare. A value that is not a
// string is the "type" keyword's to judge.
func isRuleTime(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if alibabaMinuteTime.MatchString(s) {
		s = s[:16] + ":00Z"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return false
	}
	return !t.Before(earliestRuleTime) && !t.After(latestRuleTime)
}
