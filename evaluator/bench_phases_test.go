package evaluator

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// BenchmarkPhases splits one decision (BenchmarkDecide) into its phases, on
// the same mix, so a change shows where it lands and the floor of each phase
// is measured rather than guessed: decoding the bytes, the schema check, the
// conversion to OPA's values, OPA's evaluation of data.imgadmit.decision, and
// OPA's cost for a query that does nothing (the floor under any rulebook).
func BenchmarkPhases(b *testing.B) {
	e := benchEvaluator(b)
	reqs := benchRequests(b)
	docs := make([]any, len(reqs))
	inputs := make([]ast.Value, len(reqs))
	for i, raw := range reqs {
		doc, err := decode(raw, FormatJSON)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = doc
		if inputs[i], err = ast.InterfaceToValue(doc); err != nil {
			b.Fatal(err)
		}
	}
	st := e.state.Load()
	ctx := context.Background()
	now := time.Now()
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := decode(reqs[i%len(reqs)], FormatJSON); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if errs := e.validator.validateRequest(docs[i%len(docs)]); errs != nil {
				b.Fatal(errs)
			}
		}
	})
	b.Run("to-ast", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := ast.InterfaceToValue(docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	// How many expressions OPA evaluates for each request (its tracer's Eval
	// events, counted once, outside the timing): with the time per decision
	// this gives OPA's cost per expression, the figure that bounds the
	// decision's latency for a given rulebook (docs/performance.md).
	exprs := make([]int, len(inputs))
	for i, in := range inputs {
		tr := topdown.NewBufferTracer()
		if _, err := st.query.Eval(ctx, rego.EvalParsedInput(in), rego.EvalTime(now), rego.EvalQueryTracer(tr)); err != nil {
			b.Fatal(err)
		}
		for _, ev := range *tr {
			if ev.Op == topdown.EvalOp {
				exprs[i]++
			}
		}
	}
	b.Run("eval", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		evaluated := 0
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if _, err := st.query.Eval(ctx, rego.EvalParsedInput(inputs[i%len(inputs)]), rego.EvalTime(now),
				rego.EvalExternalCancel(topdown.NewCancel())); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
			evaluated += exprs[i%len(inputs)]
		}
		b.StopTimer()
		reportPercentiles(b, lat)
		b.ReportMetric(float64(evaluated)/float64(b.N), "exprs/op")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(evaluated), "ns/expr")
		sorted := slices.Sorted(slices.Values(exprs))
		b.ReportMetric(float64(sorted[len(sorted)/2]), "p50-exprs")
		b.ReportMetric(float64(sorted[len(sorted)-1]), "max-exprs")
	})
	b.Run("eval-empty-query", func(b *testing.B) {
		q, err := rego.New(rego.Query("true"), rego.Compiler(st.book.compiler)).PrepareForEval(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := q.Eval(ctx, rego.EvalParsedInput(inputs[i%len(inputs)]), rego.EvalTime(now),
				rego.EvalExternalCancel(topdown.NewCancel())); err != nil {
				b.Fatal(err)
			}
		}
	})
}
