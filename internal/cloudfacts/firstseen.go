package cloudfacts

import (
	"bytes"
	"time"

	"github.com/imgadmit/imgadmit/internal/factstore"
)

// firstSeen are the facts dated by when a response first showed them, not
// by an attribute of their own: Alibaba's payment_overdue_since (a
// financial operation lock has no date). Read again, such a fact would be
// dated later at every sync, and a rule that counts days from it (ECS-IMG-005:
// snapshots are released 15 days after a payment becomes overdue) would
// never reach its deadline.
var firstSeen = map[string][]string{"servers": {"payment_overdue_since"}}

// KeepFirstSeen carries the first-seen facts of prev, the inventory an
// earlier sync or import made, into next, the one made now: a resource that
// still has the fact keeps the earlier date. It changes next and returns it.
func KeepFirstSeen(prev, next map[string]any) map[string]any {
	prevRes, _ := prev["resources"].(map[string]any)
	nextRes, _ := next["resources"].(map[string]any)
	if prevRes == nil || nextRes == nil {
		return next
	}
	for kind, names := range firstSeen {
		before, _ := prevRes[kind].(map[string]any)
		now, _ := nextRes[kind].(map[string]any)
		for id, r := range now {
			keep(before[id], r, names)
		}
	}
	return next
}

// earlier reports whether a and b are both times and a is before b.
func earlier(a, b any) bool {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if !ok1 || !ok2 {
		return false
	}
	at, err1 := time.Parse(time.RFC3339, as)
	bt, err2 := time.Parse(time.RFC3339, bs)
	return err1 == nil && err2 == nil && at.Before(bt)
}

// KeepFirstSeenFacts is KeepFirstSeen for stored inventories: next with the
// first-seen facts of prev carried in. Only the resources whose stored facts
// differ are decoded, so an inventory sent again costs a comparison per
// resource. The dates carried come from prev, which was checked.
func KeepFirstSeenFacts(prev, next *factstore.Inventory) (*factstore.Inventory, error) {
	var changes []factstore.Change
	var err error
	for kind, names := range firstSeen {
		next.Each(kind, func(id string, raw []byte) bool {
			old, ok := prev.Resource(kind, id)
			if !ok || bytes.Equal(old, raw) {
				return true
			}
			var before, now any
			if before, err = factstore.Decode(old); err != nil {
				return false
			}
			if now, err = factstore.Decode(raw); err != nil {
				return false
			}
			if !keep(before, now, names) {
				return true
			}
			var v []byte
			if v, err = factstore.AppendCanonical(nil, now); err != nil {
				return false
			}
			changes = append(changes, factstore.Change{Kind: kind, ID: id, Value: v})
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	if len(changes) == 0 {
		return next, nil
	}
	return next.With(nil, changes)
}

// KeepFirstSeenFrom is KeepFirstSeen with prev a stored inventory: it
// changes next and returns it.
func KeepFirstSeenFrom(prev *factstore.Inventory, next map[string]any) (map[string]any, error) {
	nextRes, _ := next["resources"].(map[string]any)
	for kind, names := range firstSeen {
		now, _ := nextRes[kind].(map[string]any)
		for id, r := range now {
			old, ok := prev.Resource(kind, id)
			if !ok {
				continue
			}
			before, err := factstore.Decode(old)
			if err != nil {
				return nil, err
			}
			keep(before, r, names)
		}
	}
	return next, nil
}

// keep carries the earlier first-seen facts names of before into now, and
// tells whether it changed now.
func keep(before, now any, names []string) bool {
	res, _ := now.(map[string]any)
	old, _ := before.(map[string]any)
	if res == nil || old == nil {
		return false
	}
	changed := false
	for _, name := range names {
		if earlier(old[name], res[name]) {
			res[name] = old[name]
			changed = true
		}
	}
	return changed
}
