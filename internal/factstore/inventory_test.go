package factstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// decodeDoc is s decoded as the inventory's readers decode it: numbers as
// json.Number, objects as map[string]any.
func decodeDoc(t testing.TB, s string) map[string]any {
	t.Helper()
	v := decodeAny(t, s)
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object", s)
	}
	return m
}

func decodeAny(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// roundTrip is v written as JSON and read back as decodeDoc reads: the
// form two values are compared in, whatever Go types they were built of.
func roundTrip(t testing.TB, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return decodeAny(t, string(raw))
}

func fromJSON(t testing.TB, s string) *Inventory {
	t.Helper()
	inv, err := FromValue(decodeDoc(t, s))
	if err != nil {
		t.Fatalf("FromValue(%s): %v", s, err)
	}
	return inv
}

func canon(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := AppendCanonical(nil, v)
	if err != nil {
		t.Fatalf("AppendCanonical(%#v): %v", v, err)
	}
	return raw
}

var longID = strings.Repeat("long-id/", 512)

// docs are inventories of every shape the round trip must keep.
var docs = map[string]string{
	"empty":                `{}`,
	"settings only":        `{"settings": {"max_age_days": 90, "regions": ["cn-hangzhou", "cn-beijing"]}}`,
	"no keyed kinds":       `{"resources": {"vpcs": {"v1": {"cidr": "10.0.0.0/8"}}}, "settings": {}}`,
	"empty kind":           `{"resources": {"images": {}}}`,
	"empty kinds":          `{"resources": {"images": {}, "backups": {}, "servers": {}, "disks": {}, "snapshots": {}}}`,
	"resources not object": `{"settings": {"a": 1}, "resources": [1, 2]}`,
	"resources null":       `{"resources": null}`,
	"account":              `{"account": {"id": "123", "owner": "ops"}, "resources": {"images": {"i-1": {"name": "a"}}}}`,
	"every kind": `{"account": {"id": "1"}, "settings": {"x": true},
		"resources": {"vpcs": {"v": {}},
			"images": {"i-1": {"name": "base", "tags": ["a", "b"], "encrypted": true, "size_gb": 40}, "i-2": {"name": "app"}},
			"backups": {"b-1": {"image": "i-1"}}, "servers": {"s-1": {"image_id": "i-2"}},
			"disks": {"d-1": {"size": 100}}, "snapshots": {"sn-1": {"disk": "d-1", "created": "2024-01-01T00:00:00Z"}}}}`,
	"odd ids": `{"resources": {"images": {"": {"n": 0}, "/": {"n": 1}, "~": {"n": 2}, "a/b~c": {"n": 3},
		"日本語": {"n": 4}, "\u0000\u001f\"\\": {"n": 5}, "<&>": {"n": 6}, "\u2028": {"n": 7}, "` + longID + `": {"n": 8}}}}`,
	"nested": `{"resources": {"servers": {"s": {"a": [[], {}, [{"b": [null, [1, [2, {"c": {}}]]]}]], "o": {"p": {"q": {"r": "deep"}}}}}}}`,
	"numbers as written": `{"settings": {"a": 1.0, "b": 1e3, "c": -0, "d": 1E-7, "e": 12345678901234567890123, "f": 0.10},
		"resources": {"disks": {"d": {"size": 1.50, "iops": 3e+3, "z": -0.0}}}}`,
	"scalars": `{"resources": {"images": {"n": null, "t": true, "f": false, "s": "str", "a": [], "o": {}}}}`,
}

func TestFromValueMapRoundTrip(t *testing.T) {
	for name, s := range docs {
		t.Run(name, func(t *testing.T) {
			doc := decodeDoc(t, s)
			inv, err := FromValue(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(doc, decodeDoc(t, s)) {
				t.Errorf("FromValue changed its document")
			}
			got, err := inv.Map()
			if err != nil {
				t.Fatal(err)
			}
			if want := decodeDoc(t, s); !reflect.DeepEqual(roundTrip(t, got), roundTrip(t, want)) {
				t.Errorf("Map() = %s\nwant    %s", canon(t, got), canon(t, want))
			}
			// Map's answer is the caller's: changing it changes nothing held.
			got["settings"] = "changed"
			if again, _ := inv.Map(); !reflect.DeepEqual(roundTrip(t, again), roundTrip(t, decodeDoc(t, s))) {
				t.Errorf("a change to Map()'s answer reached the inventory")
			}
		})
	}
}

func TestFromValueErrors(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{`{"resources": {"images": []}}`, "resources/images is not an object"},
		{`{"resources": {"images": {"a": {}}, "backups": null}}`, "resources/backups is not an object"},
		{`{"resources": {"snapshots": "x"}}`, "resources/snapshots is not an object"},
	} {
		_, err := FromValue(decodeDoc(t, tc.doc))
		if err == nil || err.Error() != tc.want {
			t.Errorf("FromValue(%s) error %v, want %q", tc.doc, err, tc.want)
		}
	}
	// A value that is not JSON names where it is.
	_, err := FromValue(map[string]any{"resources": map[string]any{"images": map[string]any{"i-1": map[string]any{"x": struct{}{}}}}})
	if want := "resources/images/i-1: a struct {} is not a JSON value"; err == nil || err.Error() != want {
		t.Errorf("FromValue(struct) error %v, want %q", err, want)
	}
}

func TestAccessors(t *testing.T) {
	inv := fromJSON(t, docs["every kind"])
	if got := inv.Len(); got != 6 {
		t.Errorf("Len() = %d, want 6", got)
	}
	if got := canon(t, inv.Settings()); string(got) != `{"x":true}` {
		t.Errorf("Settings() = %s", got)
	}
	if got := canon(t, inv.Rest()); string(got) != `{"account":{"id":"1"},"resources":{"vpcs":{"v":{}}},"settings":{"x":true}}` {
		t.Errorf("Rest() = %s", got)
	}
	for _, tc := range []struct {
		kind, id string
		want     string
		ok       bool
	}{
		{"images", "i-1", `{"encrypted":true,"name":"base","size_gb":40,"tags":["a","b"]}`, true},
		{"images", "i-3", "", false},
		{"snapshots", "sn-1", `{"created":"2024-01-01T00:00:00Z","disk":"d-1"}`, true},
		{"vpcs", "v", "", false},
		{"account", "id", "", false},
	} {
		got, ok := inv.Resource(tc.kind, tc.id)
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("Resource(%s, %s) = %s, %v; want %s, %v", tc.kind, tc.id, got, ok, tc.want, tc.ok)
		}
	}
	var ids []string
	inv.Each("images", func(id string, _ []byte) bool { ids = append(ids, id); return true })
	inv.Each("vpcs", func(id string, _ []byte) bool { ids = append(ids, id); return true })
	if want := []string{"i-1", "i-2"}; !slices.Equal(ids, want) {
		t.Errorf("Each(images) ids %q, want %q", ids, want)
	}
	ids = nil
	fromJSON(t, docs["odd ids"]).Each("images", func(id string, _ []byte) bool { ids = append(ids, id); return len(ids) < 3 })
	if want := []string{"", "\x00\x1f\"\\", "/"}; !slices.Equal(ids, want) {
		t.Errorf("Each(odd ids) stopped after %q, want %q", ids, want)
	}
	for _, tc := range []struct {
		doc  string
		kind string
		want bool
	}{
		{`{}`, "images", false},
		{`{"resources": {"images": {}}}`, "images", true},
		{`{"resources": {"images": {}}}`, "backups", false},
		{`{"resources": {"vpcs": {}}}`, "vpcs", false},
	} {
		if got := fromJSON(t, tc.doc).HasKind(tc.kind); got != tc.want {
			t.Errorf("%s: HasKind(%s) = %v", tc.doc, tc.kind, got)
		}
	}
	if got := Empty().Revision(); got != fromJSON(t, `{}`).Revision() {
		t.Errorf("Empty().Revision() = %s, not {}'s", got)
	}
}

