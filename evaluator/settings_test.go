package evaluator

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestWaiverIndex: the whole index imgadmit loads as data.imgadmit_index,
// which lib/settings.rego reads (its own tests build a Rego copy of it):
// each waiver under its rule, by the resources it names, else by its
// projects, else under "any", as [position, waiver], in the settings' order.
func TestWaiverIndex(t *testing.T) {
	waiver := func(rule string, members map[string]any) map[string]any {
		w := map[string]any{"rule": rule, "expires": "2027-01-31T00:00:00Z", "reason": "r", "approved_by": "a"}
		for k, v := range members {
			w[k] = v
		}
		return w
	}
	onResources := waiver("IMS-FE-006", map[string]any{"resources": []any{"srv-1", "srv-2"}})
	onProjects := waiver("IMS-FE-006", map[string]any{"projects": []any{"p1", "p2"}})
	onAny := waiver("IMS-FE-006", nil)
	onBoth := waiver("IMS-FE-006", map[string]any{"resources": []any{"srv-1"}, "projects": []any{"p1"}})
	other := waiver("CBR-004", map[string]any{"resources": []any{"bk-1"}})
	laterAny := waiver("IMS-FE-006", nil)
	inventory := func(waivers ...any) map[string]any {
		return map[string]any{"settings": map[string]any{"waivers": waivers}}
	}
	rule := func(byResource, byProject map[string]any, anyEntries ...any) map[string]any {
		r := map[string]any{"by_resource": byResource, "by_project": byProject}
		if len(anyEntries) > 0 {
			r["any"] = anyEntries
		}
		return r
	}
	none := map[string]any{}
	cases := []struct {
		name string
		inv  map[string]any
		want map[string]any
	}{
		{"no inventory settings", map[string]any{"resources": map[string]any{}}, nil},
		{"no waivers", inventory(), nil},
		{"resources", inventory(onResources), map[string]any{"waivers_by_rule": map[string]any{
			"IMS-FE-006": rule(map[string]any{"srv-1": []any{[]any{0, onResources}}, "srv-2": []any{[]any{0, onResources}}}, none)}}},
		{"projects", inventory(onProjects), map[string]any{"waivers_by_rule": map[string]any{
			"IMS-FE-006": rule(none, map[string]any{"p1": []any{[]any{0, onProjects}}, "p2": []any{[]any{0, onProjects}}})}}},
		{"neither", inventory(onAny), map[string]any{"waivers_by_rule": map[string]any{
			"IMS-FE-006": rule(none, none, []any{0, onAny})}}},
		{"both: filed by its resources alone", inventory(onBoth), map[string]any{"waivers_by_rule": map[string]any{
			"IMS-FE-006": rule(map[string]any{"srv-1": []any{[]any{0, onBoth}}}, none)}}},
		{"several per rule, in the settings' order", inventory(onAny, onResources, other, onBoth, onProjects, laterAny),
			map[string]any{"waivers_by_rule": map[string]any{
				"IMS-FE-006": rule(
					map[string]any{"srv-1": []any{[]any{1, onResources}, []any{3, onBoth}}, "srv-2": []any{[]any{1, onResources}}},
					map[string]any{"p1": []any{[]any{4, onProjects}}, "p2": []any{[]any{4, onProjects}}},
					[]any{0, onAny}, []any{5, laterAny}),
				"CBR-004": rule(map[string]any{"bk-1": []any{[]any{2, other}}}, none),
			}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := WaiverIndex(tc.inv)
			if !reflect.DeepEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Errorf("index\n got %s\nwant %s", g, w)
			}
		})
	}
}
