package jsonread

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// FuzzDecode: whatever the bytes, Decode never panics; what it reads,
// encoding/json reads the same (numbers as json.Number); what it refuses is an
// *Error at an offset within the document, and, when encoding/json takes the
// same bytes, a refusal encoding/json does not make: a duplicate name, a
// limit, bytes that are not UTF-8.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"a": [1, -2.5e3, true, false, null, "x\u00e9\n"]}`, `{"a": 1, "a": 2}`, `{"\u0061": 1, "a": 2}`,
		`[[[[[1]]]]]`, `[12345678901234567890]`, "\"\xff\"", `"\ud800"`, `{"a": 1,}`, `[1,]`, `{} {}`, ` `, `{"a": [1`,
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxDepth: 4, MaxNumber: 16}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Decode(raw, lim, nil)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var want any
		stdErr := dec.Decode(&want)
		if stdErr == nil {
			if _, more := dec.Token(); more != io.EOF {
				stdErr = errors.New("trailing data")
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(raw) {
				t.Fatalf("%q: error %#v", raw, err)
			}
			if stdErr == nil && (e.Kind == Syntax || e.Kind == EarlyEnd || e.Kind == Trailing) {
				t.Fatalf("%q: refused as %v (%s), but encoding/json reads it", raw, e.Kind, e.Message)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("%q: read as %#v, but encoding/json refuses it: %v", raw, got, stdErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: read as %#v, encoding/json reads %#v", raw, got, want)
		}
	})
}
