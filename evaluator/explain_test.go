package evaluator

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// TestExplainReasons: each reason's rule and the facts it read, with their
// origin taken from what the evaluation read: the inventory's resource over
// the request's; the request's when the inventory has none; none for a rule
// that reads only the request's parameters. A deny the settings relax
// (warn, dryrun, waived) or enforce (deny) is explained as the deny the
// rule gave.
func TestExplainReasons(t *testing.T) {
	inventory := func(settings map[string]any) map[string]any {
		inv := map[string]any{"resources": map[string]any{"servers": map[string]any{
			"srv-1": map[string]any{"status": "stopped", "image_creation_in_progress": true}}}}
		if settings != nil {
			inv["settings"] = settings
		}
		return inv
	}
	enforced := func(mode string) *Evaluator {
		return newTestEvaluator(t, Options{Inventory: inventory(map[string]any{
			"enforcement": map[string]any{"IMS-FE-006": mode}})})
	}
	withInventory := newTestEvaluator(t, Options{Inventory: inventory(nil)})
	waived := newTestEvaluator(t, Options{Inventory: inventory(map[string]any{"waivers": []any{
		map[string]any{"rule": "IMS-FE-006", "resources": []any{"srv-1"}, "expires": "2027-01-31T00:00:00Z",
			"reason": "image job stuck", "approved_by": "cloud-platform-team"}}})})
	plain := newTestEvaluator(t, Options{})
	fe006 := RuleRef{Name: "imgadmit.rules.reasons", File: "rules/ims_fe_006.rego", Line: 18}
	startFacts := func(origin string) []Fact {
		return []Fact{{Kind: "servers", ID: "srv-1", Field: "image_creation_in_progress", Origin: origin},
			{Kind: "servers", ID: "srv-1", Field: "status", Origin: origin}}
	}
	const startInProgress = `{"provider":"huaweicloud","operation":"server.start","params":{"server_id":"srv-1"},
	 "resources":{"servers":{"srv-1":{"status":"stopped","image_creation_in_progress":true}}}}`
	cases := []struct {
		name string
		e    *Evaluator
		req  string
		// decided are the decision's reasons, "effect id": the settings did apply.
		decided []string
		want    []ReasonExplanation
	}{
		{"inventory overrules the request", withInventory, startStoppedServer, []string{"deny IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromInventory)}}},
		{"enforcement warn", enforced("warn"), startStoppedServer, []string{"warn IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromInventory)}}},
		{"enforcement dryrun", enforced("dryrun"), startStoppedServer, []string{"dryrun IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromInventory)}}},
		{"enforcement deny", enforced("deny"), startStoppedServer, []string{"deny IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromInventory)}}},
		{"waived", waived, startStoppedServer, []string{"waived IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromInventory)}}},
		{"request facts", plain, startInProgress, []string{"deny IMS-FE-006"},
			[]ReasonExplanation{{ID: "IMS-FE-006", Rule: fe006, Facts: startFacts(FromRequest)}}},
		{"no fact read", plain, `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}}`, []string{"deny CBR-004"},
			[]ReasonExplanation{{ID: "CBR-004", Rule: RuleRef{Name: "imgadmit.rules.reasons", File: "rules/cbr_004.rego", Line: 17}, Facts: []Fact{}}}},
		{"allowed, nothing to explain", plain, startStoppedServer, []string{}, []ReasonExplanation{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.e.Decide(context.Background(), []byte(tc.req), FormatJSON, DecideOptions{Now: testNow, Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(d); !reflect.DeepEqual(got, tc.decided) {
				t.Errorf("decided %q, want %q", got, tc.decided)
			}
			if d.Explanation == nil || len(d.Explanation.Trace) == 0 {
				t.Fatal("no explanation, or no trace")
			}
			if !reflect.DeepEqual(d.Explanation.Reasons, tc.want) {
				got, _ := json.Marshal(d.Explanation.Reasons)
				want, _ := json.Marshal(tc.want)
				t.Errorf("reasons explained\n got %s\nwant %s", got, want)
			}
			// The same decision, explained or not; the explanation is not in its JSON.
			plainD, err := tc.e.Decide(context.Background(), []byte(tc.req), FormatJSON, DecideOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if plainD.Explanation != nil {
				t.Error("an unexplained decision has an explanation")
			}
			d.DecisionID, plainD.DecisionID = "", ""
			a, _ := json.Marshal(d)
			b, _ := json.Marshal(plainD)
			if string(a) != string(b) {
				t.Errorf("explained decision %s\nplain decision %s", a, b)
			}
		})
	}
}
