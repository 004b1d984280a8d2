package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/imgadmit/imgadmit/internal/cloudfacts"
)

// settleDelay gathers the burst of events one save makes (an editor writes,
// renames and chmods) into one reload.
const settleDelay = 150 * time.Millisecond

// Reload reloads the rulebook directory (when there is one), the inventory
// files (when there are any) and the identities file (when there is one), as
// SIGHUP does. A part that fails to load keeps the previous one serving; the
// error is logged, counted in the metrics, shown by /health/ready, and
// returned.
func (s *Server) Reload(ctx context.Context) error {
	return errors.Join(
		s.reload(ctx, s.cfg.Policies != "", len(s.cfg.DataFiles) > 0, "SIGHUP"),
		s.reloadIdentities(),
	)
}

// reloadIdentities re-reads --identities; a file that does not load keeps
// the last good identities.
func (s *Server) reloadIdentities() error {
	if s.cfg.Identities == "" {
		return nil
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	ids, err := loadIdentities(s.cfg.Identities)
	if err == nil {
		s.ids.Store(ids)
	}
	var names []string
	for _, id := range s.ids.Load().list {
		names = append(names, id.Name)
	}
	s.reloaded(targetIdentities, err, "identities", s.cfg.Identities, "names", names)
	return err
}

func (s *Server) reload(ctx context.Context, rulebook, inventory bool, trigger string) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	e := s.eval.Load()
	if e == nil {
		return errors.New("reload before the first load")
	}
	var errs []error
	if rulebook {
		before := e.Revision()
		err := e.SetRulebook(ctx, os.DirFS(s.cfg.Policies))
		s.reloaded(targetRulebook, err, "revision", e.Revision(), "previous", before, "policies", s.cfg.Policies)
		errs = append(errs, err)
	}
	if inventory {
		before := e.InventoryRevision()
		inv, err := cloudfacts.ReadInventoryFacts(s.cfg.DataFiles, s.cfg.DataRegion)
		if err == nil {
			// A fact dated by when it was first seen keeps the date the
			// inventory serving gives it.
			serving, _ := e.InventorySnapshot()
			inv, err = cloudfacts.KeepFirstSeenFacts(serving, inv)
		}
		if err == nil {
			// The last good sync's resources stay over the files'.
			err = setOverlaid(ctx, e, inv, s.syncInv)
		}
		if err == nil {
			s.keepFileInventory(inv)
			s.setInventoryStatus("files")
			if after := e.InventoryRevision(); after != before {
				s.auditFileInventory(before, after, trigger)
				s.tuneMemory()
			}
		}
		s.reloaded(targetInventory, err, "data", s.cfg.DataFiles)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// auditFileInventory writes a reload of the --data files to the decision
// log: who (the trigger: SIGHUP or --watch), the files' digest and size,
// and the inventory's revisions before and after.
func (s *Server) auditFileInventory(before, after, trigger string) {
	h := sha256.New()
	var n int64
	for _, f := range s.cfg.DataFiles {
		if b, err := os.ReadFile(f); err == nil {
			h.Write(b)
			n += int64(len(b))
		}
	}
	_ = s.dlog.writeEvent(inventoryEvent{
		Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "files",
		RequestedBy: trigger, SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n,
		PreviousRevision: before, Revision: after,
	})
}

func (s *Server) reloaded(target string, err error, attrs ...any) {
	s.metrics.reloaded(target, err)
	s.setReloadStatus(target, err)
	if err != nil {
		s.log.Error("reload failed; the previous "+target+" keeps serving", append([]any{"target", target, "err", err.Error()}, attrs...)...)
		return
	}
	s.log.Info("reloaded", append([]any{"target", target}, attrs...)...)
}

// startReloader starts the goroutine that reloads on SIGHUP and, with
// --watch, on changes to the rulebook directory or the inventory files. It
// closes done when ctx ends.
func (s *Server) startReloader(ctx context.Context, done chan<- struct{}) error {
	var w *fsnotify.Watcher
	if s.cfg.Watch {
		var err error
		if w, err = s.newWatcher(); err != nil {
			return err
		}
	}
	go func() {
		defer close(done)
		if w != nil {
			defer w.Close()
		}
		s.reloadLoop(ctx, w)
	}()
	return nil
}

func (s *Server) newWatcher() (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if s.cfg.polAbs != "" {
		if err := addTree(w, s.cfg.polAbs); err != nil {
			w.Close()
			return nil, err
		}
	}
	// Watch the inventory and identities files' directories, not the files:
	// editors and config management replace a file by renaming a new one
	// over it.
	dirs := map[string]bool{}
	files := s.cfg.dataAbs
	if s.cfg.idsAbs != "" {
		files = append(slices.Clone(files), s.cfg.idsAbs)
	}
	for _, f := range files {
		d := filepath.Dir(f)
		if dirs[d] {
			continue
		}
		dirs[d] = true
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, fmt.Errorf("watch %s: %w", d, err)
		}
	}
	return w, nil
}

func addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		if d.IsDir() {
			if err := w.Add(p); err != nil {
				return fmt.Errorf("watch %s: %w", p, err)
			}
		}
		return nil
	})
}

