package jsonread

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var lim = Limits{MaxDepth: 3, MaxNumber: 8}

func TestDecode(t *testing.T) {
	intern := map[string]string{"provider": "provider"}
	cases := []struct {
		name string
		raw  string
		want any
		err  *Error
	}{
		{"values", `{"a": [1, -2.5e3, true, false, null, "x"]}`, map[string]any{"a": []any{json.Number("1"), json.Number("-2.5e3"), true, false, nil, "x"}}, nil},
		{"escapes", `{"\u0070rovider": "a\nb"}`, map[string]any{"provider": "a\nb"}, nil},
		{"lone surrogate is U+FFFD", `"\ud800"`, "\ufffd", nil},
		{"empty containers", `[{}, []]`, []any{map[string]any{}, []any{}}, nil},
		{"at the depth limit", `[[[1]]]`, []any{[]any{[]any{json.Number("1")}}}, nil},
		{"deeper than the limit", `[[[[1]]]]`, nil, &Error{Kind: TooDeep, Offset: 4, Pointer: "/0/0/0/0", Message: "nested deeper than 3 levels"}},
		{"a member deeper than the limit", `[[[{"a": 1}]]]`, nil, &Error{Kind: TooDeep, Offset: 9, Pointer: "/0/0/0/a", Message: "nested deeper than 3 levels"}},
		{"number too long", `[123456789]`, nil, &Error{Kind: TooLong, Offset: 1, Pointer: "/0", Message: "number with 9 characters is too long"}},
		{"duplicate", "{\"a\": 1,\n\"a\": 2}", nil, &Error{Kind: Duplicate, Offset: 9, Pointer: "/a", Message: `duplicate key "a"`}},
		{"duplicate spelled with an escape", `{"a": {"b": 1, "\u0062": 2}}`, nil, &Error{Kind: Duplicate, Offset: 15, Pointer: "/a/b", Message: `duplicate key "b"`}},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", nil, &Error{Kind: InvalidUTF8, Offset: 7, Message: "invalid UTF-8"}},
		{"ends early", `{"a": [1`, nil, &Error{Kind: EarlyEnd, Offset: 8, Pointer: "/a", Message: "the document ends early"}},
		{"trailing data", "{}\n {}", nil, &Error{Kind: Trailing, Offset: 4, Message: "unexpected data after the document"}},
		{"trailing comma in an object", `{"a": 1,}`, nil, &Error{Kind: Syntax, Offset: 8, Message: "invalid character '}' looking for beginning of object key string"}},
		{"trailing comma in an array", `[1, ]`, nil, &Error{Kind: Syntax, Offset: 4, Message: "invalid character ']' looking for beginning of value"}},
		{"not a value", `{"a": x}`, nil, &Error{Kind: Syntax, Offset: 6, Pointer: "/a", Message: "invalid character 'x' looking for beginning of value"}},
		{"raw newline in a string", "[\"a\nb\"]", nil, &Error{Kind: Syntax, Offset: 3, Pointer: "/0", Message: "invalid character '\\n' in string literal"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.raw), lim, intern)
			if tc.err == nil {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("Decode = %#v, %v; want %#v", got, err, tc.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !reflect.DeepEqual(*e, *tc.err) {
				t.Fatalf("Decode error %#v, want %#v", err, tc.err)
			}
		})
	}
}

func TestLines(t *testing.T) {
	raw := "{\n  \"params\": {\n    \"name\": 5,\n    \"tags\": [\n      {\"k\": 1}\n    ]\n  }\n}"
	want := map[string]int{"": 1, "/params": 2, "/params/name": 3, "/params/tags": 4, "/params/tags/0": 5, "/params/tags/0/k": 5}
	if got := Lines([]byte(raw), 64); !reflect.DeepEqual(got, want) {
		t.Errorf("Lines = %v, want %v", got, want)
	}
	// Deeper than the limit is left out; a malformed tail keeps what came before.
	if got := Lines([]byte(`{"a": {"b": 1}, "c": x`), 1); !reflect.DeepEqual(got, map[string]int{"": 1, "/a": 1}) {
		t.Errorf("Lines of a malformed document = %v", got)
	}
}

func TestMember(t *testing.T) {
	cases := []struct {
		name, raw, want string
		at              int
		err             Kind
	}{
		{"found", `{"meta": {"input": 1}, "input": {"a": [1]}}`, `{"a": [1]}`, 32, -1},
		{"after new lines", "{\n\"input\":\n  true\n}", "true", 13, -1},
		{"duplicates inside are the value reader's", `{"input": {"a": 1, "a": 2}}`, `{"a": 1, "a": 2}`, 10, -1},
		{"twice", `{"input": 1, "input": 2}`, "", 0, Duplicate},
		{"missing", `{"x": 1}`, "", 0, Missing},
		{"not an object", `["input"]`, "", 0, NotObject},
		{"malformed", `{"input": 1,}`, "", 0, Syntax},
		{"trailing", `{"input": 1} x`, "", 0, Trailing},
		{"ends early", `{"input": [`, "", 0, EarlyEnd},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, at, err := Member([]byte(tc.raw), "input")
			if tc.err >= 0 {
				var e *Error
				if !errors.As(err, &e) || e.Kind != tc.err {
					t.Fatalf("Member error %v, want kind %d", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want || at != tc.at || !strings.HasPrefix(tc.raw[at:], tc.want) {
				t.Fatalf("Member = %q at %d, %v; want %q at %d", got, at, err, tc.want, tc.at)
			}
		})
	}
}
