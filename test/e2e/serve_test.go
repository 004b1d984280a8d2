package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// gcPercent is the GC target the binary sets when neither GOGC nor
// GOMEMLIMIT is set (cmd/imgadmit's defaultGCPercent).
const gcPercent = 200

// TestServeEndToEnd starts the built binary on a free loopback port, sends
// real requests, breaks the rulebook under traffic, sends SIGTERM under
// traffic, and checks the decision log holds exactly one line per decision
// answered.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	pol := copyRulebook(t, dir)
	inv := filepath.Join(dir, "inventory.json")
	if err := os.WriteFile(inv, []byte(e2eInventory), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "decisions.log")
	s := startServe(t, "--policies", pol, "--watch", "--data", inv, "--decision-log", logFile)
	if _, m := s.get("/metrics"); !strings.Contains(m, fmt.Sprintf("\ngo_gc_gogc_percent %d\n", gcPercent)) {
		t.Errorf("/metrics does not show the GC target %d the binary sets", gcPercent)
	}

	// Real requests, one of each answer; the traffic below keeps them all
	// for the decision log check.
	traffic := startLoad(t, s, []call{{admitPath, e2eAllowed}, {admitPath, e2eDenied}, opaCall(e2eAllowed)}, loadgen.Load{Workers: 3})
	decide := func(c call) (decision, error) {
		d, err := s.decide(c)
		if err == nil {
			traffic.add(d)
		}
		return d, err
	}
	allowed, err := decide(call{admitPath, e2eAllowed})
	if err != nil || !allowed.Allowed || len(allowed.Reasons) != 0 {
		t.Fatalf("allowed request: %+v %v", allowed, err)
	}
	rev1 := allowed.Rulebook.Revision
	for _, c := range []call{{admitPath, e2eDenied}, opaCall(e2eDenied)} {
		denied, err := decide(c)
		if err != nil || denied.Allowed || !denied.has("IMS-FE-001", "deny") || denied.Rulebook.Revision != rev1 {
			t.Fatalf("%s denied request: %+v %v", c.path, denied, err)
		}
	}
	// A real API call, as the SDK sends it: CBR DeleteBackup of a backup
	// that made an image (its facts in the call document), on both paths.
	const callDenied = `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"DELETE",
	 "path":"/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-used"},"resources":{"backups":{"bk-used":{"image_id":"img-1"}}}}`
	for _, c := range []call{{admitPath, callDenied}, opaCall(callDenied)} {
		d, err := decide(c)
		if err != nil || d.Allowed || !d.has("CBR-001", "deny") || len(d.Requests) != 1 || d.Requests[0]["operation"] != "backup.delete" {
			t.Fatalf("%s call: %+v %v", c.path, d, err)
		}
	}
	for _, tc := range []struct {
		path, ct, body string
		code           int
		errCode        string
	}{
		{admitPath, "application/json", `{"provider":"alibabacloud","call":{"action":"StartInstances","params":{"InstanceId.1":"i-1","InstanceId.3":"i-3"}}}`, 400, "invalid_request"},
		{admitPath, "application/json", `{"provider":"huaweicloud","operation":"server.start","params":{}}`, 400, "invalid_request"},
		{admitPath, "text/plain", e2eAllowed, 415, "unsupported_media_type"},
		{admitPath, "application/json", `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "request_too_large"},
		{opaPath, "application/json", `{"input":"server.start"}`, 400, "invalid_request"},
		{"/v1/nothing", "application/json", `{}`, 404, "not_found"},
		{"/health", "application/json", `{}`, 405, "method_not_allowed"},
	} {
		code, out := s.post(tc.path, tc.ct, tc.body)
		var e apiError
		if code != tc.code || json.Unmarshal([]byte(out), &e) != nil || e.Code != tc.errCode || e.Errors == nil {
			t.Errorf("POST %s: %d %s, want %d %s", tc.path, code, out, tc.code, tc.errCode)
		}
	}

	// A broken rulebook under traffic: the last good one keeps serving, and
	// the metrics and /health/ready say so.
	broken := filepath.Join(pol, "rules", "zz_broken.rego")
	if err := os.WriteFile(broken, []byte("package imgadmit.rules\n\nreasons contains r if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed reload in /metrics", func() bool {
		return s.metric(`imgadmit_reloads_total{result="failure",target="rulebook"}`) == 1
	})
	code, ready := s.get("/health/ready")
	if code != 200 || !strings.Contains(ready, `"rulebook":{"ok":false`) || !strings.Contains(ready, "zz_broken.rego") || !strings.Contains(ready, `"revision":"`+rev1+`"`) {
		t.Errorf("ready after the broken reload: %d %s", code, ready)
	}
	if d, err := decide(call{admitPath, e2eDenied}); err != nil || d.Rulebook.Revision != rev1 || !d.has("IMS-FE-001", "deny") {
		t.Errorf("decision after the broken reload: %+v %v", d, err)
	}
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the good reload", func() bool {
		return s.metric(`imgadmit_reloads_total{result="success",target="rulebook"}`) == 1
	})

	// SIGTERM under traffic: requests in flight finish, the log is flushed,
	// the process exits 0. Requests after it may fail; none before.
	if _, errs := traffic.counts(); errs != 0 {
		traffic.reportErrors("during traffic")
	}
	s.stop()
	traffic.halt()

	records := checkDecisionLog(t, logFile, traffic.answered)
	for i, rec := range records {
		if rec.Event != "decision" {
			t.Errorf("log line %d is not a decision: %+v", i+1, rec)
		}
	}
	for id, rev := range traffic.answered {
		if rev != rev1 {
			t.Errorf("decision %s: revision %s, want %s (the broken rulebook never served)", id, rev, rev1)
		}
	}
	if len(traffic.answered) < 10 {
		t.Errorf("%d decisions answered", len(traffic.answered))
	}
	if s.stdout.Len() != 0 {
		t.Errorf("stdout with --decision-log FILE: %q", s.stdout.String())
	}
	t.Logf("%d decisions answered and logged", len(traffic.answered))
}

// TestServeUsage: bad flags exit 2 before binding, a bad rulebook exits 2.
func TestServeUsage(t *testing.T) {
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
		{[]string{"serve", "--eval-timeout", "0s"}, 2, "imgadmit: --max-body, --max-inventory-body and the timeouts must be positive\n"},
		{[]string{"serve", "--tls-cert", "c.pem"}, 2, "imgadmit: --tls-cert and --tls-key go together\n"},
		{[]string{"serve", "extra"}, 2, "imgadmit: serve takes no arguments, got [\"extra\"]\n"},
		{[]string{"serve", "--memory-limit", "lots"}, 2, "imgadmit: --memory-limit \"lots\": want auto, off or a size such as 256MiB\n"},
		{[]string{"serve", "--max-connections", "0"}, 2, "must be positive\n"},
		{[]string{"serve", "--max-queued", "-1"}, 2, "must not be negative (0 means the default)\n"},
		{[]string{"serve", "--identities", "ids.yaml", "--token-file", "tok"}, 2, "imgadmit: --identities and --token-file go apart"},
		{[]string{"serve", "--identities", "/nonexistent/ids.yaml"}, 2, "imgadmit: --identities: open /nonexistent/ids.yaml: no such file or directory\n"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--policies", pol}, 2, "parse rulebook: 1 error occurred: x.rego:4: rego_parse_error: unexpected eof token"},
	} {
		code, _, stderr := runBinary(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, stderr, tc.code, tc.msg)
		}
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
	image := `"resources":{"images":{"img-1":{"image_type":"system","visibility":"private","owner_project_id":"` + owner +
		`","members":[],"region":"cn-north-4","status":"active"}}}`
	create := func(project string) string {
		p := ""
		if project != "" {
			p = `"project_id":"` + project + `",`
		}
		return `{"provider":"huaweicloud","operation":"server.create","region":"cn-north-4",` + p + `"params":{"image_id":"img-1","name":"web-01"},` + image + `}`
	}
	answered := map[string]string{}
	for _, as := range []func(string) call{func(b string) call { return call{admitPath, b} }, opaCall} {
		c := as(create(owner))
		if code, body := s.post(c.path, "application/json", c.body, "Authorization", "Bearer "+token); code != 403 || !strings.Contains(body, `may not ask as project \"`+owner+`\"`) {
			t.Errorf("%s naming the owner's project: %d %s", c.path, code, body)
		}
		c = as(create(""))
		code, body := s.post(c.path, "application/json", c.body, "Authorization", "Bearer "+token)
		d, err := readDecision(c.path, []byte(body))
		if code != 200 || err != nil || !d.has("IMS-IMG-008", "deny") || strings.Contains(body, owner) {
			t.Errorf("%s as its own project: %d %s", c.path, code, body)
		}
		answered[d.DecisionID] = d.Rulebook.Revision
	}
	if _, body := s.get("/health/ready"); body != "{\"status\":\"ready\"}\n" {
		t.Errorf("ready without a token: %s", body)
	}
	s.stop()
	var refused, decided int
	for _, ev := range checkDecisionLog(t, logFile, answered) {
		switch {
		case ev.Event == "refused" && ev.Status == 403 && ev.RequestedBy == "image-pipeline":
			refused++
		case ev.Event == "decision" && ev.RequestedBy == "image-pipeline" && ev.ProjectID == projectA:
			decided++
		default:
			t.Errorf("decision log line %+v", ev)
		}
	}
	if refused != 2 || decided != 2 {
		t.Errorf("decision log: %d refused, %d decided; want 2 and 2", refused, decided)
	}
}
