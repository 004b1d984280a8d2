package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Projects and tokens of the identities the tests use.
const (
	projectA   = "0605767a3300d5762fb7c0186d8d2b3b"
	projectB   = "9d2f1c0b6a7e48c5b3e1f0a2d4c6e8f1"
	accountA   = "1234567890123456"
	accountB   = "6543210987654321"
	tokPipe    = "pipeline-token-0001"
	tokCMDB    = "cmdb-token-0002"
	tokMulti   = "multi-token-0003"
	tokUnbound = "unbound-token-0004"
)

func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// testIdentities is an identities file: a pipeline bound to project A and
// account A, an inventory sync, an identity with two Huawei projects, and one
// bound to no project at all.
func testIdentities() string {
	return `identities:
  - name: image-pipeline
    token_sha256: ` + digest(tokPipe) + `
    roles: [decide]
    projects:
      huaweicloud: ["` + projectA + `"]
      alibabacloud: ["` + accountA + `"]
  - name: cmdb-sync
    token_sha256: ` + strings.ToUpper(digest(tokCMDB)) + `
    roles: [inventory]
  - name: two-projects
    token_sha256: ` + digest(tokMulti) + `
    roles: [decide, inventory]
    projects:
      huaweicloud: ["` + projectA + `", "` + projectB + `"]
  - name: no-projects
    token_sha256: ` + digest(tokUnbound) + `
    roles: [decide]
`
}

func writeIdentities(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "identities.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func bearer(token string) map[string]string {
	return map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer " + token}
}

// request is a backup.export (TEST-001 denies it) of provider as project
// (none when empty).
func request(provider, project string) string {
	p := ""
	if project != "" {
		p = `,"project_id":"` + project + `"`
	}
	return `{"provider":"` + provider + `","operation":"` + map[string]string{"huaweicloud": "backup.export", "alibabacloud": "snapshot.delete"}[provider] +
		`"` + p + `,"params":{` + map[string]string{"huaweicloud": `"backup_id":"bk-1"`, "alibabacloud": `"snapshot_id":"s-1"`}[provider] + `}}`
}

// loggedEvents is the decision log, line by line, decoded.
func loggedEvents(t *testing.T, h *harness) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range h.dlog.lines() {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("decision log line %s: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestIdentityIsBoundToItsProjects: a token bound to project A gets no
// decision as project B, on either endpoint, for either provider: 403, never
// a decision, written to the decision log with who asked. A request naming
// no project is decided as the identity's one project.
func TestIdentityIsBoundToItsProjects(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Identities = writeIdentities(t, testIdentities()) })
	opa := func(req string) string { return `{"input":` + req + `}` }
	cases := []struct {
		name, path, token, body string
		status                  int
		want                    string // the answer's code, or the project the decision was made as
	}{
		{"huawei: as its project", PathAdmit, tokPipe, request("huaweicloud", projectA), 200, projectA},
		{"huawei: as another project", PathAdmit, tokPipe, request("huaweicloud", projectB), 403,
			`identity "image-pipeline" may not ask as project "` + projectB + `" of huaweicloud; it may ask as: ` + projectA},
		{"huawei OPA path: as another project", PathOPADecide, tokPipe, opa(request("huaweicloud", projectB)), 403,
			`identity "image-pipeline" may not ask as project "` + projectB + `" of huaweicloud; it may ask as: ` + projectA},
		{"alibaba: as another account", PathAdmit, tokPipe, request("alibabacloud", accountB), 403,
			`identity "image-pipeline" may not ask as project "` + accountB + `" of alibabacloud; it may ask as: ` + accountA},
		{"alibaba OPA path: as another account", PathOPADecide, tokPipe, opa(request("alibabacloud", accountB)), 403,
			`identity "image-pipeline" may not ask as project "` + accountB + `" of alibabacloud; it may ask as: ` + accountA},
		{"alibaba: as its account", PathOPADecide, tokPipe, opa(request("alibabacloud", accountA)), 200, accountA},
		{"no project: its one project", PathAdmit, tokPipe, request("huaweicloud", ""), 200, projectA},
		{"no project, alibaba: its one account", PathOPADecide, tokPipe, opa(request("alibabacloud", "")), 200, accountA},
		{"two projects: either", PathAdmit, tokMulti, request("huaweicloud", projectB), 200, projectB},
		{"two projects, none named: none chosen", PathAdmit, tokMulti, request("huaweicloud", ""), 200, ""},
		{"two projects, other provider", PathAdmit, tokMulti, request("alibabacloud", accountA), 403,
			`identity "two-projects" may not ask as project "` + accountA + `" of alibabacloud; it may ask as: no project of this provider`},
		{"bound to none: no project may be named", PathAdmit, tokUnbound, request("huaweicloud", projectA), 403,
			`identity "no-projects" may not ask as project "` + projectA + `" of huaweicloud; it may ask as: no project of this provider`},
		{"inventory role only: no decisions", PathAdmit, tokCMDB, request("huaweicloud", projectA), 403,
			`identity "cmdb-sync" does not have the role decide that POST /v1/admit needs`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.dlog.lines())
			got := h.do("POST", tc.path, bearer(tc.token), tc.body)
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			events := loggedEvents(t, h)[before:]
			if len(events) != 1 {
				t.Fatalf("%d decision log lines, want 1", len(events))
			}
			ev := events[0]
			if tc.status == 403 {
				var e APIError
				if err := json.Unmarshal([]byte(got.body), &e); err != nil || e.Code != CodeForbidden || e.Message != tc.want {
					t.Errorf("answer %s, want forbidden %q", got.body, tc.want)
				}
				if ev["event"] != eventRefused || ev["status"] != 403.0 || ev["message"] != tc.want || ev["requested_by"] == "" {
					t.Errorf("logged %v", ev)
				}
				return
			}
			project, _ := ev["project_id"].(string)
			if ev["event"] != eventDecision || project != tc.want || ev["requested_by"] == "" {
				t.Errorf("logged %v, want a decision as %q", ev, tc.want)
			}
		})
	}
}

