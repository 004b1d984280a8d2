package sidecar

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Defaults for the flags of `imgadmit serve`.
const (
	DefaultAddr            = "127.0.0.1:8181"
	DefaultMaxBody         = 1 << 20 // 1 MiB
	DefaultEvalTimeout     = 500 * time.Millisecond
	DefaultReadTimeout     = 10 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultIdleTimeout     = 60 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
	// StdoutLog is the --decision-log value that means standard output.
	StdoutLog = "-"
)

// Config is everything `imgadmit serve` can be told. The zero value of a
// duration or size means its default.
type Config struct {
	// Addr is the address to listen on; empty means DefaultAddr (loopback).
	Addr string
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener

	// Policies is the rulebook directory; empty means the embedded rulebook.
	Policies string
	// DataFiles are the inventory files, merged in order.
	DataFiles []string
	// Watch reloads the rulebook directory and the inventory files when they change.
	Watch bool
	// Reload delivers SIGHUP: each value reloads the rulebook directory and
	// the inventory files and reopens the decision log file. Nil means none.
	Reload <-chan os.Signal

	// Lenient turns missing facts into warnings.
	Lenient bool
	// TrustRequestFacts, when set, overrides the inventory's
	// settings.trust_request_facts; nil keeps the inventory's setting.
	TrustRequestFacts *bool

	// DecisionLog is a file to append decision lines to, or StdoutLog.
	// Empty means StdoutLog.
	DecisionLog string
	// DecisionLogWriter, when set, receives the decision lines instead of
	// DecisionLog. The server neither syncs nor closes it.
	DecisionLogWriter io.Writer
	// Stdout is standard output, for DecisionLog == StdoutLog.
	Stdout io.Writer
	// Logger is the server log; nil means JSON lines on standard error.
	Logger *slog.Logger

	MaxBody         int64
	EvalTimeout     time.Duration
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration

	// TokenFile holds the bearer token every endpoint but /health and
	// /health/ready requires; empty means no authentication.
	TokenFile string
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert, TLSKey string
}

// ConfigError is a configuration the server cannot start with: a usage
// error, as opposed to a rulebook or inventory that does not load.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

// settled is a Config with its defaults filled in and its files read.
type settled struct {
	Config
	token   []byte
	cert    *tls.Certificate
	dataAbs []string
	polAbs  string
}

func (c Config) settle() (*settled, error) {
	s := &settled{Config: c}
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	if s.DecisionLog == "" {
		s.DecisionLog = StdoutLog
	}
	if s.Stdout == nil {
		s.Stdout = os.Stdout
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&s.EvalTimeout, DefaultEvalTimeout},
		{&s.ReadTimeout, DefaultReadTimeout},
		{&s.WriteTimeout, DefaultWriteTimeout},
		{&s.IdleTimeout, DefaultIdleTimeout},
		{&s.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if s.MaxBody == 0 {
		s.MaxBody = DefaultMaxBody
	}
	switch {
	case s.MaxBody < 0:
		return nil, configErrorf("--max-body must be positive, not %d", s.MaxBody)
	case s.EvalTimeout < 0, s.ReadTimeout < 0, s.WriteTimeout < 0, s.IdleTimeout < 0, s.ShutdownTimeout < 0:
		return nil, configErrorf("timeouts must be positive")
	case s.WriteTimeout <= s.EvalTimeout:
		// Otherwise a decision that takes its whole deadline could not be written.
		return nil, configErrorf("--write-timeout (%s) must be longer than --eval-timeout (%s)", s.WriteTimeout, s.EvalTimeout)
	}
	if s.Listener == nil {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			return nil, configErrorf("--addr %q: %v", s.Addr, err)
		}
	}
	if s.Policies != "" {
		fi, err := os.Stat(s.Policies)
		if err != nil {
			return nil, configErrorf("--policies: %v", err)
		}
		if !fi.IsDir() {
			return nil, configErrorf("--policies %s is not a directory", s.Policies)
		}
		if s.polAbs, err = filepath.Abs(s.Policies); err != nil {
			return nil, configErrorf("--policies: %v", err)
		}
	}
	for _, f := range s.DataFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, configErrorf("--data: %v", err)
		}
		s.dataAbs = append(s.dataAbs, abs)
	}
	if s.Watch && s.Policies == "" && len(s.DataFiles) == 0 {
		return nil, configErrorf("--watch needs --policies DIR or --data FILE: the embedded rulebook cannot change")
	}
	if s.TokenFile != "" {
		b, err := os.ReadFile(s.TokenFile)
		if err != nil {
			return nil, configErrorf("--token-file: %v", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return nil, configErrorf("--token-file %s is empty", s.TokenFile)
		}
		if strings.ContainsAny(tok, " \t\r\n") {
			return nil, configErrorf("--token-file %s: the token must be one word", s.TokenFile)
		}
		s.token = []byte(tok)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return nil, configErrorf("--tls-cert and --tls-key go together")
	}
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return nil, configErrorf("--tls-cert/--tls-key: %v", err)
		}
		s.cert = &cert
	}
	return s, nil
}
