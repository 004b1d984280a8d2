package calldoc

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/imgadmit/imgadmit/evaluator"
)

// The readers read obj[key], whose pointer is ptr. Absent (or JSON null, which
// the SDKs never send for a field they set) is (zero, false) with no problem;
// a value of the wrong type is (zero, false) with a problem at ptr.

// Object reads an object member.
func (p *Problems) Object(obj map[string]any, key, ptr string) (map[string]any, bool) {
	v, ok := present(obj, key)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.Add(ptr, "%s must be an object, but got %s", key, TypeName(v))
	}
	return m, ok
}

// Array reads an array member.
func (p *Problems) Array(obj map[string]any, key, ptr string) ([]any, bool) {
	v, ok := present(obj, key)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		p.Add(ptr, "%s must be an array, but got %s", key, TypeName(v))
	}
	return a, ok
}

// String reads a string member.
func (p *Problems) String(obj map[string]any, key, ptr string) (string, bool) {
	v, ok := present(obj, key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		p.Add(ptr, "%s must be a string, but got %s", key, TypeName(v))
	}
	return s, ok
}

// NonEmpty reads a string member that, when present, is not empty: an id the
// call acts on. The SDKs send "" for a string field nobody set (CreateWholeImage's
// instance_id), so "" is read as absent.
func (p *Problems) NonEmpty(obj map[string]any, key, ptr string) (string, bool) {
	s, ok := p.String(obj, key, ptr)
	return s, ok && s != ""
}

// Int reads an integer member (a JSON number with no fraction).
func (p *Problems) Int(obj map[string]any, key, ptr string) (int64, bool) {
	v, ok := present(obj, key)
	if !ok {
		return 0, false
	}
	n, err := Int(v)
	if err != nil {
		p.Add(ptr, "%s %v", key, err)
		return 0, false
	}
	return n, true
}

// Int reads v, a decoded JSON value, as an integer.
func Int(v any) (int64, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("must be an integer, but got %s", n)
		}
		return i, nil
	case float64:
		if n != float64(int64(n)) {
			return 0, fmt.Errorf("must be an integer, but got %v", n)
		}
		return int64(n), nil
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	}
	return 0, fmt.Errorf("must be an integer, but got %s", TypeName(v))
}

// Strings reads an array of strings, each checked at its own pointer.
func (p *Problems) Strings(obj map[string]any, key, ptr string) ([]string, bool) {
	a, ok := p.Array(obj, key, ptr)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(a))
	good := true
	for i, v := range a {
		s, isString := v.(string)
		if !isString {
			p.Add(Pointer(ptr, strconv.Itoa(i)), "%s[%d] must be a string, but got %s", key, i, TypeName(v))
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

func present(obj map[string]any, key string) (any, bool) {
	v, ok := obj[key]
	return v, ok && v != nil
}

// TypeName names the JSON type of a decoded value, as schema errors do.
func TypeName(v any) string { return evaluator.JSONTypeName(v) }