// TestRoles: only the inventory role changes the inventory; /metrics and
// /v1/rules take any identity; every inventory change is logged with who
// made it, the new inventory's digest and size, and both revisions.
func TestRoles(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Identities = writeIdentities(t, testIdentities()) })
	inv := `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`
	got := h.do("PUT", PathInventory, bearer(tokPipe), inv)
	if got.status != 403 || !strings.Contains(got.body, `identity \"image-pipeline\" does not have the role inventory that PUT /v1/data/inventory needs`) {
		t.Errorf("a decide token changed the inventory: %d %s", got.status, got.body)
	}
	if r := h.do("POST", PathAdmit, bearer(tokPipe), request("huaweicloud", projectA)); r.status != 200 || strings.Contains(r.body, "TEST-003") {
		t.Errorf("the refused PUT changed the inventory: %s", r.body)
	}
	before := h.s.eval.Load().InventoryRevision()
	if got := h.do("PUT", PathInventory, bearer(tokCMDB), inv); got.status != 204 {
		t.Fatalf("inventory PUT by cmdb-sync: %d %s", got.status, got.body)
	}
	after := h.s.eval.Load().InventoryRevision()
	sum := sha256.Sum256([]byte(inv))
	var change map[string]any
	for _, ev := range loggedEvents(t, h) {
		if ev["event"] == eventInventory {
			change = ev
		}
	}
	if change["requested_by"] != "cmdb-sync" || change["source"] != "http" || change["sha256"] != hex.EncodeToString(sum[:]) ||
		change["bytes"] != float64(len(inv)) || change["previous_revision"] != before || change["revision"] != after || before == after {
		t.Errorf("inventory change logged as %v (revisions %s -> %s)", change, before, after)
	}
	for _, path := range []string{PathMetrics, PathRules} {
		if got := h.do("GET", path, bearer(tokCMDB), ""); got.status != 200 {
			t.Errorf("%s with an inventory-only token: %d", path, got.status)
		}
		if got := h.do("GET", path, nil, ""); got.status != 401 {
			t.Errorf("%s without a token: %d", path, got.status)
		}
	}
}

// TestReadyShowsNothingToStrangers: /health/ready answers everyone, but the
// files, revisions and reload errors only to a caller with a valid token.
func TestReadyShowsNothingToStrangers(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "secret-inventory.json")
	writeFile(t, data, `{}`)
	h := newHarness(t, func(c *Config) {
		c.Identities = writeIdentities(t, testIdentities())
		c.DataFiles = []string{data}
	})
	writeFile(t, data, `{"settings":{"missing_facts":"maybe"}}`)
	_ = h.s.Reload(context.Background())
	for _, hdr := range []map[string]string{nil, bearer("wrong-token")} {
		if got := h.do("GET", PathReady, hdr, ""); got.status != 200 || got.body != "{\"status\":\"ready\"}\n" {
			t.Errorf("ready to a stranger: %d %q", got.status, got.body)
		}
	}
	got := h.do("GET", PathReady, bearer(tokCMDB), "")
	if !strings.Contains(got.body, "secret-inventory.json") || !strings.Contains(got.body, "missing_facts") {
		t.Errorf("ready to an identity lacks the details: %s", got.body)
	}
}