func (s *Server) reloadLoop(ctx context.Context, w *fsnotify.Watcher) {
	var events <-chan fsnotify.Event
	var watchErrs <-chan error
	if w != nil {
		events, watchErrs = w.Events, w.Errors
	}
	timer := time.NewTimer(settleDelay)
	timer.Stop()
	var pendingRulebook, pendingInventory, pendingIdentities bool
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.cfg.Reload:
			s.log.Info("SIGHUP: reloading")
			_ = s.Reload(ctx)
			if err := s.dlog.reopen(); err != nil {
				s.log.Error("SIGHUP: the decision log keeps its old file", "err", err.Error())
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			rb, inv, ids := s.classify(w, ev)
			if rb || inv || ids {
				pendingRulebook = pendingRulebook || rb
				pendingInventory = pendingInventory || inv
				pendingIdentities = pendingIdentities || ids
				timer.Reset(settleDelay)
			}
		case err, ok := <-watchErrs:
			if !ok {
				watchErrs = nil
				continue
			}
			s.log.Error("watch", "err", err.Error())
		case <-timer.C:
			_ = s.reload(ctx, pendingRulebook, pendingInventory, "--watch")
			if pendingIdentities {
				_ = s.reloadIdentities()
			}
			pendingRulebook, pendingInventory, pendingIdentities = false, false, false
		}
	}
}

// classify says what an event changes: the rulebook (a .rego file, or a
// directory, under the policies directory), the inventory (a data file, or
// the "..data" link Kubernetes swaps when a ConfigMap changes) or the
// identities (their file, or that link beside it).
func (s *Server) classify(w *fsnotify.Watcher, ev fsnotify.Event) (rulebook, inventory, identities bool) {
	if ev.Op == fsnotify.Chmod {
		return false, false, false
	}
	name := filepath.Clean(ev.Name)
	if root := s.cfg.polAbs; root != "" && (name == root || strings.HasPrefix(name, root+string(filepath.Separator))) {
		switch {
		case strings.HasSuffix(name, ".rego"):
			rulebook = !strings.HasSuffix(name, "_test.rego")
		case ev.Op.Has(fsnotify.Create):
			if fi, err := os.Stat(name); err == nil && fi.IsDir() {
				if err := addTree(w, name); err != nil {
					s.log.Error("watch", "err", err.Error())
				}
				rulebook = true
			}
		case ev.Op.Has(fsnotify.Remove), ev.Op.Has(fsnotify.Rename):
			// A removed or renamed directory takes its .rego files with it.
			rulebook = filepath.Ext(name) == ""
		}
	}
	for _, f := range s.cfg.dataAbs {
		inventory = inventory || sameFile(name, f)
	}
	if s.cfg.idsAbs != "" {
		identities = sameFile(name, s.cfg.idsAbs)
	}
	return rulebook, inventory, identities
}

// sameFile reports whether an event on name changes the watched file f: f
// itself, or the "..data" link Kubernetes swaps beside it.
func sameFile(name, f string) bool {
	return name == f || (filepath.Dir(name) == filepath.Dir(f) && strings.HasPrefix(filepath.Base(name), ".."))
}