func TestRevision(t *testing.T) {
	base := fromJSON(t, docs["every kind"])
	same := []string{
		// The same facts, keys in another order, other whitespace.
		`{"settings":{"x":true},"resources":{"snapshots":{"sn-1":{"created":"2024-01-01T00:00:00Z","disk":"d-1"}},
		"disks":{"d-1":{"size":100}},"servers":{"s-1":{"image_id":"i-2"}},"backups":{"b-1":{"image":"i-1"}},
		"images":{"i-2":{"name":"app"},"i-1":{"size_gb":40,"tags":["a","b"],"name":"base","encrypted":true}},"vpcs":{"v":{}}},
		"account":{"id":"1"}}`,
	}
	for _, s := range same {
		if got := fromJSON(t, s).Revision(); got != base.Revision() {
			t.Errorf("the same facts written differently: revision %s, want %s", got, base.Revision())
		}
	}
	if !strings.HasPrefix(base.Revision(), "sha256:") || len(base.Revision()) != len("sha256:")+64 {
		t.Errorf("Revision() = %q", base.Revision())
	}
	// Every one a change of one thing: all differ from base and each other.
	changed := []string{
		strings.Replace(docs["every kind"], `"size_gb": 40`, `"size_gb": 41`, 1),
		strings.Replace(docs["every kind"], `"size_gb": 40`, `"size_gb": 40.0`, 1),
		strings.Replace(docs["every kind"], `"i-2": {"name": "app"}`, `"i-3": {"name": "app"}`, 1),
		strings.Replace(docs["every kind"], `"i-2": {"name": "app"}`, `"i-2": {"name": "app", "x": null}`, 1),
		strings.Replace(docs["every kind"], `"settings": {"x": true}`, `"settings": {"x": false}`, 1),
		strings.Replace(docs["every kind"], `"account": {"id": "1"}`, `"account": {"id": "2"}`, 1),
		strings.Replace(docs["every kind"], `"vpcs": {"v": {}}`, `"vpcs": {"w": {}}`, 1),
		strings.Replace(docs["every kind"], `"disks": {"d-1": {"size": 100}}`, `"disks": {}`, 1),
		// The same resource under another kind.
		strings.Replace(docs["every kind"], `"disks": {"d-1": {"size": 100}}`, `"disks": {}, "snapshots2": {}`, 1),
		strings.Replace(docs["every kind"], `"backups": {"b-1": {"image": "i-1"}}, "servers": {"s-1": {"image_id": "i-2"}}`,
			`"backups": {"s-1": {"image_id": "i-2"}}, "servers": {"b-1": {"image": "i-1"}}`, 1),
	}
	seen := map[string]int{base.Revision(): -1}
	for i, s := range changed {
		r := fromJSON(t, s).Revision()
		if j, dup := seen[r]; dup {
			t.Errorf("change %d has the revision of %d", i, j)
		}
		seen[r] = i
	}
	// An empty kind added, or "resources" added, is a change.
	for _, pair := range [][2]string{
		{`{}`, `{"resources": {}}`},
		{`{"resources": {}}`, `{"resources": {"images": {}}}`},
		{`{"resources": {"images": {}}}`, `{"resources": {"images": {}, "disks": {}}}`},
		{`{"resources": {"images": {}}}`, `{"resources": {"backups": {}}}`},
		{`{"resources": {"images": {"a": {}}}}`, `{"resources": {"images": {"a": {}}, "disks": {}}}`},
		{`{"resources": {"images": {"a": {}}}}`, `{"resources": {"images": {"a": {}, "b": {}}}}`},
		{`{"resources": {"images": {"a": 1}}}`, `{"resources": {"images": {"a": "1"}}}`},
	} {
		if a, b := fromJSON(t, pair[0]).Revision(), fromJSON(t, pair[1]).Revision(); a == b {
			t.Errorf("%s and %s have one revision", pair[0], pair[1])
		}
	}
}