// TestIdentitiesFileErrors: an identities file that is not exactly right does
// not start the server, and says what is wrong where.
func TestIdentitiesFileErrors(t *testing.T) {
	d := digest("t")
	for _, tc := range []struct {
		name, body, want string
	}{
		{"empty list", "identities: []\n", "/identities (line 1): must have at least 1 item"},
		{"misspelt key", "identities:\n  - name: a\n    token_sha256: " + d + "\n    role: [decide]\n", `unknown property "role"`},
		{"no roles", "identities:\n  - name: a\n    token_sha256: " + d + "\n    roles: []\n", "/identities/0/roles (line 4): must have at least 1 item"},
		{"unknown role", "identities:\n  - name: a\n    token_sha256: " + d + "\n    roles: [admin]\n", `/identities/0/roles/0 (line 4): value must be one of "decide", "inventory", but got "admin"`},
		{"the token, not its digest", "identities:\n  - name: a\n    token_sha256: s3cret\n    roles: [decide]\n", "/identities/0/token_sha256 (line 3): does not match the expected format: the hex SHA-256 of the bearer token"},
		{"unknown provider", "identities:\n  - name: a\n    token_sha256: " + d + "\n    roles: [decide]\n    projects: {aws: [p]}\n", `/identities/0/projects/aws (line 5): unknown property "aws"`},
		{"project with a trailing space", "identities:\n  - name: a\n    token_sha256: " + d + "\n    roles: [decide]\n    projects: {huaweicloud: [\"p \"]}\n", "/identities/0/projects/huaweicloud/0 (line 5): does not match the expected format: an id"},
		{"name twice", "identities:\n  - {name: a, token_sha256: " + d + ", roles: [decide]}\n  - {name: a, token_sha256: " + digest("u") + ", roles: [decide]}\n", `/identities/1: the name "a" is used twice`},
		{"token twice", "identities:\n  - {name: a, token_sha256: " + d + ", roles: [decide]}\n  - {name: b, token_sha256: " + strings.ToUpper(d) + ", roles: [inventory]}\n", `"b" has the same token as "a"`},
		{"duplicate key", "identities:\n  - {name: a, name: b, token_sha256: " + d + ", roles: [decide]}\n", "duplicate key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Identities: writeIdentities(t, tc.body)})
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want a ConfigError containing %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{Identities: writeIdentities(t, testIdentities()), TokenFile: "x"}); err == nil || !strings.Contains(err.Error(), "--identities and --token-file go apart") {
		t.Errorf("--identities with --token-file: %v", err)
	}
}

// TestIdentitiesReload: a reload (SIGHUP, --watch) re-reads the identities
// file; a bad one keeps the last good identities serving.
func TestIdentitiesReload(t *testing.T) {
	file := writeIdentities(t, testIdentities())
	h := newHarness(t, func(c *Config) { c.Identities = file })
	const tokNew = "new-token-0005"
	writeFile(t, file, testIdentities()+"  - {name: newcomer, token_sha256: "+digest(tokNew)+", roles: [decide]}\n")
	if err := h.s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.do("POST", PathAdmit, bearer(tokNew), reqExport); got.status != 200 {
		t.Errorf("the new identity after a reload: %d", got.status)
	}
	writeFile(t, file, "identities: [")
	if err := h.s.Reload(context.Background()); err == nil {
		t.Fatal("a broken identities file reloaded")
	}
	if got := h.do("POST", PathAdmit, bearer(tokNew), reqExport); got.status != 200 {
		t.Errorf("the last good identities after a broken reload: %d", got.status)
	}
	if r := h.readyReloads(bearer(tokCMDB)); r["identities"].OK || !strings.Contains(r["identities"].Error, "identities") {
		t.Errorf("ready reloads: %+v", r)
	}
}

// TestTokenFileIsOneUnboundIdentity: --token-file has every role and asks as
// whichever project a request names.
func TestTokenFileIsOneUnboundIdentity(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "token")
	writeFile(t, tok, "dev-token\n")
	h := newHarness(t, func(c *Config) { c.TokenFile = tok })
	for _, req := range []string{request("huaweicloud", projectA), request("huaweicloud", projectB)} {
		if got := h.do("POST", PathAdmit, bearer("dev-token"), req); got.status != 200 {
			t.Errorf("--token-file as a project: %d", got.status)
		}
	}
	if got := h.do("PUT", PathInventory, bearer("dev-token"), `{}`); got.status != 204 {
		t.Errorf("--token-file changing the inventory: %d", got.status)
	}
	if events := loggedEvents(t, h); events[0]["requested_by"] != "token-file" {
		t.Errorf("logged %v", events[0])
	}
}

