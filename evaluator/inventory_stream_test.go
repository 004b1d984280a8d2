package evaluator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readBoth reads raw as a stream and as a whole document (ParseInventory,
// then FactsOf), the two ways an inventory arrives.
func readBoth(t *testing.T, raw []byte) (stream, whole error, streamRev, wholeRev string, streamMap, wholeMap map[string]any) {
	t.Helper()
	// One byte at a time: every value straddles reads, as over a network.
	inv, serr := ReadInventoryStream(iotest.OneByteReader(bytes.NewReader(raw)))
	doc, werr := ParseInventory(raw, FormatJSON)
	if werr == nil {
		facts, err := FactsOf(doc)
		if err != nil {
			werr = err
		} else {
			wholeRev = facts.Revision()
			if wholeMap, err = facts.Map(); err != nil {
				t.Fatalf("whole Map: %v", err)
			}
		}
	}
	if serr == nil {
		streamRev = inv.Revision()
		var err error
		if streamMap, err = inv.Map(); err != nil {
			t.Fatalf("stream Map: %v", err)
		}
	}
	return serr, werr, streamRev, wholeRev, streamMap, wholeMap
}

// jsonOf is doc as JSON, compact or indented (each value on its own line).
func jsonOf(t *testing.T, doc any, indent bool) []byte {
	t.Helper()
	var b []byte
	var err error
	if indent {
		b, err = json.MarshalIndent(doc, "", "  ")
	} else {
		b, err = json.Marshal(doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// yamlInventories are the repository's inventories written in YAML, as
// documents; the ones the schema refuses are left out (error cases below).
func yamlInventories(t *testing.T) map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "inventory.yaml"))
	more, _ := filepath.Glob(filepath.Join("..", "fixtures", "*", "inventory.yaml"))
	cmd, _ := filepath.Glob(filepath.Join("..", "cmd", "imgadmit", "testdata", "*inventory*.yaml"))
	files = append(append(files, more...), cmd...)
	out := map[string]any{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ParseInventory(raw, FormatYAML)
		if err != nil {
			continue
		}
		out[f] = doc
	}
	if len(out) < 4 {
		t.Fatalf("only %d inventories found", len(out))
	}
	return out
}

func TestReadInventoryStreamReadsAsParseInventory(t *testing.T) {
	docs := map[string][]byte{}
	for name, doc := range yamlInventories(t) {
		docs[name+" compact"] = jsonOf(t, doc, false)
		docs[name+" indented"] = jsonOf(t, doc, true)
	}
	for _, f := range []string{filepath.Join("..", "internal", "calls", "huaweicloud", "testdata", "inventory.json")} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = raw
	}
	for name, raw := range map[string]string{
		"empty object":     `{}`,
		"spaces":           " \n\t{ } \n",
		"no resources":     `{"settings":{"missing_facts":"warn"}}`,
		"empty resources":  `{"resources":{}}`,
		"empty kinds":      `{"resources":{"images":{},"backups":{},"servers":{},"disks":{},"snapshots":{}}}`,
		"account only":     `{"resources":{"account":{"in_arrears":true}}}`,
		"account between":  `{"resources":{"images":{"i-1":{"status":"active"}},"account":{"in_arrears":false},"servers":{"s-1":{"status":"ACTIVE"}}}}`,
		"settings last":    `{"resources":{"images":{"i-1":{"members":["p-2","p-1"]}}},"settings":{"trust_request_facts":false}}`,
		"account first":    `{"settings":{},"resources":{"account":{},"images":{"a":{}}}}`,
		"odd ids":          `{"resources":{"images":{"a/b":{},"c~d":{},"~1":{},"ünï":{},"img\u002fx":{},"q\"uote":{},"x":{}},"disks":{"a/b":{}}}}`,
		"same id in kinds": `{"resources":{"images":{"r-1":{}},"backups":{"r-1":{}},"snapshots":{"r-1":{}}}}`,
		"escaped values":   `{"resources":{"images":{"i-1":{"status":"\u0061ctive","region":"cn-north-4","members":[]}}}}`,
		"escaped keys":     `{"reso\u0075rces":{"im\u0061ges":{"i-1":{"st\u0061tus":"active"}}}}`,
		"settings with waivers": `{"settings":{"waivers":[{"rule":"IMS-FE-011","resources":["i-1"],` +
			`"expires":"2027-01-31T00:00:00Z","reason":"ticket 1","approved_by":"team"},` +
			`{"rule":"CBR-004","expires":"2027-02-01T00:00:00+08:00","reason":"ticket 2","approved_by":"team"}]},` +
			`"resources":{"images":{"i-1":{"image_type":"full_ecs"}}}}`,
	} {
		docs[name] = []byte(raw)
	}
	for name, raw := range docs {
		t.Run(name, func(t *testing.T) {
			serr, werr, srev, wrev, smap, wmap := readBoth(t, raw)
			if serr != nil || werr != nil {
				t.Fatalf("stream: %v\nwhole: %v", serr, werr)
			}
			if srev != wrev {
				t.Errorf("revision: stream %s, whole %s", srev, wrev)
			}
			if !reflect.DeepEqual(smap, wmap) {
				t.Errorf("document:\nstream %v\nwhole  %v", smap, wmap)
			}
		})
	}
}

