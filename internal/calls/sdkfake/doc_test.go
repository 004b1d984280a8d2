package sdkfake_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

func ptr[T any](v T) *T { return &v }

// assertDoc compares a whole captured document with the expected one, written as JSON.
func assertDoc(t *testing.T, what string, got map[string]any, want string) {
	t.Helper()
	w, err := sdkfake.DecodeDoc(want)
	if err != nil {
		t.Fatalf("expected %s is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, compact(got), compact(w))
	}
}

// compact prints a document as JSON, sorted, without escaping & < > (paths and queries).
func compact(doc map[string]any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return strings.TrimSpace(b.String())
}
