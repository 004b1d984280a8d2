package factstore

import (
	"fmt"
)

// Exists tells whether the inventory document has a value at path, without
// decoding more than the one resource the path may be in.
func (inv *Inventory) Exists(path []string) (bool, error) {
	switch {
	case len(path) == 0:
		return true, nil
	case len(path) == 1 && path[0] == "resources":
		_, ok := inv.rest["resources"]
		return ok, nil
	case len(path) == 2 && path[0] == "resources" && KindIndex(path[1]) >= 0:
		return inv.tables[KindIndex(path[1])] != nil, nil
	case len(path) == 3 && path[0] == "resources" && KindIndex(path[1]) >= 0:
		_, ok := inv.Resource(path[1], path[2])
		return ok, nil
	}
	_, ok, err := inv.Value(path)
	return ok, err
}

// RestValue is the document without the keyed kinds' objects (Rest), new
// and the caller's to change.
func (inv *Inventory) RestValue() (map[string]any, error) {
	v, err := Decode(inv.restJSON)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// WithKinds is inv with an object for each of kinds (keyed), an empty one
// where inv has none.
func (inv *Inventory) WithKinds(kinds []string) (*Inventory, error) {
	tables := inv.tables
	changed := false
	for _, kind := range kinds {
		k := KindIndex(kind)
		if k < 0 {
			return nil, fmt.Errorf("%q is not a kind of resource keyed by id", kind)
		}
		if tables[k] == nil {
			tables[k], changed = &table{}, true
		}
	}
	if !changed {
		return inv, nil
	}
	return build(inv.rest, tables)
}
