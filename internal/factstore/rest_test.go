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
