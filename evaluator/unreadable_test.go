package evaluator

import (
	"github.com/imgadmit/imgadmit/internal/factstore"

	"context"
	"strings"
	"testing"
)

// TestUnreadableFactFailsClosed: a fact a rule's builtin cannot read stops
// the decision (strict builtin errors) instead of leaving the rule silently
// undefined: the caller gets an internal error, and the sidecar's answer for
// it is REQ-004, a deny. The schemas refuse such values before evaluation
// (TestRealValues); here they reach the rulebook around the schema, as they
// would in data loaded some other way, once per rule that parses a fact:
// ECS-IMG-005 reads two times, and the notes that list ids sort them.
func TestUnreadableFactFailsClosed(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	image := map[string]any{"m-1": map[string]any{"source_instance_id": "i-src", "snapshot_ids": []any{"s-1"}}}
	create := func(server map[string]any) map[string]any {
		return map[string]any{
			"provider": "alibabacloud", "operation": "server.create", "region": "cn-hangzhou",
			"params":    map[string]any{"image_id": "m-1", "name": "web-2"},
			"resources": map[string]any{"images": image, "servers": map[string]any{"i-src": server}},
		}
	}
	cases := []struct {
		name      string
		request   map[string]any
		inventory map[string]any
		says      string
	}{
		{"ECS-IMG-005 expired_at in year 1", create(map[string]any{"expired_at": "0001-01-01T00:00:00Z", "payment_overdue_since": nil}), nil, "time outside of valid range"},
		{"ECS-IMG-005 expired_at in year 1000", create(map[string]any{"expired_at": "1000-01-01T00:00:00Z", "payment_overdue_since": nil}), nil, "time outside of valid range"},
		{"ECS-IMG-005 expired_at at second 60", create(map[string]any{"expired_at": "2026-06-30T23:59:60Z", "payment_overdue_since": nil}), nil, "second out of range"},
		{"ECS-IMG-005 payment_overdue_since not a time", create(map[string]any{"expired_at": nil, "payment_overdue_since": "yesterday"}), nil, "cannot parse"},
		{"ECS-IMG-005 from the inventory", create(map[string]any{}),
			map[string]any{"resources": map[string]any{"servers": map[string]any{"i-src": map[string]any{"expired_at": "0001-01-01T00:00:00Z", "payment_overdue_since": nil}}}},
			"time outside of valid range"},
		{"CBR-007 backup_ids not a list", map[string]any{
			"provider": "huaweicloud", "operation": "disk.delete", "region": "cn-north-4",
			"params":    map[string]any{"disk_id": "d-1"},
			"resources": map[string]any{"disks": map[string]any{"d-1": map[string]any{"backup_ids": "bk-1"}}},
		}, nil, "sort"},
		{"ECS-SNAP-001 image_ids not a list", map[string]any{
			"provider": "alibabacloud", "operation": "snapshot.delete", "region": "cn-hangzhou",
			"params":    map[string]any{"snapshot_id": "s-1"},
			"resources": map[string]any{"snapshots": map[string]any{"s-1": map[string]any{"image_ids": "m-1,m-2"}}},
		}, nil, "sort"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if errs := e.validator.validateRequest(tc.request); tc.inventory == nil && len(errs) == 0 {
				t.Fatalf("the schema accepts %v: nothing to bypass", tc.request)
			}
			ev := e
			if tc.inventory != nil {
				if errs := e.validator.validateInventory(tc.inventory); len(errs) == 0 {
					t.Fatalf("the schema accepts the inventory: nothing to bypass")
				}
				facts, err := factstore.FromValue(tc.inventory) // around the schema
				if err != nil {
					t.Fatal(err)
				}
				st, err := e.prepare(context.Background(), e.state.Load().book, facts, nil)
				if err != nil {
					t.Fatal(err)
				}
				ev = &Evaluator{validator: e.validator}
				ev.state.Store(st)
			}
			req := newRequest(tc.request) // around the schema
			_, err := ev.DecideRequest(context.Background(), req, DecideOptions{Now: testNow})
			if CodeOf(err) != CodeInternal || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("decide: %v, want an internal error saying %q", err, tc.says)
			}
			d := ev.FailClosed(req, err)
			if d.Allowed || len(d.Reasons) != 1 || d.Reasons[0].ID != FailClosedID || d.Reasons[0].Effect != EffectDeny {
				t.Errorf("fail-closed decision %+v", d)
			}
		})
	}
}
