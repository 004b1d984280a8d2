package evaluator

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// benchRequests is a mix from the fixtures: allowed, denied, multi-reason,
// both providers (every fires and quiet file under fixtures/requests).
func benchRequests(b *testing.B) [][]byte {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "requests", "*", "*.json"))
	sort.Strings(files)
	var reqs [][]byte
	for _, f := range files {
		if strings.Contains(f, "REQ-001") || strings.Contains(f, "REQ-003") {
			continue // invalid requests are not decisions
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, raw)
	}
	if len(reqs) == 0 {
		b.Skip("no fixtures")
	}
	return reqs
}

func benchEvaluator(b *testing.B) *Evaluator {
	b.Helper()
	inv, err := ReadInventory([]string{filepath.Join("..", "fixtures", "inventory.yaml")})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(context.Background(), Options{Inventory: inv})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDecide is one in-process decision, schema validation included,
// cycling through the fixture mix. It reports p50 and p99 per decision.
func BenchmarkDecide(b *testing.B) {
	e := benchEvaluator(b)
	reqs := benchRequests(b)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := e.Decide(ctx, reqs[i%len(reqs)], FormatJSON, DecideOptions{}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// BenchmarkDecideParallel shares one evaluator (one prepared query) across
// goroutines, as the sidecar does.
func BenchmarkDecideParallel(b *testing.B) {
	e := benchEvaluator(b)
	reqs := benchRequests(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := e.Decide(ctx, reqs[i%len(reqs)], FormatJSON, DecideOptions{}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkValidate is decoding and schema validation alone.
func BenchmarkValidate(b *testing.B) {
	e := benchEvaluator(b)
	reqs := benchRequests(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.ParseRequest(reqs[i%len(reqs)], FormatJSON); err != nil {
			b.Fatal(err)
		}
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds())
	}
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}
