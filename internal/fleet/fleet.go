// Package fleet runs OPA's own plugin manager for a sidecar of a fleet:
// bundles (downloaded, signature-verified, polled with ETags, persisted
// across restarts), decision-log upload and status reports, configured with
// OPA's configuration file format and carried out by OPA's plugins
// (discovery, bundle, logs, status). imgadmit decides with its own
// evaluator: the manager's store is where bundles are activated, and an
// activation commits only after imgadmit has checked what it leaves (see
// gatedStore), so a bad bundle keeps the last good one serving.
package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/plugins"
	"github.com/open-policy-agent/opa/v1/plugins/discovery"
	"github.com/open-policy-agent/opa/v1/plugins/logs"
	"github.com/open-policy-agent/opa/v1/server"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// LabelImgadmitVersion is the label every decision-log event and status
// report carries beside OPA's own id and version labels.
const LabelImgadmitVersion = "imgadmit_version"

// Options configure a Fleet.
type Options struct {
	// Config is OPA's configuration (JSON; ReadConfig reads a file).
	Config []byte
	// ID is this instance's id (labels.id); empty means a new UUID.
	ID string
	// Version is imgadmit's version, added to the labels.
	Version string
	// Registerer takes OPA's plugin metrics (the status plugin's, with
	// status.prometheus: true); nil means none.
	Registerer prometheus.Registerer
	// Logger is the server log; OPA's plugins log through it.
	Logger *slog.Logger
	// Check reads what a bundle activation would leave and prepares it
	// without serving it. An error refuses the activation. Otherwise done is
	// called once the activation's transaction has ended: committed, what
	// was prepared must serve; not, it is dropped.
	Check func(ctx context.Context, s *Snapshot) (done func(committed bool), err error)
}

// Fleet is one running plugin manager.
type Fleet struct {
	manager *plugins.Manager
	store   *gatedStore
	// bundled reports whether the configuration names bundles (then the
	// sidecar is ready only once each has been activated).
	bundled bool
	ready   atomic.Bool
	// active are the bundles serving, by name, replaced whole on each
	// activation that commits.
	active atomic.Pointer[map[string]Bundle]
	// masks caches masksEvents for the compiler it was computed with.
	masks atomic.Pointer[maskState]
	// labels are the manager's labels, read once.
	labels   map[string]string
	stopOnce sync.Once
}

// ReadConfig reads an OPA configuration file as `opa run --config-file`
// does: YAML or JSON, with ${VAR} replaced by the environment variable's
// value.
func ReadConfig(file string) ([]byte, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	expanded := envVar.ReplaceAllStringFunc(string(raw), func(m string) string {
		return os.Getenv(envVar.FindStringSubmatch(m)[1])
	})
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(expanded), &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return out, nil
}

// envVar is OPA's ${VAR} substitution in configuration files.
var envVar = regexp.MustCompile(`\${([^}]+)}`)

// New parses the configuration and builds the manager and its plugins; a
// configuration OPA would refuse is an error here, before anything serves.
func New(opts Options) (*Fleet, error) {
	id := opts.ID
	if id == "" {
		id = uuid.NewString()
	}
	raw, bundled, err := withLabel(opts.Config, LabelImgadmitVersion, opts.Version)
	if err != nil {
		return nil, err
	}
	f := &Fleet{bundled: bundled}
	empty := map[string]Bundle{}
	f.active.Store(&empty)
	f.store = newGatedStore(inmem.New(), func(ctx context.Context, s *Snapshot) (func(bool), error) {
		done, err := opts.Check(ctx, s)
		if err != nil {
			return nil, err
		}
		return func(committed bool) {
			done(committed)
			if committed {
				bs := maps.Clone(s.Bundles)
				f.active.Store(&bs)
			}
		}, nil
	})
	mopts := []func(*plugins.Manager){
		plugins.Logger(newLogger(opts.Logger)),
		plugins.ConsoleLogger(newLogger(opts.Logger)),
		plugins.WithParserOptions(ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1}),
		plugins.WithEnableTelemetry(false),
	}
	if opts.Registerer != nil {
		mopts = append(mopts, plugins.WithPrometheusRegister(opts.Registerer))
	}
	m, err := plugins.New(raw, id, f.store, mopts...)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := m.Init(context.Background()); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var boot map[string]any
	if err := json.Unmarshal(raw, &boot); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	d, err := discovery.New(m, discovery.BootConfig(boot))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	m.Register(discovery.Name, d)
	// Ready once every plugin is, as OPA's SDK and /health?plugins have
	// it: the bundle plugin once each bundle has been activated, discovery
	// once its bundle has configured the rest (which then register
	// themselves, not ready yet). Once ready, a sidecar stays ready, as
	// OPA's bundle plugin does (a later bundle that fails keeps the last
	// good one).
	m.RegisterPluginStatusListener("imgadmit", func(st map[string]*plugins.Status) {
		for _, s := range st {
			if s == nil || s.State != plugins.StateOK {
				return
			}
		}
		f.ready.Store(true)
	})
	f.manager = m
	f.labels = m.Labels()
	return f, nil
}

