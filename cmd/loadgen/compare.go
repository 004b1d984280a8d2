package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// CompareConfig is what Compare runs and where it writes.
type CompareConfig struct {
	Imgadmit string // the imgadmit binary
	// Baseline, when set, is another imgadmit binary (say, the build before
	// a change) run as one more server, imgadmit-base, with its own file log:
	// a before and after measured in the same rounds, under the same noise.
	Baseline  string
	OPA       string // the stock OPA binary, built from the pinned module
	Policies  string // the rulebook directory (policies/)
	Inventory string // the inventory file (fixtures/inventory.yaml)
	Fixtures  string // the request fixtures (fixtures/requests)
	WorkDir   string // scratch: logs, the decision log, generated files

	Rounds       int           // rounds per server, alternating
	Warmup       time.Duration // flat-out load before the first round
	FlatDuration time.Duration // one flat-out round
	FlatRequests int           // at most this many requests per flat-out round
	Workers      int           // requests in flight, flat out
	Rate         float64       // requests per second of the fixed-rate rounds
	RateDuration time.Duration // one fixed-rate round
	QuietOPA     bool          // also run OPA with its access log off (--log-level error)
	// OPADecisionLog turns stock OPA's decision log on, as its users do
	// without a remote service: decision_logs.console, one JSON line per
	// decision on its standard error, which goes to a file. Off, OPA runs as
	// in rounds 1 to 6 (access log only).
	OPADecisionLog bool
	DecisionLog    string   // imgadmit's --decision-log; empty: a file in WorkDir
	Env            []string // more environment for every server (say GOGC=400), the same for all

	EvalRuns  int // runs per tool of the one-file eval
	EvalFiles int // files of the batch eval

	Out   io.Writer // the report for people
	Bench io.Writer // benchstat lines; nil for none
}

type roundResult struct {
	server  string
	res     *loadgen.Result
	cpu     time.Duration   // the server's CPU time per answered request
	handler []time.Duration // imgadmit's own time per decision, from its decision log (sorted)
}

