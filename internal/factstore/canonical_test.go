package factstore

import (
	"encoding/json"
	"math"
	"testing"
)

func TestAppendCanonical(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"a\"<&>\u2028\x00é", "\"a\\\"<&>\u2028\\u0000é\""},
		{json.Number("1.0"), `1.0`},
		{json.Number("-0"), `-0`},
		{json.Number("1E+3"), `1E+3`},
		{1.5, `1.5`},
		{1e21, `1e+21`},
		{-7, `-7`},
		{int64(1) << 62, `4611686018427387904`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": []any{1, map[string]any{"z": nil, "a": "x"}}, "a": false, "": 0, "B": 2},
			`{"":0,"B":2,"a":false,"b":[1,{"a":"x","z":null}]}`},
	} {
		got, err := AppendCanonical([]byte("x"), tc.v)
		if err != nil || string(got) != "x"+tc.want {
			t.Errorf("AppendCanonical(%#v) = %s, %v; want x%s", tc.v, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		v    any
		want string
	}{
		{json.Number(""), `"" is not a JSON number`},
		{json.Number("01"), `"01" is not a JSON number`},
		{json.Number(`"1"`), `"\"1\"" is not a JSON number`},
		{json.Number("null"), `"null" is not a JSON number`},
		{json.Number(" 1"), `" 1" is not a JSON number`},
		{json.Number("1\n"), `"1\n" is not a JSON number`},
		{json.Number("+1"), `"+1" is not a JSON number`},
		{math.NaN(), `NaN is not a JSON number`},
		{math.Inf(1), `+Inf is not a JSON number`},
		{map[string]any{"a": []any{math.Inf(-1)}}, `-Inf is not a JSON number`},
		{float32(1), `a float32 is not a JSON value`},
		{map[string]any{"a": uint(1)}, `a uint is not a JSON value`},
		{"\xff", `jsontext: invalid UTF-8`},
		{map[string]any{"\xff": 1}, `jsontext: invalid UTF-8`},
	} {
		got, err := AppendCanonical(nil, tc.v)
		if err == nil || err.Error() != tc.want {
			t.Errorf("AppendCanonical(%#v) = %s, %v; want error %q", tc.v, got, err, tc.want)
		}
	}
}
