package factstore

import (
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/util"

	"github.com/imgadmit/imgadmit/internal/jsonread"
)

// storedLimits bound nothing a stored value can reach: every stored value
// was read under the document limits before it was stored.
var storedLimits = jsonread.Limits{MaxDepth: 1 << 20, MaxNumber: 1 << 20}

// Decode is a stored value's Go form (maps, slices, json.Number...), new
// and the caller's to change.
func Decode(raw []byte) (any, error) { return jsonread.Decode(raw, storedLimits, nil) }

// Value is the Go value at path in the inventory document (a segment names
// an object's member or an array's element by its decimal index), new and
// the caller's to change, and whether there is one. The whole document is
// every resource decoded: at a million resources, a gigabyte of Go values;
// a path into one resource decodes that one only.
func (inv *Inventory) Value(path []string) (any, bool, error) {
	if len(path) >= 2 && path[0] == "resources" {
		if k := KindIndex(path[1]); k >= 0 {
			t := inv.tables[k]
			if t == nil {
				return nil, false, nil
			}
			if len(path) == 2 {
				m, err := t.value()
				return m, err == nil, err
			}
			raw, ok := t.get(path[2])
			if !ok {
				return nil, false, nil
			}
			v, err := Decode(raw)
			if err != nil {
				return nil, false, err
			}
			v, ok = Lookup(v, path[3:])
			return v, ok, nil
		}
	}
	if (len(path) >= 1 && path[0] != "resources") || (len(path) >= 2 && KindIndex(path[1]) < 0) {
		// Outside the keyed kinds (the settings, the account): rest
		// holds it whole.
		v, ok := Lookup(inv.rest, path)
		if !ok {
			return nil, false, nil
		}
		// A copy: rest is shared by every inventory made from this one.
		raw, err := AppendCanonical(nil, v)
		if err != nil {
			return nil, false, err
		}
		v, err = Decode(raw)
		return v, err == nil, err
	}
	doc, err := inv.Map()
	if err != nil {
		return nil, false, err
	}
	v, ok := Lookup(doc, path)
	return v, ok, nil
}

// Map is the whole document as Go values, new and the caller's to change.
func (inv *Inventory) Map() (map[string]any, error) {
	v, err := Decode(inv.restJSON)
	if err != nil {
		return nil, err
	}
	doc := v.(map[string]any)
	for k, t := range inv.tables {
		if t == nil {
			continue
		}
		m, err := t.value()
		if err != nil {
			return nil, err
		}
		doc["resources"].(map[string]any)[Kinds[k]] = m
	}
	return doc, nil
}

func (t *table) value() (map[string]any, error) {
	m := make(map[string]any, t.n)
	var err error
	t.each(func(id string, raw []byte) bool {
		var v any
		if v, err = Decode(raw); err != nil {
			return false
		}
		m[id] = v
		return true
	})
	return m, err
}

// AppendJSON appends the canonical JSON of the value at path (as Value
// finds it) and tells whether there is one. The whole document is written
// from the stored bytes, without decoding a resource.
func (inv *Inventory) AppendJSON(dst []byte, path []string) ([]byte, bool, error) {
	switch {
	case len(path) == 0:
		dst, err := inv.appendDoc(dst)
		return dst, err == nil, err
	case len(path) == 1 && path[0] == "resources":
		if _, ok := inv.rest["resources"]; !ok {
			return dst, false, nil
		}
		dst, err := inv.appendResources(dst)
		return dst, err == nil, err
	case len(path) == 2 && path[0] == "resources" && KindIndex(path[1]) >= 0:
		t := inv.tables[KindIndex(path[1])]
		if t == nil {
			return dst, false, nil
		}
		dst, err := t.appendJSON(dst)
		return dst, err == nil, err
	case len(path) == 3 && path[0] == "resources" && KindIndex(path[1]) >= 0:
		raw, ok := inv.Resource(path[1], path[2])
		return append(dst, raw...), ok, nil
	}
	v, ok, err := inv.Value(path)
	if err != nil || !ok {
		return dst, false, err
	}
	dst, err = AppendCanonical(dst, v)
	return dst, err == nil, err
}

// appendDoc writes rest with the tables spliced into resources, members in
// canonical order.
func (inv *Inventory) appendDoc(dst []byte) ([]byte, error) {
	keys := slices.Sorted(maps.Keys(inv.rest))
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendName(dst, k); err != nil {
			return nil, err
		}
		if k == "resources" {
			dst, err = inv.appendResources(dst)
		} else {
			dst, err = AppendCanonical(dst, inv.rest[k])
		}
		if err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func (inv *Inventory) appendResources(dst []byte) ([]byte, error) {
	res, ok := inv.rest["resources"].(map[string]any)
	if !ok {
		// Not an object (validation is the caller's), so no keyed kinds
		// in it: written as it is.
		return AppendCanonical(dst, inv.rest["resources"])
	}
	names := slices.Collect(maps.Keys(res))
	for k, t := range inv.tables {
		if t != nil {
			names = append(names, Kinds[k])
		}
	}
	slices.Sort(names)
	dst = append(dst, '{')
	for i, name := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendName(dst, name); err != nil {
			return nil, err
		}
		if k := KindIndex(name); k >= 0 && inv.tables[k] != nil {
			dst, err = inv.tables[k].appendJSON(dst)
		} else {
			dst, err = AppendCanonical(dst, res[name])
		}
		if err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func (t *table) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	var err error
	t.each(func(id string, raw []byte) bool {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if dst, err = appendName(dst, id); err != nil {
			return false
		}
		dst = append(dst, raw...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendName appends an object member's name and the colon.
func appendName(dst []byte, name string) ([]byte, error) {
	dst, err := AppendCanonical(dst, name)
	return append(dst, ':'), err
}

// Lookup is the value at path in doc, and whether there is one: a segment
// names an object's member, or an array's element by its index as
// ArrayIndex reads it, as OPA's storage reads a path.
func Lookup(doc any, path []string) (any, bool) {
	for _, seg := range path {
		switch v := doc.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			doc = next
		case []any:
			i, ok := ArrayIndex(seg, len(v))
			if !ok {
				return nil, false
			}
			doc = v[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// ArrayIndex reads seg as an index into an array of n elements as OPA's
// inmem store does (util.Atoi: a sign and trailing decimal zeroes allowed,
// "01", "+1" and "1.0" are 1), so that a read of a stored resource answers
// what stock OPA holding the same document answers.
func ArrayIndex(seg string, n int) (int, bool) {
	i, ok := util.Atoi(seg)
	if !ok || i < 0 || i >= n {
		return 0, false
	}
	return i, true
}