// TestDecisionLogRequired: with --decision-log-required, a decision whose
// log line cannot be written is refused (REQ-004); without it, the decision
// stands and its line goes to the server log.
func TestDecisionLogRequired(t *testing.T) {
	for _, required := range []bool{false, true} {
		closed, err := os.CreateTemp(t.TempDir(), "closed")
		if err != nil {
			t.Fatal(err)
		}
		closed.Close()
		h := newHarness(t, func(c *Config) { c.DecisionLogWriter, c.DecisionLogRequired = closed, required })
		got := h.post(PathAdmit, reqDelete) // TEST-002 warns: allowed
		var d struct {
			Allowed bool
			Reasons []struct{ ID, Message string }
		}
		if err := json.Unmarshal([]byte(got.body), &d); err != nil {
			t.Fatal(err)
		}
		refused := !d.Allowed && len(d.Reasons) == 1 && d.Reasons[0].ID == "REQ-004" &&
			strings.Contains(d.Reasons[0].Message, "its decision log line could not be written (--decision-log-required)")
		if got.status != 200 || refused != required || (!required && !d.Allowed) {
			t.Errorf("required=%v: %d %s", required, got.status, got.body)
		}
		// Every line the log could not take is in the server log instead:
		// the decision, and when required, its fail-closed replacement.
		logged := h.logbuf.String()
		want := 1
		if required {
			want = 2
		}
		if n := strings.Count(logged, "decision log write failed"); n != want ||
			required != strings.Contains(logged, `"id":"REQ-004"`) {
			t.Errorf("required=%v: %d lines in the server log, want %d:\n%s", required, n, want, logged)
		}
	}
}

// TestDecisionLogCapsInput: a request larger than --decision-log-max-input is
// logged as its digest and size, not whole.
func TestDecisionLogCapsInput(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.DecisionLogMaxInput = 100 })
	small := reqExport
	big := `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"` + strings.Repeat("b", 100) + `"}}`
	h.post(PathAdmit, small)
	h.post(PathAdmit, big)
	events := loggedEvents(t, h)
	sum := sha256.Sum256([]byte(big))
	if _, ok := events[0]["input"]; !ok || len(small) > 100 {
		t.Errorf("a small input is logged whole: %v", events[0])
	}
	if _, ok := events[1]["input"]; ok || events[1]["input_sha256"] != hex.EncodeToString(sum[:]) || events[1]["input_bytes"] != float64(len(big)) {
		t.Errorf("a large input is logged as its digest and size: %v", events[1])
	}
}

// TestTooManyInFlight: beyond --max-in-flight the request waits among at
// most --max-queued others; beyond that it is answered 429 at once, and the
// refusal is logged.
func TestTooManyInFlight(t *testing.T) {
	entered, release := make(chan struct{}, 4), make(chan struct{})
	h := newHarness(t, func(c *Config) { c.MaxInFlight, c.MaxQueued = 1, 1 })
	h.s.testHookDecide = func() { entered <- struct{}{}; <-release }
	answers := make(chan int, 2)
	for range 2 {
		go func() { answers <- h.post(PathAdmit, reqExport).status }()
	}
	<-entered // one decides; the other waits for its slot
	for h.s.gate.queued.Load() != 1 {
		runtime.Gosched()
	}
	got := h.post(PathAdmit, reqExport)
	if got.status != 429 || got.header.Get("Retry-After") != "1" || !strings.Contains(got.body, CodeTooManyRequests) {
		t.Errorf("the third request: %d %s", got.status, got.body)
	}
	close(release)
	for range 2 {
		if s := <-answers; s != 200 {
			t.Errorf("a decided or queued request: %d", s)
		}
	}
	var refused int
	for _, ev := range loggedEvents(t, h) {
		if ev["event"] == eventRefused && ev["status"] == 429.0 {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d refusals logged, want 1", refused)
	}
}

// TestInventoryPutClientGone: a client that hangs up while sending the body
// changes nothing (400); one that hangs up once the body is whole gets its
// change made whole, never a 500.
func TestInventoryPutClientGone(t *testing.T) {
	h := newHarness(t, nil)
	before := h.s.eval.Load().InventoryRevision()
	inv := `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`

	r := httptest.NewRequest("PUT", PathInventory, io.MultiReader(strings.NewReader(inv[:20]), errReader{io.ErrUnexpectedEOF}))
	r.Header.Set("Content-Type", jsonCT)
	w := httptest.NewRecorder()
	h.s.Handler().ServeHTTP(w, r)
	if w.Code != 400 || h.s.eval.Load().InventoryRevision() != before {
		t.Errorf("a body cut off: %d %s, inventory changed: %v", w.Code, w.Body, h.s.eval.Load().InventoryRevision() != before)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone by the time the inventory is applied
	r = httptest.NewRequestWithContext(ctx, "PUT", PathInventory, strings.NewReader(inv))
	r.Header.Set("Content-Type", jsonCT)
	w = httptest.NewRecorder()
	h.s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusNoContent || h.s.eval.Load().InventoryRevision() == before {
		t.Errorf("a whole body from a client gone: %d %s", w.Code, w.Body)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
