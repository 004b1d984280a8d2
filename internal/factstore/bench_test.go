package factstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/storage"
)

const benchResources = 1_000_000

// benchKinds spreads the resources as a fleet has them: most images and
// snapshots.
var benchKinds = [...]string{"images", "images", "snapshots", "snapshots", "backups", "servers", "disks", "images", "snapshots", "backups"}

func benchID(i int) (kind, id string) {
	return benchKinds[i%len(benchKinds)], fmt.Sprintf("r-%08d", i)
}

var benchInventory = sync.OnceValue(func() *Inventory {
	b := NewBuilder(map[string]any{"settings": map[string]any{"max_age_days": 90}})
	for i := range benchResources {
		kind, id := benchID(i)
		e, err := NewEntry(kind, id, fmt.Appendf(nil, `{"encrypted":true,"name":"resource %d","region":"cn-hangzhou","size_gb":%d,"tags":{"env":"prod"}}`, i, i%500))
		if err != nil {
			panic(err)
		}
		b.Add(e)
	}
	inv, err := b.Build()
	if err != nil {
		panic(err)
	}
	return inv
})

// BenchmarkWith is one change, and a sync's worth of changes, made to an
// inventory of a million resources (built once, not timed): replacements
// spread over every kind and shard, a tenth of them removals, a tenth
// additions.
func BenchmarkWith(b *testing.B) {
	inv := benchInventory()
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			changes := make([]Change, n)
			for j := range changes {
				i := (j * 7919) % benchResources
				kind, id := benchID(i)
				changes[j] = Change{Kind: kind, ID: id, Value: fmt.Appendf(nil, `{"name":"changed %d"}`, j)}
				switch j % 10 {
				case 3:
					changes[j].Value = nil
				case 7:
					changes[j].ID = fmt.Sprintf("new-%08d", j)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := inv.With(nil, changes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStoreRead is what a decision costs the store: one resource read
// through NewStore, at a million resources.
func BenchmarkStoreRead(b *testing.B) {
	store := NewStore(benchInventory(), nil, nil)
	ctx := context.Background()
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Abort(ctx, txn)
	path := storage.Path{"inventory", "resources", "images", "r-00123450"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.Read(ctx, txn, path); err != nil {
			b.Fatal(err)
		}
	}
}
