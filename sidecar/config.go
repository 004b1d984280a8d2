package sidecar

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Defaults for the flags of `imgadmit serve`.
const (
	DefaultAddr    = "127.0.0.1:8181"
	DefaultMaxBody = 1 << 20 // 1 MiB
	// DefaultMaxInventoryBody bounds a body written to the inventory
	// endpoints: a whole fleet's inventory (a million resources is about
	// 200 MiB of JSON), read as it arrives rather than held.
	DefaultMaxInventoryBody = 512 << 20
	DefaultEvalTimeout      = 500 * time.Millisecond
	DefaultReadTimeout      = 10 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultIdleTimeout      = 60 * time.Second
	DefaultShutdownTimeout  = 10 * time.Second
	// DefaultMaxHeaderBytes bounds a request's headers (larger: 431). Go's
	// own default, 1 MiB, let 200 connections trickling headers take 250 MB.
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultMaxConnections bounds open connections; one more is closed at
	// once.
	DefaultMaxConnections = 512
	// DefaultMaxQueued bounds the requests waiting for an evaluation slot;
	// one more is answered 429 at once.
	DefaultMaxQueued = 128
	// DefaultQueueWait bounds how long a request waits for a slot (then 429).
	DefaultQueueWait = time.Second
	// DefaultDecisionLogMaxInput bounds the input a decision log line
	// carries; a larger one is logged as its digest and size.
	DefaultDecisionLogMaxInput = 64 << 10
	// StdoutLog is the --decision-log value that means standard output.
	StdoutLog = "-"
)

