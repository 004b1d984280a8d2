package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

const (
	brokenRego = "package imgadmit.rules\n\nreasons contains r if {\n"
	// extraRego is a valid sixth rule.
	extraRego = `package imgadmit.rules

import data.imgadmit.lib.reason

# METADATA
# title: Expiring a backup is noted
# custom:
#   id: TEST-006
#   effect: note
#   category: lifecycle
#   providers: [huaweicloud]
#   source: sidecar tests
reasons contains r if {
	input.operation == "backup.expire"
	r := reason.from(rego.metadata.rule(), "noted")
}
`
	// noRemediation compiles but a deny without a remediation is not a valid rule.
	noRemediation = `package imgadmit.rules

# METADATA
# title: No remediation
# custom:
#   id: TEST-007
#   effect: deny
#   category: lifecycle
#   providers: [huaweicloud]
#   source: sidecar tests
reasons contains r if {
	input.operation == "backup.expire"
	r := {"id": "TEST-007"}
}
`
)

// readyReloads reads /health/ready's reloads, as a caller with a token
// (header) sees them when the server takes tokens.
func (h *harness) readyReloads(header ...map[string]string) map[string]reloadStatus {
	h.t.Helper()
	var hdr map[string]string
	if len(header) > 0 {
		hdr = header[0]
	}
	got := h.do("GET", PathReady, hdr, "")
	var body readyBody
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || got.status != 200 {
		h.t.Fatalf("ready: %d %s", got.status, got.body)
	}
	return body.Reloads
}

func revisionOf(t testing.TB, decision string) string {
	t.Helper()
	var d evaluator.Decision
	if err := json.Unmarshal([]byte(decision), &d); err != nil {
		t.Fatalf("%v: %s", err, decision)
	}
	return d.Rulebook.Revision
}

// TestReload: a rulebook or inventory that does not load keeps the last good
// one serving, and says why in the log, the metrics and /health/ready.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policies")
	copyTree(t, filepath.Join("testdata", "policies"), pol)
	inv := filepath.Join(dir, "inventory.json")
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`)
	h := newHarness(t, func(c *Config) { c.Policies = pol; c.DataFiles = []string{inv} })
	rev1 := h.s.eval.Load().Revision()
	if h.readyReloads() != nil {
		t.Errorf("reloads before any reload")
	}

	for _, tc := range []struct{ name, file, content, err string }{
		{"parse error", "broken.rego", brokenRego, "parse rulebook: 1 error occurred: rules/broken.rego:4: rego_parse_error: unexpected eof token"},
		{"rule without remediation", "noremediation.rego", noRemediation, "rule TEST-007 (rules/noremediation.rego:3) lacks METADATA custom.remediation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(pol, "rules", tc.file)
			writeFile(t, file, tc.content)
			defer os.Remove(file)
			err := h.s.Reload(context.Background())
			if evaluator.CodeOf(err) != evaluator.CodeInvalidRulebook || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Reload: %v, want %s", err, tc.err)
			}
			r := h.readyReloads()
			if r["rulebook"].OK || !strings.Contains(r["rulebook"].Error, tc.err) || !r["inventory"].OK || r["inventory"].Time == "" {
				t.Errorf("ready reloads: %+v", r)
			}
			got := h.post(PathAdmit, reqExport)
			check(t, got, 200, map[string]string{"Content-Type": jsonCT}, decExport)
			if rev := revisionOf(t, got.body); rev != rev1 {
				t.Errorf("decision by %s after a failed reload, want %s", rev, rev1)
			}
			if !strings.Contains(h.logbuf.String(), `"msg":"reload failed; the previous rulebook keeps serving","target":"rulebook","err":"`) {
				t.Errorf("server log:\n%s", h.logbuf.String())
			}
		})
	}

	writeFile(t, filepath.Join(pol, "rules", "extra.rego"), extraRego)
	if err := h.s.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	got := h.post(PathAdmit, reqExpire)
	check(t, got, 200, map[string]string{"Content-Type": jsonCT}, `{"allowed":true,"decision_id":"ID","provider":"huaweicloud","operation":"backup.expire","reasons":[`+
		`{"id":"TEST-006","effect":"note","category":"lifecycle","message":"noted","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":6}}`)
	rev2 := revisionOf(t, got.body)
	if rev2 == rev1 || rev2 != h.s.eval.Load().Revision() {
		t.Errorf("revision after the reload %s (before %s, serving %s)", rev2, rev1, h.s.eval.Load().Revision())
	}
	if r := h.readyReloads(); !r["rulebook"].OK || r["rulebook"].Error != "" {
		t.Errorf("ready reloads: %+v", r)
	}

	// A broken inventory file keeps the previous inventory (bk-1 deleting).
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"}}},"settings":{"missing_facts":"maybe"}}`)
	err := h.s.reload(context.Background(), false, true, "test")
	var ee *evaluator.Error
	if !errors.As(err, &ee) || ee.Code != evaluator.CodeInvalidInventory || ee.File != inv || len(ee.Errors) != 1 || ee.Errors[0].Pointer != "/settings/missing_facts" {
		t.Fatalf("inventory reload: %v", err)
	}
	if r := h.readyReloads(); r["inventory"].OK || !strings.Contains(r["inventory"].Error, inv+": the inventory does not match its schema") {
		t.Errorf("ready reloads: %+v", r)
	}
	if got := h.post(PathAdmit, reqDelete); !strings.Contains(got.body, `"id":"TEST-003"`) {
		t.Errorf("the previous inventory is not serving: %s", got.body)
	}

	m := h.do("GET", PathMetrics, nil, "").body
	want := strings.Join([]string{
		`imgadmit_reload_last_success{target="inventory"} 0`,
		`imgadmit_reload_last_success{target="rulebook"} 1`,
		`imgadmit_reloads_total{result="failure",target="inventory"} 1`,
		`imgadmit_reloads_total{result="failure",target="rulebook"} 2`,
		`imgadmit_reloads_total{result="success",target="inventory"} 3`,
		`imgadmit_reloads_total{result="success",target="rulebook"} 1`,
	}, "\n")
	if got := grepLines(m, "imgadmit_reload"); got != want {
		t.Errorf("reload metrics\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(m, `imgadmit_rulebook_info{revision="`+rev2+`"} 1`) || !strings.Contains(m, "imgadmit_rulebook_rules 6\n") {
		t.Errorf("rulebook metrics:\n%s", grepLines(m, "imgadmit_rulebook"))
	}
}
