package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/loadgen"
	"github.com/imgadmit/imgadmit/internal/scalegen"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ScaleConfig is what Scale measures (issue 18: fleet-sized inventories)
// and where it writes.
type ScaleConfig struct {
	Imgadmit  string // the imgadmit binary
	Inventory string // the base inventory (fixtures/inventory.yaml): the small one, and the big one's start
	Fixtures  string // the request fixtures (fixtures/requests)
	WorkDir   string // scratch: server logs, decision logs
	DataDir   string // where the generated inventory is written (bin/)

	N    int    // resources generated
	Seed uint64 // the generator's seed

	Rounds   int           // fixed-rate rounds per inventory, alternating
	Rate     float64       // requests per second of a round
	Duration time.Duration // one round
	Changes  int           // single-resource changes timed one after the other
	// ReadyTimeout bounds the wait for a server's /health/ready.
	ReadyTimeout time.Duration
	// ProfileDir, when set, gets CPU and heap profiles of the load and of one
	// change, made in this process with the sidecar's own calls.
	ProfileDir string

	Out   io.Writer // the report for people
	Bench io.Writer // benchstat lines; nil for none
}

// The targets of issue 18.
const (
	targetReady       = 5 * time.Second
	targetRSSPerJSON  = 2.0
	targetMedianRatio = 1.5
	targetChange      = 50 * time.Millisecond
	targetP99Ratio    = 2.0
)

