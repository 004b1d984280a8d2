package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imgadmit/imgadmit/fixtures/hostile"
)

// hostileCases writes every case (not blocked by a known bug) into dir.
func hostileCases(t *testing.T, dir string) []hostile.Case {
	t.Helper()
	var out []hostile.Case
	for _, c := range hostile.Cases {
		if c.Bug != "" {
			t.Logf("%s: skipped: bug: %s", c.Name, c.Bug)
			continue
		}
		b, err := c.Body()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// matches checks an error against a case's expectation; "" when it does.
func matches(e apiError, w hostile.Want, prefix string) string {
	code := w.Code
	if code == "" {
		code = "invalid_request"
	}
	if e.Code != code || !strings.Contains(e.Message, w.Message) {
		return fmt.Sprintf("code %q message %q, want %q containing %q", e.Code, e.Message, code, w.Message)
	}
	if w.Field == "" {
		if len(e.Errors) != 0 {
			return fmt.Sprintf("field errors %+v, want none", e.Errors)
		}
		return ""
	}
	for _, fe := range e.Errors {
		if fe.Pointer == prefix+w.Pointer && strings.Contains(fe.Message, w.Field) && fe.Line > 0 {
			return ""
		}
	}
	return fmt.Sprintf("no field error at %q (with a line) saying %q in %+v", prefix+w.Pointer, w.Field, e.Errors)
}

// TestHostileCorpusCLI evaluates every case of the bad-input corpus with
// the built binary: as one directory (--format json, then text) and each on
// its own through standard input. Every case is INVALID with its message
// and place, the exit code is 2, and nothing is written to stderr.
func TestHostileCorpusCLI(t *testing.T) {
	dir := t.TempDir()
	cases := hostileCases(t, dir)

	code, stdout, stderr := runBinary(t, nil, "eval", "--format", "json", dir)
	if code != 2 || stderr != "" {
		t.Fatalf("eval --format json: exit %d, stderr %q", code, stderr)
	}
	var results []struct {
		File     string          `json:"file"`
		Error    *apiError       `json:"error"`
		Decision json.RawMessage `json:"decision"`
	}
	if err := json.Unmarshal([]byte(stdout), &results); err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*apiError{}
	for _, r := range results {
		if r.Error == nil {
			t.Errorf("%s: a decision %s", r.File, r.Decision)
			continue
		}
		byFile[r.File] = r.Error
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.Name)
		e := byFile[path]
		if e == nil {
			t.Errorf("%s: no result", c.Name)
			continue
		}
		if e.File != path {
			t.Errorf("%s: the error names file %q", c.Name, e.File)
		}
		if msg := matches(*e, c.Want, ""); msg != "" {
			t.Errorf("%s (%s): %s", c.Name, c.What, msg)
		}
	}

	// Text: each file's verdict line, then one line per field error.
	code, text, stderr := runBinary(t, nil, "eval", dir)
	if code != 2 || stderr != "" {
		t.Fatalf("eval: exit %d, stderr %q", code, stderr)
	}
	blocks := textBlocks(text, dir+string(filepath.Separator))
	for _, c := range cases {
		path := filepath.Join(dir, c.Name)
		e := byFile[path]
		want := path + ": INVALID " + e.Message
		for _, fe := range e.Errors {
			ptr := fe.Pointer
			if ptr == "" {
				ptr = "/"
			}
			want += fmt.Sprintf("\n  %s (line %d): %s", ptr, fe.Line, fe.Message)
		}
		if got := blocks[path]; got != want {
			t.Errorf("%s: text output\n%.500s\nwant\n%.500s", c.Name, got, want)
		}
	}
	if want := fmt.Sprintf("\n%d requests: 0 allowed, 0 denied, %d invalid (0 with warnings)\n", len(cases), len(cases)); !strings.HasSuffix(text, want) {
		t.Errorf("summary: %q", text[max(0, len(text)-200):])
	}

	// Each case alone on standard input: exit 2, and the same answer as
	// the file when the sniffed format is the file's.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body, _ := c.Body()
			code, out, errOut := runBinary(t, body, "eval", "-")
			if code != 2 || errOut != "" || !strings.HasPrefix(out, "-: INVALID ") {
				t.Errorf("%s on stdin: exit %d, stdout %.300q, stderr %.300q", c.Name, code, out, errOut)
				return
			}
			path := filepath.Join(dir, c.Name)
			if sniffJSON(body) == strings.HasSuffix(c.Name, ".json") {
				if got, want := textBlocks(out, "-")["-"], "-"+strings.TrimPrefix(blocks[path], path); got != want {
					t.Errorf("%s on stdin:\n%.300s\nwant\n%.300s", c.Name, got, want)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d cases: eval DIR --format json, eval DIR, and eval - for each", len(cases))
}

// sniffJSON is how `eval -` picks the format: JSON when the first byte past
// whitespace and a byte order mark opens an object or an array.
func sniffJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// textBlocks splits eval's text output into each input's lines, by the
// name each verdict line starts with.
func textBlocks(out, prefix string) map[string]string {
	blocks := map[string]string{}
	var name string
	var cur []string
	flush := func() {
		if name != "" {
			blocks[name] = strings.Join(cur, "\n")
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, ": INVALID ") {
			flush()
			name, cur = l[:strings.Index(l, ": INVALID ")], []string{l}
			continue
		}
		if strings.HasPrefix(l, "  ") && name != "" {
			cur = append(cur, l)
			continue
		}
		flush()
		name, cur = "", nil
	}
	flush()
	return blocks
}

// TestHostileCorpusServe sends every case to the running binary, on
// /v1/admit and on the OPA endpoint: a 4xx with {"code","message","errors"}
// that says where, never a 5xx; then the process is healthy (health,
// readiness, a decision), has logged only that decision, and exits 0.
func TestHostileCorpusServe(t *testing.T) {
	dir := t.TempDir()
	cases := hostileCases(t, dir)
	logFile := filepath.Join(dir, "decisions.log")
	s := startServe(t, "--decision-log", logFile)
	post := func(path string, body []byte) (int, apiError, string) {
		status, b := s.post(path, "application/json", string(body))
		var e apiError
		dec := json.NewDecoder(strings.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || e.Errors == nil {
			t.Errorf("POST %s: not a {code, message, errors} body (%v): %.300s", path, err, b)
		}
		return status, e, b
	}
	for _, c := range cases {
		body, _ := c.Body()
		w := c.WantHTTP()
		status, e, raw := post("/v1/admit", body)
		if status != w.Status {
			t.Errorf("%s: status %d, want %d: %.300s", c.Name, status, w.Status, raw)
		} else if msg := matches(e, w, ""); msg != "" {
			t.Errorf("%s (%s): %s", c.Name, c.What, msg)
		}
		o := opaCall(string(body))
		ostatus, oe, oraw := post(o.path, []byte(o.body))
		if ostatus != w.Status || oe.Code != e.Code {
			t.Errorf("%s on the OPA endpoint: %d %.300s, want %d %s", c.Name, ostatus, oraw, w.Status, e.Code)
		}
	}
	if code, body := s.get("/health"); code != 200 || body != "{\"status\":\"ok\"}\n" {
		t.Errorf("health after the corpus: %d %s", code, body)
	}
	if r := s.ready(); r.Status != "ready" {
		t.Errorf("ready after the corpus: %+v", r)
	}
	d, err := s.decide(call{admitPath, e2eAllowed})
	if err != nil || !d.Allowed {
		t.Fatalf("a decision after the corpus: %+v %v", d, err)
	}
	if n := s.metric(`imgadmit_http_requests_total{endpoint="/v1/admit",outcome="internal"}`); n != 0 {
		t.Errorf("%v internal errors", n)
	}
	s.stop()
	checkDecisionLog(t, logFile, map[string]string{d.DecisionID: d.Rulebook.Revision})
	for _, l := range s.log.all() {
		if strings.Contains(l, "panic") || strings.Contains(l, `"level":"ERROR"`) {
			t.Errorf("server log: %.300s", l)
		}
	}
	t.Logf("%d cases through the running server, each on /v1/admit and the OPA endpoint", len(cases))
}
