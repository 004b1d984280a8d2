package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// settingsResults are results whose reasons the operator's settings changed:
// a waived deny (its waiver narrowed to a resource), a dry-run deny and a
// deny relaxed to warn, beside a deny that stands and a rule's own warn;
// once in a request and once in a plan's resource change.
func settingsResults(decisionID string) []result {
	book := evaluator.Rulebook{Revision: "sha256:" + strings.Repeat("0", 64), Rules: 60}
	decision := func(allowed bool, operation string, reasons ...evaluator.Reason) *evaluator.Decision {
		return &evaluator.Decision{Allowed: allowed, DecisionID: decisionID, Provider: "huaweicloud", Operation: operation, Reasons: reasons, Rulebook: book}
	}
	waived := evaluator.Reason{ID: "CBR-004", Effect: "waived", Category: "constraint",
		Message:     "backup bk-1 cannot be exported; CBR backups do not support exporting to a local PC",
		Remediation: "Create a system disk or data disk image and export that image instead.", Source: "Huawei Cloud IMS FAQ",
		Waiver: &evaluator.Waiver{Rule: "CBR-004", Resources: []string{"bk-1"}, Expires: "2027-01-31T00:00:00Z",
			Reason: "exported once for the audit, ticket 4711", ApprovedBy: "cloud-platform-team"}}
	dryrun := evaluator.Reason{ID: "IMS-FE-009", Effect: "dryrun", Category: "constraint", Enforcement: "dryrun",
		Message:     "image img-full is a full-ECS image; full-ECS images cannot be exported",
		Remediation: "Export system disk and data disk images instead.", Source: "Huawei Cloud IMS"}
	relaxed := evaluator.Reason{ID: "IMS-IMG-003", Effect: "warn", Category: "constraint", Enforcement: "warn",
		Message:     `image "web" has tag "env" with value "test", which the image tag policy does not allow`,
		Remediation: "Tag the image as the organization's tag policy requires.", Source: "Huawei Cloud IMS"}
	enforced := evaluator.Reason{ID: "IMS-FE-006", Effect: "deny", Category: "constraint", Enforcement: "deny",
		Message:     "server srv-1 is stopped and a full-ECS image is being created from it",
		Remediation: "Wait until the full-ECS image is created.", Source: "Huawei Cloud IMS"}
	warn := evaluator.Reason{ID: "IMS-FE-013", Effect: "warn", Category: "constraint",
		Message: "image img-full is a full-ECS image; changing the OS writes only the system disk", Source: "Huawei Cloud IMS"}
	projectWaived := waived
	projectWaived.Message = "backup bk-9 cannot be exported; CBR backups do not support exporting to a local PC"
	projectWaived.Waiver = &evaluator.Waiver{Rule: "CBR-004", Projects: []string{"p-web"}, Expires: "2026-12-01T00:00:00Z",
		Reason: "migration window", ApprovedBy: "ops-lead"}
	return []result{
		{File: "requests/waived.yaml", Decision: decision(true, "backup.export", waived)},
		{File: "requests/dryrun.json", Decision: decision(true, "image.export", dryrun)},
		{File: "requests/relaxed.json", Decision: decision(true, "image.create", relaxed, warn)},
		{File: "requests/mixed.json", Decision: decision(false, "image.create", enforced, relaxed, waived, dryrun)},
		{File: "plans/export.tfplan.json", Address: "huaweicloud_cbr_backup_export.audit", Action: "create", Decision: decision(true, "backup.export", projectWaived)},
	}
}

// TestSettingsFormatsGolden writes settingsResults in every format and
// compares each with testdata/golden/settings.<format>: every format tells a
// waived, a dry-run and a warn-by-enforcement reason apart from what a rule
// gave, and none fails on them.
func TestSettingsFormatsGolden(t *testing.T) {
	rules := rulebook(t)
	results := settingsResults("11111111-2222-4333-8444-555555555555")
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeResults(&out, format, results, rules, false); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", "settings."+format), out.String())
		})
	}
}