// Scale generates an inventory of N resources and measures `imgadmit serve`
// holding it beside the same server holding the base inventory: time to
// ready, memory, decisions on the fixture mix, single-resource changes and
// decisions during a stream of them. Every process it starts is stopped
// before it returns.
func Scale(ctx context.Context, cfg ScaleConfig) error {
	reqs, files, err := loadgen.Requests(cfg.Fixtures)
	if err != nil {
		return err
	}
	bodies := loadgen.DataBodies(reqs)
	base, err := evaluator.ReadInventory([]string{cfg.Inventory})
	if err != nil {
		return fmt.Errorf("read the base inventory: %w", err)
	}

	// The inventory, generated anew each run (it is deterministic, and
	// faster to write than to check a stale one against the generator).
	bigFile := filepath.Join(cfg.DataDir, fmt.Sprintf("scale-inventory-%d.json", cfg.N))
	t0 := time.Now()
	f, err := os.Create(bigFile)
	if err != nil {
		return err
	}
	counts, err := scalegen.Write(f, scalegen.Config{N: cfg.N, Seed: cfg.Seed, Base: base})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(bigFile)
	if err != nil {
		return err
	}
	jsonSize := fi.Size()
	fmt.Fprintf(cfg.Out, "inventory: %s, %d generated resources (%s) and the base's (%s), seed %d: %.1f MiB of JSON, written in %s\n",
		bigFile, counts.Total(), countsText(counts), cfg.Inventory, cfg.Seed, mib(jsonSize), time.Since(t0).Round(time.Millisecond))

	var servers []*Server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	type loaded struct {
		s     *Server
		ready time.Duration
		rss   int64
	}
	var small, big loaded
	for _, l := range []struct {
		into *loaded
		name string
		data string
	}{{&small, "fixture", cfg.Inventory}, {&big, fmt.Sprint(cfg.N), bigFile}} {
		s, ready, err := startTimed(ctx, cfg, l.name, l.data)
		if err != nil {
			return err
		}
		servers = append(servers, s)
		rss, _, err := s.Memory()
		if err != nil {
			return err
		}
		*l.into = loaded{s, ready, rss}
		fmt.Fprintf(cfg.Out, "server %-12s ready in %s, RSS %.1f MiB\n", l.name, ready.Round(time.Millisecond), mib(rss))
		if cfg.Bench != nil {
			fmt.Fprintf(cfg.Bench, "BenchmarkScaleLoad/inventory=%s 1 %d ns/op %d rss-bytes\n", l.name, ready.Nanoseconds(), rss)
		}
	}

	if err := checkSameDecisions(ctx, []*Server{small.s, big.s}, bodies, files); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "decisions: every fixture body gets the same decision against both inventories\n")

	client := loadgen.NewClient(64)
	defer client.CloseIdleConnections()
	rate := loadgen.Load{Requests: int(cfg.Rate * cfg.Duration.Seconds()), Duration: cfg.Duration + time.Second, Rate: cfg.Rate, Workers: 64}
	for _, s := range []*Server{small.s, big.s} {
		warm := rate
		warm.Duration, warm.Requests = time.Second, int(cfg.Rate)
		if _, err := loadgen.Run(ctx, client, s.URL(), bodies, warm); err != nil {
			return err
		}
	}

	// Decisions: quiet rounds alternating between the inventories, and on
	// the big one rounds during a stream of single-resource changes, each
	// after a quiet round of its own.
	fmt.Fprintf(cfg.Out, "\ndecisions at %.0f req/s for %s, %d rounds per inventory, alternating (latency from the time each request was due; handler: the server's own time, from its decision log)\n",
		cfg.Rate, cfg.Duration, cfg.Rounds)
	quiet := map[*Server][]roundStats{}
	var busy []roundStats
	var changesDuring []time.Duration
	for r := range cfg.Rounds {
		for _, s := range []*Server{small.s, big.s} {
			st, err := decideRound(ctx, cfg, client, s, bodies, rate, nil)
			if err != nil {
				return err
			}
			st.report(cfg, r+1, s.Name, "quiet")
			quiet[s] = append(quiet[s], st)
		}
		var during []time.Duration
		st, err := decideRound(ctx, cfg, client, big.s, bodies, rate, func(ctx context.Context) error {
			var err error
			during, err = changeStream(ctx, cfg, big.s, -1)
			return err
		})
		if err != nil {
			return err
		}
		st.report(cfg, r+1, big.s.Name, fmt.Sprintf("during %d changes", len(during)))
		busy = append(busy, st)
		changesDuring = append(changesDuring, during...)
	}

	// Single changes, one after the other, nothing else running.
	fmt.Fprintf(cfg.Out, "\nsingle-resource changes, %d one after the other (PUT of an image, JSON Patch of a server's status, alternating)\n", cfg.Changes)
	changes := map[*Server][]time.Duration{}
	for _, s := range []*Server{small.s, big.s} {
		if changes[s], err = changeStream(ctx, cfg, s, cfg.Changes); err != nil {
			return err
		}
		c := slices.Sorted(slices.Values(changes[s]))
		fmt.Fprintf(cfg.Out, "  %-12s p50 %s  max %s\n", s.Name, loadgen.Round(loadgen.Percentile(c, 0.5)), loadgen.Round(loadgen.Percentile(c, 1)))
	}
	// The whole inventory again, as a PUT of the file: far over --max-body,
	// under --max-inventory-body, read as it arrives.
	put, err := putWhole(ctx, big.s, bigFile)
	if err != nil {
		return err
	}
	rssPut, _, _ := big.s.Memory()
	fmt.Fprintf(cfg.Out, "\nPUT /v1/data/inventory of the whole file (%.1f MiB): %s, RSS after %.0f MiB\n", mib(jsonSize), put.Round(time.Millisecond), mib(rssPut))
	rssEnd, peakEnd, _ := big.s.Memory()
	for _, s := range servers {
		s.Stop()
	}
	servers = nil

	smallP50 := medianRound(quiet[small.s], func(x roundStats) time.Duration { return x.p50 })
	bigP50 := medianRound(quiet[big.s], func(x roundStats) time.Duration { return x.p50 })
	bigP99 := medianRound(quiet[big.s], func(x roundStats) time.Duration { return x.p99 })
	busyP99 := medianRound(busy, func(x roundStats) time.Duration { return x.p99 })
	change := loadgen.Percentile(slices.Sorted(slices.Values(changes[big.s])), 0.5)
	rssRatio := float64(big.rss) / float64(jsonSize)

	fmt.Fprintf(cfg.Out, "\nissue 18 at %d resources (%.1f MiB of JSON; medians over rounds)\n", counts.Total(), mib(jsonSize))
	fmt.Fprintf(cfg.Out, "  %-44s %-52s %-10s %s\n", "figure", "measured", "target", "")
	row := func(what, measured, target string, met bool) {
		fmt.Fprintf(cfg.Out, "  %-44s %-52s %-10s %s\n", what, measured, target, map[bool]string{true: "met", false: "MISSED"}[met])
	}
	row("time to ready (/health/ready 200)", fmt.Sprintf("%s (fixture: %s)", big.ready.Round(time.Millisecond), small.ready.Round(time.Millisecond)),
		"< 5 s", big.ready < targetReady)
	row("RSS after load", fmt.Sprintf("%.0f MiB = %.2f x JSON (later %.0f, peak %.0f MiB)", mib(big.rss), rssRatio, mib(rssEnd), mib(peakEnd)),
		"< 2 x JSON", rssRatio < targetRSSPerJSON)
	row("decision median vs fixture inventory's", fmt.Sprintf("%s vs %s = %.2f x", loadgen.Round(bigP50), loadgen.Round(smallP50), ratio(bigP50, smallP50)),
		"<= 1.5 x", ratio(bigP50, smallP50) <= targetMedianRatio)
	row("single-resource change (median)", fmt.Sprintf("%s (fixture: %s)", loadgen.Round(change), loadgen.Round(loadgen.Percentile(slices.Sorted(slices.Values(changes[small.s])), 0.5))),
		"< 50 ms", change < targetChange)
	row("decision p99 during changes vs without", fmt.Sprintf("%s vs %s = %.2f x", loadgen.Round(busyP99), loadgen.Round(bigP99), ratio(busyP99, bigP99)),
		"<= 2 x", ratio(busyP99, bigP99) <= targetP99Ratio)
	if len(changesDuring) > 0 {
		c := slices.Sorted(slices.Values(changesDuring))
		fmt.Fprintf(cfg.Out, "  (changes during the load: %d, p50 %s, max %s)\n", len(c), loadgen.Round(loadgen.Percentile(c, 0.5)), loadgen.Round(loadgen.Percentile(c, 1)))
	}
	if cfg.Bench != nil {
		for s, c := range changes {
			for _, d := range c {
				fmt.Fprintf(cfg.Bench, "BenchmarkScaleChange/inventory=%s 1 %d ns/op\n", s.Name, d.Nanoseconds())
			}
		}
	}

	if cfg.ProfileDir != "" {
		return profileLoad(ctx, cfg, bigFile)
	}
	return nil
}

