package evaluator

import (
	"math"
	"regexp"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The schemas' own formats: a time a rule compares (common.json#/$defs/time)
// and a resource or project id (common.json#/$defs/id).
const (
	timeFormat = "imgadmit-time"
	idFormat   = "imgadmit-id"
)

// The schema library keeps formats in one registry that both its compiler
// and the fast checker (validate_fast.go) read.
func init() {
	jsonschema.Formats[timeFormat] = isRuleTime
	jsonschema.Formats[idFormat] = isID
}

// isID reports whether v is an id as SPEC.md has them: no control or format
// character (U+0000-U+001F, U+007F-U+009F, U+200B-U+200F, U+2028-U+202E,
// U+2060-U+2064, U+FEFF) anywhere and no whitespace at either end, so that
// "img-1 " or "img\u200b-1" is never read as a resource beside img-1. Its
// length is the schema's minLength/maxLength to judge (an empty id is one
// message, not two); a value that is not a string is "type"'s.
func isID(v any) bool {
	s, ok := v.(string)
	if !ok || s == "" {
		return true
	}
	for _, r := range s {
		if isControlOrFormat(r) {
			return false
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return !unicode.IsSpace(first) && !unicode.IsSpace(last)
}

func isControlOrFormat(r rune) bool {
	switch {
	case r <= 0x1F, r >= 0x7F && r <= 0x9F,
		r >= 0x200B && r <= 0x200F, r >= 0x2028 && r <= 0x202E,
		r >= 0x2060 && r <= 0x2064, r == 0xFEFF:
		return true
	}
	return false
}

// alibabaMinuteTime is Alibaba's ExpiredTime form: RFC 3339 without seconds.
var alibabaMinuteTime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z$`)

// The times OPA can turn into nanoseconds (time.parse_rfc3339_ns refuses the rest).
var (
	earliestRuleTime = time.Unix(0, math.MinInt64)
	latestRuleTime   = time.Unix(0, math.MaxInt64)
)

// IsID reports whether s is an id as the schemas have them (common.json
// #/$defs/id): 1-255 characters, no control or format character, no
// whitespace at either end.
func IsID(s string) bool {
	return s != "" && utf8.RuneCountInString(s) <= 255 && isID(s)
}

// InRuleTimeRange reports whether t is a time the rulebook can compare
// (time.now_ns and time.parse_rfc3339_ns work in int64 nanoseconds: 1677 to
// 2262). A clock outside it (imgadmit eval --now) is refused.
func InRuleTimeRange(t time.Time) bool {
	return !t.Before(earliestRuleTime) && !t.After(latestRuleTime)
}

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
	return err == nil && InRuleTimeRange(t)
}
