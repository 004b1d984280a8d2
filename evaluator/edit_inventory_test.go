package evaluator

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// srvFacts are the facts of srv-1 (startStoppedServer's server), being
// imaged or not.
func srvFacts(imaging bool) map[string]any {
	return map[string]any{"status": "stopped", "image_creation_in_progress": imaging}
}

// waiverOf is a waiver of rule for srv-1, active at testNow.
func waiverOf(rule string) map[string]any {
	return map[string]any{"rule": rule, "resources": []any{"srv-1"}, "expires": "2027-01-31T00:00:00Z",
		"reason": "ticket 1", "approved_by": "team"}
}

// docOf is v as a decoded document (json.Number for numbers), as the
// callers of FactsOf hand it.
func docOf(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseInventory(raw, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestEditInventory makes one edit to an evaluator serving base and
// compares what it serves after with an evaluator given the whole document
// it should now have: the same revision, the same document, the same
// decision of startStoppedServer. An edit refused leaves everything as it
// was.
func TestEditInventory(t *testing.T) {
	base := map[string]any{
		"settings":  map[string]any{"missing_facts": "deny"},
		"resources": map[string]any{"servers": map[string]any{"srv-1": srvFacts(false), "srv-2": srvFacts(true)}},
	}
	type edit struct {
		stale   bool // cur is a revision that is not the one serving
		rest    map[string]any
		changes []ResourceChange
	}
	for _, tc := range []struct {
		name string
		edit edit
		// want is the document after; nil: base (no change).
		want    map[string]any
		reasons []string
		// err is the error's code and field errors; "" for none.
		err     string
		errs    []FieldError
		message string
	}{
		{name: "nothing", want: nil, reasons: []string{}},
		{
			name:    "a change decides otherwise",
			edit:    edit{changes: []ResourceChange{{Kind: "servers", ID: "srv-1", Value: srvFacts(true)}}},
			want:    map[string]any{"settings": map[string]any{"missing_facts": "deny"}, "resources": map[string]any{"servers": map[string]any{"srv-1": srvFacts(true), "srv-2": srvFacts(true)}}},
			reasons: []string{"deny IMS-FE-006"},
		},
		{
			name: "the same facts again: no change",
			edit: edit{changes: []ResourceChange{{Kind: "servers", ID: "srv-1", Value: srvFacts(false)}}},
			want: nil, reasons: []string{},
		},
		{
			name:    "removed: the request's facts decide",
			edit:    edit{changes: []ResourceChange{{Kind: "servers", ID: "srv-2", Remove: true}, {Kind: "servers", ID: "srv-1", Remove: true}}},
			want:    map[string]any{"settings": map[string]any{"missing_facts": "deny"}, "resources": map[string]any{"servers": map[string]any{}}},
			reasons: []string{},
		},
		{
			name: "a missing id removed: no change",
			edit: edit{changes: []ResourceChange{{Kind: "servers", ID: "srv-9", Remove: true}, {Kind: "images", ID: "img-1", Remove: true}}},
			want: nil, reasons: []string{},
		},
		{
			name: "a kind the inventory lacks",
			edit: edit{changes: []ResourceChange{{Kind: "images", ID: "img-1", Value: map[string]any{"status": "active"}}}},
			want: map[string]any{"settings": map[string]any{"missing_facts": "deny"}, "resources": map[string]any{
				"servers": map[string]any{"srv-1": srvFacts(false), "srv-2": srvFacts(true)},
				"images":  map[string]any{"img-1": map[string]any{"status": "active"}}}},
			reasons: []string{},
		},
		{
			name: "added, then changed, in one edit: the last wins",
			edit: edit{changes: []ResourceChange{
				{Kind: "servers", ID: "srv-3", Value: srvFacts(false)},
				{Kind: "servers", ID: "srv-3", Value: srvFacts(true)},
				{Kind: "servers", ID: "srv-1", Value: srvFacts(true)},
			}},
			want: map[string]any{"settings": map[string]any{"missing_facts": "deny"}, "resources": map[string]any{"servers": map[string]any{
				"srv-1": srvFacts(true), "srv-2": srvFacts(true), "srv-3": srvFacts(true)}}},
			reasons: []string{"deny IMS-FE-006"},
		},
		{
			name: "a waiver added through rest, with the change it waives",
			edit: edit{
				rest:    map[string]any{"settings": map[string]any{"waivers": []any{waiverOf("IMS-FE-006")}}, "resources": map[string]any{}},
				changes: []ResourceChange{{Kind: "servers", ID: "srv-1", Value: srvFacts(true)}},
			},
			want: map[string]any{"settings": map[string]any{"waivers": []any{waiverOf("IMS-FE-006")}}, "resources": map[string]any{"servers": map[string]any{
				"srv-1": srvFacts(true), "srv-2": srvFacts(true)}}},
			reasons: []string{"waived IMS-FE-006"},
		},
		{
			name: "settings changed through rest alone",
			edit: edit{rest: map[string]any{"settings": map[string]any{"trust_request_facts": false}, "resources": map[string]any{"account": map[string]any{"in_arrears": false}}}},
			want: map[string]any{"settings": map[string]any{"trust_request_facts": false}, "resources": map[string]any{
				"account": map[string]any{"in_arrears": false},
				"servers": map[string]any{"srv-1": srvFacts(false), "srv-2": srvFacts(true)}}},
			// The inventory's facts of srv-1 decide: it is not being imaged.
			reasons: []string{},
		},
		{
			name: "a bad resource",
			edit: edit{changes: []ResourceChange{
				{Kind: "servers", ID: "srv-1", Value: srvFacts(true)},
				{Kind: "servers", ID: "srv-2", Value: map[string]any{"status": 5}},
			}},
			err:     CodeInvalidInventory,
			message: "the inventory does not match its schema",
			errs:    []FieldError{{Pointer: "/resources/servers/srv-2/status", Message: "expected string, but got number"}},
		},
		{
			name:    "a bad id",
			edit:    edit{changes: []ResourceChange{{Kind: "servers", ID: "srv-1 ", Value: srvFacts(true)}}},
			err:     CodeInvalidInventory,
			message: "the inventory does not match its schema",
			errs: []FieldError{{Pointer: "/resources/servers/srv-1 ", Message: "does not match the expected format: an id: 1-255 characters, no control or format characters " +
				"(U+0000-U+001F, U+007F-U+009F, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064, U+FEFF) and no whitespace at either end"}},
		},
		{
			name:    "bad settings",
			edit:    edit{rest: map[string]any{"settings": map[string]any{"missing_facts": "maybe"}}},
			err:     CodeInvalidInventory,
			message: "the inventory does not match its schema",
			errs:    []FieldError{{Pointer: "/settings/missing_facts", Message: `value must be one of "deny", "warn", but got "maybe"`}},
		},
		{
			name:    "settings the rulebook refuses",
			edit:    edit{rest: map[string]any{"settings": map[string]any{"waivers": []any{waiverOf("REQ-002")}}, "resources": map[string]any{}}},
			err:     CodeInvalidInventory,
			message: "the inventory's settings do not fit the rulebook",
		},
		{
			name:    "a kind not keyed by id",
			edit:    edit{changes: []ResourceChange{{Kind: "account", ID: "in_arrears", Value: true}}},
			err:     CodeInvalidInventory,
			message: `"account" is not a kind of resource keyed by id`,
		},
		{
			name:    "a stale revision",
			edit:    edit{stale: true, changes: []ResourceChange{{Kind: "servers", ID: "srv-1", Value: srvFacts(true)}}},
			err:     CodeInvalidInventory,
			message: "the inventory changed while the change was made",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newTestEvaluator(t, Options{Inventory: docOf(t, base)})
			before, rev := e.InventorySnapshot()
			cur := rev
			if tc.edit.stale {
				cur = "sha256:0000"
			}
			err := e.EditInventory(ctx, cur, tc.edit.rest, tc.edit.changes)
			after, afterRev := e.InventorySnapshot()
			if tc.err != "" {
				var ee *Error
				if !errors.As(err, &ee) {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				if ee.Code != tc.err || len(ee.Message) < len(tc.message) || ee.Message[:len(tc.message)] != tc.message {
					t.Errorf("err = %s %q, want %s %q", ee.Code, ee.Message, tc.err, tc.message)
				}
				if tc.errs != nil && !reflect.DeepEqual(ee.Errors, tc.errs) {
					t.Errorf("errors\n%#v\nwant\n%#v", ee.Errors, tc.errs)
				}
				// Refused: the inventory serving is the one before, whole.
				if after != before || afterRev != rev {
					t.Errorf("a refused edit changed the inventory")
				}
				if got := ids(mustDecide(t, e, startStoppedServer)); !reflect.DeepEqual(got, []string{}) {
					t.Errorf("after a refused edit: reasons %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("EditInventory: %v", err)
			}
			want := tc.want
			if want == nil {
				want = base
				if after != before {
					t.Errorf("no change made a new inventory")
				}
			}
			wantFacts, err := FactsOf(docOf(t, want))
			if err != nil {
				t.Fatal(err)
			}
			if afterRev != wantFacts.Revision() || after.Revision() != afterRev || e.InventoryRevision() != afterRev {
				t.Errorf("revision %s (inventory %s), want %s, FactsOf's of the whole document", afterRev, after.Revision(), wantFacts.Revision())
			}
			gotDoc, _ := after.Map()
			wantDoc, _ := wantFacts.Map()
			if !reflect.DeepEqual(gotDoc, wantDoc) {
				t.Errorf("document\n%v\nwant\n%v", gotDoc, wantDoc)
			}
			// Decided as an evaluator given the whole document decides.
			whole := newTestEvaluator(t, Options{Inventory: docOf(t, want)})
			got, wantD := mustDecide(t, e, startStoppedServer), mustDecide(t, whole, startStoppedServer)
			if !reflect.DeepEqual(ids(got), tc.reasons) || !reflect.DeepEqual(ids(wantD), tc.reasons) {
				t.Errorf("reasons %v (whole document: %v), want %v", ids(got), ids(wantD), tc.reasons)
			}
			if got.Allowed != wantD.Allowed {
				t.Errorf("allowed %v, whole document %v", got.Allowed, wantD.Allowed)
			}
		})
	}
}

// TestEditInventoryKeepsSettingsState: a change to a resource alone shares
// the settings-derived state (the overridden settings, the waiver index)
// of the inventory it changes; a change to the settings rebuilds it.
func TestEditInventoryKeepsSettingsState(t *testing.T) {
	ctx := context.Background()
	inv := docOf(t, map[string]any{"settings": map[string]any{"waivers": []any{waiverOf("IMS-FE-006")}}, "resources": map[string]any{}})
	e := newTestEvaluator(t, Options{Inventory: inv})
	first := e.state.Load()
	if err := e.EditInventory(ctx, "", nil, []ResourceChange{{Kind: "servers", ID: "srv-1", Value: srvFacts(true)}}); err != nil {
		t.Fatal(err)
	}
	second := e.state.Load()
	if reflect.ValueOf(second.rest).Pointer() != reflect.ValueOf(first.rest).Pointer() ||
		reflect.ValueOf(second.extra).Pointer() != reflect.ValueOf(first.extra).Pointer() || second.extra == nil {
		t.Errorf("a resource's change rebuilt the settings' state")
	}
	if got := ids(mustDecide(t, e, startStoppedServer)); !reflect.DeepEqual(got, []string{"waived IMS-FE-006"}) {
		t.Errorf("reasons %v", got)
	}
	if err := e.EditInventory(ctx, "", map[string]any{"settings": map[string]any{}, "resources": map[string]any{}}, nil); err != nil {
		t.Fatal(err)
	}
	if third := e.state.Load(); third.extra != nil {
		t.Errorf("the waivers removed, the waiver index stayed: %v", third.extra)
	}
	if got := ids(mustDecide(t, e, startStoppedServer)); !reflect.DeepEqual(got, []string{"deny IMS-FE-006"}) {
		t.Errorf("reasons %v", got)
	}
}
