// Command loadgen measures decision servers over loopback.
//
//	loadgen compare [flags]   imgadmit serve vs opa run --server, alternating; imgadmit eval vs opa eval
//	loadgen run --url URL     one load against any OPA Data API endpoint
//	loadgen scale [flags]     imgadmit serve with a generated inventory of N resources vs the fixture inventory
//
// `make bench-compare` runs compare and keeps its output in bin/bench-compare.txt;
// `make bench-scale` runs scale (bin/bench-scale.txt).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen compare|run|scale [flags] (-h for the flags)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "compare":
		err = compare(ctx, os.Args[2:])
	case "run":
		err = run(ctx, os.Args[2:])
	case "scale":
		err = scale(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: want compare, run or scale", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func compare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	cfg := CompareConfig{}
	fs.StringVar(&cfg.Imgadmit, "imgadmit", "bin/imgadmit", "the imgadmit binary")
	fs.StringVar(&cfg.Baseline, "baseline", "", "another imgadmit binary (the build before a change) run as one more server, imgadmit-base")
	fs.StringVar(&cfg.OPA, "opa", "bin/opa", "the stock OPA binary (built from the pinned module)")
	fs.StringVar(&cfg.Policies, "policies", "policies", "the rulebook directory")
	fs.StringVar(&cfg.Inventory, "inventory", "fixtures/inventory.yaml", "the inventory file")
	fs.StringVar(&cfg.Fixtures, "fixtures", "fixtures/requests", "the request fixtures")
	fs.IntVar(&cfg.Rounds, "rounds", 3, "rounds per server, alternating")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "flat-out warm-up per server")
	fs.DurationVar(&cfg.FlatDuration, "flat-duration", 5*time.Second, "one flat-out round")
	fs.IntVar(&cfg.FlatRequests, "flat-requests", 100_000, "at most this many requests per flat-out round")
	fs.IntVar(&cfg.Workers, "workers", 8, "requests in flight, flat out")
	fs.Float64Var(&cfg.Rate, "rate", 2000, "requests per second of the fixed-rate rounds")
	fs.DurationVar(&cfg.RateDuration, "rate-duration", 5*time.Second, "one fixed-rate round")
	fs.BoolVar(&cfg.QuietOPA, "quiet-opa", true, "also run OPA with its access log off (--log-level error)")
	fs.BoolVar(&cfg.OPADecisionLog, "opa-decision-log", true, "stock OPA logs every decision (--set decision_logs.console=true, to a file); false: no decision log, as in rounds 1 to 6")
	fs.StringVar(&cfg.DecisionLog, "decision-log", "", "imgadmit's --decision-log (default: a scratch file)")
	fs.IntVar(&cfg.EvalRuns, "eval-runs", 5, "runs per tool of the one-file CLI comparison (0: skip)")
	fs.IntVar(&cfg.EvalFiles, "eval-files", 10_000, "files of the batch CLI run (0: skip)")
	env := fs.String("env", "", "more environment for every server, space-separated (e.g. GOGC=400)")
	out := fs.String("out", "", "also write the report to this file")
	benchOut := fs.String("bench-out", "", "also write benchstat lines to this file")
	_ = fs.Parse(args)

	work, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cfg.WorkDir = work
	cfg.Env = strings.Fields(*env)
	closeReports, err := reports(*out, *benchOut, &cfg.Out, &cfg.Bench)
	if err != nil {
		return err
	}
	defer closeReports()
	return Compare(ctx, cfg)
}