// startTimed starts `imgadmit serve --data data` and times it from the start
// of the process to its first 200 on /health/ready. Its write timeout is
// raised so that a slow inventory change is measured rather than cut off.
func startTimed(ctx context.Context, cfg ScaleConfig, name, data string) (*Server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	logFile := filepath.Join(cfg.WorkDir, "decisions-"+strings.ReplaceAll(name, "=", "")+".log")
	t0 := time.Now()
	s, err := start(ctx, name, cfg.WorkDir, nil, cfg.Imgadmit, "serve", "--addr", "127.0.0.1:"+port, "--data", data,
		"--decision-log", logFile, "--write-timeout", "5m")
	if err != nil {
		return nil, 0, err
	}
	s.Base, s.DecisionLog = "http://127.0.0.1:"+port, logFile
	deadline := t0.Add(cfg.ReadyTimeout)
	for {
		select {
		case <-s.done:
			return nil, 0, fmt.Errorf("%s exited before it was ready (%v): %s", name, s.waitErr, s.LogTail(2000))
		case <-ctx.Done():
			s.Stop()
			return nil, 0, ctx.Err()
		default:
		}
		if resp, err := http.Get(s.Base + "/health/ready"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(t0), nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, 0, fmt.Errorf("%s was not ready within %s: %s", name, cfg.ReadyTimeout, s.LogTail(2000))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type roundStats struct {
	res        *loadgen.Result
	p50, p99   time.Duration // answered, from the due time
	hp50, hp99 time.Duration // the handler's own (decision log)
	gcs        float64       // the server's garbage collections during the round
	heap       float64       // its heap in use at the end, bytes
}

func (st roundStats) report(cfg ScaleConfig, round int, server, what string) {
	fmt.Fprintf(cfg.Out, "  round %d %-12s %-20s %s  handler p50 %s p99 %s  gc %.0f heap %.0f MiB\n", round, server, what, st.res.Summary(),
		loadgen.Round(st.hp50), loadgen.Round(st.hp99), st.gcs, st.heap/(1<<20))
	if cfg.Bench != nil {
		fmt.Fprintf(cfg.Bench, "BenchmarkScaleDecide/inventory=%s/changes=%t 1 %d p50-ns %d p99-ns %d handler-p50-ns %d handler-p99-ns\n",
			server, what != "quiet", st.p50.Nanoseconds(), st.p99.Nanoseconds(), st.hp50.Nanoseconds(), st.hp99.Nanoseconds())
	}
}

// decideRound runs one fixed-rate load against s; beside, when set, runs
// alongside it and is stopped when the load ends.
func decideRound(ctx context.Context, cfg ScaleConfig, client *http.Client, s *Server, bodies [][]byte, l loadgen.Load,
	beside func(context.Context) error) (roundStats, error) {
	fi, err := os.Stat(s.DecisionLog)
	if err != nil {
		return roundStats{}, err
	}
	gc0, _, err := runtimeFigures(ctx, client, s)
	if err != nil {
		return roundStats{}, err
	}
	var besideErr error
	var wg sync.WaitGroup
	bctx, stop := context.WithCancel(ctx)
	if beside != nil {
		wg.Go(func() { besideErr = beside(bctx) })
	}
	res, err := loadgen.Run(ctx, client, s.URL(), bodies, l)
	stop()
	wg.Wait()
	if err == nil {
		err = besideErr
	}
	if err == nil && res.Errors > 0 {
		err = fmt.Errorf("%d of %d requests failed, first: %s", res.Errors, res.Sent, res.FirstError)
	}
	if err != nil {
		return roundStats{}, fmt.Errorf("%s: %w", s.Name, err)
	}
	// The log also holds the inventory change events, which have no latency:
	// only decisions are kept.
	handler, err := decisionLatencies(s.DecisionLog, fi.Size())
	if err != nil {
		return roundStats{}, err
	}
	gc1, heap, err := runtimeFigures(ctx, client, s)
	if err != nil {
		return roundStats{}, err
	}
	return roundStats{res: res, p50: res.Percentile(0.5), p99: res.Percentile(0.99),
		hp50: loadgen.Percentile(handler, 0.5), hp99: loadgen.Percentile(handler, 0.99), gcs: gc1 - gc0, heap: heap}, nil
}

// runtimeFigures reads the server's garbage collections so far and heap in
// use from its /metrics (Go's collector's own figures), with Prometheus's
// own parser of the text format.
func runtimeFigures(ctx context.Context, client *http.Client, s *Server) (gcs, heap float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, 0, fmt.Errorf("%s /metrics: %w", s.Name, err)
	}
	if f := families["go_gc_duration_seconds"]; f != nil && len(f.GetMetric()) > 0 {
		gcs = float64(f.GetMetric()[0].GetSummary().GetSampleCount())
	}
	if f := families["go_memstats_heap_inuse_bytes"]; f != nil && len(f.GetMetric()) > 0 {
		heap = f.GetMetric()[0].GetGauge().GetValue()
	}
	return gcs, heap, nil
}

// decisionLatencies is HandlerLatencies of the decision lines only (the log
// also holds a line per inventory change).
func decisionLatencies(path string, offset int64) ([]time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kept bytes.Buffer
	for line := range bytes.Lines(b[offset:]) {
		if bytes.Contains(line, []byte(`"latency_ns"`)) {
			kept.Write(line)
		}
	}
	tmp := path + ".decisions"
	if err := os.WriteFile(tmp, kept.Bytes(), 0o600); err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	return HandlerLatencies(tmp, 0)
}

// changeStream changes single resources of s one after the other, n of them
// (n < 0: until ctx ends), and returns each change's time, from the request
// sent to its 204. Changes alternate: a PUT of a generated (or, against the
// fixture inventory, a new) image's facts, and a JSON Patch of a server's
// status.
func changeStream(ctx context.Context, cfg ScaleConfig, s *Server, n int) ([]time.Duration, error) {
	client := loadgen.NewClient(1)
	defer client.CloseIdleConnections()
	// srv-web-1's status is a fact fixture decisions read: it is put back
	// as it was when the stream ends, so that every round decides the
	// same requests the same way (the medians compare like with like).
	const statusPath = "/v1/data/inventory/resources/servers/srv-web-1/status"
	status, err := getJSON(ctx, client, s.Base+statusPath)
	if err != nil {
		return nil, err
	}
	defer func() {
		body := fmt.Sprintf(`[{"op":"replace","path":"/status","value":%s}]`, status)
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPatch, s.Base+"/v1/data/inventory/resources/servers/srv-web-1", strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json-patch+json")
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	var out []time.Duration
	for i := 0; n < 0 || i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		var req *http.Request
		var err error
		if i%2 == 0 {
			id := scalegen.ID(cfg.Seed, "images", 2*i) // a Huawei image
			body := fmt.Sprintf(`{"image_type":"system","visibility":"private","owner_project_id":"0605767a3300d5762fb7c0186d8d2b3b","members":[],"region":"cn-north-4","status":%q}`,
				[]string{"active", "saving"}[i/2%2])
			req, err = http.NewRequest(http.MethodPut, s.Base+"/v1/data/inventory/resources/images/"+id, strings.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
		} else {
			// srv-web-1 is in both inventories (the base's).
			body := fmt.Sprintf(`[{"op":"replace","path":"/status","value":%q}]`, []string{"SHUTOFF", "ACTIVE"}[i/2%2])
			req, err = http.NewRequest(http.MethodPatch, s.Base+"/v1/data/inventory/resources/servers/srv-web-1", strings.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json-patch+json")
			}
		}
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		// Not ctx: a change that has started is let finish, and counted.
		resp, err := client.Do(req.WithContext(context.WithoutCancel(ctx)))
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", s.Name, req.Method, req.URL.Path, err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusNoContent {
			return nil, fmt.Errorf("%s: %s %s answered %d: %.300s", s.Name, req.Method, req.URL.Path, resp.StatusCode, answer)
		}
		out = append(out, d)
	}
	return out, nil
}

// getJSON is the result member of a Data API GET at url.
func getJSON(ctx context.Context, client *http.Client, url string) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var answer struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.Result == nil {
		return nil, fmt.Errorf("GET %s: %d, no result (%v)", url, resp.StatusCode, err)
	}
	return answer.Result, nil
}

// putWhole sends the inventory in file to s with PUT /v1/data/inventory,
// streamed from the file, and times it to the answer.
func putWhole(ctx context.Context, s *Server, file string) (time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.Base+"/v1/data/inventory", f)
	if err != nil {
		return 0, err
	}
	req.ContentLength = fi.Size()
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: PUT %s: %w", s.Name, req.URL.Path, err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if resp.StatusCode != http.StatusNoContent {
		return 0, fmt.Errorf("%s: PUT %s answered %d: %.300s", s.Name, req.URL.Path, resp.StatusCode, answer)
	}
	return d, nil
}

