package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestRulesUnderSettings: a rule's waivers counted, the active ones apart,
// and its last expiry the latest in time (+09:00 is earlier than the Z
// that sorts before it as a string), as the inventory writes it.
func TestRulesUnderSettings(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	waiver := func(rule, expires string) map[string]any {
		return map[string]any{"rule": rule, "expires": expires, "reason": "r", "approved_by": "a"}
	}
	inv := map[string]any{"settings": map[string]any{
		"waivers": []any{
			waiver("CBR-004", "2027-01-31T08:00:00+09:00"),
			waiver("CBR-004", "2027-01-30T23:30:00Z"),
			waiver("CBR-004", "2026-11-01T00:00:00Z"),
		},
		"enforcement": map[string]any{"IMS-FE-009": "dryrun"},
	}}
	rules := []evaluator.Rule{
		{ID: "CBR-004", Effect: evaluator.EffectDeny},
		{ID: "IMS-FE-009", Effect: evaluator.EffectDeny},
		{ID: "IMS-IMG-003", Effect: evaluator.EffectWarn, EscalatesTo: evaluator.EffectDeny},
	}
	got, err := rulesUnderSettings(rules, inv, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ruleSettings{
		"CBR-004":     {Effect: "deny", ActiveWaivers: 2, Waivers: 3, LastExpiry: "2027-01-30T23:30:00Z"},
		"IMS-FE-009":  {Effect: "dryrun", Enforcement: "dryrun"},
		"IMS-IMG-003": {Effect: "warn→deny"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
