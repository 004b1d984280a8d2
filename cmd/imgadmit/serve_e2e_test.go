package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Requests for the real rulebook.
const (
	// e2eAllowed is started from a stopped server: nothing refuses it.
	e2eAllowed = `{"provider":"huaweicloud","operation":"server.start","region":"cn-north-4","params":{"server_id":"srv-1"},` +
		`"resources":{"servers":{"srv-1":{"status":"stopped","image_creation_in_progress":false}}}}`
	// e2eDenied claims its backup is a server backup; the inventory knows it
	// is a disk backup, and the inventory wins: IMS-FE-001 denies.
	e2eDenied = `{"provider":"huaweicloud","operation":"image.create","region":"cn-north-4","params":{"name":"web-2026-11","image_type":"full_ecs",` +
		`"source":{"type":"cbr_backup","id":"bk-7f3a"},"agree_disclaimer":true},"resources":{"backups":{"bk-7f3a":{"resource_type":"server"}}}}`
	e2eInventory = `{"resources":{"backups":{"bk-7f3a":{"resource_type":"disk","status":"available"}}}}`
)

// e2eDecision is what the test reads from a decision.
type e2eDecision struct {
	Allowed    bool   `json:"allowed"`
	DecisionID string `json:"decision_id"`
	Reasons    []struct {
		ID, Effect string
	} `json:"reasons"`
	Rulebook struct {
		Revision string `json:"revision"`
	} `json:"rulebook"`
}

