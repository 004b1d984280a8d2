package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// soakReport is what TestSoak measured; IMGADMIT_SOAK_REPORT=FILE writes it
// as JSON (make soak does, for docs/reliability.md).
type soakReport struct {
	Duration      string  `json:"duration"`
	Workers       int     `json:"workers"`
	PeakPerSecond float64 `json:"peak_per_second"`
	TargetPerSec  float64 `json:"target_per_second"`
	AchievedPerS  float64 `json:"achieved_per_second"`
	Decisions     int     `json:"decisions"`
	Errors        int     `json:"errors"`
	LateRequests  int     `json:"late_requests"`
	// Latency from when each request was due (the queue a slow server
	// causes counts), and from when it was sent (the server's answer time).
	P50        string  `json:"p50"`
	P99        string  `json:"p99"`
	P999       string  `json:"p99_9"`
	ServiceP50 string  `json:"service_p50"`
	ServiceP99 string  `json:"service_p99"`
	LogLines   int     `json:"log_lines"`
	RSSStartKB int     `json:"rss_start_kb"`
	RSSEndKB   int     `json:"rss_end_kb"`
	RSSMaxKB   int     `json:"rss_max_kb"`
	RSSGrowth  float64 `json:"rss_growth"`
}

// TestSoak runs the sidecar binary for IMGADMIT_SOAK_DURATION (a few
// seconds by default; `make soak` runs 5 minutes) at 80% of the peak it
// measures first, flat out: every request is answered with a decision, the
// decision log holds exactly one line per decision answered, and the
// resident set grows less than 10% from the start of the soak to its end.
func TestSoak(t *testing.T) {
	short := 4 * time.Second
	if raceEnabled {
		short = 3 * time.Second
	}
	dur := envDuration(t, "IMGADMIT_SOAK_DURATION", short)
	peakDur := min(max(dur/10, 2*time.Second), 15*time.Second)
	workers := envInt(t, "IMGADMIT_SOAK_WORKERS", 4)
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	s := startServe(t, "--data", filepath.Join("..", "..", "fixtures", "inventory.yaml"), "--decision-log", logFile)
	mix := requestMix(t)

	// Flat out: the peak, and the warm-up the soak starts from.
	peak := &load{client: s.client, base: s.base, mix: mix, workers: workers}
	ctx, cancel := context.WithTimeout(context.Background(), peakDur)
	peak.run(ctx)
	cancel()
	if len(peak.errs) > 0 {
		t.Fatalf("%d errors at peak, the first: %v", len(peak.errs), peak.errs[0])
	}
	peakRate := float64(len(peak.answered)) / peakDur.Seconds()

	// The soak, at 80% of the peak, sampling the server's RSS.
	soak := &load{client: s.client, base: s.base, mix: mix, workers: workers, rate: 0.8 * peakRate}
	every := min(max(dur/60, 250*time.Millisecond), 5*time.Second)
	var rss []int
	var rssMu sync.Mutex
	sample := func() {
		kb, err := rssKB(s.pid())
		if err != nil {
			t.Errorf("RSS: %v", err)
			return
		}
		rssMu.Lock()
		rss = append(rss, kb)
		rssMu.Unlock()
	}
	sample()
	ctx, cancel = context.WithTimeout(context.Background(), dur)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	started := time.Now()
	soak.run(ctx)
	elapsed := time.Since(started)
	cancel()
	<-sampled
	sample()
	for i, err := range soak.errs {
		if i == 5 {
			break
		}
		t.Errorf("soak: %v", err)
	}

	s.signal(syscall.SIGTERM)
	st, ok := s.wait(30 * time.Second)
	if !ok || st.ExitCode() != 0 {
		t.Fatalf("after SIGTERM: exited %v, state %v", ok, st)
	}
	all := peak.answered
	for id, rev := range soak.answered {
		all[id] = rev
	}
	lines := checkDecisionLog(t, logFile, all)

	// Growth from the start of the soak to its end, each the median of a
	// few samples, so one GC cycle's high water mark does not decide.
	k := min(3, len(rss)/2)
	med := func(xs []int) int {
		ys := slices.Clone(xs)
		slices.Sort(ys)
		return ys[len(ys)/2]
	}
	r := soakReport{
		Duration: dur.String(), Workers: workers,
		PeakPerSecond: peakRate, TargetPerSec: 0.8 * peakRate,
		AchievedPerS: float64(len(soak.answered)) / elapsed.Seconds(),
		Decisions:    len(soak.answered), Errors: len(soak.errs), LateRequests: soak.late,
		P50: percentile(soak.latencies, 0.50).String(), P99: percentile(soak.latencies, 0.99).String(),
		P999:       percentile(soak.latencies, 0.999).String(),
		ServiceP50: percentile(soak.service, 0.50).String(), ServiceP99: percentile(soak.service, 0.99).String(),
		LogLines:   lines,
		RSSStartKB: med(rss[:k]), RSSEndKB: med(rss[len(rss)-k:]), RSSMaxKB: slices.Max(rss),
	}
	r.RSSGrowth = float64(r.RSSEndKB-r.RSSStartKB) / float64(r.RSSStartKB)
	if r.RSSGrowth >= 0.10 {
		t.Errorf("RSS grew %.1f%%: %d kB at the start of the soak, %d kB at its end (samples %v)", 100*r.RSSGrowth, r.RSSStartKB, r.RSSEndKB, rss)
	}
	if len(soak.answered) == 0 {
		t.Error("no decisions in the soak")
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	t.Logf("soak:\n%s", b)
	if f := os.Getenv("IMGADMIT_SOAK_REPORT"); f != "" {
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Error(err)
		}
	}
}
