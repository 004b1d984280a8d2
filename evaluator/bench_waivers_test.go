package evaluator

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// benchWaivers are n waivers spread round-robin over every rule of the
// rulebook that can deny (each of them denies some fixture of the mix, so
// every deny of the mix has ~n/36 candidates to look at). None matches: each
// names a resource no fixture has (res-0000...), and one in ten has expired
// at the fixtures' clock. With matching, the last few instead name no
// resource, so they waive every deny of their rule (CBR-004, IMS-FE-011,
// IMS-IMG-003): the fixtures that get those denies are decided waived,
// after looking at every other candidate of the rule first.
func benchWaivers(e *Evaluator, n int, matching bool) []any {
	var deny []string
	for _, r := range e.Rules() {
		if denies(r) && !strings.HasPrefix(r.ID, "REQ-") {
			deny = append(deny, r.ID)
		}
	}
	waivers := make([]any, 0, n)
	for i := range n {
		w := map[string]any{
			"rule":        deny[i%len(deny)],
			"resources":   []any{fmt.Sprintf("res-%04d", i)},
			"expires":     "2027-01-31T00:00:00Z",
			"reason":      fmt.Sprintf("ticket %d", 4000+i),
			"approved_by": "cloud-platform-team",
		}
		if i%10 == 0 {
			w["expires"] = "2026-11-01T00:00:00Z"
		}
		waivers = append(waivers, w)
	}
	if matching {
		for i, id := range []string{"CBR-004", "IMS-FE-011", "IMS-IMG-003"} {
			waivers[n-1-i] = map[string]any{"rule": id, "expires": "2027-01-31T00:00:00Z", "reason": "matches", "approved_by": "cloud-platform-team"}
		}
	}
	return waivers
}

// BenchmarkDecideWaivers is BenchmarkDecide's fixture mix with no waivers
// and with 1,000 in the inventory (issue 17: under 5 % more decision time),
// none or a few of them matching. Compare the columns with
// benchstat -col /waivers.
func BenchmarkDecideWaivers(b *testing.B) {
	reqs := benchRequests(b)
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, bc := range []struct {
		name     string
		n        int
		matching bool
	}{
		{"waivers=0", 0, false},
		{"waivers=1000", 1000, false},
		{"waivers=1000+matching", 1000, true},
		{"waivers=1000-projects", 1000, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			inv := waiverBenchInventory(b, bc.n, bc.matching)
			if strings.HasSuffix(bc.name, "-projects") {
				namingProjects(inv)
			}
			e, err := New(context.Background(), Options{Inventory: inv})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			exprs := exprsPerDecision(b, e, reqs, now)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.Decide(ctx, reqs[i%len(reqs)], FormatJSON, DecideOptions{Now: now}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(exprs, "exprs/op")
		})
	}
}

// exprsPerDecision is how many expressions OPA evaluates for a decision,
// averaged over the mix (its tracer's Eval events, counted outside the
// timing, as BenchmarkPhases does): the cost of the waivers in work rather
// than time, which a busy machine does not blur.
func exprsPerDecision(b *testing.B, e *Evaluator, reqs [][]byte, now time.Time) float64 {
	b.Helper()
	st := e.state.Load()
	n := 0
	for _, raw := range reqs {
		doc, err := decode(raw, FormatJSON)
		if err != nil {
			b.Fatal(err)
		}
		in, err := ast.InterfaceToValue(doc)
		if err != nil {
			b.Fatal(err)
		}
		tr := topdown.NewBufferTracer()
		if _, err := st.query.Eval(context.Background(), rego.EvalParsedInput(in), rego.EvalTime(now), rego.EvalQueryTracer(tr)); err != nil {
			b.Fatal(err)
		}
		for _, ev := range *tr {
			if ev.Op == topdown.EvalOp {
				n++
			}
		}
	}
	return float64(n) / float64(len(reqs))
}

// waiverBenchInventory is the fixtures' inventory with n benchmark waivers.
func waiverBenchInventory(tb testing.TB, n int, matching bool) map[string]any {
	tb.Helper()
	base, err := ReadInventory([]string{filepath.Join("..", "fixtures", "inventory.yaml")})
	if err != nil {
		tb.Fatal(err)
	}
	plain, err := New(context.Background(), Options{Inventory: base})
	if err != nil {
		tb.Fatal(err)
	}
	settings := maps.Clone(base["settings"].(map[string]any))
	if n > 0 {
		settings["waivers"] = benchWaivers(plain, n, matching)
	}
	base["settings"] = settings
	return base
}

// namingProjects makes inv's waivers name projects, not resources: each a
// project no fixture is made as.
func namingProjects(inv map[string]any) {
	for i, w := range inv["settings"].(map[string]any)["waivers"].([]any) {
		m := w.(map[string]any)
		delete(m, "resources")
		m["projects"] = []any{fmt.Sprintf("0000000000000000000000000000%04d", i)}
	}
}

// TestBenchWaiversAreWhatTheySay: the benchmark's inventories are taken
// (schema and rulebook), their waivers match nothing (naming resources or
// projects), or with matching waive CBR-004's deny of a fixture.
func TestBenchWaiversAreWhatTheySay(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "fixtures", "requests", "CBR-004", "fires.json"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name               string
		matching, projects bool
		effect             string
	}{
		{"waivers=1000", false, false, EffectDeny},
		{"waivers=1000+matching", true, false, EffectWaived},
		{"waivers=1000-projects", false, true, EffectDeny},
	} {
		inv := waiverBenchInventory(t, 1000, tc.matching)
		if tc.projects {
			namingProjects(inv)
		}
		e, err := New(context.Background(), Options{Inventory: inv})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		d, err := e.Decide(context.Background(), raw, FormatJSON, DecideOptions{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Reasons) != 1 || d.Reasons[0].ID != "CBR-004" || d.Reasons[0].Effect != tc.effect {
			t.Errorf("%s: reasons %+v, want CBR-004 %s", tc.name, d.Reasons, tc.effect)
		}
	}
}
