package opsgen

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/imgadmit/imgadmit/schemas"
)

var update = flag.Bool("update", false, "rewrite policies/lib/operations.rego (make operations)")

// TestOperationsRegoIsCurrent fails when policies/lib/operations.rego was not
// regenerated after a schema file was added or removed; with -update (make
// operations) it rewrites the file.
func TestOperationsRegoIsCurrent(t *testing.T) {
	pairs, err := Pairs(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render(pairs)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("..", "..", filepath.FromSlash(RegoPath))
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v (run make operations)", RegoPath, err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: run make operations and commit it", RegoPath)
	}
}

func TestPairs(t *testing.T) {
	fsys := fstest.MapFS{
		"request.json":              {},
		"cloudb/volume.delete.json": {},
		"clouda/volume.delete.json": {},
		"clouda/image.create.json":  {},
		"clouda/volume.create.json": {},
		"clouda/notes/readme.txt":   {},
		"clouda/image.create.json~": {},
	}
	got, err := Pairs(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"clouda": {"image.create", "volume.create", "volume.delete"}, "cloudb": {"volume.delete"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Pairs = %v, want %v", got, want)
	}
	if all := All(got); !reflect.DeepEqual(all, []string{"image.create", "volume.create", "volume.delete"}) {
		t.Errorf("All = %v", all)
	}
	if _, err := Pairs(fstest.MapFS{"request.json": {}}); err == nil {
		t.Error("Pairs of a tree with no pair files: no error")
	}
}

func TestRender(t *testing.T) {
	got, err := Render(map[string][]string{"cloudb": {"volume.delete"}, "clouda": {"volume.delete", "image.create", "reboot", "volume.create"}})
	if err != nil {
		t.Fatal(err)
	}
	const body = `known := {
	"clouda": {
		"image.create",
		"reboot",
		"volume.create", "volume.delete",
	},
	"cloudb": {
		"volume.delete",
	},
}
`
	if s := string(got); !strings.Contains(s, body) || !strings.Contains(s, "DO NOT EDIT") || !strings.Contains(s, "make operations") ||
		!strings.Contains(s, "# METADATA\n# title: Operations\n") || !strings.Contains(s, "exists(provider, operation) if operation in known[provider]\n") {
		t.Errorf("Render =\n%s", s)
	}
}
