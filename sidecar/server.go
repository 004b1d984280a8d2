// Package sidecar is imgadmit's HTTP server: the same evaluator as the CLI
// behind POST /v1/admit and OPA's Data API, with metrics, a decision log,
// inventory updates over HTTP and rulebook reloads that never serve half a
// rulebook.
package sidecar

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/factstore"
	"github.com/imgadmit/imgadmit/internal/fleet"
)

// Server is one sidecar. It is ready once Load has built its evaluator.
type Server struct {
	cfg     *settled
	log     *slog.Logger
	eval    atomic.Pointer[evaluator.Evaluator]
	metrics *metrics
	dlog    *decisionLog
	handler http.Handler
	// ids are the identities that may ask; nil when the sidecar takes no
	// tokens. Replaced whole on a reload of --identities.
	ids atomic.Pointer[identities]
	// gate bounds the requests decided at once.
	gate *gate
	// listener is the listener Run serves, counting open connections.
	listener atomic.Pointer[limitListener]

	// reloadMu serializes reloads, so the status below describes the
	// rulebook and inventory that are serving.
	reloadMu sync.Mutex
	statusMu sync.Mutex
	status   readyStatus

	// fileInv is the last good inventory of the --data files (kept only
	// with --sync: keepFileInventory), and syncInv the last good sync's
	// (nil before one): the inventory serving is fileInv with syncInv over
	// it (until a PUT replaces it). Guarded by reloadMu.
	fileInv *factstore.Inventory
	syncInv map[string]any

	// fleet is OPA's plugin manager (serve --config-file); nil without one.
	fleet *fleet.Fleet

	// inventoryWrites lets one inventory write read its body at a time
	// (writeTarget): a body may be up to --max-inventory-body, and the
	// changes are made one at a time anyway.
	inventoryWrites chan struct{}
	// bundleRulebook reports whether the bundles carry the rulebook serving
	// (guarded by reloadMu); invBundle is the name of the bundle that owns
	// the inventory ("" when none does).
	bundleRulebook bool
	invBundle      atomic.Value
	// bundles are the bundles serving (servingBundles); nil without any.
	bundles atomic.Pointer[servingBundles]
	// labels are OPA's labels of every decision event: the fleet's, or
	// ownLabels without --config-file.
	labels map[string]string

	// testHookDecide, when set, runs as a decision starts (tests only).
	testHookDecide func()
}

// readyStatus is what /health/ready reports beside readiness.
type readyStatus struct {
	inventorySource string // "none", "files", "http" or "sync"
	inventoryTime   time.Time
	reloads         map[string]reloadStatus
	sync            syncStatus
}

type reloadStatus struct {
	OK    bool   `json:"ok"`
	Time  string `json:"time"`
	Error string `json:"error,omitempty"`
}