// Compare runs the comparison: the same bodies against `imgadmit serve` and
// `opa run --server` on the same rulebook and inventory, alternating rounds
// flat out and at a fixed rate; then `imgadmit eval` against `opa eval`. Every
// process it starts is stopped before it returns, whatever happens.
func Compare(ctx context.Context, cfg CompareConfig) (err error) {
	reqs, files, err := loadgen.Requests(cfg.Fixtures)
	if err != nil {
		return err
	}
	bodies := loadgen.DataBodies(reqs)
	inv, err := evaluator.ReadInventory([]string{cfg.Inventory})
	if err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	invJSON, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	decisionLog := cfg.DecisionLog
	if decisionLog == "" {
		decisionLog = filepath.Join(cfg.WorkDir, "decisions.log")
		defer os.Remove(decisionLog)
	}
	fmt.Fprintf(cfg.Out, "imgadmit vs stock OPA: %d request bodies (fixtures, invalid ones left out), rulebook %s, inventory %s\n",
		len(bodies), cfg.Policies, cfg.Inventory)

	var servers []*Server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	ia, err := StartImgadmit(ctx, "imgadmit", cfg.Imgadmit, cfg.Inventory, decisionLog, cfg.WorkDir, cfg.Env)
	if err != nil {
		return err
	}
	servers = append(servers, ia)
	if cfg.Baseline != "" {
		baseLog := filepath.Join(cfg.WorkDir, "decisions-base.log")
		defer os.Remove(baseLog)
		ib, err := StartImgadmit(ctx, "imgadmit-base", cfg.Baseline, cfg.Inventory, baseLog, cfg.WorkDir, cfg.Env)
		if err != nil {
			return err
		}
		servers = append(servers, ib)
	}
	// The same, with OPA's decision-log plugin uploading every decision to a
	// collector beside the file (issue 16: within 10 % of the file-logged
	// throughput).
	collector, err := StartCollector()
	if err != nil {
		return err
	}
	defer collector.Stop()
	uploadCfg, err := collector.UploadConfig(cfg.WorkDir)
	if err != nil {
		return err
	}
	uploadLog := filepath.Join(cfg.WorkDir, "decisions-upload.log")
	defer os.Remove(uploadLog)
	iu, err := StartImgadmit(ctx, "imgadmit-up", cfg.Imgadmit, cfg.Inventory, uploadLog, cfg.WorkDir, cfg.Env, "--config-file", uploadCfg)
	if err != nil {
		return err
	}
	servers = append(servers, iu)
	// --ignore: the OPA server loads the same rule files imgadmit embeds, not
	// the tests beside them.
	opaArgs, opaSays := []string{"--ignore", "*_test.rego"}, "opa run --server (access log at info, its default"
	if cfg.OPADecisionLog {
		// The console decision logger is OPA's own logger at info whatever
		// --log-level says, so opa-quiet logs every decision too.
		opaArgs = append(opaArgs, "--set", "decision_logs.console=true")
		opaSays = "opa run --server --set decision_logs.console=true (decision log: a JSON line per decision on its stderr, to a file; access log at info, its default"
	}
	opa, err := StartOPA(ctx, "opa", cfg.OPA, cfg.Policies, invJSON, cfg.WorkDir, cfg.Env, opaArgs...)
	if err != nil {
		return err
	}
	opa.ConsoleDecisions = cfg.OPADecisionLog
	servers = append(servers, opa)
	if cfg.QuietOPA {
		q, err := StartOPA(ctx, "opa-quiet", cfg.OPA, cfg.Policies, invJSON, cfg.WorkDir, cfg.Env, append(opaArgs, "--log-level", "error")...)
		if err != nil {
			return err
		}
		q.ConsoleDecisions = cfg.OPADecisionLog
		servers = append(servers, q)
	}
	if !cfg.OPADecisionLog {
		opaSays += "; no decision log"
	}
	if cfg.Baseline != "" {
		fmt.Fprintf(cfg.Out, "imgadmit-base: %s serve, as imgadmit (its own file log)\n", cfg.Baseline)
	}
	fmt.Fprintf(cfg.Out, "servers: imgadmit: imgadmit serve --decision-log %s (a file); imgadmit-up: the same (its own file) and --config-file uploading decision logs to a loopback collector; opa: %s)", decisionLog, opaSays)
	if cfg.QuietOPA {
		fmt.Fprint(cfg.Out, "; opa-quiet: the same as opa with --log-level error (access log off)")
	}
	if len(cfg.Env) > 0 {
		fmt.Fprintf(cfg.Out, "; environment of every server: %s", strings.Join(cfg.Env, " "))
	}
	fmt.Fprintln(cfg.Out)

	if err := checkSameDecisions(ctx, servers, bodies, files); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "decisions: every body gets the same decision from every server (allowed, provider, operation, reasons)\n")
	for _, s := range servers {
		s.Answered += int64(len(bodies))
	}

	client := loadgen.NewClient(cfg.Workers)
	defer client.CloseIdleConnections()
	if cfg.Warmup > 0 {
		for _, s := range servers {
			res, err := loadgen.Run(ctx, client, s.URL(), bodies, loadgen.Load{Requests: 1 << 30, Duration: cfg.Warmup, Workers: cfg.Workers})
			if err != nil {
				return err
			}
			s.Answered += int64(res.Sent - res.Errors)
		}
	}

	flat := loadgen.Load{Requests: cfg.FlatRequests, Duration: cfg.FlatDuration, Workers: cfg.Workers}
	fmt.Fprintf(cfg.Out, "\nflat out: %d workers, %d rounds of at most %d requests or %s per server, alternating\n", cfg.Workers, cfg.Rounds, cfg.FlatRequests, cfg.FlatDuration)
	flatRes, err := rounds(ctx, cfg, client, servers, bodies, flat, "flat")
	if err != nil {
		return err
	}
	rate := loadgen.Load{Requests: int(cfg.Rate * cfg.RateDuration.Seconds()), Duration: cfg.RateDuration + time.Second,
		Rate: cfg.Rate, Workers: max(64, cfg.Workers)}
	fmt.Fprintf(cfg.Out, "\nfixed rate: %.0f req/s for %s, %d rounds per server, alternating (latency from the time each request was due, however late the load generator released it)\n", cfg.Rate, cfg.RateDuration, cfg.Rounds)
	rateClient := loadgen.NewClient(rate.Workers)
	defer rateClient.CloseIdleConnections()
	rateRes, err := rounds(ctx, cfg, rateClient, servers, bodies, rate, fmt.Sprintf("rate%.0f", cfg.Rate))
	if err != nil {
		return err
	}

	fmt.Fprintf(cfg.Out, "\nsummary (medians over rounds)\n")
	fmt.Fprintf(cfg.Out, "  %-10s %11s %9s %9s %9s   %-16s %9s %9s   %s\n", "server", "flat req/s", "p50", "p99", "CPU/req",
		fmt.Sprintf("at %.0f/s: req/s", cfg.Rate), "p50", "p99", "RSS now / peak")
	tput := map[string]float64{}
	for _, s := range servers {
		f, r := only(flatRes, s.Name), only(rateRes, s.Name)
		tput[s.Name] = medianOf(f, func(x *loadgen.Result) float64 { return x.Throughput() })
		rss, peak, merr := s.Memory()
		mem := "n/a"
		if merr == nil {
			mem = fmt.Sprintf("%.1f / %.1f MiB", float64(rss)/(1<<20), float64(peak)/(1<<20))
		}
		fmt.Fprintf(cfg.Out, "  %-10s %11.0f %9s %9s %9s   %-16.0f %9s %9s   %s\n", s.Name, tput[s.Name],
			loadgen.Round(medianDur(f, 0.50)), loadgen.Round(medianDur(f, 0.99)), loadgen.Round(medianCPU(flatRes, s.Name)),
			medianOf(r, func(x *loadgen.Result) float64 { return x.Throughput() }), loadgen.Round(medianDur(r, 0.50)), loadgen.Round(medianDur(r, 0.99)), mem)
	}
	for _, s := range servers[1:] {
		if tput[s.Name] > 0 {
			fmt.Fprintf(cfg.Out, "  throughput ratio imgadmit/%s: %.2f\n", s.Name, tput["imgadmit"]/tput[s.Name])
		}
	}
	logErr := checkDecisionLogs(cfg.Out, servers)
	iu.Stop() // its plugin uploads what it still holds on the way out
	uploadErr := checkUploads(cfg.Out, iu.Name, collector.Events(), iu.Answered)
	fmt.Fprintf(cfg.Out, "  imgadmit's own time per decision (decision log latency_ns: from the handler's start to the decision):\n")
	fmt.Fprintf(cfg.Out, "    flat out p50 %s p99 %s; at %.0f/s p50 %s p99 %s\n",
		loadgen.Round(medianHandler(flatRes, 0.50)), loadgen.Round(medianHandler(flatRes, 0.99)), cfg.Rate,
		loadgen.Round(medianHandler(rateRes, 0.50)), loadgen.Round(medianHandler(rateRes, 0.99)))
	for _, s := range servers {
		s.Stop()
	}
	servers = nil
	if err := errors.Join(logErr, uploadErr); err != nil {
		return err
	}
	return compareEval(ctx, cfg, reqs)
}

