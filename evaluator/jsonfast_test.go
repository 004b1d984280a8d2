package evaluator

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// slowDecodeJSON is decodeJSON without its fast path: the token reader alone.
func slowDecodeJSON(raw []byte) (any, error) {
	d := &jsonDecoder{raw: raw, dec: json.NewDecoder(bytes.NewReader(raw))}
	d.dec.UseNumber()
	v, err := d.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err == nil || err.Error() != "EOF" {
		return nil, invalidRequest("trailing data")
	}
	return v, nil
}

// checkFastDecode holds the fast path to its contract: when it decodes a
// document, the token reader decodes it too, to the same value.
func checkFastDecode(t *testing.T, raw []byte) (fastOK bool) {
	t.Helper()
	if !utf8.Valid(raw) {
		return false // decode refuses these before either decoder runs
	}
	fast, ok := fastDecodeJSON(raw, schemaStrings())
	slow, err := slowDecodeJSON(raw)
	if ok && err != nil {
		t.Fatalf("fast path accepted what the token reader refuses (%v): %q", err, raw)
	}
	if ok && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast path decoded %#v, the token reader %#v: %q", fast, slow, raw)
	}
	return ok
}

// TestFastDecodeAgreesWithTokenReader runs both decoders on every fixture and
// on mutations of them: truncations, stray bytes, escapes, deep nesting, long
// numbers, duplicate keys.
func TestFastDecodeAgreesWithTokenReader(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "requests", "*", "*.json"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	edge := []string{
		`{}`, `[]`, `{"a":[]}`, ` {"a" : 1 } `, `"x"`, `0`, `-0`, `-0.5e+10`, `1E5`, `01`, `1.`, `.5`, `-`, `+1`,
		`{"a":1,"a":2}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{a:1}`, `tru`, `truex`, `nul`, `null null`,
		`"\u00e9\n\t\"\\\/"`, `"\ud83d\ude00"`, `"\ud800"`, `"\x"`, "\"a\tb\"", `"caf` + "\u00e9" + `"`,
		`{"n":` + strings.Repeat("9", 64) + `}`, `{"n":` + strings.Repeat("9", 65) + `}`,
		strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
		strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2),
		`{"a":{"b":{"c":[1,{"d":null}]}}}`, "\ufeff{}", `{"a":1}x`, `{"a":"\u0000"}`,
	}
	accepted := 0
	for _, s := range edge {
		if checkFastDecode(t, []byte(s)) {
			accepted++
		}
	}
	rnd := rand.New(rand.NewSource(1))
	junk := []string{`"`, `\`, `{`, `}`, `[`, `]`, `,`, `:`, `0`, `-`, `e`, `.`, " ", "\n", "\x01", `\u`, `"a":1,`, "é"}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !checkFastDecode(t, raw) {
			t.Errorf("%s: the fast path does not decode a valid fixture", f)
		}
		for range 60 {
			m := []byte(string(raw))
			i := rnd.Intn(len(m))
			switch rnd.Intn(3) {
			case 0:
				m = m[:i]
			case 1:
				m = append(m[:i:i], append([]byte(junk[rnd.Intn(len(junk))]), m[i:]...)...)
			case 2:
				m = append(m[:i:i], m[min(len(m), i+1+rnd.Intn(4)):]...)
			}
			if checkFastDecode(t, m) {
				accepted++
			}
		}
	}
	if accepted == 0 {
		t.Error("the fast path accepted nothing")
	}
}

func FuzzFastDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "requests", "*", "*.json"))
	for _, p := range files {
		if raw, err := os.ReadFile(p); err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkFastDecode(t, raw) })
}
