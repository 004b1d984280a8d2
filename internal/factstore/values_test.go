package factstore

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// stdJSON is v as encoding/json writes it (keys sorted), without its HTML
// escaping: the canonical form but for U+2028 and U+2029, which
// encoding/json escapes and jsontext does not.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out = bytes.ReplaceAll(out, []byte(`\u2028`), []byte("\u2028"))
	return bytes.ReplaceAll(out, []byte(`\u2029`), []byte("\u2029"))
}

// walk is the value at path in v, read as a test would by hand: members by
// name, elements by plain decimal index.
func walk(v any, path []string) (any, bool) {
	for _, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) || strconv.Itoa(i) != seg {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// paths are every path into doc (members and elements), and a missing
// member or element below each object and array.
func paths(doc any, prefix []string, out *[][]string) {
	*out = append(*out, slices.Clone(prefix))
	switch x := doc.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			paths(x[k], append(prefix, k), out)
		}
		*out = append(*out, append(slices.Clone(prefix), "no such member"))
	case []any:
		for i, e := range x {
			paths(e, append(prefix, strconv.Itoa(i)), out)
		}
		*out = append(*out, append(slices.Clone(prefix), strconv.Itoa(len(x))))
	default:
		*out = append(*out, append(slices.Clone(prefix), "0"))
	}
}

// TestAppendJSONEveryPath: at every path into every document, AppendJSON
// and Value answer what the document has there, in canonical form.
func TestAppendJSONEveryPath(t *testing.T) {
	for name, s := range docs {
		t.Run(name, func(t *testing.T) {
			doc := decodeDoc(t, s)
			inv := fromJSON(t, s)
			var all [][]string
			paths(doc, nil, &all)
			all = append(all, []string{"resources", "images"}, []string{"resources", "disks", "nope"},
				[]string{"settings", "nope"}, []string{"nope"})
			for _, path := range all {
				want, wantOK := walk(doc, path)
				got, ok, err := inv.AppendJSON([]byte("prefix "), path)
				if err != nil || ok != wantOK {
					t.Errorf("AppendJSON(%q): found %v, error %v; want found %v", path, ok, err, wantOK)
					continue
				}
				if !wantOK {
					if string(got) != "prefix " {
						t.Errorf("AppendJSON(%q) of nothing appended %q", path, got)
					}
				} else if want := append([]byte("prefix "), stdJSON(t, want)...); !bytes.Equal(got, want) {
					t.Errorf("AppendJSON(%q) = %s\nwant %s", path, got, want)
				}
				v, ok, err := inv.Value(path)
				if err != nil || ok != wantOK || (ok && !reflect.DeepEqual(roundTrip(t, v), roundTrip(t, want))) {
					t.Errorf("Value(%q) = %v, %v, %v; want %v, %v", path, v, ok, err, want, wantOK)
				}
			}
		})
	}
}

func TestValue(t *testing.T) {
	inv := fromJSON(t, docs["every kind"])
	for _, tc := range []struct {
		path []string
		want string // "" not found
	}{
		{[]string{"settings"}, `{"x":true}`},
		{[]string{"settings", "x"}, `true`},
		{[]string{"account", "id"}, `"1"`},
		{[]string{"resources", "vpcs"}, `{"v":{}}`},
		{[]string{"resources", "images", "i-1"}, `{"encrypted":true,"name":"base","size_gb":40,"tags":["a","b"]}`},
		{[]string{"resources", "images", "i-1", "tags"}, `["a","b"]`},
		{[]string{"resources", "images", "i-1", "tags", "1"}, `"b"`},
		{[]string{"resources", "images", "i-1", "tags", "2"}, ``},
		{[]string{"resources", "images", "i-1", "tags", "-1"}, ``},
		{[]string{"resources", "images", "i-1", "name", "0"}, ``},
		{[]string{"resources", "images", "i-9"}, ``},
		{[]string{"resources", "backups"}, `{"b-1":{"image":"i-1"}}`},
		{[]string{"resources", "vpcs", "v"}, `{}`},
		{[]string{"resources", "vpcs", "w"}, ``},
		{[]string{"settings", "x", "y"}, ``},
		{[]string{"missing"}, ``},
	} {
		v, ok, err := inv.Value(tc.path)
		if err != nil {
			t.Errorf("Value(%q): %v", tc.path, err)
			continue
		}
		var got string
		if ok {
			got = string(canon(t, v))
		}
		if got != tc.want {
			t.Errorf("Value(%q) = %s, want %s", tc.path, got, tc.want)
		}
	}
	// Value's answer is the caller's: changing it changes nothing held.
	for _, path := range [][]string{{"settings"}, {"resources", "images", "i-1"}, {"resources", "images"}, {"resources"}, {}} {
		v, _, _ := inv.Value(path)
		switch x := v.(type) {
		case map[string]any:
			clear(x)
		}
		if again, _, _ := inv.Value(path); reflect.DeepEqual(again, v) {
			t.Errorf("Value(%q) shares its answer with the inventory", path)
		}
	}
}

func TestLookup(t *testing.T) {
	doc := decodeAny(t, `{"a": [10, [20, 21], {"b": "c"}], "": {"": 1}, "n": null}`)
	for _, tc := range []struct {
		path []string
		want any
		ok   bool
	}{
		{nil, doc, true},
		{[]string{"a", "0"}, json.Number("10"), true},
		{[]string{"a", "1", "1"}, json.Number("21"), true},
		{[]string{"a", "2", "b"}, "c", true},
		{[]string{"", ""}, json.Number("1"), true},
		{[]string{"n"}, nil, true},
		{[]string{"n", "x"}, nil, false},
		{[]string{"a", "3"}, nil, false},
		{[]string{"a", "+0"}, json.Number("10"), true},
		{[]string{"a", "01", "1.0"}, json.Number("21"), true},
		{[]string{"a", "b"}, nil, false},
		{[]string{"a", "0", "0"}, nil, false},
		{[]string{"z"}, nil, false},
	} {
		got, ok := Lookup(doc, tc.path)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestArrayIndex(t *testing.T) {
	for _, tc := range []struct {
		seg  string
		n    int
		want int
		ok   bool
	}{
		{"0", 3, 0, true},
		{"2", 3, 2, true},
		{"3", 3, 0, false},
		{"0", 0, 0, false},
		{"-1", 3, 0, false},
		{"", 3, 0, false},
		{"a", 3, 0, false},
		{" 1", 3, 0, false},
		{"1 ", 3, 0, false},
		{"0x1", 3, 0, false},
		// As OPA's inmem store reads an index.
		{"01", 3, 1, true},
		{"+1", 3, 1, true},
		{"1.0", 3, 1, true},
		{"2.00", 3, 2, true},
		{"-0", 3, 0, true},
		{"1.5", 3, 0, false},
		{"1e0", 3, 0, false},
		{"+", 3, 0, false},
		{"99999999999999999999999", 3, 0, false},
	} {
		got, ok := ArrayIndex(tc.seg, tc.n)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ArrayIndex(%q, %d) = %d, %v; want %d, %v", tc.seg, tc.n, got, ok, tc.want, tc.ok)
		}
	}
}
