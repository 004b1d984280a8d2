package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
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
	dur := knob(t, "IMGADMIT_SOAK_DURATION", short)
	peakDur := min(max(dur/10, 2*time.Second), 15*time.Second)
	workers := knob(t, "IMGADMIT_SOAK_WORKERS", 4)
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	s := startServe(t, "--data", filepath.Join(repo, "fixtures", "inventory.yaml"), "--decision-log", logFile)
	mix := requestMix(t)

	// Flat out: the peak, and the warm-up the soak starts from.
	peak, peakRes := runLoad(t, s, mix, loadgen.Load{Duration: peakDur, Workers: workers})
	if _, errs := peak.counts(); errs > 0 {
		t.Fatalf("%d errors at peak, the first: %v", errs, peak.errs[0])
	}
	peakRate := peakRes.Throughput()

	// The soak, at 80% of the peak, sampling the server's RSS.
	every := min(max(dur/60, 250*time.Millisecond), 5*time.Second)
	var rss []int
	var rssMu sync.Mutex
	sample := func() {
		kb, err := s.rssKB()
		if err != nil {
			t.Errorf("RSS: %v", err)
			return
		}
		rssMu.Lock()
		rss = append(rss, kb)
		rssMu.Unlock()
	}
	sample()
	soak := startLoad(t, s, mix, loadgen.Load{Duration: dur, Workers: workers, Rate: 0.8 * peakRate})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-soak.done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	res := soak.wait()
	<-sampled
	sample()
	soak.reportErrors("soak")

	s.stop()
	all := maps.Clone(peak.answered)
	maps.Copy(all, soak.answered)
	lines := decisionLines(checkDecisionLog(t, logFile, all))

	// Growth from the start of the soak to its end, each the median of a
	// few samples, so one GC cycle's high water mark does not decide.
	k := min(3, len(rss)/2)
	med := func(xs []int) int {
		ys := slices.Clone(xs)
		slices.Sort(ys)
		return ys[len(ys)/2]
	}
	decisions, errs := soak.counts()
	r := soakReport{
		Duration: dur.String(), Workers: workers,
		PeakPerSecond: peakRate, TargetPerSec: 0.8 * peakRate,
		AchievedPerS: res.Throughput(),
		Decisions:    decisions, Errors: errs, LateRequests: res.Late(50 * time.Millisecond),
		P50: res.Percentile(0.50).String(), P99: res.Percentile(0.99).String(), P999: res.Percentile(0.999).String(),
		ServiceP50: loadgen.Percentile(res.Service, 0.50).String(), ServiceP99: loadgen.Percentile(res.Service, 0.99).String(),
		LogLines:   lines,
		RSSStartKB: med(rss[:k]), RSSEndKB: med(rss[len(rss)-k:]), RSSMaxKB: slices.Max(rss),
	}
	r.RSSGrowth = float64(r.RSSEndKB-r.RSSStartKB) / float64(r.RSSStartKB)
	if r.RSSGrowth >= 0.10 {
		t.Errorf("RSS grew %.1f%%: %d kB at the start of the soak, %d kB at its end (samples %v)", 100*r.RSSGrowth, r.RSSStartKB, r.RSSEndKB, rss)
	}
	if decisions == 0 {
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
