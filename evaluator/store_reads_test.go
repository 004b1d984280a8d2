package evaluator

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/imgadmit/imgadmit/internal/factstore"
)

// readLog is a storage.Store that records the path of every read.
type readLog struct {
	storage.Store
	mu    sync.Mutex
	paths []storage.Path
}

func (r *readLog) Read(ctx context.Context, txn storage.Transaction, path storage.Path) (any, error) {
	r.mu.Lock()
	r.paths = append(r.paths, append(storage.Path(nil), path...))
	r.mu.Unlock()
	return r.Store.Read(ctx, txn, path)
}

// TestDecisionsReadOneResourceAtATime guards issue 18's design: a decision
// reads data.inventory.resources.<kind>.<id> (lib/facts.rego), never a
// whole kind, the resources object or the inventory, which at a million
// resources would convert them all on every decision. Every fixture
// request is decided against the fixture inventories through a store that
// records its reads.
func TestDecisionsReadOneResourceAtATime(t *testing.T) {
	var logs []*readLog
	var mu sync.Mutex
	saved := newStore
	t.Cleanup(func() { newStore = saved })
	newStore = func(inv *factstore.Inventory, rest, extra map[string]any) storage.Store {
		r := &readLog{Store: saved(inv, rest, extra)}
		mu.Lock()
		logs = append(logs, r)
		mu.Unlock()
		return r
	}
	for _, set := range []struct{ inventory, requests string }{
		{"inventory.yaml", filepath.Join("requests", "*", "*.json")},
		{filepath.Join("waivers", "inventory.yaml"), filepath.Join("waivers", "requests", "*.json")},
	} {
		t.Run(set.inventory, func(t *testing.T) {
			inv, err := ReadInventory([]string{filepath.Join("..", "fixtures", set.inventory)})
			if err != nil {
				t.Fatal(err)
			}
			e := newTestEvaluator(t, Options{Inventory: inv})
			log := logs[len(logs)-1]
			log.mu.Lock()
			log.paths = nil // the canary's
			log.mu.Unlock()
			files, _ := filepath.Glob(filepath.Join("..", "fixtures", set.requests))
			sort.Strings(files)
			decided := 0
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.Decide(context.Background(), raw, FormatJSON, DecideOptions{Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}); err == nil {
					decided++
				}
			}
			if decided < 10 {
				t.Fatalf("only %d of %d requests decided", decided, len(files))
			}
			resources := 0
			seen := map[string]bool{}
			for _, p := range log.paths {
				if len(p) >= 4 && p[0] == "inventory" && p[1] == "resources" && factstore.KindIndex(p[2]) >= 0 {
					resources++
					continue
				}
				// data, data.inventory, its resources, a keyed kind
				whole := len(p) == 0 || (p[0] == "inventory" && (len(p) == 1 ||
					(p[1] == "resources" && (len(p) == 2 || factstore.KindIndex(p[2]) >= 0))))
				if whole && !seen[p.String()] {
					seen[p.String()] = true
					t.Errorf("a decision read %s: every resource under it", p)
				}
			}
			if resources == 0 {
				t.Errorf("no decision read a resource: the store is not the one decisions read (%d reads)", len(log.paths))
			}
			t.Logf("%d requests decided; %d reads, %d of one resource", decided, len(log.paths), resources)
		})
	}
}
