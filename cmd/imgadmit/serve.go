package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/fleet"
	"github.com/imgadmit/imgadmit/sidecar"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run the HTTP sidecar: POST /v1/admit, OPA's /v1/data/imgadmit/decision, /health, /metrics",
		Description: "Answers a decision per request with the same evaluator as 'eval', and logs one JSON line per decision.\n" +
			"SIGHUP reloads the rulebook directory and the inventory files and reopens the decision log file;\n" +
			"SIGTERM finishes the requests in flight, flushes the decision log and exits 0; a second SIGTERM ends it at once.\n" +
			"The server log is JSON lines on standard error. See docs/sidecar.md.",
		Flags: append(append(evaluatorFlags(),
			&cli.StringFlag{Name: "addr", Value: sidecar.DefaultAddr, Usage: "`HOST:PORT` to listen on (port 0 picks a free one; the server log says which)"},
			&cli.BoolFlag{Name: "watch", Usage: "reload the --policies directory and the --data files when they change"},
			&cli.StringFlag{Name: "decision-log", Value: sidecar.StdoutLog, Usage: "`FILE` to append one JSON line per decision (and per refused attempt and inventory change) to; - is standard output"},
			&cli.BoolFlag{Name: "decision-log-required", Usage: "refuse (REQ-004) a decision whose log line cannot be written: no admission without its audit line"},
			&cli.IntFlag{Name: "decision-log-max-input", Value: sidecar.DefaultDecisionLogMaxInput, Usage: "largest request in `BYTES` a log line carries; a larger one is logged as its SHA-256 and size"},
			&cli.Int64Flag{Name: "max-body", Value: sidecar.DefaultMaxBody, Usage: "largest request body in `BYTES` (larger: 413)"},
			&cli.Int64Flag{Name: "max-inventory-body", Value: sidecar.DefaultMaxInventoryBody, Usage: "largest body in `BYTES` written to /v1/data/inventory and below it, read as it arrives (larger: 413)"},
			&cli.IntFlag{Name: "max-header-bytes", Value: sidecar.DefaultMaxHeaderBytes, Usage: "largest request headers in `BYTES` (larger: 431)"},
			&cli.IntFlag{Name: "max-connections", Value: sidecar.DefaultMaxConnections, Usage: "open connections at most; one more is closed at once"},
			&cli.IntFlag{Name: "max-in-flight", Usage: "requests decoded and decided at once (default: the number of CPUs)"},
			&cli.IntFlag{Name: "max-queued", Value: sidecar.DefaultMaxQueued, Usage: "requests waiting for a turn, each at most a second; one more is answered 429"},
			&cli.StringFlag{Name: "memory-limit", Value: "auto", Usage: "soft memory limit: auto (100 MiB, or 1.75 times the heap the inventory needs), off, or `BYTES` (KiB, MiB, GiB); GOMEMLIMIT, when set, wins"},
			&cli.DurationFlag{Name: "eval-timeout", Value: sidecar.DefaultEvalTimeout, Usage: "deadline of one evaluation; past it the request is refused (fail closed)"},
			&cli.DurationFlag{Name: "read-timeout", Value: sidecar.DefaultReadTimeout, Usage: "time to read a request, headers and body"},
			&cli.DurationFlag{Name: "write-timeout", Value: sidecar.DefaultWriteTimeout, Usage: "time to answer a request, from the end of its headers; must exceed --eval-timeout"},
			&cli.DurationFlag{Name: "idle-timeout", Value: sidecar.DefaultIdleTimeout, Usage: "time an idle keep-alive connection stays open"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: sidecar.DefaultShutdownTimeout, Usage: "time requests in flight get to finish after SIGTERM"},
			&cli.StringFlag{Name: "data-region", Usage: "the `REGION` of the cloud responses given as --data (or PUT as the inventory) that do not say theirs (Huawei's)"},
			&cli.StringFlag{Name: "identities", Usage: "`FILE` (YAML or JSON) of the identities that may ask: token digests, roles, projects (docs/sidecar.md, Deploying)", TakesFile: true},
			&cli.StringFlag{Name: "token-file", Usage: "`FILE` holding one bearer token with every role and no project binding: development only; deploy with --identities", TakesFile: true},
			&cli.StringFlag{Name: "tls-cert", Usage: "TLS certificate `FILE` (PEM); with --tls-key, serve HTTPS", TakesFile: true},
			&cli.StringFlag{Name: "tls-key", Usage: "TLS private key `FILE` (PEM)", TakesFile: true},
			&cli.StringFlag{Name: "config-file", Usage: "OPA configuration `FILE` (YAML or JSON: services, bundles, decision_logs, status, keys, labels), carried out by OPA's own plugins: the rulebook and the inventory as bundles, decision logs uploaded (docs/fleet.md)", TakesFile: true},
			&cli.BoolFlag{Name: "sync", Usage: "fetch the inventory from the clouds in the background, as 'inventory sync' does (with its flags below), its resources over the --data files'"},
			&cli.DurationFlag{Name: "sync-interval", Value: sidecar.DefaultSyncInterval, Usage: "wait between the end of one sync and the next"},
		), syncFlags()...),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError(fmt.Sprintf("serve takes no arguments, got %q", c.Args().Slice()))
	}
	cfg := sidecar.Config{
		Version:             version,
		Addr:                c.String("addr"),
		Policies:            c.String("policies"),
		DataFiles:           c.StringSlice("data"),
		DataRegion:          c.String("data-region"),
		Watch:               c.Bool("watch"),
		Lenient:             c.Bool("lenient"),
		DecisionLog:         c.String("decision-log"),
		DecisionLogRequired: c.Bool("decision-log-required"),
		DecisionLogMaxInput: c.Int("decision-log-max-input"),
		Stdout:              c.App.Writer,
		Logger:              slog.New(slog.NewJSONHandler(c.App.ErrWriter, nil)),
		MaxBody:             c.Int64("max-body"),
		MaxInventoryBody:    c.Int64("max-inventory-body"),
		MaxHeaderBytes:      c.Int("max-header-bytes"),
		MaxConnections:      c.Int("max-connections"),
		MaxInFlight:         c.Int("max-in-flight"),
		MaxQueued:           c.Int("max-queued"),
		EvalTimeout:         c.Duration("eval-timeout"),
		ReadTimeout:         c.Duration("read-timeout"),
		WriteTimeout:        c.Duration("write-timeout"),
		IdleTimeout:         c.Duration("idle-timeout"),
		ShutdownTimeout:     c.Duration("shutdown-timeout"),
		Identities:          c.String("identities"),
		TokenFile:           c.String("token-file"),
		TLSCert:             c.String("tls-cert"),
		TLSKey:              c.String("tls-key"),
	}
	if file := c.String("config-file"); file != "" {
		raw, err := fleet.ReadConfig(file)
		if err != nil {
			return usageError(fmt.Sprintf("--config-file: %v", err))
		}
		cfg.FleetConfig, cfg.ConfigFile = raw, file
	}
	if c.Bool("sync") {
		s, err := newSyncer(c, os.Getenv)
		if err != nil {
			return err
		}
		if c.Duration("sync-interval") <= 0 {
			return usageError("--sync-interval must be positive")
		}
		cfg.Sync = s.sidecarSync
		cfg.SyncInterval = c.Duration("sync-interval")
	} else {
		for _, f := range append([]string{"sync-interval"}, flagNames(syncFlags())...) {
			if c.IsSet(f) {
				return usageError(fmt.Sprintf("--%s is a flag of --sync", f))
			}
		}
	}
	limit, err := memoryLimit(c.String("memory-limit"), os.Getenv("GOMEMLIMIT") != "")
	if err != nil {
		return err
	}
	cfg.MemoryLimit = limit
	// Only an explicit flag overrides the inventory's own setting.
	if c.IsSet("trust-request-facts") {
		t := c.Bool("trust-request-facts")
		cfg.TrustRequestFacts = &t
	}
	if cfg.MaxBody <= 0 || cfg.MaxInventoryBody <= 0 || cfg.EvalTimeout <= 0 || cfg.ReadTimeout <= 0 || cfg.WriteTimeout <= 0 || cfg.IdleTimeout <= 0 || cfg.ShutdownTimeout <= 0 {
		return usageError("--max-body, --max-inventory-body and the timeouts must be positive")
	}
	if cfg.MaxHeaderBytes <= 0 || cfg.MaxConnections <= 0 || cfg.DecisionLogMaxInput <= 0 {
		return usageError("--max-header-bytes, --max-connections and --decision-log-max-input must be positive")
	}
	if cfg.MaxInFlight < 0 || cfg.MaxQueued < 0 {
		return usageError("--max-in-flight and --max-queued must not be negative (0 means the default)")
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg.Reload = hup
	ctx, stop := stopOnSignal(c.Context)
	defer stop()

	srv, err := sidecar.New(cfg)
	if err != nil {
		return serveError(err)
	}
	if err := srv.Run(ctx); err != nil {
		return serveError(err)
	}
	return nil
}

