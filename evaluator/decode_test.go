package evaluator

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		format  Format
		want    any
		wantErr string
	}{
		{"json object", `{"a": 1, "b": [true, null, "x"]}`, FormatJSON, map[string]any{"a": json.Number("1"), "b": []any{true, nil, "x"}}, ""},
		{"numbers stay exact", `{"n": 123456789012345678901234567890, "f": 0.1}`, FormatJSON, map[string]any{"n": json.Number("123456789012345678901234567890"), "f": json.Number("0.1")}, ""},
		{"yaml", "a: 1\nb: [x, 2.50]\nc: ~\n", FormatYAML, map[string]any{"a": json.Number("1"), "b": []any{"x", json.Number("2.50")}, "c": nil}, ""},
		{"yaml-only number spellings", "a: 0x1F\nb: 1_000\n", FormatYAML, map[string]any{"a": json.Number("31"), "b": json.Number("1000")}, ""},
		{"yaml quoted string stays a string", "a: \"1\"\n", FormatYAML, map[string]any{"a": "1"}, ""},
		{"auto sniffs json", ` {"a": "b"}`, FormatAuto, map[string]any{"a": "b"}, ""},
		{"auto falls back to yaml", "a: b\n", FormatAuto, map[string]any{"a": "b"}, ""},
		{"empty", " \n\t", FormatJSON, nil, "the document is empty"},
		{"empty yaml", "# only a comment\n", FormatYAML, nil, "the document is empty"},
		{"malformed json", "{\n  \"a\": 1,\n}", FormatJSON, nil, "malformed JSON at line 3, column 1: invalid character '}' looking for beginning of object key string"},
		{"bad first byte", "abc", FormatJSON, nil, "malformed JSON at line 1, column 1: invalid character 'a' looking for beginning of value"},
		{"bad value in an object", "{\"a\": x}", FormatJSON, nil, "malformed JSON at line 1, column 7: invalid character 'x'"},
		{"truncated json", "{\"a\": [1, 2", FormatJSON, nil, "malformed JSON: the document ends early at line 1, column 12"},
		{"trailing data", `{"a": 1} {"b": 2}`, FormatJSON, nil, "unexpected data after the document at line 1, column"},
		{"duplicate key json", "{\"a\": 1,\n \"a\": 2}", FormatJSON, nil, `/a (line 2): duplicate key "a"`},
		{"duplicate key yaml", "a: 1\na: 2\n", FormatYAML, nil, `/a (line 2): duplicate key "a"`},
		{"invalid utf-8", "{\"a\": \"\xff\"}", FormatJSON, nil, "invalid UTF-8 at line 1, column 8"},
		{"too deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), FormatJSON, nil, "nested deeper than 64 levels"},
		{"huge number", `{"a": 1` + strings.Repeat("0", 100) + `}`, FormatJSON, nil, "number with 101 characters is too long"},
		{"yaml infinity", "a: .inf\n", FormatYAML, nil, `/a (line 1): number ".inf" cannot be represented in JSON`},
		{"two yaml documents", "a: 1\n---\nb: 2\n", FormatYAML, nil, "more than one YAML document (the second starts at line 2)"},
		{"yaml merge key", "base: &b {x: 1}\nc:\n  <<: *b\n", FormatYAML, nil, "YAML merge keys (<<) are not supported"},
		{"yaml alias bomb", yamlBomb(), FormatYAML, nil, "after expanding aliases"},
		{"yaml custom tag", "a: !secret x\n", FormatYAML, nil, "YAML tag !secret is not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode([]byte(tc.raw), tc.format)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("decoded %v, want error %q", got, tc.wantErr)
				}
				if CodeOf(err) != CodeInvalidRequest {
					t.Errorf("code %s, want invalid_request", CodeOf(err))
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q, want it to contain %q", err.Error(), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %#v, want %#v", got, tc.want)
			}
		})
	}
}

// yamlBomb is the billion-laughs shape: each level doubles the last ten times.
func yamlBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestLocateLines(t *testing.T) {
	jsonDoc := "{\n  \"params\": {\n    \"name\": 5,\n    \"tags\": [\n      {\"k\": 1}\n    ]\n  }\n}"
	yamlDoc := "params:\n  name: 5\n  tags:\n    - k: 1\n"
	cases := []struct {
		raw    string
		format Format
		ptr    string
		want   int
	}{
		{jsonDoc, FormatJSON, "/params/name", 3},
		{jsonDoc, FormatJSON, "/params/tags/0/k", 5},
		{jsonDoc, FormatJSON, "/params/missing", 2}, // nearest existing ancestor
		{jsonDoc, FormatJSON, "", 1},
		{yamlDoc, FormatYAML, "/params/name", 2},
		{yamlDoc, FormatYAML, "/params/tags/0/k", 4},
	}
	for _, tc := range cases {
		errs := []FieldError{{Pointer: tc.ptr}}
		locateLines([]byte(tc.raw), tc.format, errs)
		if errs[0].Line != tc.want {
			t.Errorf("%s in %v: line %d, want %d", tc.ptr, tc.format, errs[0].Line, tc.want)
		}
	}
}
