package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/storage"
)

// inventoryPath is where a bundle puts the inventory: data.inventory, as the
// rulebook reads it.
var inventoryPath = storage.MustParsePath("/inventory")

// Snapshot is what the store would hold once a bundle activation commits:
// the bundles, the rulebook they carry and the inventory they own.
type Snapshot struct {
	// Bundles are the activated bundles by name (the one activating among
	// them).
	Bundles map[string]Bundle
	// Modules are the policy files of the rulebook the bundles carry, by
	// path (the bundle's name, then the file's path in it); nil when no
	// bundle carries any. Files of packages under data.system (OPA's
	// decision-log mask and drop policies, say) are not the rulebook's and
	// are left out: a bundle of those alone leaves the rulebook as it is.
	Modules map[string][]byte
	// Data are the top-level documents the bundles carry besides
	// data.inventory and data.system, which imgadmit does not read: the
	// rulebook decides with data.inventory alone.
	Data []string
	// InventoryOwner is the bundle whose roots cover data.inventory; empty
	// when none does, and the inventory is then not the bundles' to set.
	InventoryOwner string
	// Inventory is the JSON of data.inventory as the bundles leave it; nil
	// when no bundle owns it or the owner carries none.
	Inventory []byte
}

// Bundle is one activated bundle.
type Bundle struct {
	Revision string   `json:"revision"`
	Roots    []string `json:"roots"`
}

// gatedStore is the manager's store (OPA's inmem store) with one addition:
// a transaction that changes the policies or data.inventory commits only
// when imgadmit can serve what it leaves. The bundle plugin activates a
// bundle in one transaction; refusing its commit is refusing the bundle, so
// the plugin reports the error (status, logs, metrics) and keeps the last
// good bundle, exactly as for a bundle that does not compile.
type gatedStore struct {
	storage.Store
	// check reads the snapshot a transaction would leave and prepares it;
	// done is told whether the transaction committed (then what was
	// prepared serves) or not (then it is dropped).
	check func(context.Context, *Snapshot) (done func(committed bool), err error)

	mu    sync.Mutex
	dirty map[uint64]bool // write transactions that touched what the gate checks (gated, policies)
	// ndirty is len(dirty): the read transactions of every decision-log
	// event (OPA's mask and drop queries) end without taking mu.
	ndirty atomic.Int64
	// armed is set when the plugins start: the manager's own
	// initialization (an empty store) commits before anything can serve.
	armed atomic.Bool
	// swap is held to commit a gated transaction (which may give the
	// manager a new compiler), and read-held by Fleet.Log from reading
	// whether events are masked to handing the event over: no compiler
	// with a new mask policy falls between the two.
	swap sync.RWMutex
}

func newGatedStore(inner storage.Store, check func(context.Context, *Snapshot) (func(bool), error)) *gatedStore {
	return &gatedStore{Store: inner, check: check, dirty: map[uint64]bool{}}
}

func (s *gatedStore) touch(txn storage.Transaction) {
	if !s.armed.Load() {
		return
	}
	s.mu.Lock()
	if !s.dirty[txn.ID()] {
		s.dirty[txn.ID()] = true
		s.ndirty.Add(1)
	}
	s.mu.Unlock()
}

// taken reports whether txn touched what the gate checks, and forgets it.
func (s *gatedStore) taken(txn storage.Transaction) bool {
	if s.ndirty.Load() == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dirty[txn.ID()]
	if d {
		delete(s.dirty, txn.ID())
		s.ndirty.Add(-1)
	}
	return d
}

// bundlesPath is where OPA keeps the bundles' manifests: a write there is
// an activation (or deactivation) even when it changes no policy and no
// inventory, and the bundles serving must follow it.
var bundlesPath = storage.MustParsePath("/system/bundles")

// gated reports whether a write at p is one the gate checks: any data
// outside data.system (data.inventory, or data imgadmit refuses: see
// Snapshot.Data), the root, or the bundles' manifests.
func gated(p storage.Path) bool {
	return len(p) == 0 || p[0] != "system" || p.HasPrefix(bundlesPath) || bundlesPath.HasPrefix(p)
}

func (s *gatedStore) Write(ctx context.Context, txn storage.Transaction, op storage.PatchOp, p storage.Path, v any) error {
	if gated(p) {
		s.touch(txn)
	}
	return s.Store.Write(ctx, txn, op, p, v)
}

func (s *gatedStore) UpsertPolicy(ctx context.Context, txn storage.Transaction, id string, b []byte) error {
	s.touch(txn)
	return s.Store.UpsertPolicy(ctx, txn, id, b)
}

func (s *gatedStore) DeletePolicy(ctx context.Context, txn storage.Transaction, id string) error {
	s.touch(txn)
	return s.Store.DeletePolicy(ctx, txn, id)
}

func (s *gatedStore) Truncate(ctx context.Context, txn storage.Transaction, params storage.TransactionParams, it storage.Iterator) error {
	s.touch(txn)
	return s.Store.Truncate(ctx, txn, params, it)
}

