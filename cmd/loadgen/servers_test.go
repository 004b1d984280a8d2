package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestCountLines: whole lines only (a line still being written is no
// decision yet), those with want when it is set, lines longer than the
// read buffer included, want straddling the buffer's end.
func TestCountLines(t *testing.T) {
	want := []byte(`"msg":"Decision Log"`)
	long := strings.Repeat("x", 64<<10-5) + string(want) + strings.Repeat("y", 100<<10)
	cases := []struct {
		name, log string
		want      []byte
		n         int64
	}{
		{"empty", "", nil, 0},
		{"two lines", "a\nb\n", nil, 2},
		{"a torn last line", "a\nb", nil, 1},
		{"empty lines count", "\n\n", nil, 2},
		{"long lines", long + "\n" + long + "\n" + long, nil, 2},
		{"with want", `{"msg":"Decision Log"}` + "\n" + `{"msg":"Received request"}` + "\n" + `{"msg":"Decision Log"}`, want, 1},
		{"want in a long line, across the buffer", "a\n" + long + "\n" + strings.Repeat("z", 200<<10) + "\n", want, 1},
		{"want in a torn long line", long, want, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := countLines(strings.NewReader(c.log), c.want)
			if err != nil || n != c.n {
				t.Fatalf("countLines = %d, %v; want %d", n, err, c.n)
			}
		})
	}
}

// TestCheckUploads: fewer events uploaded than decisions answered fail the
// comparison; as many or more pass.
func TestCheckUploads(t *testing.T) {
	cases := []struct {
		uploaded, answered int64
		out, err           string
	}{
		{100, 100, "  imgadmit-up uploaded 100 decision events to the collector for 100 decisions answered\n", ""},
		{101, 100, "  imgadmit-up uploaded 101 decision events to the collector for 100 decisions answered\n", ""},
		{99, 100, "  imgadmit-up uploaded 99 decision events to the collector for 100 decisions answered\n",
			"decision uploads short: imgadmit-up uploaded 99 of 100 decisions"},
	}
	for _, c := range cases {
		var out strings.Builder
		err := checkUploads(&out, "imgadmit-up", c.uploaded, c.answered)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if out.String() != c.out || gotErr != c.err {
			t.Errorf("checkUploads(%d, %d) = %q, %q; want %q, %q", c.uploaded, c.answered, out.String(), gotErr, c.out, c.err)
		}
	}
}
