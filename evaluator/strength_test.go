package evaluator

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestMissingFactStrengthIsTheRules: REQ-002 denies only for a fact a deny
// rule needs, so every facts.missing* record a rule declares must carry that
// rule's own strength: its METADATA effect, or deny for a rule that escalates
// to deny. A literal that says "warn" for a deny rule would let a missing fact
// through; one that says "deny" for a note would refuse what the documents
// allow. A strength computed in Rego (ECS-IMG-005 lowers it while the image's
// snapshots are known to exist) must be one the rule can have.
func TestMissingFactStrengthIsTheRules(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	strength := map[string]map[string]bool{} // rule id -> the effects it may give a missing fact
	for _, r := range e.Rules() {
		strength[r.ID] = map[string]bool{r.Effect: true}
		if r.EscalatesTo != "" {
			strength[r.ID] = map[string]bool{r.EscalatesTo: true, r.Effect: true}
		}
	}
	calls, computed := 0, 0
	for p, m := range ruleModules(t) {
		ast.WalkTerms(m, func(term *ast.Term) bool {
			call, ok := term.Value.(ast.Call)
			if !ok || !isMissingCall(call) {
				return false
			}
			// facts.missing(kind, id, field, rule, effect),
			// facts.missing_account(field, rule, effect): the rule and its
			// strength come last.
			args := call[1:]
			if len(args) < 3 {
				t.Errorf("%s:%d: %s has %d arguments", p, term.Location.Row, call[0], len(args))
				return false
			}
			calls++
			rule, ok := args[len(args)-2].Value.(ast.String)
			if !ok {
				t.Errorf("%s:%d: the rule of %s is %s, want a literal id", p, term.Location.Row, call[0], args[len(args)-2])
				return false
			}
			effects, known := strength[string(rule)]
			if !known {
				t.Errorf("%s:%d: %s names rule %s, which the rulebook does not have", p, term.Location.Row, call[0], string(rule))
				return false
			}
			switch effect := args[len(args)-1].Value.(type) {
			case ast.String:
				want := effects[string(effect)]
				if string(effect) == EffectNote || string(effect) == EffectWarn {
					want = want && !effects[EffectDeny]
				}
				if !want {
					t.Errorf("%s:%d: a fact %s needs is missing at strength %s; the rule's METADATA says %v", p, term.Location.Row, string(rule), string(effect), keys(effects))
				}
			default:
				computed++ // checked below, by evaluation
			}
			return false
		})
	}
	if calls < 40 {
		t.Errorf("found %d facts.missing calls: the rulebook has more", calls)
	}

	// A computed strength is checked by what it gives: ECS-IMG-005 asks about
	// a source instance nothing is known about at warning strength (it may
	// be released, which is no reason to deny).
	req, err := e.RequestOf(jsonDoc(t, `{"provider": "alibabacloud", "operation": "server.create",
		"region": "cn-hangzhou", "params": {"image_id": "m-1", "name": "web-2"},
		"resources": {"images": {"m-1": {"source_instance_id": "i-gone", "snapshot_ids": ["s-1"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.DecideRequest(context.Background(), req, DecideOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range d.Reasons {
		if r.ID == "REQ-002" {
			got = append(got, r.Effect+" "+r.Message)
		}
	}
	want := []string{
		`warn nothing is known about server i-gone (fact "expired_at" is needed by ECS-IMG-005)`,
		`warn nothing is known about server i-gone (fact "payment_overdue_since" is needed by ECS-IMG-005)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || computed == 0 {
		t.Errorf("computed strengths (%d calls): got\n%s\nwant\n%s", computed, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// isMissingCall reports whether call is facts.missing, facts.missing_or_null
// or facts.missing_account.
func isMissingCall(call ast.Call) bool {
	ref, ok := call[0].Value.(ast.Ref)
	if !ok {
		return false
	}
	s := ref.String()
	return s == "facts.missing" || s == "facts.missing_or_null" || s == "facts.missing_account"
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
