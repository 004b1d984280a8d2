package huaweicloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
)

const (
	project = "0605767a3300d5762fb7c0186d8d2b3b"
	region  = "cn-north-4"
)

var now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// testEvaluator is one evaluator with testdata/inventory.json and the call
// translator, built once.
var testEvaluator = sync.OnceValues(func() (*evaluator.Evaluator, error) {
	raw, err := os.ReadFile("testdata/inventory.json")
	if err != nil {
		return nil, err
	}
	inv, err := evaluator.ParseInventory(raw, evaluator.FormatJSON)
	if err != nil {
		return nil, err
	}
	return evaluator.New(context.Background(), evaluator.Options{Inventory: inv, Translator: calls.Translator})
})

func newEvaluator(t testing.TB) *evaluator.Evaluator {
	t.Helper()
	e, err := testEvaluator()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// decode reads a JSON document as the evaluator does (numbers as json.Number).
func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// normal is v as JSON would read it back: comparable with decode's output.
func normal(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}

func show(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

// reasonIDs are a decision's reasons as "effect id", in the decision's order.
func reasonIDs(d *evaluator.Decision) []string {
	out := []string{}
	for _, r := range d.Reasons {
		out = append(out, r.Effect+" "+r.ID)
	}
	return out
}

// judge translates and decides doc: the canonical requests it became and its
// decision, or the error.
func judge(t testing.TB, doc map[string]any) ([]map[string]any, *evaluator.Decision, error) {
	t.Helper()
	e := newEvaluator(t)
	req, err := e.RequestOf(doc)
	if err != nil {
		return nil, nil, err
	}
	d, err := e.DecideRequest(context.Background(), req, evaluator.DecideOptions{Now: now})
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	// A decision lists its requests without the call's facts (each was
	// decided with them): put them back to compare whole requests.
	if res, ok := doc["resources"]; ok {
		for _, r := range d.Requests {
			r["resources"] = res
		}
	}
	return d.Requests, d, nil
}

// equalJSON reports whether got reads as the JSON want.
func equalJSON(t testing.TB, got any, want string) bool {
	t.Helper()
	return reflect.DeepEqual(normal(t, got), decode(t, want))
}
