package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// BenchmarkDecisionEndpoint is one request to the OPA-compatible endpoint
// through the handler (no network), on the fixture mix, beside the
// evaluator's own decision on the same bodies: the difference is what the
// sidecar adds per request (body and input parsing, the decision log line,
// metrics, the answer). The network and net/http's connection handling are
// measured by make bench-compare.
func BenchmarkDecisionEndpoint(b *testing.B) {
	reqs, _, err := loadgen.Requests(filepath.Join("..", "fixtures", "requests"))
	if err != nil {
		b.Fatal(err)
	}
	bodies := loadgen.DataBodies(reqs)
	s, err := New(Config{
		DataFiles:         []string{filepath.Join("..", "fixtures", "inventory.yaml")},
		DecisionLogWriter: io.Discard,
		Logger:            slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	b.Run("handler", func(b *testing.B) { benchHandler(b, h, bodies) })
	b.Run("evaluator", func(b *testing.B) {
		e := s.eval.Load()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := e.Decide(context.Background(), reqs[i%len(reqs)], evaluator.FormatJSON, evaluator.DecideOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecisionLogUpload is BenchmarkDecisionEndpoint's handler with
// the decision log in a file's place (io.Discard) and with OPA's
// decision-log plugin taking every event as well (--config-file
// decision_logs, uploading to a loopback collector): the difference is what
// the plugin costs a decision. make bench-compare measures the same through
// the binary.
func BenchmarkDecisionLogUpload(b *testing.B) {
	reqs, _, err := loadgen.Requests(filepath.Join("..", "fixtures", "requests"))
	if err != nil {
		b.Fatal(err)
	}
	bodies := loadgen.DataBodies(reqs)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer collector.Close()
	for _, tc := range []struct {
		name   string
		config []byte
	}{
		{"log=file", nil},
		{"log=file+upload", []byte(`{"services":{"c":{"url":"` + collector.URL + `"}},"decision_logs":{"service":"c","reporting":{"min_delay_seconds":1,"max_delay_seconds":2}}}`)},
	} {
		s, err := New(Config{
			DataFiles:         []string{filepath.Join("..", "fixtures", "inventory.yaml")},
			DecisionLogWriter: io.Discard,
			Logger:            slog.New(slog.NewJSONHandler(io.Discard, nil)),
			FleetConfig:       tc.config,
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := s.startFleet(context.Background()); err != nil {
			b.Fatal(err)
		}
		h := s.Handler()
		b.Run(tc.name, func(b *testing.B) { benchHandler(b, h, bodies) })
		s.Close()
	}
}

// BenchmarkDecisionRecord is the sidecar's own work after a decision, on
// the fixture mix decided once beforehand: the decision encoded, its
// decision log line built and written (to io.Discard), and OPA's answer
// around it. It is the part of BenchmarkDecisionEndpoint that is neither
// OPA's evaluation nor the request's reading, measured without the
// evaluation's noise.
func BenchmarkDecisionRecord(b *testing.B) {
	reqs, _, err := loadgen.Requests(filepath.Join("..", "fixtures", "requests"))
	if err != nil {
		b.Fatal(err)
	}
	s := newBenchServer(b)
	e := s.eval.Load()
	// The inputs as the fixture bodies carry them (loadgen.DataBodies):
	// compact, as most clients send them.
	ds, inputs := make([]*evaluator.Decision, len(reqs)), make([][]byte, len(reqs))
	for i, raw := range reqs {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			b.Fatal(err)
		}
		inputs[i] = buf.Bytes()
		req, err := e.ParseRequest(raw, evaluator.FormatJSON)
		if err == nil {
			ds[i], err = e.DecideRequest(context.Background(), req, evaluator.DecideOptions{})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	start := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		d := ds[i%len(ds)]
		encoded := encodeDecision(d)
		t := timers{timerInputParse: 20_000, timerQueryEval: 250_000}
		rec := newRecord(PathOPADecide, "127.0.0.1:40000", inputs[i%len(inputs)], s.cfg.DecisionLogMaxInput, d, encoded, start, start.Add(300*time.Microsecond), nil)
		rec.RequestedBy = anonymousIdentity.Name
		if err := s.logDecision(ctx, rec, t); err != nil {
			b.Fatal(err)
		}
		if a := s.answer(dataAnswer{DecisionID: d.DecisionID, Result: encoded}, params{}, d.Rulebook.Revision, t, start); len(a) == 0 {
			b.Fatal("no answer")
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// newBenchServer is a loaded server on the fixture inventory whose decision
// log is io.Discard.
func newBenchServer(tb testing.TB) *Server {
	s, err := New(Config{
		DataFiles:         []string{filepath.Join("..", "fixtures", "inventory.yaml")},
		DecisionLogWriter: io.Discard,
		Logger:            slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// benchHandler posts the bodies in turn to OPA's decision endpoint through
// h, b.N times. Beside the time per request it reports the process's CPU
// time per request (cpu-ns/op, the garbage collector's background work
// included), which other work on the machine disturbs less than the time.
func benchHandler(b *testing.B, h http.Handler, bodies [][]byte) {
	b.ReportAllocs()
	cpu0 := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodPost, PathOPADecide, bytes.NewReader(bodies[i%len(bodies)]))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// processCPU is the CPU time this process has used (user and system), in
// nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
