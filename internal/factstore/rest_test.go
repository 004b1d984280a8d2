package factstore

import (
	"strings"
	"testing"
)

// TestRestRefusesKeyedKinds: a document without the keyed kinds that still
// has one is refused wherever it comes in (With, Builder), not held twice.
func TestRestRefusesKeyedKinds(t *testing.T) {
	rest := map[string]any{"resources": map[string]any{"images": map[string]any{"img-1": map[string]any{}}}}
	_, err := Empty().With(rest, nil)
	if err == nil || !strings.Contains(err.Error(), "resources/images belongs in the store's tables") {
		t.Errorf("With: %v, want the refusal", err)
	}
	b := NewBuilder(rest)
	if _, err := b.Build(); err == nil || !strings.Contains(err.Error(), "resources/images") {
		t.Errorf("Build: %v, want the refusal", err)
	}
	ok := map[string]any{"resources": map[string]any{"account": map[string]any{"in_arrears": false}}}
	if _, err := Empty().With(ok, nil); err != nil {
		t.Errorf("With of the account alone: %v", err)
	}
}

// TestRevisionIsTheSameEverywhere: the revision of an inventory is a
// function of its facts alone, not of the process (shard placement has no
// per-process seed): a sidecar restarted, or a second one, gives the same
// ETag for the same inventory. The value is this inventory's as written
// by the revision scheme "imgadmit inventory 3"; a change to the scheme
// changes it, and must be deliberate.
func TestRevisionIsTheSameEverywhere(t *testing.T) {
	inv, err := FromValue(map[string]any{
		"resources": map[string]any{"images": map[string]any{"img-1": map[string]any{"status": "active"}}},
		"settings":  map[string]any{"missing_facts": "warn"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = "sha256:ff0509cedfe0d4849081a64300b74f842efa6874daf52b8ce6c99a73bd33fec9"
	if got := inv.Revision(); got != want {
		t.Errorf("revision %s, want %s", got, want)
	}
}
