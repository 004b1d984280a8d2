package tfplan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// bigPlan is a plan of n resource changes: the fixture plans' changes
// (both providers; creates, deletes, replaces, updates, unknown values,
// ungoverned types) repeated under fresh addresses, one provider
// configuration per provider.
func bigPlan(tb testing.TB, n int) []byte {
	tb.Helper()
	files, _ := filepath.Glob("../../fixtures/terraform/*/*.json")
	var pool []map[string]any
	providers := map[string]any{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			tb.Fatal(err)
		}
		for _, rc := range doc["resource_changes"].([]any) {
			pool = append(pool, rc.(map[string]any))
		}
		for k, v := range doc["configuration"].(map[string]any)["provider_config"].(map[string]any) {
			if _, ok := providers[k]; !ok {
				providers[k] = v
			}
		}
	}
	changes := make([]any, n)
	for i := range changes {
		rc := map[string]any{}
		for k, v := range pool[i%len(pool)] {
			rc[k] = v
		}
		rc["name"] = fmt.Sprintf("r%d", i)
		rc["address"] = fmt.Sprintf("%s.r%d", rc["type"], i)
		changes[i] = rc
	}
	raw, err := json.Marshal(map[string]any{"format_version": "1.2", "terraform_version": "1.9.8",
		"planned_values": map[string]any{"root_module": map[string]any{}}, "resource_changes": changes,
		"configuration": map[string]any{"provider_config": providers}})
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// judge translates and decides a plan, as `imgadmit eval plan.json` does.
func judge(tb testing.TB, e *evaluator.Evaluator, raw []byte) (decided int) {
	changes, err := TranslateJSON(raw, Options{Region: "cn-north-4", ProjectID: project})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range changes {
		if c.Translation == nil {
			continue
		}
		req, err := c.Request(e)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := e.DecideRequest(context.Background(), req, evaluator.DecideOptions{}); err != nil {
			tb.Fatal(err)
		}
		decided++
	}
	return decided
}

// BenchmarkJudge2000 judges (reads, translates and decides) a plan of
// 2,000 resource changes: it must take under a second.
func BenchmarkJudge2000(b *testing.B) {
	e := newEvaluator(b)
	raw := bigPlan(b, 2000)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		judge(b, e, raw)
	}
}
