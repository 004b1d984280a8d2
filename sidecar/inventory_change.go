package sidecar

import (
	"context"
	"fmt"
	"maps"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/factstore"
)

// inventoryChange is a change the Data API makes to the inventory: a whole
// new one, or an edit at paths below /v1/data/inventory.
type inventoryChange struct {
	// whole, when set, is the new inventory, made of the one serving.
	whole func(cur *factstore.Inventory) (*factstore.Inventory, error)
	// paths are the paths below the inventory edit writes at (or removes);
	// edit makes the change to a document that holds what they reach.
	paths [][]string
	edit  func(doc map[string]any) (map[string]any, error)
}

// editScope is the part of the inventory an edit at some paths reaches: the
// resources of keyed kinds it names, whether it reaches the rest (settings,
// the account), and whether it reaches a whole kind or more, which only the
// whole document holds.
type editScope struct {
	whole     bool
	rest      bool
	resources map[[2]string]bool // kind, id
}

func scopeOf(paths [][]string) editScope {
	sc := editScope{resources: map[[2]string]bool{}}
	for _, p := range paths {
		switch {
		case len(p) == 0, len(p) == 1 && p[0] == "resources":
			sc.whole = true
		case p[0] == "resources" && factstore.KindIndex(p[1]) >= 0:
			if len(p) == 2 {
				sc.whole = true
				continue
			}
			sc.resources[[2]string{p[1], p[2]}] = true
		default:
			sc.rest = true
		}
	}
	return sc
}

// applyChange makes c to cur, the inventory serving e, and makes the
// result serve. An edit that reaches only some resources (and the settings)
// decodes those alone, edits them as the whole document would be edited,
// and hands e the resources changed: at a million resources, a change to
// one costs what it costs at ten. A fact dated by when it was first seen
// keeps the date cur gives it.
func applyChange(ctx context.Context, e *evaluator.Evaluator, cur *factstore.Inventory, c inventoryChange) error {
	if c.whole != nil {
		next, err := c.whole(cur)
		if err != nil {
			return err
		}
		if next, err = cloudfacts.KeepFirstSeenFacts(cur, next); err != nil {
			return err
		}
		return e.ReplaceInventory(ctx, next)
	}
	sc := scopeOf(c.paths)
	if sc.whole {
		doc, err := cur.Map()
		if err != nil {
			return err
		}
		next, err := c.edit(doc)
		if err != nil {
			return err
		}
		// The edit copies what it changes (edit, patchOp.apply): doc is
		// still the inventory serving.
		return e.SetInventory(ctx, cloudfacts.KeepFirstSeen(doc, next))
	}
	doc, err := partialDoc(cur, sc)
	if err != nil {
		return err
	}
	next, err := c.edit(doc)
	if err != nil {
		return err
	}
	next = cloudfacts.KeepFirstSeen(doc, next)
	rest, changes, err := splitEdit(cur, sc, next)
	if err != nil {
		return err
	}
	return e.EditInventory(ctx, cur.Revision(), rest, changes)
}

// partialDoc is the inventory document as far as sc reaches: the rest
// (settings, the account, whatever else the document has), an object for
// each keyed kind the inventory has, and in them the resources sc names.
// An edit of it at sc's paths does what the same edit of the whole document
// does there.
func partialDoc(cur *factstore.Inventory, sc editScope) (map[string]any, error) {
	doc, err := cur.RestValue()
	if err != nil {
		return nil, err
	}
	res, ok := doc["resources"].(map[string]any)
	if !ok {
		return doc, nil
	}
	for _, kind := range factstore.Kinds {
		if cur.HasKind(kind) {
			res[kind] = map[string]any{}
		}
	}
	for r := range sc.resources {
		byID, ok := res[r[0]].(map[string]any)
		if !ok {
			continue
		}
		if v, ok, err := cur.Value([]string{"resources", r[0], r[1]}); err != nil {
			return nil, err
		} else if ok {
			byID[r[1]] = v
		}
	}
	return doc, nil
}

// splitEdit reads an edited partial document back: the rest (nil when sc
// does not reach it) and a change for each resource sc names.
//
// An edit scoped below resources/<kind>/<id> can make a kind's object only
// by writing a resource in it (a PUT makes the parents; JSON Patch makes
// none), and removes one never: EditInventory makes the object with the
// resource. Anything else would be a change the changes cannot say, and is
// refused rather than half made.
func splitEdit(cur *factstore.Inventory, sc editScope, next map[string]any) (map[string]any, []evaluator.ResourceChange, error) {
	res, _ := next["resources"].(map[string]any)
	for _, kind := range factstore.Kinds {
		byID, has := res[kind].(map[string]any)
		if has != cur.HasKind(kind) && (!has || len(byID) == 0) {
			return nil, nil, fmt.Errorf("the edit made or removed resources/%s itself, which an edit of its resources cannot", kind)
		}
	}
	var rest map[string]any
	if sc.rest {
		rest = maps.Clone(next)
		if res != nil {
			restRes := maps.Clone(res)
			for _, kind := range factstore.Kinds {
				delete(restRes, kind)
			}
			rest["resources"] = restRes
		}
	}
	changes := make([]evaluator.ResourceChange, 0, len(sc.resources))
	for r := range sc.resources {
		byID, _ := res[r[0]].(map[string]any)
		v, ok := byID[r[1]]
		changes = append(changes, evaluator.ResourceChange{Kind: r[0], ID: r[1], Value: v, Remove: !ok})
	}
	return rest, changes, nil
}
