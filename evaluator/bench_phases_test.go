package evaluator

import (
	"context"
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
	b.Run("eval", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if _, err := st.query.Eval(ctx, rego.EvalParsedInput(inputs[i%len(inputs)]), rego.EvalTime(now),
				rego.EvalExternalCancel(topdown.NewCancel())); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		reportPercentiles(b, lat)
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
