package tfplan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

var (
	evalOnce sync.Once
	evalInst *evaluator.Evaluator
	evalErr  error
)

// newEvaluator is one evaluator with the embedded rulebook and no
// inventory, shared by the tests.
func newEvaluator(t testing.TB) *evaluator.Evaluator {
	t.Helper()
	evalOnce.Do(func() { evalInst, evalErr = evaluator.New(context.Background(), evaluator.Options{}) })
	if evalErr != nil {
		t.Fatal(evalErr)
	}
	return evalInst
}

// decide checks and decides a change's translation.
func decide(t testing.TB, e *evaluator.Evaluator, c Change) *evaluator.Decision {
	t.Helper()
	req, err := c.Request(e)
	if err != nil {
		t.Fatalf("%s (%s): %v", c.Address, c.Action, err)
	}
	d, err := e.DecideRequest(context.Background(), req, evaluator.DecideOptions{})
	if err != nil {
		t.Fatalf("%s (%s): decide: %v", c.Address, c.Action, err)
	}
	return d
}

// Every fixture plan translates, every change it judges is a valid request
// decided, and every governed change is judged or says why not.
func TestFixturesTranslate(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/terraform/*/*.json")
	if len(files) < 12 {
		t.Fatalf("only %d fixture plans", len(files))
	}
	e := newEvaluator(t)
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !LooksLikePlan(raw) {
				t.Fatal("not recognized as a plan")
			}
			changes, err := TranslateJSON(raw, Options{Region: "cn-north-4", ProjectID: "0605767a3300d5762fb7c0186d8d2b3b"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range changes {
				switch {
				case c.Err != nil:
					t.Errorf("%s: %v", c.Address, c.Err)
				case c.Translation == nil:
					if c.Skipped == "" {
						t.Errorf("%s: neither judged nor skipped", c.Address)
					}
					t.Logf("%-50s %-14s skipped: %s", c.Address, c.Action, c.Skipped)
				default:
					d := decide(t, e, c)
					var ids []string
					for _, r := range d.Reasons {
						ids = append(ids, r.Effect+" "+r.ID)
					}
					reqs, _ := json.Marshal(d.Requests)
					t.Logf("%-50s %-7s %-16s allowed=%v %v %s", c.Address, c.Action, c.Translation.Operation, d.Allowed, ids, reqs)
					if c.Translation.Unknown != "" {
						t.Logf("    unknown: %s", c.Translation.Unknown)
					}
				}
			}
		})
	}
}