// memoryLimit reads --memory-limit: auto, off, or a size in bytes (with KiB,
// MiB or GiB). With GOMEMLIMIT set, the operator's limit stands and the
// flag's default steps aside.
func memoryLimit(v string, envSet bool) (int64, error) {
	switch {
	case v == "off" || (v == "auto" && envSet):
		return 0, nil
	case v == "auto":
		return sidecar.MemoryLimitAuto, nil
	}
	n, unit := v, int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if s, ok := strings.CutSuffix(v, suffix); ok {
			n, unit = s, u
		}
	}
	b, err := strconv.ParseInt(n, 10, 64)
	if err != nil || b <= 0 || b > math.MaxInt64/unit {
		return 0, usageError(fmt.Sprintf("--memory-limit %q: want auto, off or a size such as 256MiB", v))
	}
	return b * unit, nil
}

// stopOnSignal is a context that ends at the first SIGTERM or interrupt:
// the server then drains. The next one is not caught: the default action
// ends the process at once (killed by the signal, shell status 143 for
// SIGTERM and 130 for an interrupt), for an operator who will not wait for
// the drain. Decision lines already answered are already written; each is
// one write(2).
func stopOnSignal(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
		}
		// Stop before cancel: by the time the server says it is shutting
		// down, a second signal already gets the default action.
		signal.Stop(sigs)
		cancel()
	}()
	return ctx, cancel
}

// serveError gives a startup or shutdown error its exit code: a bad flag,
// rulebook or inventory is the caller's (2); anything else is internal (3).
func serveError(err error) error {
	var ce *sidecar.ConfigError
	if errors.As(err, &ce) {
		return usageError(err.Error())
	}
	var ee *evaluator.Error
	if errors.As(err, &ee) {
		return cli.Exit(err.Error(), codeFor(err))
	}
	return cli.Exit(err.Error(), exitInternal)
}
