package factstore

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// read is path read from store in a read transaction of its own.
func read(t testing.TB, store storage.Store, path storage.Path) (any, error) {
	t.Helper()
	ctx := context.Background()
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(ctx, txn)
	return store.Read(ctx, txn, path)
}

// TestStoreReadsAsInmem: every read through NewStore answers what OPA's
// inmem store holding the whole document answers, value for value and
// not-found for not-found.
func TestStoreReadsAsInmem(t *testing.T) {
	extra := map[string]any{"imgadmit_index": map[string]any{"by_name": map[string]any{"base": []any{"i-1"}}}}
	readPaths := []string{
		"/", "/inventory", "/inventory/resources", "/inventory/settings", "/inventory/account", "/inventory/account/id",
		"/imgadmit_index", "/imgadmit_index/by_name/base/0",
		"/inventory/resources/images", "/inventory/resources/backups", "/inventory/resources/disks", "/inventory/resources/vpcs",
		"/inventory/resources/vpcs/v", "/inventory/resources/vpcs/w",
		"/inventory/resources/images/i-1", "/inventory/resources/images/i-1/name", "/inventory/resources/images/i-1/tags",
		"/inventory/resources/images/i-1/tags/0", "/inventory/resources/images/i-1/tags/1", "/inventory/resources/images/i-1/tags/2",
		"/inventory/resources/images/i-1/tags/-1", "/inventory/resources/images/i-1/tags/x",
		// OPA reads an array index as util.Atoi does.
		"/inventory/resources/images/i-1/tags/01", "/inventory/resources/images/i-1/tags/+1",
		"/inventory/resources/images/i-1/tags/1.0", "/inventory/resources/images/i-1/tags/-0",
		"/inventory/resources/images/i-1/tags/1.5", "/inventory/resources/images/i-1/tags/1e0",
		"/inventory/settings/regions/01", "/inventory/settings/regions/+0",
		"/inventory/resources/images/i-1/name/x", "/inventory/resources/images/i-1/missing",
		"/inventory/resources/images/i-9", "/inventory/resources/images/i-9/name",
		"/inventory/resources/snapshots/sn-1/created",
		"/inventory/missing", "/missing", "/inventory/settings/x/y",
	}
	for name, s := range docs {
		t.Run(name, func(t *testing.T) {
			inv := fromJSON(t, s)
			store := NewStore(inv, nil, extra)
			data := map[string]any{"inventory": decodeDoc(t, s), "imgadmit_index": extra["imgadmit_index"]}
			want := inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true))
			var all [][]string
			paths(decodeDoc(t, s), nil, &all)
			var storePaths []storage.Path
			for _, p := range readPaths {
				path, ok := storage.ParsePath(p)
				if !ok {
					t.Fatalf("bad path %s", p)
				}
				storePaths = append(storePaths, path)
			}
			for _, p := range all {
				storePaths = append(storePaths, append(storage.Path{"inventory"}, p...))
			}
			for _, path := range storePaths {
				got, err := read(t, store, path)
				wantV, wantErr := read(t, want, path)
				switch {
				case wantErr != nil:
					if !storage.IsNotFound(wantErr) {
						t.Fatalf("inmem %s: %v", path, wantErr)
					}
					if !storage.IsNotFound(err) {
						t.Errorf("Read(%s) = %v, %v; want not found", path, got, err)
					}
				case err != nil:
					t.Errorf("Read(%s): %v; want %v", path, err, wantV)
				default:
					gv, ok := got.(ast.Value)
					if !ok || gv.Compare(wantV.(ast.Value)) != 0 {
						t.Errorf("Read(%s) = %v\nwant %v", path, got, wantV)
					}
				}
			}
		})
	}
}

func TestStoreRest(t *testing.T) {
	inv := fromJSON(t, `{"settings": {"a": 1}, "resources": {"images": {"i": {"n": 1}}}}`)
	store := NewStore(inv, map[string]any{"settings": map[string]any{"a": json.Number("2")}, "resources": map[string]any{}}, nil)
	for _, tc := range []struct{ path, want string }{
		{"/", `{"inventory": {"resources": {"images": {"i": {"n": 1}}}, "settings": {"a": 2}}}`},
		{"/inventory/settings/a", `2`},
		{"/inventory/resources/images/i/n", `1`},
	} {
		path, _ := storage.ParsePath(tc.path)
		got, err := read(t, store, path)
		if err != nil || got.(ast.Value).Compare(ast.MustParseTerm(tc.want).Value) != 0 {
			t.Errorf("Read(%s) = %v, %v; want %s", tc.path, got, err, tc.want)
		}
	}
}

func TestStoreRefusesWrites(t *testing.T) {
	store := NewStore(fromJSON(t, docs["every kind"]), nil, nil)
	ctx := context.Background()
	for _, p := range []string{"/inventory/resources/images/i-1", "/inventory/settings", "/other"} {
		path, _ := storage.ParsePath(p)
		err := storage.WriteOne(ctx, store, storage.AddOp, path, map[string]any{})
		if !storage.IsInvalidTransaction(err) || !strings.Contains(err.Error(), "the inventory store is read-only") {
			t.Errorf("WriteOne(%s) error %v, want the read-only refusal", p, err)
		}
	}
	if got, err := read(t, store, storage.Path{"inventory", "resources", "images", "i-1", "name"}); err != nil || got.(ast.Value).Compare(ast.String("base")) != 0 {
		t.Errorf("after refused writes: %v, %v", got, err)
	}
}

func TestASTValue(t *testing.T) {
	for _, s := range []string{
		`null`, `true`, `false`, `0`, `-0`, `1.0`, `1e3`, `-1.5E-7`, `12345678901234567890123456789`,
		`""`, `"a\"b\\c\u0000\u001f"`, `"日本語 \u2028 <&>"`, `[]`, `{}`, `[null, [], {}, [[1]], "x"]`,
		`{"b": 1, "a": [2, {"c": {"d": null}}], "": ""}`,
		`{"tags": {"env": "prod"}, "size": 40, "encrypted": true, "shared_with": ["123", "456"]}`,
	} {
		v := decodeAny(t, s)
		want, err := ast.InterfaceToValue(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ASTValue(canon(t, v))
		if err != nil || got.Compare(want) != 0 {
			t.Errorf("ASTValue(%s) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{``, `{`, `[1,`, `{"a"}`, `"\xff"`, `nul`, `{"a":1,"a":2}`, `]`} {
		if got, err := ASTValue([]byte(bad)); err == nil {
			t.Errorf("ASTValue(%q) = %v, no error", bad, got)
		}
	}
}
