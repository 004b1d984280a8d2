package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
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
		Flags: append(evaluatorFlags(),
			&cli.StringFlag{Name: "addr", Value: sidecar.DefaultAddr, Usage: "`HOST:PORT` to listen on (port 0 picks a free one; the server log says which)"},
			&cli.BoolFlag{Name: "watch", Usage: "reload the --policies directory and the --data files when they change"},
			&cli.StringFlag{Name: "decision-log", Value: sidecar.StdoutLog, Usage: "`FILE` to append one JSON line per decision to; - is standard output"},
			&cli.Int64Flag{Name: "max-body", Value: sidecar.DefaultMaxBody, Usage: "largest request body in `BYTES` (larger: 413)"},
			&cli.DurationFlag{Name: "eval-timeout", Value: sidecar.DefaultEvalTimeout, Usage: "deadline of one evaluation; past it the request is refused (fail closed)"},
			&cli.DurationFlag{Name: "read-timeout", Value: sidecar.DefaultReadTimeout, Usage: "time to read a request, headers and body"},
			&cli.DurationFlag{Name: "write-timeout", Value: sidecar.DefaultWriteTimeout, Usage: "time to answer a request, from the end of its headers; must exceed --eval-timeout"},
			&cli.DurationFlag{Name: "idle-timeout", Value: sidecar.DefaultIdleTimeout, Usage: "time an idle keep-alive connection stays open"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: sidecar.DefaultShutdownTimeout, Usage: "time requests in flight get to finish after SIGTERM"},
			&cli.StringFlag{Name: "token-file", Usage: "`FILE` holding the bearer token every endpoint but /health and /health/ready requires", TakesFile: true},
			&cli.StringFlag{Name: "tls-cert", Usage: "TLS certificate `FILE` (PEM); with --tls-key, serve HTTPS", TakesFile: true},
			&cli.StringFlag{Name: "tls-key", Usage: "TLS private key `FILE` (PEM)", TakesFile: true},
		),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError(fmt.Sprintf("serve takes no arguments, got %q", c.Args().Slice()))
	}
	cfg := sidecar.Config{
		Addr:            c.String("addr"),
		Policies:        c.String("policies"),
		DataFiles:       c.StringSlice("data"),
		Watch:           c.Bool("watch"),
		Lenient:         c.Bool("lenient"),
		DecisionLog:     c.String("decision-log"),
		Stdout:          c.App.Writer,
		Logger:          slog.New(slog.NewJSONHandler(c.App.ErrWriter, nil)),
		MaxBody:         c.Int64("max-body"),
		EvalTimeout:     c.Duration("eval-timeout"),
		ReadTimeout:     c.Duration("read-timeout"),
		WriteTimeout:    c.Duration("write-timeout"),
		IdleTimeout:     c.Duration("idle-timeout"),
		ShutdownTimeout: c.Duration("shutdown-timeout"),
		TokenFile:       c.String("token-file"),
		TLSCert:         c.String("tls-cert"),
		TLSKey:          c.String("tls-key"),
	}
	// Only an explicit flag overrides the inventory's own setting.
	if c.IsSet("trust-request-facts") {
		t := c.Bool("trust-request-facts")
		cfg.TrustRequestFacts = &t
	}
	if cfg.MaxBody <= 0 || cfg.EvalTimeout <= 0 || cfg.ReadTimeout <= 0 || cfg.WriteTimeout <= 0 || cfg.IdleTimeout <= 0 || cfg.ShutdownTimeout <= 0 {
		return usageError("--max-body and the timeouts must be positive")
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