// TestSettingsSARIFSuppressions decodes the SARIF: a waived deny is a note
// with one external suppression whose justification is the waiver, a dry
// run a note, a relaxed deny a warning, a deny that stands an error; every suppression member is set
// (go-sarif writes unset ones as null, which the SARIF schema refuses).
func TestSettingsSARIFSuppressions(t *testing.T) {
	var out bytes.Buffer
	if err := writeSARIF(&out, settingsResults("x"), rulebook(t)); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string           `json:"ruleId"`
				Level        string           `json:"level"`
				Suppressions []map[string]any `json:"suppressions"`
				Properties   map[string]any   `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	type got struct {
		rule, level, enforcement, justification string
		suppressions                            int
	}
	var results []got
	for _, r := range log.Runs[0].Results {
		g := got{rule: r.RuleID, level: r.Level, suppressions: len(r.Suppressions)}
		g.enforcement, _ = r.Properties["enforcement"].(string)
		for _, s := range r.Suppressions {
			for k, v := range s {
				if v == nil {
					t.Errorf("%s: suppression member %s is null", r.RuleID, k)
				}
			}
			if s["kind"] != "external" || s["status"] != "accepted" {
				t.Errorf("%s: suppression %v", r.RuleID, s)
			}
			g.justification, _ = s["justification"].(string)
		}
		results = append(results, g)
	}
	audit := "exported once for the audit, ticket 4711 (approved by cloud-platform-team, expires 2027-01-31T00:00:00Z; resources bk-1)"
	want := []got{
		{"CBR-004", "note", "", audit, 1},
		{"IMS-FE-009", "note", "dryrun", "", 0},
		{"IMS-IMG-003", "warning", "warn", "", 0},
		{"IMS-FE-013", "warning", "", "", 0},
		{"IMS-FE-006", "error", "deny", "", 0},
		{"IMS-IMG-003", "warning", "warn", "", 0},
		{"CBR-004", "note", "", audit, 1},
		{"IMS-FE-009", "note", "dryrun", "", 0},
		{"CBR-004", "note", "", "migration window (approved by ops-lead, expires 2026-12-01T00:00:00Z; projects p-web)", 1},
	}
	if len(results) != len(want) {
		t.Fatalf("results %+v\nwant %+v", results, want)
	}
	for i := range want {
		if results[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, results[i], want[i])
		}
	}
}

// TestSettingsExitCodes: --fail-on warn fails on a warn, a deny relaxed to
// warn among them, but never on a waived or dry-run deny; --fail-on deny
// fails only on a deny.
func TestSettingsExitCodes(t *testing.T) {
	all := settingsResults("x")
	for _, tc := range []struct {
		name    string
		results []result
		failOn  string
		want    int
	}{
		{"waived, deny", all[0:1], "deny", exitAllowed},
		{"waived, warn", all[0:1], "warn", exitAllowed},
		{"dryrun, warn", all[1:2], "warn", exitAllowed},
		{"relaxed to warn, deny", all[2:3], "deny", exitAllowed},
		{"relaxed to warn, warn", all[2:3], "warn", exitDenied},
		{"a deny stands", all[3:4], "deny", exitDenied},
		{"plan waived, warn", all[4:5], "warn", exitAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := exitAllowed
			if err := exitForResults(tc.results, tc.failOn); err != nil {
				got = err.(interface{ ExitCode() int }).ExitCode()
			}
			if got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
		})
	}
}

// TestEvalWithSettingsGolden evaluates requests with an inventory that
// waives one (CBR-004 on bk-1), whose waiver for another has expired
// (bk-2), and that runs IMS-FE-009 dry and relaxes IMS-IMG-003 to warn.
func TestEvalWithSettingsGolden(t *testing.T) {
	inv, dir := "testdata/waivers-inventory.yaml", "testdata/waivers"
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"eval-settings-text", []string{"eval", now, "--data", inv, dir}, 1},
		{"eval-settings-json", []string{"eval", now, "--format", "json", "--data", inv, dir + "/export-backup.yaml", dir + "/export-full-ecs.json"}, 0},
		// Neither a waived nor a dry-run deny fails --fail-on warn ...
		{"eval-settings-waived-dryrun-fail-on-warn", []string{"eval", now, "--fail-on", "warn", "--data", inv, dir + "/export-backup.yaml", dir + "/export-full-ecs.json"}, 0},
		// ... a deny relaxed to warn does.
		{"eval-settings-relaxed-fail-on-warn", []string{"eval", now, "--fail-on", "warn", "--data", inv, dir + "/create-untagged.json"}, 1},
		// Past its expiry the waiver matches nothing: CBR-004 denies.
		{"eval-settings-after-expiry", []string{"eval", "--now=2027-02-01T00:00:00Z", "--data", inv, dir + "/export-backup.yaml"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkCommandGolden(t, tc.name, "", tc.args, tc.code)
		})
	}
}
