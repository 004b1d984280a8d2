package sidecar

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

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

// benchHandler posts the bodies in turn to OPA's decision endpoint through
// h, b.N times.
func benchHandler(b *testing.B, h http.Handler, bodies [][]byte) {
	b.ReportAllocs()
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