// withLabel adds label k=v to the configuration's labels (keeping one the
// file sets), and reports whether it configures bundles (or discovery,
// which may).
func withLabel(raw []byte, k, v string) ([]byte, bool, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, fmt.Errorf("config: %w", err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	labels, _ := doc["labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
	}
	if _, ok := labels[k]; !ok && v != "" {
		labels[k] = v
	}
	doc["labels"] = labels
	_, many := doc["bundles"]
	_, one := doc["bundle"]
	_, discovered := doc["discovery"]
	out, err := json.Marshal(doc)
	return out, many || one || discovered, err
}

// Start starts the plugins: bundles download (or load from disk when
// persisted) in the background; Ready turns true once each is activated.
func (f *Fleet) Start(ctx context.Context) error {
	f.store.armed.Store(true)
	if err := f.manager.Start(ctx); err != nil {
		return fmt.Errorf("start OPA plugins: %w", err)
	}
	return nil
}

// Stop stops the plugins; the decision-log plugin uploads what it holds
// while ctx lasts (it must have a deadline for OPA's final upload).
func (f *Fleet) Stop(ctx context.Context) {
	f.stopOnce.Do(func() { f.manager.Stop(ctx) })
}

// Bundled reports whether the configuration names bundles, or discovery.
func (f *Fleet) Bundled() bool { return f.bundled }

// Ready reports whether every configured bundle has been activated at
// least once (and discovery has configured the plugins); true at once
// without bundles or discovery.
func (f *Fleet) Ready() bool { return !f.bundled || f.ready.Load() }

// Bundles are the activated bundles, by name; the caller must not change
// the map.
func (f *Fleet) Bundles() map[string]Bundle { return *f.active.Load() }

// Labels are the labels of every event and status report: id, OPA's
// version, imgadmit's version and the configuration's.
func (f *Fleet) Labels() map[string]string { return f.labels }

// DecisionLogs reports whether decisions are uploaded (decision_logs
// configured with a service or console).
func (f *Fleet) DecisionLogs() bool { return logs.Lookup(f.manager) != nil }

// Log hands one decision to OPA's decision-log plugin, which buffers,
// masks, drops, uploads and retries it as OPA does. event builds it, told
// whether the policies compiled have a rule at decision_logs.mask_decision:
// then the event's input and result must be Go values OPA's masking can
// change (JSON bytes it would leave unmasked, without a word). No bundle
// activation changes the answer before the event is handed over. An error
// means it was not taken.
func (f *Fleet) Log(ctx context.Context, event func(masks bool) (*server.Info, error)) error {
	p := logs.Lookup(f.manager)
	if p == nil {
		return nil
	}
	f.store.swap.RLock()
	defer f.store.swap.RUnlock()
	info, err := event(f.masksEvents(p))
	if err != nil {
		return err
	}
	return p.Log(ctx, info)
}

// masksEvents reports whether the manager's compiler has a rule at the
// plugin's mask_decision path, cached per compiler.
func (f *Fleet) masksEvents(p *logs.Plugin) bool {
	c := f.manager.GetCompiler()
	if c == nil {
		return false
	}
	if m := f.masks.Load(); m != nil && m.compiler == c {
		return m.masks
	}
	masks := true // a path that cannot be read: assume masks, the safe side
	if path, ok := storage.ParsePathEscaped(*p.Config().MaskDecision); ok {
		masks = len(c.GetRulesWithPrefix(path.Ref(ast.DefaultRootDocument))) > 0
	}
	f.masks.Store(&maskState{compiler: c, masks: masks})
	return masks
}

// maskState is masksEvents' answer for one compiler.
type maskState struct {
	compiler *ast.Compiler
	masks    bool
}
