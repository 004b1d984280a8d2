package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

const now = "--now=2026-11-24T00:00:00Z"

var (
	revisionPattern = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	uuidPattern     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// runCLI runs the command in-process and returns its exit code and outputs.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"imgadmit"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCommandsGolden runs every command over the testdata requests and
// compares exit code, stdout and stderr with testdata/golden/<name>.txt.
func TestCommandsGolden(t *testing.T) {
	td := "testdata/"
	call := "../../fixtures/calls/alibabacloud/DeleteSnapshot-used-by-image.json"
	// A plan that deletes, with what a plan does not carry.
	plan := []string{"--region", "cn-hangzhou", "--project-id", "1234567890123456", "../../fixtures/terraform/alibabacloud/delete.json"}
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"eval-allowed", "", []string{"eval", now, td + "allowed.json"}, 0},
		{"eval-denied-yaml", "", []string{"eval", now, td + "denied.yaml"}, 1},
		{"eval-warned", "", []string{"eval", now, td + "warned.json"}, 0},
		{"eval-warned-fail-on-warn", "", []string{"eval", now, "--fail-on", "warn", td + "warned.json"}, 1},
		{"eval-invalid", "", []string{"eval", now, td + "invalid.json"}, 2},
		{"eval-malformed", "", []string{"eval", now, td + "malformed.json"}, 2},
		{"eval-empty", "", []string{"eval", now, td + "empty.json"}, 2},
		{"eval-unknown-operation", "", []string{"eval", now, td + "unknown-op.json"}, 2},
		{"eval-empty-dir", "", []string{"eval", now, td + "emptydir"}, 2},
		{"eval-missing-file", "", []string{"eval", now, td + "nonexistent.json"}, 2},
		// One bad file does not stop the others; the worst outcome sets the code.
		{"eval-batch", "", []string{"eval", now, td + "allowed.json", td + "malformed.json", td + "denied.yaml"}, 2},
		{"eval-stdin-yaml", "provider: huaweicloud\noperation: backup.export\nparams: {backup_id: bk-9}\n", []string{"eval", now, "-"}, 1},
		{"eval-json", "", []string{"eval", now, "--format", "json", td + "denied.yaml", td + "invalid.json"}, 2},
		{"eval-junit", "", []string{"eval", now, "--format", "junit", td + "allowed.json", td + "denied.yaml", td + "empty.json"}, 2},
		// The CI formats over requests and a call (every format's whole range: TestFormatsGolden).
		{"eval-sarif", "", []string{"eval", now, "--format", "sarif", td + "allowed.json", td + "denied.yaml", td + "warned.json", td + "invalid.json", call}, 2},
		{"eval-github", "", []string{"eval", now, "--format", "github", td + "allowed.json", td + "denied.yaml", td + "warned.json", td + "invalid.json", call}, 2},
		{"eval-tap", "", []string{"eval", now, "--format", "tap", td + "allowed.json", td + "denied.yaml", td + "warned.json", td + "invalid.json", call}, 2},
		{"eval-table", "", []string{"eval", now, "--format", "table", td + "allowed.json", td + "denied.yaml", td + "warned.json", td + "invalid.json", call}, 2},
		// The same formats over a Terraform plan: one result per resource change.
		{"eval-plan-text", "", append([]string{"eval", now}, plan...), 1},
		{"eval-plan-sarif", "", append([]string{"eval", now, "--format", "sarif"}, plan...), 1},
		{"eval-plan-github", "", append([]string{"eval", now, "--format", "github"}, plan...), 1},
		{"eval-plan-tap", "", append([]string{"eval", now, "--format", "tap"}, plan...), 1},
		{"eval-plan-table", "", append([]string{"eval", now, "--format", "table"}, plan...), 1},
		{"eval-plan-junit", "", append([]string{"eval", now, "--format", "junit"}, plan...), 1},
		{"eval-lenient-missing-fact", "", []string{"eval", now, "--lenient", td + "missing-fact.json"}, 0},
		{"eval-strict-missing-fact", "", []string{"eval", now, td + "missing-fact.json"}, 1},
		{"eval-untrusted-request-facts", "", []string{"eval", now, "--trust-request-facts=false", td + "allowed.json"}, 1},
		{"eval-bad-inventory", "", []string{"eval", now, "--data", td + "bad-inventory.yaml", td + "allowed.json"}, 2},
		{"eval-inventory-overrules-request", "", []string{"eval", now, "--data", td + "inventory.yaml", td + "allowed.json"}, 1},
		// --explain: the rule and the facts it read, from the inventory or the request.
		{"eval-explain-inventory", "", []string{"eval", now, "--explain", "--data", td + "inventory.yaml", td + "allowed.json"}, 1},
		{"eval-explain-request", "", []string{"eval", now, "--explain", td + "warned.json", td + "denied.yaml", td + "invalid.json"}, 2},
		{"eval-explain-json", "", []string{"eval", now, "--explain", "--format", "json", "--data", td + "inventory.yaml", td + "allowed.json", td + "warned.json"}, 1},
		{"eval-explain-call", "", []string{"eval", now, "--explain=reasons", call}, 1},
		{"eval-explain-plan", "", append([]string{"eval", now, "--explain", "reasons"}, plan...), 1},
		{"eval-explain-sarif", "", []string{"eval", now, "--explain", "--format", "sarif", td + "allowed.json"}, 2},
		{"eval-explain-bad", "", []string{"eval", now, "--explain=why", td + "allowed.json"}, 2},
		{"eval-no-args", "", []string{"eval"}, 2},
		{"eval-bad-format", "", []string{"eval", "--format", "xml", td + "allowed.json"}, 2},
		{"eval-bad-now", "", []string{"eval", "--now", "yesterday", td + "allowed.json"}, 2},
		{"eval-unknown-flag", "", []string{"eval", "--colour", td + "allowed.json"}, 2},
		{"eval-bad-policies", "", []string{"eval", "--policies", td + "allowed.json", td + "allowed.json"}, 2},
		{"validate", "", []string{"validate", td + "allowed.json", td + "invalid.json", td + "denied.yaml"}, 2},
		{"validate-ok", "", []string{"validate", td + "allowed.json"}, 0},
		{"unknown-command", "", []string{"frobnicate"}, 2},
		{"completion-bash", "", []string{"completion", "bash"}, 0},
		{"completion-zsh", "", []string{"completion", "zsh"}, 0},
		{"completion-fish", "", []string{"completion", "fish"}, 0},
		{"completion-unknown-shell", "", []string{"completion", "ksh"}, 2},
		{"completion-no-shell", "", []string{"completion"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkCommandGolden(t, tc.name, tc.stdin, tc.args, tc.code)
		})
	}
}

