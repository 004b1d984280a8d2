package cloudfacts

import "time"

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
			res, _ := r.(map[string]any)
			old, _ := before[id].(map[string]any)
			if res == nil || old == nil {
				continue
			}
			for _, name := range names {
				if earlier(old[name], res[name]) {
					res[name] = old[name]
				}
			}
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