// TestReadInventoryStreamErrorsAsParseInventory: an inventory the schema
// or the JSON reader refuses is refused with the same error, pointers,
// messages and lines, whether it is streamed or read whole.
func TestReadInventoryStreamErrorsAsParseInventory(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("..", "fixtures", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fixtureDoc, err := ParseInventory(fixture, FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture pretty-printed with one mistake in a resource, and one in
	// the settings, many lines in.
	broken := func(edit func(doc map[string]any)) string {
		var doc map[string]any
		_ = json.Unmarshal(jsonOf(t, fixtureDoc, false), &doc)
		edit(doc)
		return string(jsonOf(t, doc, true))
	}
	res := func(doc map[string]any, kind, id string) map[string]any {
		return doc["resources"].(map[string]any)[kind].(map[string]any)[id].(map[string]any)
	}
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	// A fleet, pretty-printed: thousands of lines, so that the stream has
	// long forgotten where the first ones were when it meets the errors.
	fleet := func(edit func(images map[string]any)) string {
		images := map[string]any{}
		for i := range 600 {
			images[fmt.Sprintf("img-%04d", i)] = map[string]any{"status": "active", "members": []any{"p-1", "p-2"}, "region": "cn-north-4"}
		}
		edit(images)
		return string(jsonOf(t, map[string]any{"resources": map[string]any{"images": images}, "settings": map[string]any{"missing_facts": "warn"}}, true))
	}
	for name, raw := range map[string]string{
		"resource: wrong type": `{"resources":{"images":{"i-1":{"status":5}}}}`,
		"resource: unknown fact, pretty": broken(func(doc map[string]any) {
			res(doc, "images", "img-inventory-north")["colour"] = "blue"
		}),
		"resource: many wrong, pretty": broken(func(doc map[string]any) {
			res(doc, "images", "img-inventory-north")["visibility"] = "nobody"
			res(doc, "servers", "srv-web-1")["cloud_init"] = "yes"
			res(doc, "backups", "bk-inventory-used")["shared"] = nil
		}),
		"resource: not an object":   `{"resources":{"images":{"i-1":[]}}}`,
		"resource: bad id":          `{"resources":{"images":{" i-1":{}}}}`,
		"resource: empty id":        `{"resources":{"images":{"":{}}}}`,
		"resource: bad id and fact": "{\n\"resources\": {\n \"images\": {\n  \"i-1\u200b\": {\n   \"visibility\": 1\n  }\n }\n}\n}",
		"kind: not an object":       `{"resources":{"images":[]}}`,
		"kind: unknown":             `{"resources":{"image":{"i-1":{}}}}`,
		"resources: not an object":  `{"resources":[]}`,
		"top: unknown member":       `{"resource":{}}`,
		"account: wrong":            "{\"resources\": {\n\"account\": {\n\"in_arrears\": \"no\"}}}",
		"settings: wrong, pretty": broken(func(doc map[string]any) {
			doc["settings"].(map[string]any)["missing_facts"] = "maybe"
		}),
		"settings: missing waiver field, pretty": broken(func(doc map[string]any) {
			doc["settings"].(map[string]any)["waivers"] = []any{map[string]any{"rule": "CBR-004", "reason": "r", "approved_by": "a"}}
		}),
		"settings and resource, pretty": broken(func(doc map[string]any) {
			doc["settings"].(map[string]any)["trust_request_facts"] = "yes"
			res(doc, "servers", "srv-web-1")["status"] = 7
		}),
		"syntax: missing colon":           "{\n\"resources\": {\"images\": {\"i-1\" {}}}}",
		"syntax: in a resource":           "{\"resources\": {\n\"images\": {\n\"i-1\": {\"status\": tru}}}}",
		"syntax: in settings":             "{\"settings\": {\n  \"missing_facts\": 'deny'}}",
		"syntax: bad number":              `{"resources":{"disks":{"d-1":{"size_gb":01}}}}`,
		"syntax: ends early":              "{\"resources\": {\n\"images\": {\"i-1\": {",
		"syntax: ends early after a key":  `{"resources"`,
		"syntax: ends in a string":        `{"resources":{"images":{"i-1":{"status":"act`,
		"duplicate: top level":            `{"resources":{},"settings":{},"resources":{}}`,
		"duplicate: kind":                 `{"resources":{"images":{},"images":{}}}`,
		"duplicate: id":                   "{\"resources\": {\"images\": {\n\"i-1\": {},\n\"i-1\": {}}}}",
		"duplicate: in a resource":        "{\"resources\": {\"images\": {\n\"i-1\": {\n\"status\": \"active\",\n\"status\": \"active\"}}}}",
		"duplicate: in settings":          "{\"settings\": {\n\"missing_facts\": \"warn\",\n\"missing_facts\": \"deny\"}}",
		"duplicate: in account":           `{"resources":{"account":{"in_arrears":true,"in_arrears":false}}}`,
		"trailing data":                   "{\"resources\": {}}\n{}",
		"trailing garbage":                `{} x`,
		"empty":                           ``,
		"only spaces":                     " \n ",
		"not an object: array":            `[]`,
		"not an object: string":           `"inventory"`,
		"not an object: null":             `null`,
		"too deep: resource":              `{"resources":{"images":{"i-1":{"members":` + deep + `}}}}`,
		"too deep: settings":              `{"settings":{"waivers":` + deep + `}}`,
		"number too long: resource":       `{"resources":{"disks":{"d-1":{"size_gb":1` + strings.Repeat("0", 70) + `}}}}`,
		"number too long: settings":       `{"settings":{"waivers":[1` + strings.Repeat("0", 70) + `]}}`,
		"deep, at the limit: resource":    `{"resources":{"images":{"i-1":{"members":` + nested(61) + `}}}}`,
		"deep, at the limit: settings":    `{"settings":{"waivers":` + nested(62) + `}}`,
		"deep, past the limit: resource":  `{"resources":{"images":{"i-1":{"members":` + nested(62) + `}}}}`,
		"deep, past the limit: settings":  `{"settings":{"waivers":` + nested(63) + `}}`,
		"deep, past the limit: account":   `{"resources":{"account":{"in_arrears":` + nested(62) + `}}}`,
		"too long, then a syntax error":   `{"resources":{"disks":{"d-1":{"region":1` + strings.Repeat("0", 70) + `}}},"settings":x}`,
		"schema error, then too deep":     `{"resources":{"images":{"i-1":{"status":5},"i-2":{"members":` + deep + `}}}}`,
		"too deep, then another too deep": `{"resources":{"images":{"i-1":{"region":` + deep + `},"i-2":{"members":` + deep + `}}}}`,
		"fleet: errors deep in": fleet(func(images map[string]any) {
			images["img-0450"].(map[string]any)["status"] = 4
			images["img-0599"].(map[string]any)["members"] = []any{"p-1", "p-1"}
			images["img-0007"] = map[string]any{"colour": "red"}
		}),
		"fleet: too deep, deep in": fleet(func(images map[string]any) {
			images["img-0500"].(map[string]any)["members"] = []any{[]any{[]any{json.RawMessage(deep)}}}
		}),
		"fleet: syntax error, deep in": strings.Replace(fleet(func(map[string]any) {}), `"img-0555": {`, `"img-0555": {,`, 1),
		"invalid UTF-8: in an id":      "{\"resources\":{\"images\":{\"i-\xff\":{}}}}",
		"invalid UTF-8: in a resource": "{\"resources\":{\n\"images\":{\"i-1\":{\"status\":\"a\xffb\"}}}}",
		"invalid UTF-8: in settings":   "{\"settings\":{\n\"waivers\":[\"\xc3\"]}}",
	} {
		t.Run(name, func(t *testing.T) {
			serr, werr, _, _, _, _ := readBoth(t, []byte(raw))
			if werr == nil {
				t.Fatalf("the whole document is accepted; the case is wrong")
			}
			if serr == nil {
				t.Fatalf("stream accepts what ParseInventory refuses: %v", werr)
			}
			var se, we *Error
			if !errors.As(serr, &se) || !errors.As(werr, &we) {
				t.Fatalf("not evaluator errors: stream %T %v, whole %T %v", serr, serr, werr, werr)
			}
			// A syntax error is at the same line and column; the words
			// after may differ, jsontext's ReadValue wording a few errors
			// otherwise than its ReadToken ("object key string" for
			// "value" after a '{').
			if sm, wm, ok := syntaxWhere(se.Message, we.Message); ok && sm == wm {
				se.Message = we.Message
			}
			if !reflect.DeepEqual(se, we) {
				t.Errorf("stream and whole differ:\nstream %#v\n%v\nwhole  %#v\n%v", se, se, we, we)
			}
		})
	}
}

// TestReadInventoryStreamManyErrors: a million resources wrong the same way
// are reported as the first hundred (by pointer) and a count.
func TestReadInventoryStreamManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"resources":{"images":{`)
	const n = 250
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"i-%03d":{"status":%d}`, i, i)
	}
	b.WriteString(`}},"settings":{"missing_facts":"maybe"}}`)
	_, err := ReadInventoryStream(strings.NewReader(b.String()))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	// The settings' error is not one of the hundred: it is always shown.
	want := fmt.Sprintf("the inventory does not match its schema (%d more errors not shown)", n-maxStreamErrors)
	if e.Code != CodeInvalidInventory || e.Message != want || len(e.Errors) != maxStreamErrors+1 {
		t.Fatalf("got %s %q with %d errors, want %s %q with %d", e.Code, e.Message, len(e.Errors), CodeInvalidInventory, want, maxStreamErrors+1)
	}
	if e.Errors[0].Pointer != "/resources/images/i-000/status" || e.Errors[maxStreamErrors].Pointer != "/settings/missing_facts" {
		t.Errorf("errors run from %s to %s", e.Errors[0].Pointer, e.Errors[maxStreamErrors].Pointer)
	}
}

// failingReader hands out its bytes, then fails.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// TestReadInventoryStreamReaderFails: a reader that fails midway (a body
// over its limit, a connection reset) is that reader's error, wrapped, not
// a JSON or schema error of the caller's.
func TestReadInventoryStreamReaderFails(t *testing.T) {
	reset := errors.New("connection reset by peer")
	for name, head := range map[string]string{
		"before anything":   ``,
		"in the resources":  `{"resources":{"images":{"i-1":{"status":"act`,
		"between resources": `{"resources":{"images":{"i-1":{},`,
		"in the settings":   `{"settings":{"missing_facts":`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadInventoryStream(&failingReader{r: strings.NewReader(head), err: reset})
			if !errors.Is(err, reset) {
				t.Fatalf("err = %v, not the reader's", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidInventory || len(e.Errors) != 0 ||
				e.Message != "read inventory: connection reset by peer" {
				t.Errorf("err = %#v", e)
			}
		})
	}
}

func TestIsInventoryHead(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{`{}`, true},
		{` {"resources":{}}`, true},
		{`{"settings":{}}`, true},
		{"\n{\n  \"resources\"", true},
		{`{"Images":[]}`, false},  // a cloud's response
		{`{"servers":[]}`, false}, // a cloud's response
		{`{"account":{}}`, false}, // not an inventory member
		{`settings: {}`, false},   // YAML
		{`[]`, false},             // not an object
		{``, false},               // empty
		{`{"resour`, false},       // cut short
		{"\xef\xbb\xbf{}", false}, // a byte order mark: read whole, which refuses it clearly
		{`{"resources\u0073":1}`, false},
	} {
		br := newBufReader(tc.head)
		if got := IsInventoryHead(br); got != tc.want {
			t.Errorf("IsInventoryHead(%q) = %v, want %v", tc.head, got, tc.want)
		}
		if rest, _ := io.ReadAll(br); string(rest) != tc.head {
			t.Errorf("IsInventoryHead(%q) advanced the reader to %q", tc.head, rest)
		}
	}
}

func newBufReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// nested is n arrays, one in the other.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// syntaxWhere is the "malformed JSON at line L, column C" that starts both
// messages, when both start so.
func syntaxWhere(a, b string) (string, string, bool) {
	const prefix = "malformed JSON at line "
	ia, ib := strings.Index(a, ": "), strings.Index(b, ": ")
	if !strings.HasPrefix(a, prefix) || !strings.HasPrefix(b, prefix) || ia < 0 || ib < 0 {
		return "", "", false
	}
	return a[:ia], b[:ib], true
}
