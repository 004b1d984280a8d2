package cloudfacts

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/factstore"
)

// TestReadInventoryFacts: one JSON --data file is streamed, anything else
// read whole; either way the facts are those of ReadInventory, and an
// error is ReadInventory's, with its lines and the file named.
func TestReadInventoryFacts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inv := write("inv.json", "{\n \"settings\": {\"missing_facts\": \"warn\"},\n \"resources\": {\"servers\": {\"srv-1\": {\"status\": \"ACTIVE\"}}}\n}\n")
	yml := write("inv.yaml", "resources:\n  images:\n    img-1: {status: active}\n")
	badRes := write("bad-res.json", "{\n \"resources\": {\n  \"servers\": {\n   \"srv-1\": {\n    \"status\": 5\n   }\n  }\n }\n}\n")
	badSyntax := write("bad-syntax.json", "{\n \"resources\": {\n  \"servers\": {\"srv-1\": {,}}\n }\n}\n")
	response := filepath.Join("..", "..", "fixtures", "responses", "huaweicloud", "cbr-list-backups.json")
	for name, paths := range map[string][]string{
		"one JSON inventory, streamed":  {inv},
		"YAML":                          {yml},
		"two files, merged":             {inv, yml},
		"a cloud's response":            {response},
		"a resource the schema refuses": {badRes},
		"a syntax error":                {badSyntax},
		"a file that is not there":      {filepath.Join(dir, "missing.json")},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ReadInventoryFacts(paths, "cn-north-4")
			doc, werr := ReadInventory(paths, "cn-north-4")
			if werr != nil {
				var e, we *evaluator.Error
				if !errors.As(err, &e) || !errors.As(werr, &we) || !reflect.DeepEqual(e, we) {
					t.Fatalf("error\n%#v\nwant ReadInventory's\n%#v", err, werr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := evaluator.FactsOf(doc)
			if err != nil {
				t.Fatal(err)
			}
			gm, _ := got.Map()
			wm, _ := want.Map()
			if got.Revision() != want.Revision() || !reflect.DeepEqual(gm, wm) {
				t.Errorf("facts %v (%s), want %v (%s)", gm, got.Revision(), wm, want.Revision())
			}
		})
	}
}

// TestKeepFirstSeenStored: the stored forms carry an earlier first-seen date
// in, and leave everything else as next has it.
func TestKeepFirstSeenStored(t *testing.T) {
	doc := func(since string, status string) map[string]any {
		srv := map[string]any{"status": status}
		if since != "" {
			srv["payment_overdue_since"] = since
		}
		return map[string]any{"resources": map[string]any{"servers": map[string]any{"srv-1": srv, "srv-2": map[string]any{"status": "ACTIVE"}}}}
	}
	facts := func(d map[string]any) *factstore.Inventory {
		f, err := evaluator.FactsOf(d)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	const early, late = "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z"
	for _, tc := range []struct {
		name       string
		prev, next map[string]any
		want       map[string]any
	}{
		{"earlier date kept", doc(early, "ACTIVE"), doc(late, "SHUTOFF"), doc(early, "SHUTOFF")},
		{"later date not taken", doc(late, "ACTIVE"), doc(early, "ACTIVE"), doc(early, "ACTIVE")},
		{"no longer overdue", doc(early, "ACTIVE"), doc("", "ACTIVE"), doc("", "ACTIVE")},
		{"newly overdue", doc("", "ACTIVE"), doc(late, "ACTIVE"), doc(late, "ACTIVE")},
		{"nothing before", map[string]any{}, doc(late, "ACTIVE"), doc(late, "ACTIVE")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := facts(tc.want)
			got, err := KeepFirstSeenFacts(facts(tc.prev), facts(tc.next))
			if err != nil {
				t.Fatal(err)
			}
			if got.Revision() != want.Revision() {
				gm, _ := got.Map()
				t.Errorf("KeepFirstSeenFacts: %v", gm)
			}
			next, _ := facts(tc.next).Map()
			m, err := KeepFirstSeenFrom(facts(tc.prev), next)
			if err != nil {
				t.Fatal(err)
			}
			if f := facts(m); f.Revision() != want.Revision() {
				t.Errorf("KeepFirstSeenFrom: %v", m)
			}
		})
	}
}
