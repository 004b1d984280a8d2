package alibabacloud

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// item is one object of a response's list, with where it is: every value read
// from it is checked, and what cannot be read is a problem at its pointer.
type item struct {
	r   facts.Response
	set *facts.Set
	m   map[string]any
	ptr string // the item's own pointer: /Images/Image/3
}

func (it *item) at(key string) string { return it.ptr + "/" + key }

func (it *item) problem(key, format string, args ...any) {
	it.set.Problem(it.r, it.at(key), format, args...)
}

// str is the string attribute key; ok is false when it is absent, null or
// empty (the API leaves an attribute out where the SDK's own serializer
// writes ""; both say nothing) or not a string (a problem).
func (it *item) str(key string) (string, bool) {
	v, present := it.m[key]
	if !present || v == nil {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		it.problem(key, "%s is %s, not a string", key, facts.TypeName(v))
		return "", false
	}
	return s, s != ""
}

// boolean is the boolean attribute key; ok is false when it is absent or
// null, or not a boolean (a problem).
func (it *item) boolean(key string) (bool, bool) {
	v, present := it.m[key]
	if !present || v == nil {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		it.problem(key, "%s is %s, not a boolean", key, facts.TypeName(v))
		return false, false
	}
	return b, true
}

// id is the item's own id (key), which every item must have: an item
// without one (absent, null, or the SDK's zero value "") is a problem (a truncated or mangled page), and the item is
// skipped.
func (it *item) id(key string) (string, bool) {
	v, present := it.m[key]
	if !present || v == nil || v == "" {
		it.problem(key, "%s is missing: every item of the list must have one", key)
		return "", false
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		it.problem(key, "%s is %s, not a string", key, facts.TypeName(v))
		return "", false
	case !evaluator.IsID(s):
		it.problem(key, "%s %q is not an id (1-255 characters, no control or format characters, no whitespace at either end)", key, s)
		return "", false
	}
	return s, true
}

// enum is the string attribute key when it is one of words (in any case,
// as the schema accepts it), kept as the cloud wrote it. A value outside
// words is a problem: schemas/facts.json closes these facts to the values
// the rulebook reads, so an unknown one (a status Alibaba adds tomorrow)
// cannot be kept; it is not dropped either, which would hide it. The import
// stops, naming the value and where it is, until the rulebook knows it.
func (it *item) enum(key, what string, words []string) (string, bool) {
	s, ok := it.str(key)
	if !ok {
		return "", false
	}
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return s, true
		}
	}
	it.problem(key, "%s %q is not %s imgadmit knows (%s): the inventory schema has no place for it", key, s, what, strings.Join(words, ", "))
	return "", false
}

// list is the array under key, an array of objects; ok is false when the
// key is absent. null is read as an empty list: the SDK's own serializer
// writes an empty list as null.
func list(r facts.Response, set *facts.Set, m map[string]any, key, ptr string) ([]any, bool) {
	v, present := m[key]
	if !present {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	a, isArray := v.([]any)
	if !isArray {
		set.Problem(r, ptr, "%s is %s, not an array", key, facts.TypeName(v))
		return nil, false
	}
	return a, true
}

// wrapped is Alibaba's list in a wrapper object ({"Images": {"Image": [...]}}
// at the top, {"DiskDeviceMappings": {"DiskDeviceMapping": [...]}} in an
// item); ok is false when the wrapper is absent or null.
func wrapped(r facts.Response, set *facts.Set, m map[string]any, outer, inner, ptr string) ([]any, bool) {
	v, present := m[outer]
	if !present || v == nil {
		return nil, false
	}
	w, isObject := v.(map[string]any)
	if !isObject {
		set.Problem(r, ptr+"/"+outer, "%s is %s, not an object with %s", outer, facts.TypeName(v), inner)
		return nil, false
	}
	if _, present := w[inner]; !present {
		set.Problem(r, ptr+"/"+outer, "%s has no %s list", outer, inner)
		return nil, false
	}
	return list(r, set, w, inner, ptr+"/"+outer+"/"+inner)
}

// isRegion reports whether s is a region id as common.json#/$defs/region
// has it: lowercase words joined by '-' (^[a-z]{2,}(-[a-z0-9]+)+$), at most
// 64 characters. A loop, not a regular expression: it runs per item.
func isRegion(s string) bool {
	if len(s) > 64 {
		return false
	}
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if i < 2 || i == len(s) {
		return false
	}
	for i < len(s) {
		if s[i] != '-' {
			return false
		}
		i++
		start := i
		for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == start {
			return false
		}
	}
	return true
}

// isRuleTime reports whether s is a time as common.json#/$defs/time has it:
// RFC 3339, or Alibaba's ExpiredTime form without seconds
// (2099-12-31T15:59Z), within the years the rulebook can compare.
func isRuleTime(s string) bool {
	layout := time.RFC3339
	if len(s) == len("2006-01-02T15:04Z") && s[len(s)-1] == 'Z' {
		layout = "2006-01-02T15:04Z"
	}
	t, err := time.Parse(layout, s)
	return err == nil && evaluator.InRuleTimeRange(t)
}

// accountID is an Alibaba account id (a long in the API, ImageOwnerId) as
// the id string the schema wants; ok is false when it is not a whole
// number. A float64 (a document decoded without UseNumber) is read only
// where it is exact: above 2^53 it may already have lost digits.
func accountID(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		s := string(n)
		if s == "" {
			return "", false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return "", false
			}
		}
		return s, true
	case float64:
		if n < 0 || n > 1<<53 || n != math.Trunc(n) {
			return "", false
		}
		return strconv.FormatInt(int64(n), 10), true
	}
	return "", false
}
