package cloudfacts

import (
	"reflect"
	"testing"
)

func TestKeepFirstSeen(t *testing.T) {
	prev := map[string]any{"resources": map[string]any{"servers": map[string]any{
		"i-overdue": map[string]any{"payment_overdue_since": "2026-11-01T00:00:00Z"},
		"i-paid":    map[string]any{"payment_overdue_since": "2026-11-01T00:00:00Z"},
		"i-gone":    map[string]any{"payment_overdue_since": "2026-11-01T00:00:00Z"},
	}}}
	next := map[string]any{"resources": map[string]any{"servers": map[string]any{
		"i-overdue": map[string]any{"payment_overdue_since": "2026-11-20T00:00:00Z", "status": "Stopped"},
		"i-paid":    map[string]any{"payment_overdue_since": nil},
		"i-new":     map[string]any{"payment_overdue_since": "2026-11-20T00:00:00Z"},
	}}}
	want := map[string]any{"resources": map[string]any{"servers": map[string]any{
		// Still overdue: dated when first seen, not now.
		"i-overdue": map[string]any{"payment_overdue_since": "2026-11-01T00:00:00Z", "status": "Stopped"},
		// Paid since: not overdue.
		"i-paid": map[string]any{"payment_overdue_since": nil},
		// Overdue for the first time: now.
		"i-new": map[string]any{"payment_overdue_since": "2026-11-20T00:00:00Z"},
	}}}
	if got := KeepFirstSeen(prev, next); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got := KeepFirstSeen(nil, want); !reflect.DeepEqual(got, want) {
		t.Errorf("no earlier inventory changed the new one: %v", got)
	}
}