// checkUploads says how many decision events the uploading server's plugin
// delivered to the collector against how many decisions it answered: fewer
// is an error (its uploads fell behind or dropped events, and the
// comparison is not of a server that uploads every decision); more is fine,
// as for the decision logs.
func checkUploads(out io.Writer, name string, uploaded, answered int64) error {
	fmt.Fprintf(out, "  %s uploaded %d decision events to the collector for %d decisions answered\n", name, uploaded, answered)
	if uploaded < answered {
		return fmt.Errorf("decision uploads short: %s uploaded %d of %d decisions", name, uploaded, answered)
	}
	return nil
}

// checkDecisionLogs says how many decisions each server's decision log holds
// against how many it answered: a comparison of servers that both log must
// not be one where a server skipped some. Fewer logged than answered is an
// error (more is fine: the warm-up's last answers may count as failed when
// the load generator stops waiting for them).
func checkDecisionLogs(out io.Writer, servers []*Server) error {
	fmt.Fprintf(out, "  decision logs (lines logged / decisions answered):")
	var short []string
	for _, s := range servers {
		n, err := s.LoggedDecisions()
		switch {
		case err != nil:
			return fmt.Errorf("%s: read its decision log: %w", s.Name, err)
		case n < 0:
			fmt.Fprintf(out, " %s none;", s.Name)
			continue
		case n < s.Answered:
			short = append(short, fmt.Sprintf("%s logged %d of %d decisions", s.Name, n, s.Answered))
		}
		fmt.Fprintf(out, " %s %d / %d;", s.Name, n, s.Answered)
	}
	fmt.Fprintln(out)
	if len(short) > 0 {
		return fmt.Errorf("decision logs short: %s", strings.Join(short, "; "))
	}
	return nil
}