// New checks cfg, reads the token and TLS files and opens the decision log.
// It does not load the rulebook: Run (or Load) does.
func New(cfg Config) (*Server, error) {
	c, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: c, log: c.Logger, status: readyStatus{reloads: map[string]reloadStatus{}}, inventoryWrites: make(chan struct{}, 1),
		gate: newGate(c.MaxInFlight, c.MaxQueued, c.QueueWait)}
	s.ids.Store(c.ids)
	s.metrics = newMetrics(c.EvalTimeout, s.eval.Load)
	if c.Policies != "" {
		s.metrics.watchTargets(targetRulebook)
	}
	if len(c.DataFiles) > 0 {
		s.metrics.watchTargets(targetInventory)
	}
	if c.Identities != "" {
		s.metrics.watchTargets(targetIdentities)
	}
	if c.Sync != nil {
		s.metrics.watchSync()
		s.status.sync.Interval = c.SyncInterval.String()
	}
	if s.dlog, err = openDecisionLog(c, s.log, s.metrics); err != nil {
		return nil, err
	}
	if c.FleetConfig != nil {
		s.metrics.watchTargets(targetBundle)
		if s.fleet, err = s.newFleet(); err != nil {
			s.dlog.close()
			return nil, err
		}
		s.labels = s.fleet.Labels()
	} else {
		s.labels = ownLabels(c.InstanceID, s.version())
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Load reads the inventory files, compiles the rulebook and makes the server
// ready. Errors are *evaluator.Error values (invalid_rulebook,
// invalid_inventory, internal).
func (s *Server) Load(ctx context.Context) error {
	inv := factstore.Empty()
	source := "none"
	if len(s.cfg.DataFiles) > 0 {
		var err error
		if inv, err = cloudfacts.ReadInventoryFacts(s.cfg.DataFiles, s.cfg.DataRegion); err != nil {
			return err
		}
		source = "files"
	}
	opts := evaluator.Options{Facts: inv, Lenient: s.cfg.Lenient, TrustRequestFacts: s.cfg.TrustRequestFacts, Translator: calls.Translator}
	if s.cfg.Policies != "" {
		opts.Policies = os.DirFS(s.cfg.Policies)
	}
	e, err := evaluator.New(ctx, opts)
	if err != nil {
		return err
	}
	s.reloadMu.Lock()
	s.keepFileInventory(inv)
	s.reloadMu.Unlock()
	s.setInventoryStatus(source)
	// Before the server is ready: what the load used and no longer needs
	// goes back to the system first (tuneMemory).
	s.tuneMemory()
	s.eval.Store(e)
	return nil
}

// Close stops OPA's plugins (uploading the decisions they hold) and flushes
// and closes the decision log. Run does it on shutdown; a caller that only
// uses Handler calls it when done.
func (s *Server) Close() error {
	s.stopFleet()
	return s.dlog.close()
}

// Run serves until ctx is done, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish (up to the shutdown timeout) and
// closes the decision log. It listens before it loads, so /health answers
// while the rulebook compiles and /health/ready turns 200 once it has.
func (s *Server) Run(ctx context.Context) (err error) {
	defer func() {
		if cerr := s.dlog.close(); cerr != nil {
			s.log.Error("decision log", "err", cerr.Error())
			err = errors.Join(err, cerr)
		}
	}()
	ln := s.cfg.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	limited := &limitListener{Listener: ln, max: int64(s.cfg.MaxConnections), refused: s.metrics.connRefused.Inc}
	s.listener.Store(limited)
	ln = limited
	srv := &http.Server{
		Handler:           s.handler,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ReadHeaderTimeout: s.cfg.ReadTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.cfg.cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*s.cfg.cert}, MinVersion: tls.VersionTLS12}
	}
	served := make(chan error, 1)
	go func() {
		if s.cfg.cert != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	auth := "none"
	if s.cfg.ids != nil {
		auth = s.cfg.ids.source
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "tls", s.cfg.cert != nil, "auth", auth)
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); s.cfg.ids == nil && !isLoopback(host) {
		s.log.Warn("listening beyond loopback without --identities: anyone who can reach the port can ask for decisions as any project and replace the inventory")
	}
	if s.cfg.TokenFile != "" {
		s.log.Warn("--token-file is one development identity with every role and no project binding: a request asks as whichever project it names; deploy with --identities")
	}

	if err := s.Load(ctx); err != nil {
		s.log.Error("load failed; shutting down", "err", err.Error())
		shut, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, ignoreClosed(srv.Shutdown(shut)))
	}
	if err := s.startFleet(ctx); err != nil {
		s.log.Error("OPA plugins did not start; shutting down", "err", err.Error())
		s.stopFleet()
		shut, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, ignoreClosed(srv.Shutdown(shut)))
	}
	e := s.eval.Load()
	s.log.Info("ready", "revision", e.Revision(), "rules", len(e.Rules()), "data", append([]string{}, s.cfg.DataFiles...), "policies", policiesName(s.cfg.Policies))

	loopCtx, stopLoop := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	if err := s.startReloader(loopCtx, loopDone); err != nil {
		stopLoop()
		s.stopFleet()
		shut, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, ignoreClosed(srv.Shutdown(shut)))
	}

	syncDone := make(chan struct{})
	if s.cfg.Sync != nil {
		s.startSyncer(loopCtx, syncDone)
	} else {
		close(syncDone)
	}

	var serveErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down: finishing requests in flight", "timeout", s.cfg.ShutdownTimeout.String())
	case serveErr = <-served:
		s.log.Error("server stopped", "err", serveErr.Error())
	}
	shut, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(shut)
	if shutErr != nil {
		shutErr = fmt.Errorf("shutdown: %w", shutErr)
		s.log.Error("shutdown", "err", shutErr.Error())
	}
	stopLoop()
	<-loopDone
	<-syncDone
	// After the last decision, before the decision log closes: the plugin
	// uploads what it holds.
	s.stopFleet()
	s.log.Info("stopped")
	return errors.Join(ignoreClosed(serveErr), shutErr)
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func policiesName(dir string) string {
	if dir == "" {
		return "(embedded)"
	}
	return dir
}

func (s *Server) setInventoryStatus(source string) {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	s.status.inventorySource = source
	s.status.inventoryTime = time.Now().UTC()
}

func (s *Server) setReloadStatus(target string, err error) {
	st := reloadStatus{OK: err == nil, Time: time.Now().UTC().Format(time.RFC3339Nano)}
	if err != nil {
		st.Error = err.Error()
	}
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	s.status.reloads[target] = st
}

// keepFileInventory keeps the --data files' inventory for the syncs to
// come, which merge over it; without --sync nothing needs it once it
// serves, and a PUT of a whole inventory would otherwise leave two held.
// Called with reloadMu held (or before the server serves).
func (s *Server) keepFileInventory(inv *factstore.Inventory) {
	if s.cfg.Sync == nil {
		inv = nil
	}
	s.fileInv = inv
}