// Abort forgets txn as well.
func (s *gatedStore) Abort(ctx context.Context, txn storage.Transaction) {
	s.taken(txn)
	s.Store.Abort(ctx, txn)
}

// Commit commits txn once imgadmit has checked and prepared what it leaves;
// a refused transaction is aborted (storage.Store's contract for a Commit
// that fails) and its error returned to the bundle plugin.
func (s *gatedStore) Commit(ctx context.Context, txn storage.Transaction) error {
	if !s.taken(txn) {
		return s.Store.Commit(ctx, txn)
	}
	done, err := s.prepare(ctx, txn)
	if err != nil {
		s.Store.Abort(ctx, txn)
		return err
	}
	s.swap.Lock()
	err = s.Store.Commit(ctx, txn)
	s.swap.Unlock()
	done(err == nil)
	return err
}

func (s *gatedStore) prepare(ctx context.Context, txn storage.Transaction) (func(bool), error) {
	snap, err := readSnapshot(ctx, s.Store, txn)
	if err != nil {
		return nil, fmt.Errorf("imgadmit: read the activated bundles: %w", err)
	}
	done, err := s.check(ctx, snap)
	if err != nil {
		return nil, fmt.Errorf("imgadmit refused the bundles: %w", err)
	}
	return done, nil
}

// readSnapshot reads what txn leaves: the bundles and their roots, the
// policies, and data.inventory when a bundle's roots cover it.
func readSnapshot(ctx context.Context, store storage.Store, txn storage.Transaction) (*Snapshot, error) {
	snap := &Snapshot{Bundles: map[string]Bundle{}}
	names, err := bundle.ReadBundleNamesFromStore(ctx, store, txn)
	if err != nil && !storage.IsNotFound(err) {
		return nil, err
	}
	for _, name := range names {
		var b Bundle
		if b.Revision, err = bundle.ReadBundleRevisionFromStore(ctx, store, txn, name); err != nil && !storage.IsNotFound(err) {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if b.Roots, err = bundle.ReadBundleRootsFromStore(ctx, store, txn, name); err != nil && !storage.IsNotFound(err) {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		snap.Bundles[name] = b
		if ownsInventory(b.Roots) {
			if snap.InventoryOwner != "" {
				// OPA refuses overlapping roots before this; kept as a guard.
				return nil, fmt.Errorf("bundles %s and %s both own data.inventory", snap.InventoryOwner, name)
			}
			snap.InventoryOwner = name
		}
	}
	ids, err := store.ListPolicies(ctx, txn)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		src, err := store.GetPolicy(ctx, txn, id)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", id, err)
		}
		pkg, err := ast.ParsePackage(packageLine(src))
		if err != nil {
			// Not imgadmit's to report: OPA compiled it before this.
			return nil, fmt.Errorf("policy %s: %w", id, err)
		}
		if pkg.Path.HasPrefix(systemRef) {
			continue
		}
		if snap.Modules == nil {
			snap.Modules = map[string][]byte{}
		}
		snap.Modules[modulePath(id)] = src
	}
	root, err := store.Read(ctx, txn, storage.RootPath)
	if err != nil {
		return nil, fmt.Errorf("read data: %w", err)
	}
	if docs, ok := root.(map[string]any); ok {
		for k := range docs {
			if k != "inventory" && k != "system" {
				snap.Data = append(snap.Data, k)
			}
		}
		sort.Strings(snap.Data)
	}
	if snap.InventoryOwner != "" {
		v, err := store.Read(ctx, txn, inventoryPath)
		switch {
		case storage.IsNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("read data.inventory: %w", err)
		default:
			if snap.Inventory, err = json.Marshal(v); err != nil {
				return nil, fmt.Errorf("data.inventory: %w", err)
			}
		}
	}
	return snap, nil
}

// ownsInventory reports whether bundle roots cover data.inventory: the
// empty root (everything), "inventory", a path below it, or a parent, as
// OPA's bundle package reads roots.
func ownsInventory(roots []string) bool {
	for _, r := range roots {
		if bundle.RootPathsOverlap(strings.Trim(r, "/"), "inventory") {
			return true
		}
	}
	return false
}

// modulePath is a policy id as a path an fs.FS takes: the bundle plugin's
// ids are the bundle's name and the file's path, which may begin with "/".
func modulePath(id string) string {
	p := path.Clean("/" + id)
	return strings.TrimPrefix(p, "/")
}

// systemRef is data.system: OPA's own documents and policies.
var systemRef = ast.MustParseRef("data.system")

// packageLine is the package clause of a policy's source, for
// ast.ParsePackage: its first line that begins with "package" (a module's
// clause stands on its own line, after comments).
func packageLine(src []byte) string {
	for line := range strings.SplitSeq(string(src), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "package ") || strings.HasPrefix(t, "package\t") {
			return t
		}
	}
	return ""
}