// rounds runs the load against each server in turn, Rounds times.
func rounds(ctx context.Context, cfg CompareConfig, client *http.Client, servers []*Server, bodies [][]byte, l loadgen.Load, mode string) ([]roundResult, error) {
	var out []roundResult
	for r := range cfg.Rounds {
		for _, s := range servers {
			var logAt int64
			if s.DecisionLog != "" {
				fi, err := os.Stat(s.DecisionLog)
				if err != nil {
					return nil, err
				}
				logAt = fi.Size()
			}
			cpu0, _ := s.CPU()
			self0 := selfCPU()
			res, err := loadgen.Run(ctx, client, s.URL(), bodies, l)
			if err != nil {
				return nil, fmt.Errorf("%s round %d: %w", s.Name, r+1, err)
			}
			self1 := selfCPU()
			cpu1, _ := s.CPU()
			var perReq, clientPerReq time.Duration
			if n := res.Sent - res.Errors; n > 0 {
				perReq = (cpu1 - cpu0) / time.Duration(n)
				clientPerReq = (self1 - self0) / time.Duration(n)
			}
			s.Answered += int64(res.Sent - res.Errors)
			if res.Errors > 0 {
				return nil, fmt.Errorf("%s round %d: %d of %d requests failed, first: %s", s.Name, r+1, res.Errors, res.Sent, res.FirstError)
			}
			var handler []time.Duration
			own := ""
			if s.DecisionLog != "" {
				if handler, err = HandlerLatencies(s.DecisionLog, logAt); err != nil {
					return nil, fmt.Errorf("%s round %d: %w", s.Name, r+1, err)
				}
				own = fmt.Sprintf("  handler p50 %s p99 %s", loadgen.Round(loadgen.Percentile(handler, 0.50)), loadgen.Round(loadgen.Percentile(handler, 0.99)))
			}
			fmt.Fprintf(cfg.Out, "  round %d %-10s %s  server CPU %s/req  client CPU %s/req%s\n", r+1, s.Name, res.Summary(), loadgen.Round(perReq), loadgen.Round(clientPerReq), own)
			if cfg.Bench != nil && res.Throughput() > 0 {
				fmt.Fprintf(cfg.Bench, "BenchmarkSidecar/mode=%s/server=%s 1 %.0f ns/op %.0f req/s %d p50-ns %d p99-ns %d cpu-ns/req\n",
					mode, s.Name, 1e9/res.Throughput(), res.Throughput(), res.Percentile(0.50).Nanoseconds(), res.Percentile(0.99).Nanoseconds(), perReq.Nanoseconds())
			}
			out = append(out, roundResult{s.Name, res, perReq, handler})
		}
	}
	return out, nil
}

func only(rs []roundResult, name string) []*loadgen.Result {
	var out []*loadgen.Result
	for _, r := range rs {
		if r.server == name {
			out = append(out, r.res)
		}
	}
	return out
}

func medianCPU(rs []roundResult, name string) time.Duration {
	var v []time.Duration
	for _, r := range rs {
		if r.server == name {
			v = append(v, r.cpu)
		}
	}
	return median(v)
}

// medianHandler is the median over rounds of a percentile of imgadmit's own
// time per decision.
func medianHandler(rs []roundResult, p float64) time.Duration {
	var v []time.Duration
	for _, r := range rs {
		if len(r.handler) > 0 {
			v = append(v, loadgen.Percentile(r.handler, p))
		}
	}
	return median(v)
}

// median is the middle of v (sorted in place); 0 for none.
func median(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// selfCPU is the load generator's own CPU time so far (user and system).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func medianOf(rs []*loadgen.Result, f func(*loadgen.Result) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func medianDur(rs []*loadgen.Result, p float64) time.Duration {
	return time.Duration(medianOf(rs, func(r *loadgen.Result) float64 { return float64(r.Percentile(p)) }))
}

// checkSameDecisions asks every server for every body once and compares the
// decisions, less what only imgadmit adds (decision_id, rulebook): the
// comparison is only worth reading if both answer the same question the same
// way.
func checkSameDecisions(ctx context.Context, servers []*Server, bodies [][]byte, files []string) error {
	client := loadgen.NewClient(1)
	defer client.CloseIdleConnections()
	for i, b := range bodies {
		var first any
		for j, s := range servers {
			got, err := decision(ctx, client, s.URL(), b)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", s.Name, files[i], err)
			}
			if j == 0 {
				first = got
				continue
			}
			if !reflect.DeepEqual(first, got) {
				a, _ := json.Marshal(first)
				c, _ := json.Marshal(got)
				return fmt.Errorf("%s: %s and %s decide differently:\n  %s\n  %s", files[i], servers[0].Name, s.Name, a, c)
			}
		}
	}
	return nil
}