// profileLoad profiles, in this process, what `imgadmit serve --data FILE`
// does before it is ready (read and check the file, convert, prepare,
// decide the canary) and what one change does (validate, convert, prepare,
// hash): CPU profiles load-cpu.pprof and change-cpu.pprof, and the heap
// holding the inventory, load-heap.pprof.
func profileLoad(ctx context.Context, cfg ScaleConfig, file string) error {
	if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
		return err
	}
	prof := func(name string, f func() error) error {
		out, err := os.Create(filepath.Join(cfg.ProfileDir, name))
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		t0 := time.Now()
		err = f()
		pprof.StopCPUProfile()
		fmt.Fprintf(cfg.Out, "  %s: %s\n", name, time.Since(t0).Round(time.Millisecond))
		return err
	}
	fmt.Fprintf(cfg.Out, "\nprofiles in this process (the sidecar's calls: cloudfacts.ReadInventoryFacts, evaluator.New; evaluator.EditInventory), in %s\n", cfg.ProfileDir)
	var e *evaluator.Evaluator
	if err := prof("load-cpu.pprof", func() error {
		inv, err := cloudfacts.ReadInventoryFacts([]string{file}, "")
		if err != nil {
			return err
		}
		e, err = evaluator.New(ctx, evaluator.Options{Facts: inv})
		return err
	}); err != nil {
		return err
	}
	runtime.GC()
	heap, err := os.Create(filepath.Join(cfg.ProfileDir, "load-heap.pprof"))
	if err != nil {
		return err
	}
	defer heap.Close()
	if err := pprof.WriteHeapProfile(heap); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(cfg.Out, "  heap in use after the load: %.0f MiB (Go heap: the inventory's records and the rulebook)\n", mib(int64(ms.HeapInuse)))
	// One change as the sidecar makes it below /v1/data/inventory: the
	// resource checked, its shard rebuilt, the query prepared again.
	return prof("change-cpu.pprof", func() error {
		for i := range 100 {
			err := e.EditInventory(ctx, "", nil, []evaluator.ResourceChange{{Kind: "images", ID: scalegen.ID(cfg.Seed, "images", 2*i),
				Value: map[string]any{"image_type": "system", "status": []string{"saving", "active"}[i%2], "region": "cn-north-4"}}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func countsText(c scalegen.Counts) string {
	var parts []string
	for _, k := range scalegen.Kinds {
		parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
	}
	return strings.Join(parts, ", ")
}

func medianRound(rs []roundStats, f func(roundStats) time.Duration) time.Duration {
	v := make([]time.Duration, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return loadgen.Percentile(v, 0.5)
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