// Config is everything `imgadmit serve` can be told. The zero value of a
// duration or size means its default.
type Config struct {
	// Version is imgadmit's version, for ?provenance; empty means "dev".
	Version string
	// Addr is the address to listen on; empty means DefaultAddr (loopback).
	Addr string
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener

	// Policies is the rulebook directory; empty means the embedded rulebook.
	Policies string
	// DataFiles are the inventory files, merged in order: imgadmit
	// inventories or the clouds' describe and list responses.
	DataFiles []string
	// DataRegion is the region of the responses among DataFiles (and of a
	// response PUT as the inventory) that do not say theirs: Huawei's.
	DataRegion string
	// Watch reloads the rulebook directory and the inventory files when they change.
	Watch bool
	// Sync, when set, fetches the inventory from the clouds in the
	// background (serve --sync): at once, then SyncInterval after each sync
	// ends. The synced resources go over the DataFiles' (fact by fact, as
	// files merge); a sync that fails keeps the last good inventory.
	Sync SyncFunc
	// SyncInterval is the wait between syncs; zero means DefaultSyncInterval.
	SyncInterval time.Duration
	// Reload delivers SIGHUP: each value reloads the rulebook directory and
	// the inventory files and reopens the decision log file. Nil means none.
	Reload <-chan os.Signal

	// FleetConfig is OPA's configuration (serve --config-file, as JSON):
	// services, bundles, decision_logs, status, keys, labels, carried out by
	// OPA's plugins. Nil means none. ConfigFile names it in messages.
	FleetConfig []byte
	ConfigFile  string
	// InstanceID is the instance's id in OPA's labels; empty means a new
	// UUID at each start.
	InstanceID string

	// Lenient turns missing facts into warnings.
	Lenient bool
	// TrustRequestFacts, when set, overrides the inventory's
	// settings.trust_request_facts; nil keeps the inventory's setting.
	TrustRequestFacts *bool

	// DecisionLog is a file to append decision lines to, or StdoutLog.
	// Empty means StdoutLog.
	DecisionLog string
	// DecisionLogRequired refuses (REQ-004) a decision whose log line cannot
	// be written: no admission without its audit line.
	DecisionLogRequired bool
	// DecisionLogMaxInput bounds the request a decision line carries, in
	// bytes; a larger one is logged as its SHA-256 and size. Zero means
	// DefaultDecisionLogMaxInput.
	DecisionLogMaxInput int
	// DecisionLogWriter, when set, receives the decision lines instead of
	// DecisionLog. The server neither syncs nor closes it.
	DecisionLogWriter io.Writer
	// Stdout is standard output, for DecisionLog == StdoutLog.
	Stdout io.Writer
	// Logger is the server log; nil means JSON lines on standard error.
	Logger *slog.Logger

	MaxBody int64
	// MaxInventoryBody bounds a body written to /v1/data/inventory and
	// below it (--max-inventory-body); 0 means DefaultMaxInventoryBody.
	MaxInventoryBody int64
	// MaxHeaderBytes bounds a request's headers (431 beyond).
	MaxHeaderBytes int
	// MaxConnections bounds open connections.
	MaxConnections int
	// MaxInFlight bounds the requests decoded, validated and decided at
	// once; zero means GOMAXPROCS. MaxQueued more wait for a slot, up to
	// QueueWait; beyond either, 429.
	MaxInFlight int
	MaxQueued   int
	QueueWait   time.Duration
	// MemoryLimit is the soft memory limit the server sets for the process:
	// bytes, or MemoryLimitAuto; 0 leaves the runtime as it is (a library
	// caller's choice, and the CLI's when GOMEMLIMIT is set).
	MemoryLimit int64

	EvalTimeout     time.Duration
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration

	// Identities is the --identities file: the bearer tokens' digests, each
	// with a name, roles and the projects it may ask as. The way to deploy.
	Identities string
	// TokenFile holds one bearer token that every endpoint but /health and
	// /health/ready requires, with every role and no project binding: a
	// development mode. Empty (and no Identities) means no authentication.
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
	ids     *identities // nil: no authentication
	cert    *tls.Certificate
	dataAbs []string
	polAbs  string
	idsAbs  string
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
		{&s.QueueWait, DefaultQueueWait},
		{&s.SyncInterval, DefaultSyncInterval},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	for _, d := range []struct {
		v   *int
		def int
	}{
		{&s.MaxHeaderBytes, DefaultMaxHeaderBytes},
		{&s.MaxConnections, DefaultMaxConnections},
		{&s.MaxInFlight, runtime.GOMAXPROCS(0)},
		{&s.MaxQueued, DefaultMaxQueued},
		{&s.DecisionLogMaxInput, DefaultDecisionLogMaxInput},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if s.MaxBody == 0 {
		s.MaxBody = DefaultMaxBody
	}
	if s.MaxInventoryBody == 0 {
		s.MaxInventoryBody = DefaultMaxInventoryBody
	}
	switch {
	case s.MaxBody < 0:
		return nil, configErrorf("--max-body must be positive, not %d", s.MaxBody)
	case s.MaxInventoryBody < 0:
		return nil, configErrorf("--max-inventory-body must be positive, not %d", s.MaxInventoryBody)
	case s.MaxHeaderBytes < 0, s.MaxConnections < 0, s.MaxInFlight < 0, s.MaxQueued < 0, s.DecisionLogMaxInput < 0,
		s.MemoryLimit < MemoryLimitAuto:
		return nil, configErrorf("the limits must be positive")
	case s.SyncInterval < 0:
		return nil, configErrorf("--sync-interval must be positive")
	case s.EvalTimeout < 0, s.ReadTimeout < 0, s.WriteTimeout < 0, s.IdleTimeout < 0, s.ShutdownTimeout < 0, s.QueueWait < 0:
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
	if s.Watch && s.Policies == "" && len(s.DataFiles) == 0 && s.Identities == "" {
		return nil, configErrorf("--watch needs --policies DIR, --data FILE or --identities FILE: the embedded rulebook cannot change")
	}
	if s.TokenFile != "" && s.Identities != "" {
		return nil, configErrorf("--identities and --token-file go apart: --identities is the way to deploy, --token-file one development identity")
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
		s.ids = tokenIdentity([]byte(tok), s.TokenFile)
	}
	if s.Identities != "" {
		ids, err := loadIdentities(s.Identities)
		if err != nil {
			return nil, configErrorf("%v", err)
		}
		s.ids = ids
		if s.idsAbs, err = filepath.Abs(s.Identities); err != nil {
			return nil, configErrorf("--identities: %v", err)
		}
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