// checkCommandGolden runs imgadmit with args (and stdin) and compares its
// exit code and its whole output with testdata/golden/NAME.txt.
func checkCommandGolden(t *testing.T, name, stdin string, args []string, want int) {
	t.Helper()
	code, stdout, stderr := runCLI(t, stdin, args...)
	if code != want {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
	}
	got := "$ imgadmit " + strings.Join(args, " ") + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
	compareGolden(t, filepath.Join("testdata", "golden", name+".txt"), got)
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	// The rulebook revision changes with every rule edit; the golden files
	// pin the output's shape, not the revision.
	got = revisionPattern.ReplaceAllString(got, "sha256:<revision>")
	got = uuidPattern.ReplaceAllString(got, "<decision-id>")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (go test ./cmd/imgadmit -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/imgadmit -update, then review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestEvalJSONIsMachineReadable decodes the JSON output and checks the decision fields.
func TestEvalJSONIsMachineReadable(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "eval", now, "--format", "json", "testdata/denied.yaml", "testdata/invalid.json")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	var results []struct {
		File     string `json:"file"`
		Decision *struct {
			Allowed    bool   `json:"allowed"`
			DecisionID string `json:"decision_id"`
			Reasons    []struct {
				ID, Effect string
			} `json:"reasons"`
			Rulebook struct {
				Revision string `json:"revision"`
				Rules    int    `json:"rules"`
			} `json:"rulebook"`
		} `json:"decision"`
		Error *struct {
			Code   string `json:"code"`
			Errors []struct {
				Pointer string `json:"pointer"`
				Line    int    `json:"line"`
			} `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &results); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	d := results[0].Decision
	if d == nil || d.Allowed || len(d.DecisionID) != 36 || !strings.HasPrefix(d.Rulebook.Revision, "sha256:") || d.Rulebook.Rules < 40 {
		t.Errorf("denied.yaml decision = %+v", d)
	}
	if len(d.Reasons) != 1 || d.Reasons[0].ID != "CBR-004" || d.Reasons[0].Effect != "deny" {
		t.Errorf("denied.yaml reasons = %+v, want one CBR-004 deny", d.Reasons)
	}
	e := results[1].Error
	if e == nil || e.Code != "invalid_request" || len(e.Errors) != 2 || e.Errors[0].Pointer != "/params/file_format" || e.Errors[0].Line != 6 {
		t.Errorf("invalid.json error = %+v", e)
	}
}

// TestEvalJUnitParses checks the JUnit report is well-formed XML with the right counts.
func TestEvalJUnitParses(t *testing.T) {
	_, stdout, _ := runCLI(t, "", "eval", now, "--format", "junit", "testdata/allowed.json", "testdata/denied.yaml", "testdata/empty.json")
	var suites junitSuites
	if err := xml.Unmarshal([]byte(stdout), &suites); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	s := suites.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Errors != 1 {
		t.Errorf("suite counts tests=%d failures=%d errors=%d, want 3, 1, 1", s.Tests, s.Failures, s.Errors)
	}
}

// TestGeneratedDocsAreCurrent fails when docs/rules.md or docs/calls.md
// was not regenerated after a rule or a translator's table changed.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	for _, tc := range []struct {
		command, doc, target string
		args                 []string
	}{
		// As make rules-doc runs it: under the shipped settings.
		{"rules", "rules.md", "rules-doc", []string{"--data", "../../fixtures/inventory.yaml"}},
		{"calls", "calls.md", "calls-doc", nil},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append([]string{tc.command, "--format", "markdown"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("%s exit %d: %s", tc.command, code, stderr)
			}
			path := filepath.Join("..", "..", "docs", tc.doc)
			if *update {
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s: %v (make %s)", path, err, tc.target)
			}
			if stdout != string(want) {
				t.Errorf("docs/%s is stale: run make %s and commit it", tc.doc, tc.target)
			}
		})
	}
}

// TestEvalExplainFull: --explain full (and --explain=full) prints OPA's
// trace under the result, and the trace holds the rule that gave the reason
// entering, reading the inventory's fact and exiting.
func TestEvalExplainFull(t *testing.T) {
	td := "testdata/"
	want := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  trace:$`),
		regexp.MustCompile(`(?m)^    query:1 +Enter data\.imgadmit\.decision = _$`),
		regexp.MustCompile(`(?m)^    rules/ims_fe_006\.rego:\d+ +(\| )+Enter data\.imgadmit\.rules\.reasons$`),
		regexp.MustCompile(`(?m)^    lib/facts\.rego:\d+ +(\| )+Eval r = data\.inventory\.resources\[kind\]\[id\]$`),
		regexp.MustCompile(`(?m)^    rules/ims_fe_006\.rego:\d+ +(\| )+Eval s\.image_creation_in_progress = true$`),
		regexp.MustCompile(`(?m)^    rules/ims_fe_006\.rego:\d+ +(\| )+Exit data\.imgadmit\.rules\.reasons$`),
	}
	var outputs []string
	for _, args := range [][]string{
		{"eval", now, "--explain", "full", "--data", td + "inventory.yaml", td + "allowed.json"},
		{"eval", now, "--explain=full", "--data", td + "inventory.yaml", td + "allowed.json"},
	} {
		code, stdout, stderr := runCLI(t, "", args...)
		if code != 1 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		head := "testdata/allowed.json: DENIED huaweicloud server.start\n" +
			"  deny IMS-FE-006   server srv-1 is stopped and a full-ECS image is being created from it; do not start it until the image is created\n" +
			"                    fix: Wait until the full-ECS image is created (its status is Normal), then start the server.\n" +
			"                    rule: imgadmit.rules.reasons (rules/ims_fe_006.rego:18)\n" +
			"                    read: servers srv-1.image_creation_in_progress from the inventory\n" +
			"                    read: servers srv-1.status from the inventory\n" +
			"  trace:\n"
		if !strings.HasPrefix(stdout, head) {
			t.Errorf("%v: output starts\n%s\nwant\n%s", args, stdout[:min(len(stdout), len(head))], head)
		}
		for _, re := range want {
			if !re.MatchString(stdout) {
				t.Errorf("%v: no line matching %s", args, re)
			}
		}
		outputs = append(outputs, uuidPattern.ReplaceAllString(stdout, "ID"))
	}
	if outputs[0] != outputs[1] {
		t.Error("--explain full and --explain=full print different outputs")
	}
}

func TestExplainArgs(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"imgadmit", "eval", "--explain", "a.json"}, []string{"imgadmit", "eval", "--explain", "a.json"}},
		{[]string{"imgadmit", "eval", "--explain", "full", "a.json"}, []string{"imgadmit", "eval", "--explain=full", "a.json"}},
		{[]string{"imgadmit", "eval", "--data", "inv.yaml", "--explain", "reasons", "a.json"}, []string{"imgadmit", "eval", "--data", "inv.yaml", "--explain=reasons", "a.json"}},
		{[]string{"imgadmit", "eval", "--explain", "./full"}, []string{"imgadmit", "eval", "--explain", "./full"}},
		{[]string{"imgadmit", "eval", "--", "--explain", "full"}, []string{"imgadmit", "eval", "--", "--explain", "full"}},
		{[]string{"imgadmit", "rules", "--explain", "full"}, []string{"imgadmit", "rules", "--explain", "full"}},
	}
	for _, tc := range cases {
		if got := explainArgs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("explainArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
