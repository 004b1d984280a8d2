package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Requests the test rulebook (testdata/policies) answers.
const (
	reqExport = `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}}`
	reqDelete = `{"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-1"}}`
	reqExpire = `{"provider":"huaweicloud","operation":"backup.expire","params":{"backup_id":"bk-1"}}`
	reqSlow   = `{"provider":"huaweicloud","operation":"backup.expire","params":{"backup_id":"slow"}}`

	// The decisions for them, normalized (see norm).
	decExport = `{"allowed":false,"decision_id":"ID","provider":"huaweicloud","operation":"backup.export","reasons":[{"id":"TEST-001","effect":"deny","category":"constraint","message":"backup bk-1 cannot be exported","remediation":"Export an image instead.","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":5}}`
	decDelete = `{"allowed":true,"decision_id":"ID","provider":"huaweicloud","operation":"backup.delete","reasons":[{"id":"TEST-002","effect":"warn","category":"billing","message":"deleting backup bk-1 stops its billing","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":5}}`
	decExpire = `{"allowed":true,"decision_id":"ID","provider":"huaweicloud","operation":"backup.expire","reasons":[],"rulebook":{"revision":"REV","rules":5}}`
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// lines is the buffer's complete lines.
func (b *syncBuffer) lines() []string {
	s := strings.TrimSuffix(b.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// harness is a Server on the test rulebook behind an httptest.Server.
type harness struct {
	t      testing.TB
	s      *Server
	ts     *httptest.Server
	dlog   *syncBuffer
	logbuf *syncBuffer
}

// newHarness starts a loaded server; mod adjusts its Config first.
func newHarness(t testing.TB, mod func(*Config)) *harness {
	t.Helper()
	h := newUnloaded(t, mod)
	if err := h.s.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return h
}

// newHarnessServer is a Server on the test rulebook whose decision log and
// server log the harness holds, its Config changed by mods in order.
func newHarnessServer(t testing.TB, mods ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, dlog: &syncBuffer{}, logbuf: &syncBuffer{}}
	cfg := Config{
		Policies:          filepath.Join("testdata", "policies"),
		DecisionLogWriter: h.dlog,
		Logger:            slog.New(slog.NewJSONHandler(h.logbuf, nil)),
	}
	for _, mod := range mods {
		if mod != nil {
			mod(&cfg)
		}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.s = s
	return h
}

func newUnloaded(t testing.TB, mod func(*Config)) *harness {
	t.Helper()
	h := newHarnessServer(t, mod)
	s := h.s
	h.ts = httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		h.ts.Close()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// reply is an answer, read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(method, path string, header map[string]string, body string) reply {
	h.t.Helper()
	return send(h.t, h.ts.Client(), method, h.ts.URL+path, header, body)
}

func (h *harness) post(path, body string) reply {
	h.t.Helper()
	return h.do(http.MethodPost, path, map[string]string{"Content-Type": "application/json"}, body)
}

func send(t testing.TB, c *http.Client, method, url string, header map[string]string, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var (
	uuidRE     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	revisionRE = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	timeRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
)

// norm replaces what changes from run to run: decision ids, rulebook
// revisions and times.
func norm(s string) string {
	s = uuidRE.ReplaceAllString(s, "ID")
	s = revisionRE.ReplaceAllString(s, "REV")
	return timeRE.ReplaceAllString(s, "TIME")
}

// check compares a reply with the expected status, headers and (normalized)
// body. A JSON body must be exactly want followed by a newline.
func check(t testing.TB, got reply, status int, header map[string]string, body string) {
	t.Helper()
	if got.status != status {
		t.Errorf("status %d, want %d (body %s)", got.status, status, got.body)
	}
	for k, v := range header {
		if g := got.header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	want := body
	if body != "" {
		want += "\n"
	}
	if g := norm(got.body); g != want {
		t.Errorf("body\n got %s\nwant %s", g, want)
	}
}

// decisionID reads the decision_id of a decision or an OPA answer.
func decisionID(t testing.TB, body string) string {
	t.Helper()
	var v struct {
		DecisionID string `json:"decision_id"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.DecisionID == "" {
		t.Fatalf("no decision_id in %s (%v)", body, err)
	}
	return v.DecisionID
}

// eventually polls cond until it holds or the deadline passes; it bounds
// waits on the file watcher and the process, never asserts a duration.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	// Write then rename, as editors and config management do, so the
	// watcher never sees a half-written file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the test rulebook to a directory the test can break.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(dst, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}