func TestRestDigest(t *testing.T) {
	a := fromJSON(t, `{"settings": {"a": 1}, "resources": {"images": {"x": {}}}}`)
	b := fromJSON(t, `{"resources": {"images": {"y": {"z": 1}}}, "settings": {"a": 1}}`)
	c := fromJSON(t, `{"resources": {"images": {"x": {}}}, "settings": {"a": 2}}`)
	if a.RestDigest() != b.RestDigest() || a.RestDigest() == c.RestDigest() {
		t.Errorf("RestDigest: a %s, b %s, c %s", a.RestDigest(), b.RestDigest(), c.RestDigest())
	}
}

// resource is a change setting kind/id to the JSON s (nil: removed).
func resource(t testing.TB, kind, id, s string) Change {
	if s == "" {
		return Change{Kind: kind, ID: id}
	}
	return Change{Kind: kind, ID: id, Value: canon(t, decodeAny(t, s))}
}

func TestWith(t *testing.T) {
	const base = `{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}}, "backups": {}}}`
	for _, tc := range []struct {
		name    string
		start   string
		rest    string // "" keeps the inventory's
		changes []Change
		want    string
	}{
		{"nothing", base, "", nil, base},
		{"add", base, "", []Change{resource(t, "images", "i-3", `{"n": 3}`)},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}, "i-3": {"n": 3}}, "backups": {}}}`},
		{"replace", base, "", []Change{resource(t, "images", "i-1", `{"n": 10, "x": [1]}`)},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 10, "x": [1]}, "i-2": {"n": 2}}, "backups": {}}}`},
		{"remove", base, "", []Change{resource(t, "images", "i-1", "")},
			`{"settings": {"s": 1}, "resources": {"images": {"i-2": {"n": 2}}, "backups": {}}}`},
		{"remove all leaves the kind", base, "", []Change{resource(t, "images", "i-1", ""), resource(t, "images", "i-2", "")},
			`{"settings": {"s": 1}, "resources": {"images": {}, "backups": {}}}`},
		{"remove a missing id", base, "", []Change{resource(t, "images", "i-9", ""), resource(t, "backups", "b", "")}, base},
		{"remove from an absent kind", base, "", []Change{resource(t, "disks", "d", "")}, base},
		{"add to an empty kind", base, "", []Change{resource(t, "backups", "b", `{}`)},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}}, "backups": {"b": {}}}}`},
		{"add to an absent kind", base, "", []Change{resource(t, "disks", "d", `[]`)},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}}, "backups": {}, "disks": {"d": []}}}`},
		{"an absent kind added and emptied stays", base, "", []Change{resource(t, "disks", "d", `1`), resource(t, "disks", "d", "")},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}}, "backups": {}, "disks": {}}}`},
		{"add to an absent resources", `{"settings": {}}`, "", []Change{resource(t, "servers", "s", `{"a": 1}`)},
			`{"settings": {}, "resources": {"servers": {"s": {"a": 1}}}}`},
		{"add to an empty document", `{}`, "", []Change{resource(t, "snapshots", "x", `null`)},
			`{"resources": {"snapshots": {"x": null}}}`},
		{"later changes win", base, "", []Change{
			resource(t, "images", "i-1", `"a"`), resource(t, "images", "i-1", ""), resource(t, "images", "i-3", `"c"`),
			resource(t, "images", "i-1", `"b"`), resource(t, "images", "i-3", ""), resource(t, "images", "i-2", `"d"`)},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": "b", "i-2": "d"}, "backups": {}}}`},
		{"every kind at once", base, "", []Change{
			resource(t, "snapshots", "x", `1`), resource(t, "disks", "x", `2`), resource(t, "servers", "x", `3`),
			resource(t, "backups", "x", `4`), resource(t, "images", "x", `5`), resource(t, "images", "i-2", "")},
			`{"settings": {"s": 1}, "resources": {"images": {"i-1": {"n": 1}, "x": 5}, "backups": {"x": 4},
			"servers": {"x": 3}, "disks": {"x": 2}, "snapshots": {"x": 1}}}`},
		{"new rest", base, `{"settings": {"s": 2}, "account": {}, "resources": {"vpcs": {}}}`, []Change{resource(t, "images", "i-2", "")},
			`{"settings": {"s": 2}, "account": {}, "resources": {"vpcs": {}, "images": {"i-1": {"n": 1}}, "backups": {}}}`},
		{"new rest without resources", base, `{"settings": {}}`, nil,
			`{"settings": {}, "resources": {"images": {"i-1": {"n": 1}, "i-2": {"n": 2}}, "backups": {}}}`},
		{"new rest, no kinds", `{"settings": {}}`, `{"resources": 5}`, nil, `{"resources": 5}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := fromJSON(t, tc.start)
			before, _ := inv.Map()
			rev := inv.Revision()
			var rest map[string]any
			if tc.rest != "" {
				rest = decodeDoc(t, tc.rest)
			}
			got, err := inv.With(rest, tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			m, err := got.Map()
			if err != nil {
				t.Fatal(err)
			}
			if want := decodeDoc(t, tc.want); !reflect.DeepEqual(roundTrip(t, m), roundTrip(t, want)) {
				t.Errorf("With: %s\nwant  %s", canon(t, m), canon(t, want))
			}
			// With is FromValue of the changed document: same revision,
			// same count, same bytes.
			want := fromJSON(t, tc.want)
			if got.Revision() != want.Revision() || got.Len() != want.Len() || got.RestDigest() != want.RestDigest() {
				t.Errorf("With: revision %s len %d, FromValue of its document: %s len %d", got.Revision(), got.Len(), want.Revision(), want.Len())
			}
			gotJSON, _, _ := got.AppendJSON(nil, nil)
			wantJSON, _, _ := want.AppendJSON(nil, nil)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("With: AppendJSON %s\nwant %s", gotJSON, wantJSON)
			}
			// The original is as it was.
			after, _ := inv.Map()
			if inv.Revision() != rev || !reflect.DeepEqual(before, after) {
				t.Errorf("With changed the inventory it was called on")
			}
		})
	}
}

func TestWithErrors(t *testing.T) {
	inv := fromJSON(t, `{"resources": {"images": {"a": {}}}}`)
	for _, tc := range []struct {
		rest    string
		changes []Change
		want    string
	}{
		{"", []Change{resource(t, "images", "b", `1`), resource(t, "vpcs", "v", `{}`)}, `"vpcs" is not a kind of resource keyed by id`},
		{"", []Change{resource(t, "account", "v", "")}, `"account" is not a kind of resource keyed by id`},
		{`{"resources": []}`, nil, "resources is not an object"},
		{`{"resources": null}`, nil, "resources is not an object"},
	} {
		var rest map[string]any
		if tc.rest != "" {
			rest = decodeDoc(t, tc.rest)
		}
		if _, err := inv.With(rest, tc.changes); err == nil || err.Error() != tc.want {
			t.Errorf("With(%s, %v) error %v, want %q", tc.rest, tc.changes, err, tc.want)
		}
	}
	if m, _ := inv.Map(); string(canon(t, m)) != `{"resources":{"images":{"a":{}}}}` {
		t.Errorf("a failed With changed the inventory: %s", canon(t, m))
	}
}

// TestWithInverse: a change and then its inverse is the inventory again.
func TestWithInverse(t *testing.T) {
	inv := fromJSON(t, docs["every kind"])
	for _, tc := range []struct {
		name         string
		change, back []Change
	}{
		{"add", []Change{resource(t, "images", "new", `{"a": 1}`)}, []Change{resource(t, "images", "new", "")}},
		{"replace", []Change{resource(t, "images", "i-1", `{}`)},
			[]Change{resource(t, "images", "i-1", `{"name": "base", "tags": ["a", "b"], "encrypted": true, "size_gb": 40}`)}},
		{"remove", []Change{resource(t, "disks", "d-1", "")}, []Change{resource(t, "disks", "d-1", `{"size": 100}`)}},
		{"many", []Change{resource(t, "disks", "d-1", ""), resource(t, "servers", "s-2", `1`), resource(t, "backups", "b-1", `2`)},
			[]Change{resource(t, "backups", "b-1", `{"image": "i-1"}`), resource(t, "servers", "s-2", ""), resource(t, "disks", "d-1", `{"size": 100}`)}},
	} {
		mid, err := inv.With(nil, tc.change)
		if err != nil {
			t.Fatal(err)
		}
		back, err := mid.With(nil, tc.back)
		if err != nil {
			t.Fatal(err)
		}
		if mid.Revision() == inv.Revision() || back.Revision() != inv.Revision() {
			t.Errorf("%s: revisions %s, %s, %s; want the first and last equal", tc.name, inv.Revision(), mid.Revision(), back.Revision())
		}
	}
}

func TestBuilder(t *testing.T) {
	entries := []struct{ kind, id, value string }{
		{"images", "i-1", `{"a":1}`}, {"images", "i-2", `{}`}, {"disks", "d", `[1]`}, {"images", "i-0", `"x"`},
		{"snapshots", "", `null`}, {"images", "/~", `true`},
	}
	build := func(order []int, kinds ...string) *Inventory {
		b := NewBuilder(map[string]any{"settings": map[string]any{"k": "v"}})
		for _, k := range kinds {
			if err := b.Kind(k); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range order {
			e, err := NewEntry(entries[i].kind, entries[i].id, []byte(entries[i].value))
			if err != nil {
				t.Fatal(err)
			}
			b.Add(e)
		}
		inv, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	want := fromJSON(t, `{"settings": {"k": "v"}, "resources": {"images": {"i-1": {"a": 1}, "i-2": {}, "i-0": "x", "/~": true},
		"disks": {"d": [1]}, "snapshots": {"": null}}}`)
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {3, 0, 5, 1, 4, 2}} {
		inv := build(order)
		if inv.Revision() != want.Revision() {
			t.Errorf("order %v: revision %s, want %s", order, inv.Revision(), want.Revision())
		}
		got, _, _ := inv.AppendJSON(nil, nil)
		wantJSON, _, _ := want.AppendJSON(nil, nil)
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("order %v: %s\nwant %s", order, got, wantJSON)
		}
	}
	// Kind marks a kind present with nothing in it.
	if got, want := build([]int{0}, "backups").Revision(), fromJSON(t, `{"settings": {"k": "v"}, "resources": {"images": {"i-1": {"a": 1}}, "backups": {}}}`).Revision(); got != want {
		t.Errorf("Kind(backups): revision %s, want %s", got, want)
	}
	if got, want := build(nil, "disks").Revision(), fromJSON(t, `{"settings": {"k": "v"}, "resources": {"disks": {}}}`).Revision(); got != want {
		t.Errorf("Kind(disks) alone: revision %s, want %s", got, want)
	}

	// Errors name what and where.
	b := NewBuilder(nil)
	if err := b.Kind("vpcs"); err == nil || err.Error() != `"vpcs" is not a kind of resource keyed by id` {
		t.Errorf("Kind(vpcs) error %v", err)
	}
	if _, err := NewEntry("account", "a", []byte(`{}`)); err == nil || err.Error() != `"account" is not a kind of resource keyed by id` {
		t.Errorf("NewEntry(account) error %v", err)
	}
	for _, id := range []string{"x", "y/z", "dup"} {
		e, _ := NewEntry("backups", id, []byte(`{}`))
		b.Add(e)
	}
	e, _ := NewEntry("backups", "y/z", []byte(`{"other":1}`))
	b.Add(e)
	if _, err := b.Build(); err == nil || err.Error() != "resources/backups/y/z is given twice" {
		t.Errorf("Build with a duplicate: error %v", err)
	}
	b = NewBuilder(map[string]any{"resources": "no"})
	b.Add(e)
	if _, err := b.Build(); err == nil || err.Error() != "resources is not an object" {
		t.Errorf("Build under a resources that is not an object: error %v", err)
	}
	// SetRest replaces the document around the kinds.
	b = NewBuilder(map[string]any{"settings": 1})
	b.SetRest(nil)
	b.Add(e)
	inv, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := inv.AppendJSON(nil, nil); string(got) != `{"resources":{"backups":{"y/z":{"other":1}}}}` {
		t.Errorf("SetRest(nil): %s", got)
	}
}

// TestWithMany: many changes at once, to the same ids again and again, to
// kinds there and not there, make the document that making them one at a
// time to the decoded document makes (FromValue of it: same revision, same
// bytes), and the same inventory as one With per change.
func TestWithMany(t *testing.T) {
	const start = `{"settings": {}, "resources": {"images": {"i-0": {"n": 0}, "i-1": {"n": 1}, "i-5": {}}, "backups": {}, "disks": {"i-1": 1}}}`
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"images", "backups", "disks", "servers"}
	for round := range 20 {
		inv := fromJSON(t, start)
		doc := decodeDoc(t, start)
		one := inv
		changes := make([]Change, 1+rng.IntN(300))
		for j := range changes {
			kind := kinds[rng.IntN(len(kinds))]
			id := fmt.Sprintf("i-%d", rng.IntN(40))
			res := doc["resources"].(map[string]any)
			if rng.IntN(3) == 0 {
				changes[j] = Change{Kind: kind, ID: id}
				if m, ok := res[kind].(map[string]any); ok {
					delete(m, id)
				}
			} else {
				v := map[string]any{"round": json.Number(fmt.Sprint(round)), "j": json.Number(fmt.Sprint(j))}
				changes[j] = Change{Kind: kind, ID: id, Value: canon(t, v)}
				if _, ok := res[kind]; !ok {
					res[kind] = map[string]any{}
				}
				res[kind].(map[string]any)[id] = v
			}
			var err error
			if one, err = one.With(nil, changes[j:j+1]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := inv.With(nil, changes)
		if err != nil {
			t.Fatal(err)
		}
		want, err := FromValue(doc)
		if err != nil {
			t.Fatal(err)
		}
		gotJSON, _, _ := got.AppendJSON(nil, nil)
		wantJSON, _, _ := want.AppendJSON(nil, nil)
		oneJSON, _, _ := one.AppendJSON(nil, nil)
		if !bytes.Equal(gotJSON, wantJSON) || !bytes.Equal(oneJSON, wantJSON) {
			t.Fatalf("round %d: With(%d changes) = %s\none at a time %s\nwant %s", round, len(changes), gotJSON, oneJSON, wantJSON)
		}
		if got.Revision() != want.Revision() || one.Revision() != want.Revision() || got.Len() != want.Len() {
			t.Fatalf("round %d: revisions %s, %s (one at a time), want %s", round, got.Revision(), one.Revision(), want.Revision())
		}
		invJSON, _, _ := inv.AppendJSON(nil, nil)
		if startJSON, _, _ := fromJSON(t, start).AppendJSON(nil, nil); !bytes.Equal(invJSON, startJSON) {
			t.Fatalf("round %d: With changed the inventory it was called on", round)
		}
	}
}
