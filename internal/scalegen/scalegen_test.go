package scalegen

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want Counts
	}{
		{0, Counts{"images": 0, "backups": 0, "servers": 0, "disks": 0, "snapshots": 0}},
		{7, Counts{"images": 4, "backups": 1, "servers": 0, "disks": 1, "snapshots": 1}},
		{1000, Counts{"images": 250, "backups": 250, "servers": 100, "disks": 200, "snapshots": 200}},
		{1_000_003, Counts{"images": 250_003, "backups": 250_000, "servers": 100_000, "disks": 200_000, "snapshots": 200_000}},
	} {
		if got := Plan(tc.n); !reflect.DeepEqual(got, tc.want) || got.Total() != tc.n {
			t.Errorf("Plan(%d) = %v (total %d), want %v", tc.n, got, got.Total(), tc.want)
		}
	}
}

// The generated inventory passes the inventory schema, holds the base's
// settings and resources unchanged beside N generated ones, and is the same
// bytes for the same seed.
func TestWriteIsAValidInventory(t *testing.T) {
	base, err := evaluator.ReadInventory([]string{"../../fixtures/inventory.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		n    int
		base map[string]any
	}{
		{"empty", 0, nil},
		{"no base", 3000, nil},
		{"fixture base", 3000, base},
		{"fixture base, few", 11, base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			counts, err := Write(&out, Config{N: tc.n, Seed: 18, Base: tc.base})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(counts, Plan(tc.n)) {
				t.Errorf("counts %v, want %v", counts, Plan(tc.n))
			}
			inv, err := evaluator.ParseInventory(out.Bytes(), evaluator.FormatJSON)
			if err != nil {
				t.Fatalf("the generated inventory fails its schema: %v", err)
			}
			if !reflect.DeepEqual(inv["settings"], tc.base["settings"]) {
				t.Errorf("settings %v, want the base's %v", inv["settings"], tc.base["settings"])
			}
			res := inv["resources"].(map[string]any)
			baseRes, _ := tc.base["resources"].(map[string]any)
			for _, kind := range Kinds {
				got := res[kind].(map[string]any)
				baseKind, _ := baseRes[kind].(map[string]any)
				if len(got) != counts[kind]+len(baseKind) {
					t.Errorf("%s: %d resources, want %d generated and %d of the base", kind, len(got), counts[kind], len(baseKind))
				}
				for id, facts := range baseKind {
					if !reflect.DeepEqual(got[id], facts) {
						t.Errorf("%s %s: %v, want the base's %v", kind, id, got[id], facts)
					}
				}
			}

			var again bytes.Buffer
			if _, err := Write(&again, Config{N: tc.n, Seed: 18, Base: tc.base}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Error("the same seed wrote different inventories")
			}
			if tc.n > 0 {
				var other bytes.Buffer
				if _, err := Write(&other, Config{N: tc.n, Seed: 19, Base: tc.base}); err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(out.Bytes(), other.Bytes()) {
					t.Error("another seed wrote the same inventory")
				}
			}
		})
	}
}

// References point at resources of the inventory, of the same provider.
func TestReferencesResolve(t *testing.T) {
	var out bytes.Buffer
	if _, err := Write(&out, Config{N: 2000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	inv, err := evaluator.ParseInventory(out.Bytes(), evaluator.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	res := inv["resources"].(map[string]any)
	has := func(kind string, id any) bool {
		_, ok := res[kind].(map[string]any)[id.(string)]
		return ok
	}
	refs := []struct{ kind, fact, to string }{
		{"images", "source_instance_id", "servers"},
		{"images", "snapshot_ids", "snapshots"},
		{"servers", "backup_ids", "backups"},
		{"servers", "image_ids", "images"},
		{"disks", "backup_ids", "backups"},
		{"disks", "image_ids", "images"},
		{"snapshots", "image_ids", "images"},
	}
	for _, ref := range refs {
		seen := 0
		for id, f := range res[ref.kind].(map[string]any) {
			var ids []any
			switch v := f.(map[string]any)[ref.fact].(type) {
			case string:
				ids = []any{v}
			case []any:
				ids = v
			}
			for _, to := range ids {
				seen++
				if !has(ref.to, to) {
					t.Errorf("%s %s: %s %v is not one of the inventory's %s", ref.kind, id, ref.fact, to, ref.to)
				}
			}
		}
		if seen == 0 {
			t.Errorf("no %s of %s to check", ref.fact, ref.kind)
		}
	}
}

// ID names the resources Write wrote.
func TestID(t *testing.T) {
	var out bytes.Buffer
	counts, err := Write(&out, Config{N: 100, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := evaluator.ParseInventory(out.Bytes(), evaluator.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range Kinds {
		for i := range counts[kind] {
			if _, ok := inv["resources"].(map[string]any)[kind].(map[string]any)[ID(7, kind, i)]; !ok {
				t.Errorf("%s %d: ID %s is not in the inventory", kind, i, ID(7, kind, i))
			}
		}
	}
}

func TestWriteRefusesNegativeN(t *testing.T) {
	_, err := Write(&bytes.Buffer{}, Config{N: -1})
	if err == nil || err.Error() != "scalegen: N is -1: want 0 or more resources" {
		t.Fatalf("err = %v", err)
	}
}