func scale(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scale", flag.ExitOnError)
	cfg := ScaleConfig{}
	fs.StringVar(&cfg.Imgadmit, "imgadmit", "bin/imgadmit", "the imgadmit binary")
	fs.StringVar(&cfg.Inventory, "inventory", "fixtures/inventory.yaml", "the base inventory: the small one measured, and written into the big one")
	fs.StringVar(&cfg.Fixtures, "fixtures", "fixtures/requests", "the request fixtures")
	fs.StringVar(&cfg.DataDir, "data-dir", "bin", "where to write the generated inventory (scale-inventory-N.json)")
	fs.IntVar(&cfg.N, "n", 1_000_000, "resources to generate")
	fs.Uint64Var(&cfg.Seed, "seed", 18, "the generator's seed")
	fs.IntVar(&cfg.Rounds, "rounds", 3, "fixed-rate rounds per inventory, alternating")
	fs.Float64Var(&cfg.Rate, "rate", 200, "requests per second of a round")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "one round")
	fs.IntVar(&cfg.Changes, "changes", 10, "single-resource changes timed one after the other")
	fs.DurationVar(&cfg.ReadyTimeout, "ready-timeout", 5*time.Minute, "the longest wait for a server's /health/ready")
	fs.StringVar(&cfg.ProfileDir, "profile-dir", "", "write CPU and heap profiles of the load and of one change here (in this process)")
	out := fs.String("out", "", "also write the report to this file")
	benchOut := fs.String("bench-out", "", "also write benchstat lines to this file")
	_ = fs.Parse(args)
	if cfg.N < 0 || cfg.Rounds < 1 || cfg.Rate <= 0 || cfg.Duration <= 0 || cfg.Changes < 1 {
		return fmt.Errorf("scale: -n %d -rounds %d -rate %g -duration %s -changes %d: want n >= 0 and the others above zero",
			cfg.N, cfg.Rounds, cfg.Rate, cfg.Duration, cfg.Changes)
	}
	work, err := os.MkdirTemp("", "loadgen-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cfg.WorkDir = work
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}
	closeReports, err := reports(*out, *benchOut, &cfg.Out, &cfg.Bench)
	if err != nil {
		return err
	}
	defer closeReports()
	return Scale(ctx, cfg)
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	target := fs.String("url", "", "the decision endpoint, e.g. http://127.0.0.1:8181/v1/data/imgadmit/decision (loopback only)")
	fixtures := fs.String("fixtures", "fixtures/requests", "the request fixtures")
	l := loadgen.Load{}
	fs.IntVar(&l.Requests, "requests", 10_000, "at most this many requests")
	fs.DurationVar(&l.Duration, "duration", 10*time.Second, "no request starts after this")
	fs.Float64Var(&l.Rate, "rate", 0, "requests per second; 0 is flat out")
	fs.IntVar(&l.Workers, "workers", 8, "requests in flight at most")
	admit := fs.Bool("admit", false, "post bare requests (imgadmit's /v1/admit) instead of {\"input\": request}")
	_ = fs.Parse(args)
	if err := loopback(*target); err != nil {
		return err
	}
	reqs, _, err := loadgen.Requests(*fixtures)
	if err != nil {
		return err
	}
	bodies := reqs
	if !*admit {
		bodies = loadgen.DataBodies(reqs)
	}
	client := loadgen.NewClient(max(l.Workers, 64))
	res, err := loadgen.Run(ctx, client, *target, bodies, l)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, res.Summary())
	if res.Errors > 0 {
		return fmt.Errorf("%d requests failed, first: %s", res.Errors, res.FirstError)
	}
	return nil
}

// loopback refuses a target that is not on this machine: a load generator
// pointed at someone else's server is an attack, not a benchmark.
func loopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q: want http://127.0.0.1:PORT/path", target)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--url %q: only loopback addresses", target)
	}
	return nil
}

// reports points out at standard output, and also at the file outFile when
// given, and bench at the file benchFile when given (nil otherwise); the
// function returned closes the files.
func reports(outFile, benchFile string, out, bench *io.Writer) (func(), error) {
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	*out = os.Stdout
	if outFile != "" {
		f, err := os.Create(outFile)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		*out = io.MultiWriter(os.Stdout, f)
	}
	if benchFile != "" {
		f, err := os.Create(benchFile)
		if err != nil {
			closeAll()
			return nil, err
		}
		files = append(files, f)
		*bench = f
	}
	return closeAll, nil
}