// lockedLog collects the server log as the process writes it.
type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *lockedLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// TestServeEndToEnd starts the built binary on a free loopback port, sends
// real requests, breaks the rulebook under traffic, sends SIGTERM under
// traffic, and checks the decision log holds exactly one line per decision
// answered.
func TestServeEndToEnd(t *testing.T) {
	bin := builtBinary(t) // skipped with -short
	dir := t.TempDir()
	pol := filepath.Join(dir, "policies")
	copyRego(t, filepath.Join("..", "..", "policies"), pol)
	inv := filepath.Join(dir, "inventory.json")
	if err := os.WriteFile(inv, []byte(e2eInventory), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "decisions.log")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--policies", pol, "--watch",
		"--data", inv, "--decision-log", logFile)
	// Without GOGC or GOMEMLIMIT, the binary picks its own GC target (main.go).
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=")
	})
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	serverLog := &lockedLog{}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			serverLog.add(sc.Text())
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
				listening <- l.Addr
			}
		}
		exited <- cmd.Wait()
	}()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", strings.Join(serverLog.all(), "\n"))
		}
	}()
	var base string
	select {
	case addr := <-listening:
		base = "http://" + addr
	case err := <-exited:
		t.Fatalf("the server exited before listening: %v", err)
	case <-ctx.Done():
		t.Fatal("the server never said where it listens")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	waitFor(t, "ready", func() bool {
		code, _ := get(client, base+"/health/ready")
		return code == 200
	})
	if _, m := get(client, base+"/metrics"); !strings.Contains(m, fmt.Sprintf("\ngo_gc_gogc_percent %d\n", defaultGCPercent)) {
		t.Errorf("/metrics does not show the GC target %d the binary sets", defaultGCPercent)
	}

	// Real requests, one of each answer.
	post := func(path, ct, body string) (int, string, error) {
		resp, err := client.Post(base+path, ct, strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	var mu sync.Mutex
	answered := map[string]string{} // decision id -> revision
	decide := func(path, body string) (e2eDecision, error) {
		code, out, err := post(path, "application/json", body)
		if err != nil {
			return e2eDecision{}, err
		}
		if code != 200 {
			return e2eDecision{}, errors.New(out)
		}
		var d e2eDecision
		if path == "/v1/data/imgadmit/decision" {
			var r struct {
				DecisionID string      `json:"decision_id"`
				Result     e2eDecision `json:"result"`
			}
			err = json.Unmarshal([]byte(out), &r)
			if r.DecisionID != r.Result.DecisionID {
				t.Errorf("OPA answer decision ids differ: %s", out)
			}
			d = r.Result
		} else {
			err = json.Unmarshal([]byte(out), &d)
		}
		if err != nil || d.DecisionID == "" {
			t.Errorf("not a decision: %s (%v)", out, err)
		}
		mu.Lock()
		answered[d.DecisionID] = d.Rulebook.Revision
		mu.Unlock()
		return d, nil
	}
	allowed, err := decide("/v1/admit", e2eAllowed)
	if err != nil || !allowed.Allowed || len(allowed.Reasons) != 0 {
		t.Fatalf("allowed request: %+v %v", allowed, err)
	}
	rev1 := allowed.Rulebook.Revision
	for _, path := range []string{"/v1/admit", "/v1/data/imgadmit/decision"} {
		body := e2eDenied
		if path != "/v1/admit" {
			body = `{"input":` + e2eDenied + `}`
		}
		denied, err := decide(path, body)
		if err != nil || denied.Allowed || !hasReason(denied, "IMS-FE-001", "deny") || denied.Rulebook.Revision != rev1 {
			t.Fatalf("%s denied request: %+v %v", path, denied, err)
		}
	}
	for _, tc := range []struct {
		path, ct, body string
		code           int
		errCode        string
	}{
		{"/v1/admit", "application/json", `{"provider":"huaweicloud","operation":"server.start","params":{}}`, 400, "invalid_request"},
		{"/v1/admit", "text/plain", e2eAllowed, 415, "unsupported_media_type"},
		{"/v1/admit", "application/json", `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "request_too_large"},
		{"/v1/data/imgadmit/decision", "application/json", `{"input":"server.start"}`, 400, "invalid_request"},
		{"/v1/nothing", "application/json", `{}`, 404, "not_found"},
		{"/health", "application/json", `{}`, 405, "method_not_allowed"},
	} {
		code, out, err := post(tc.path, tc.ct, tc.body)
		var e struct {
			Code   string
			Errors []any
		}
		if err != nil || code != tc.code || json.Unmarshal([]byte(out), &e) != nil || e.Code != tc.errCode || e.Errors == nil {
			t.Errorf("POST %s: %d %s %v, want %d %s", tc.path, code, out, err, tc.code, tc.errCode)
		}
	}

	// Traffic: decisions back to back until the server goes away.
	var terminating atomic.Bool
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqs := []struct{ path, body string }{
				{"/v1/admit", e2eAllowed},
				{"/v1/admit", e2eDenied},
				{"/v1/data/imgadmit/decision", `{"input":` + e2eAllowed + `}`},
			}
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				r := reqs[n%len(reqs)]
				if _, err := decide(r.path, r.body); err != nil {
					if !terminating.Load() {
						t.Errorf("during traffic: %v", err)
					}
					return
				}
			}
		}()
	}
	stopTraffic := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	defer stopTraffic()

	// A broken rulebook under traffic: the last good one keeps serving, and
	// the metrics and /health/ready say so.
	broken := filepath.Join(pol, "rules", "zz_broken.rego")
	if err := os.WriteFile(broken, []byte("package imgadmit.rules\n\nreasons contains r if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed reload in /metrics", func() bool {
		_, m := get(client, base+"/metrics")
		return strings.Contains(m, `imgadmit_reloads_total{result="failure",target="rulebook"} 1`+"\n")
	})
	code, ready := get(client, base+"/health/ready")
	if code != 200 || !strings.Contains(ready, `"rulebook":{"ok":false`) || !strings.Contains(ready, "zz_broken.rego") || !strings.Contains(ready, `"revision":"`+rev1+`"`) {
		t.Errorf("ready after the broken reload: %d %s", code, ready)
	}
	if d, err := decide("/v1/admit", e2eDenied); err != nil || d.Rulebook.Revision != rev1 || !hasReason(d, "IMS-FE-001", "deny") {
		t.Errorf("decision after the broken reload: %+v %v", d, err)
	}
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the good reload", func() bool {
		_, m := get(client, base+"/metrics")
		return strings.Contains(m, `imgadmit_reloads_total{result="success",target="rulebook"} 1`+"\n")
	})

	// SIGTERM under traffic: requests in flight finish, the log is flushed,
	// the process exits 0.
	terminating.Store(true)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the server did not exit after SIGTERM")
	}
	stopTraffic()

	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	logged := map[string]bool{}
	for i, l := range lines {
		var rec struct {
			Event      string          `json:"event"`
			DecisionID string          `json:"decision_id"`
			Time       string          `json:"time"`
			Path       string          `json:"path"`
			RemoteAddr string          `json:"remote_addr"`
			Input      json.RawMessage `json:"input"`
			Result     e2eDecision     `json:"result"`
			Revision   string          `json:"revision"`
			LatencyNS  int64           `json:"latency_ns"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %d: %v: %q", i+1, err, l)
		}
		if rec.Event != "decision" {
			t.Errorf("log line %d is not a decision: %s", i+1, l)
			continue
		}
		if logged[rec.DecisionID] {
			t.Errorf("decision %s logged twice", rec.DecisionID)
		}
		logged[rec.DecisionID] = true
		if rev, ok := answered[rec.DecisionID]; !ok || rev != rec.Revision || rec.Result.Rulebook.Revision != rev ||
			rec.Result.DecisionID != rec.DecisionID || !strings.HasPrefix(rec.RemoteAddr, "127.0.0.1:") || rec.LatencyNS <= 0 || len(rec.Input) == 0 {
			t.Errorf("log line %d does not match an answer (answered: %v): %s", i+1, ok, l)
		}
		if rec.Revision != rev1 {
			t.Errorf("log line %d: revision %s, want %s (the broken rulebook never served)", i+1, rec.Revision, rev1)
		}
	}
	for id := range answered {
		if !logged[id] {
			t.Errorf("decision %s was answered but not logged", id)
		}
	}
	if len(lines) != len(answered) || len(answered) < 10 {
		t.Errorf("%d log lines for %d answered decisions", len(lines), len(answered))
	}
	logs := serverLog.all()
	if last := logs[len(logs)-1]; !strings.Contains(last, `"msg":"stopped"`) {
		t.Errorf("last server log line: %s", last)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout with --decision-log FILE: %q", stdout.String())
	}
	t.Logf("%d decisions answered and logged", len(answered))
}

// TestServeUsage: bad flags exit 2 before binding, a bad rulebook exits 2.
func TestServeUsage(t *testing.T) {
	bin := builtBinary(t)
	pol := t.TempDir()
	if err := os.WriteFile(filepath.Join(pol, "x.rego"), []byte("package x\n\nallow if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "--watch"}, 2, "imgadmit: --watch needs --policies DIR, --data FILE or --identities FILE: the embedded rulebook cannot change\n"},
		{[]string{"serve", "--eval-timeout", "0s"}, 2, "imgadmit: --max-body and the timeouts must be positive\n"},
		{[]string{"serve", "--tls-cert", "c.pem"}, 2, "imgadmit: --tls-cert and --tls-key go together\n"},
		{[]string{"serve", "extra"}, 2, "imgadmit: serve takes no arguments, got [\"extra\"]\n"},
		{[]string{"serve", "--memory-limit", "lots"}, 2, "imgadmit: --memory-limit \"lots\": want auto, off or a size such as 256MiB\n"},
		{[]string{"serve", "--max-connections", "0"}, 2, "must be positive\n"},
		{[]string{"serve", "--identities", "ids.yaml", "--token-file", "tok"}, 2, "imgadmit: --identities and --token-file go apart"},
		{[]string{"serve", "--identities", "/nonexistent/ids.yaml"}, 2, "imgadmit: --identities: open /nonexistent/ids.yaml: no such file or directory\n"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--policies", pol}, 2, "parse rulebook: 1 error occurred: x.rego:4: rego_parse_error: unexpected eof token"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("%v: %v, stderr %q; want exit %d with %q", tc.args, err, stderr.String(), tc.code, tc.msg)
		}
	}
}

func hasReason(d e2eDecision, id, effect string) bool {
	for _, r := range d.Reasons {
		if r.ID == id && r.Effect == effect {
			return true
		}
	}
	return false
}

func get(c *http.Client, url string) (int, string) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds, for at most 15 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// copyRego copies the rulebook's .rego files, so the test can break its copy.
func copyRego(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".rego" {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeIdentitiesBindProjects: with the real rulebook, a pipeline bound
// to project A cannot use another project's private image by naming the
// owner (the way past IMS-IMG-008 that a shared token left open): that is a
// 403; asking without a project_id is asking as A, whose image it is not.
// Every attempt is in the decision log with who asked.
func TestServeIdentitiesBindProjects(t *testing.T) {
	const (
		projectA, owner = "0605767a3300d5762fb7c0186d8d2b3b", "8f2c5e1a9b7d4c3e6f0a1b2c3d4e5f60"
		token           = "pipeline-secret"
	)
	dir := t.TempDir()
	sum := sha256.Sum256([]byte(token))
	ids := filepath.Join(dir, "identities.yaml")
	if err := os.WriteFile(ids, []byte("identities:\n  - name: image-pipeline\n    token_sha256: "+hex.EncodeToString(sum[:])+
		"\n    roles: [decide]\n    projects:\n      huaweicloud: [\""+projectA+"\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "decisions.log")
	s := startServe(t, "--identities", ids, "--decision-log", logFile)
	ask := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	image := `"resources":{"images":{"img-1":{"image_type":"system","visibility":"private","owner_project_id":"` + owner +
		`","members":[],"region":"cn-north-4","status":"active"}}}`
	create := func(project string) string {
		p := ""
		if project != "" {
			p = `"project_id":"` + project + `",`
		}
		return `{"provider":"huaweicloud","operation":"server.create","region":"cn-north-4",` + p + `"params":{"image_id":"img-1","name":"web-01"},` + image + `}`
	}
	for _, path := range []string{"/v1/admit", "/v1/data/imgadmit/decision"} {
		wrap := func(b string) string {
			if path == "/v1/admit" {
				return b
			}
			return `{"input":` + b + `}`
		}
		if code, body := ask(path, wrap(create(owner))); code != 403 || !strings.Contains(body, `may not ask as project \"`+owner+`\"`) {
			t.Errorf("%s naming the owner's project: %d %s", path, code, body)
		}
		code, body := ask(path, wrap(create("")))
		if code != 200 || !strings.Contains(body, `"id":"IMS-IMG-008"`) || strings.Contains(body, owner) {
			t.Errorf("%s as its own project: %d %s", path, code, body)
		}
	}
	if _, body := get(s.client, s.base+"/health/ready"); body != "{\"status\":\"ready\"}\n" {
		t.Errorf("ready without a token: %s", body)
	}
	s.signal(syscall.SIGTERM)
	s.wait(10 * time.Second)
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var refused, decided int
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var ev struct {
			Event       string
			RequestedBy string `json:"requested_by"`
			ProjectID   string `json:"project_id"`
			Status      int
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		switch {
		case ev.Event == "refused" && ev.Status == 403 && ev.RequestedBy == "image-pipeline":
			refused++
		case ev.Event == "decision" && ev.RequestedBy == "image-pipeline" && ev.ProjectID == projectA:
			decided++
		default:
			t.Errorf("decision log line %s", l)
		}
	}
	if refused != 2 || decided != 2 {
		t.Errorf("decision log: %d refused, %d decided; want 2 and 2", refused, decided)
	}
}
