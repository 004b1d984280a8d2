package factstore

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// AppendCanonical appends v's canonical JSON to dst: compact, object members
// sorted by name (as encoding/json sorts a map's keys), numbers as written.
// v is a decoded JSON value: maps, slices, strings, json.Number, float64,
// int, bool, nil.
//
// One form per value is what lets the revision say "the same facts", and
// what a stored resource is kept as.
func AppendCanonical(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return jsontext.AppendQuote(dst, v)
	case json.Number:
		// One JSON value that starts as a number and ends in a digit is a
		// number with no space around it.
		if len(v) == 0 || (v[0] != '-' && !isDigit(v[0])) || !isDigit(v[len(v)-1]) || !json.Valid([]byte(v)) {
			return nil, fmt.Errorf("%q is not a JSON number", string(v))
		}
		return append(dst, v...), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%v is not a JSON number", v)
		}
		return strconv.AppendFloat(dst, v, 'g', -1, 64), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case []any:
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = AppendCanonical(dst, x); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = jsontext.AppendQuote(dst, k); err != nil {
				return nil, err
			}
			dst = append(dst, ':')
			if dst, err = AppendCanonical(dst, v[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	default:
		return nil, fmt.Errorf("a %T is not a JSON value", v)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
