package calls

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// fixtureNow is the time the fixtures are decided at (fixtures.Now).
var fixtureNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// judgePairs are the call fixtures that become one canonical request, each
// beside that request written as a canonical document: the same question
// asked both ways.
func judgePairs(b *testing.B, e *evaluator.Evaluator) (calls, canonical [][]byte) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "calls", "*", "*.json"))
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		d, err := e.Decide(context.Background(), raw, evaluator.FormatJSON, evaluator.DecideOptions{Now: fixtureNow})
		if err != nil || len(d.Requests) != 1 {
			continue // invalid on purpose, read-only, unknown or several requests
		}
		// The decision lists the request without the call's facts; the
		// canonical request carries them, as the call did.
		var call struct {
			Resources any `json:"resources"`
		}
		if err := json.Unmarshal(raw, &call); err != nil {
			b.Fatal(err)
		}
		if call.Resources != nil {
			d.Requests[0]["resources"] = call.Resources
		}
		req, err := json.Marshal(d.Requests[0])
		if err != nil {
			b.Fatal(err)
		}
		calls, canonical = append(calls, raw), append(canonical, req)
	}
	if len(calls) == 0 {
		b.Skip("no call fixture makes one request")
	}
	return calls, canonical
}

// BenchmarkJudge asks the same questions as call documents and as the
// canonical requests they become, decoding, validation and evaluation
// included: the cost of translation is the difference (issue 13: at most
// 10 %).
func BenchmarkJudge(b *testing.B) {
	inv, err := evaluator.ReadInventory([]string{filepath.Join("..", "..", "fixtures", "inventory.yaml")})
	if err != nil {
		b.Fatal(err)
	}
	e, err := evaluator.New(context.Background(), evaluator.Options{Inventory: inv, Translator: Translator})
	if err != nil {
		b.Fatal(err)
	}
	calls, canonical := judgePairs(b, e)
	for _, bc := range []struct {
		name string
		docs [][]byte
	}{{"canonical", canonical}, {"call", calls}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			opts := evaluator.DecideOptions{Now: fixtureNow}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := e.Decide(ctx, bc.docs[i%len(bc.docs)], evaluator.FormatJSON, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
