package sidecar

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/factstore"
)

// DefaultSyncInterval is how long the sidecar waits after a sync before the next.
const DefaultSyncInterval = 5 * time.Minute

// SyncFunc fetches the inventory from the clouds (imgadmit serve --sync: the
// same as `imgadmit inventory sync`). It must return an error, never a
// partial inventory, when a cloud could not be read.
type SyncFunc func(ctx context.Context) (map[string]any, error)

// syncStatus is /health/ready's "sync": the last sync, and the last good one.
type syncStatus struct {
	Time     string `json:"time,omitempty"` // the end of the last sync; empty before the first
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Duration string `json:"duration,omitempty"`
	// Resources are the resources of the last good sync, serving now.
	Resources   int    `json:"resources"`
	LastSuccess string `json:"last_success,omitempty"`
	Interval    string `json:"interval"`
}

// startSyncer starts the goroutine that syncs at once and then Interval
// after each sync ends, until ctx ends; it closes done then.
func (s *Server) startSyncer(ctx context.Context, done chan<- struct{}) {
	go func() {
		defer close(done)
		for {
			_ = s.SyncNow(ctx)
			t := time.NewTimer(s.cfg.SyncInterval)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// SyncNow runs one sync: on success its resources, over the --data files',
// become the inventory; on failure the last good inventory keeps serving.
// Either way the log, the metrics and /health/ready say so.
func (s *Server) SyncNow(ctx context.Context) error {
	if s.cfg.Sync == nil {
		return nil
	}
	start := time.Now()
	synced, err := s.cfg.Sync(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil {
		err = s.applySync(ctx, synced)
	}
	took := time.Since(start)
	if err != nil && ctx.Err() != nil {
		// Cut off by shutdown: not a failure of the cloud; the inventory
		// serving stays, and nothing is counted.
		return err
	}
	result := resultSuccess
	if err != nil {
		result = resultFailure
	}
	s.metrics.synced(result, took)
	s.statusMu.Lock()
	st := &s.status.sync
	st.Time = time.Now().UTC().Format(time.RFC3339Nano)
	st.OK = err == nil
	st.Error = ""
	st.Duration = took.Round(time.Millisecond).String()
	if err != nil {
		st.Error = err.Error()
	} else {
		st.LastSuccess = st.Time
		st.Resources = countResources(synced)
		s.metrics.syncResources.Set(float64(st.Resources))
	}
	s.statusMu.Unlock()
	if err != nil {
		s.log.Error("sync failed; the last good inventory keeps serving", "err", err.Error(), "duration", took.String())
		return err
	}
	s.log.Info("synced", "resources", countResources(synced), "duration", took.String())
	return nil
}

// applySync makes the files' inventory with synced over it the inventory.
func (s *Server) applySync(ctx context.Context, synced map[string]any) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	e := s.eval.Load()
	before := e.InventoryRevision()
	// A fact dated by when a sync first saw it keeps that date: the one the
	// inventory serving now gives it (an earlier sync's, or the --data
	// files', say an inventory sync -o written before a restart).
	serving, _ := e.InventorySnapshot()
	synced, err := cloudfacts.KeepFirstSeenFrom(serving, synced)
	if err != nil {
		return err
	}
	if err := setOverlaid(ctx, e, s.fileInv, synced); err != nil {
		return err
	}
	s.syncInv = synced
	s.setInventoryStatus("sync")
	if after := e.InventoryRevision(); after != before {
		b, _ := json.Marshal(synced)
		_ = s.dlog.writeEvent(inventoryEvent{
			Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "sync",
			RequestedBy: "--sync", SHA256: sha256Hex(b), Bytes: int64(len(b)),
			PreviousRevision: before, Revision: after,
		})
		s.tuneMemory()
	}
	return nil
}

// setOverlaid makes files (the --data files' inventory; nil: none) with
// synced over it (nil: no sync yet) the inventory e serves. The synced
// resources are merged into the files' one by one (as overlay merges
// documents) and checked, the files' others shared as they are: a sync of
// a few resources over a million from the files costs what the few cost.
func setOverlaid(ctx context.Context, e *evaluator.Evaluator, files *factstore.Inventory, synced map[string]any) error {
	if files == nil {
		files = factstore.Empty()
	}
	if synced == nil {
		return e.ReplaceInventory(ctx, files)
	}
	rest, err := files.RestValue()
	if err != nil {
		return err
	}
	over := maps.Clone(synced)
	res, _ := synced["resources"].(map[string]any)
	var changes []evaluator.ResourceChange
	var kinds []string
	if res != nil {
		overRes := maps.Clone(res)
		for _, kind := range factstore.Kinds {
			byID, ok := res[kind].(map[string]any)
			if !ok {
				continue
			}
			delete(overRes, kind)
			kinds = append(kinds, kind)
			for id, v := range byID {
				base, _, err := files.Value([]string{"resources", kind, id})
				if err != nil {
					return err
				}
				changes = append(changes, evaluator.ResourceChange{Kind: kind, ID: id, Value: mergeValue(base, v)})
			}
		}
		over["resources"] = overRes
	}
	rest = overlay(rest, over)
	if files, err = files.WithKinds(kinds); err != nil {
		return err
	}
	next, err := evaluator.ChangeFacts(files, rest, changes)
	if err != nil {
		return err
	}
	return e.ReplaceInventory(ctx, next)
}

// mergeValue is over merged into base as overlay merges them: objects
// member by member, anything else replaced.
func mergeValue(base, over any) any {
	bm, ok1 := base.(map[string]any)
	om, ok2 := over.(map[string]any)
	if !ok1 || !ok2 {
		return over
	}
	return overlay(bm, om)
}

// overlay is base with over merged into it as --data files merge (objects
// key by key, anything else replaced): a synced fact replaces the files'
// fact, and the files' facts the clouds have no source for stay. Neither
// map is changed.
func overlay(base, over map[string]any) map[string]any {
	if over == nil {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, ov := range over {
		if om, ok := ov.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = overlay(bm, om)
				continue
			}
		}
		out[k] = ov
	}
	return out
}

// countResources is the resources an inventory holds, every kind.
func countResources(inv map[string]any) int {
	n := 0
	res, _ := inv["resources"].(map[string]any)
	for kind, ids := range res {
		if kind == "account" {
			continue // the account's facts, not resources
		}
		if m, ok := ids.(map[string]any); ok {
			n += len(m)
		}
	}
	return n
}