func decision(ctx context.Context, client *http.Client, url string, body []byte) (any, error) {
	raw, err := loadgen.Post(ctx, client, url, body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Result == nil {
		return nil, fmt.Errorf("no result in %s", raw)
	}
	delete(out.Result, "decision_id")
	delete(out.Result, "rulebook")
	return out.Result, nil
}

// compareEval times the CLIs: `imgadmit eval` and `opa eval` on one file,
// alternating, then `imgadmit eval` on EvalFiles files in one call.
func compareEval(ctx context.Context, cfg CompareConfig, reqs [][]byte) error {
	if cfg.EvalRuns <= 0 && cfg.EvalFiles <= 0 {
		return nil
	}
	// The inventory as stock OPA loads data: a directory whose path is the
	// document's path, inventory/data.json at data.inventory.
	inv, err := evaluator.ReadInventory([]string{cfg.Inventory})
	if err != nil {
		return err
	}
	dataDir := filepath.Join(cfg.WorkDir, "opa-data")
	defer os.RemoveAll(dataDir)
	if err := os.MkdirAll(filepath.Join(dataDir, "inventory"), 0o755); err != nil {
		return err
	}
	invJSON, _ := json.Marshal(inv)
	if err := os.WriteFile(filepath.Join(dataDir, "inventory", "data.json"), invJSON, 0o644); err != nil {
		return err
	}
	one := filepath.Join(cfg.WorkDir, "request.json")
	defer os.Remove(one)
	if err := os.WriteFile(one, reqs[len(reqs)/2], 0o644); err != nil {
		return err
	}
	if cfg.EvalRuns > 0 {
		ia := []string{cfg.Imgadmit, "eval", "--data", cfg.Inventory, one}
		op := []string{cfg.OPA, "eval", "--ignore", "*_test.rego", "-d", cfg.Policies, "-d", dataDir, "-i", one, "data.imgadmit.decision"}
		var ti, to []time.Duration
		for range cfg.EvalRuns {
			d, _, err := timed(ctx, ia)
			if err != nil {
				return err
			}
			ti = append(ti, d)
			d, _, err = timed(ctx, op)
			if err != nil {
				return err
			}
			to = append(to, d)
		}
		slices.Sort(ti)
		slices.Sort(to)
		mi, mo := ti[len(ti)/2], to[len(to)/2]
		fmt.Fprintf(cfg.Out, "\nCLI, one file, %d runs each, alternating (wall time, median [min..max])\n", cfg.EvalRuns)
		fmt.Fprintf(cfg.Out, "  imgadmit eval --data INV FILE                          %8s [%s..%s]\n", loadgen.Round(mi), loadgen.Round(ti[0]), loadgen.Round(ti[len(ti)-1]))
		fmt.Fprintf(cfg.Out, "  opa eval --ignore '*_test.rego' -d policies -d DATA -i FILE  %8s [%s..%s]\n", loadgen.Round(mo), loadgen.Round(to[0]), loadgen.Round(to[len(to)-1]))
		fmt.Fprintf(cfg.Out, "  ratio opa/imgadmit: %.2f\n", float64(mo)/float64(mi))
		if cfg.Bench != nil {
			for i := range ti {
				fmt.Fprintf(cfg.Bench, "BenchmarkCLIOneFile/tool=imgadmit 1 %d ns/op\n", ti[i].Nanoseconds())
				fmt.Fprintf(cfg.Bench, "BenchmarkCLIOneFile/tool=opa 1 %d ns/op\n", to[i].Nanoseconds())
			}
		}
	}
	if cfg.EvalFiles > 0 {
		dir := filepath.Join(cfg.WorkDir, "batch")
		defer os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i := range cfg.EvalFiles {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%05d.json", i)), reqs[i%len(reqs)], 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(cfg.Out, "\nCLI, %d files in one call: imgadmit eval --data INV DIR (output to /dev/null)\n", cfg.EvalFiles)
		for run := range 3 {
			wall, cpu, err := timed(ctx, []string{cfg.Imgadmit, "eval", "--data", cfg.Inventory, dir})
			if err != nil {
				return err
			}
			rate := float64(cfg.EvalFiles) / wall.Seconds()
			fmt.Fprintf(cfg.Out, "  run %d: %8s wall, %8s CPU (%.2f cores): %.0f files/s\n", run+1, loadgen.Round(wall), loadgen.Round(cpu), cpu.Seconds()/wall.Seconds(), rate)
			if cfg.Bench != nil {
				fmt.Fprintf(cfg.Bench, "BenchmarkCLIBatch/files=%d 1 %d ns/op %.0f files/s %.2f cores\n", cfg.EvalFiles, wall.Nanoseconds(), rate, cpu.Seconds()/wall.Seconds())
			}
		}
	}
	return nil
}

// timed runs a command to its end and returns its wall and CPU time. Exit
// codes 1 and 2 (denied, invalid) are answers, not failures.
func timed(ctx context.Context, argv []string) (wall, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() >= 1 && ee.ExitCode() <= 2 {
		err = nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, stderr.String())
	}
	if ps := cmd.ProcessState; ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	return wall, cpu, nil
}
