package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestHandlerLatencies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.log")
	line := func(ns int) string {
		return fmt.Sprintf(`{"decision_id":"d","latency_ns":%d,"result":{"allowed":true}}`+"\n", ns)
	}
	if err := os.WriteFile(path, []byte(line(300)+line(100)), 0o600); err != nil {
		t.Fatal(err)
	}
	lat, err := HandlerLatencies(path, 0)
	if err != nil || !slices.Equal(lat, []time.Duration{100, 300}) {
		t.Fatalf("whole log: %v, err %v", lat, err)
	}
	// A round later: only the lines from the offset on count, and a line
	// still being written is left out.
	offset := int64(len(line(300) + line(100)))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(line(200) + `{"decision_id":"half`)
	f.Close()
	if lat, err = HandlerLatencies(path, offset); err != nil || !slices.Equal(lat, []time.Duration{200}) {
		t.Fatalf("from the offset: %v, err %v", lat, err)
	}
	for name, content := range map[string]string{
		"not JSON":             "oops\n",
		"no latency_ns":        `{"decision_id":"d"}` + "\n",
		"latency not a number": `{"latency_ns":"5"}` + "\n",
	} {
		bad := filepath.Join(t.TempDir(), "bad.log")
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := HandlerLatencies(bad, 0); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := HandlerLatencies(filepath.Join(t.TempDir(), "missing.log"), 0); err == nil {
		t.Error("a missing log: no error")
	}
}
