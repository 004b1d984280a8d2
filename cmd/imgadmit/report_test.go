package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
)

// rulebook is the embedded rulebook's METADATA, as eval passes it to the
// writers.
func rulebook(t *testing.T) []evaluator.Rule {
	t.Helper()
	e, err := evaluator.New(context.Background(), evaluator.Options{Translator: calls.Translator})
	if err != nil {
		t.Fatal(err)
	}
	return e.Rules()
}

// fixedResults are the results every format's golden output is written from,
// built directly (not decided): requests (allowed; denied with a deny, a warn
// and a note; invalid), a call, a Terraform plan's resource changes (a
// replace's delete and create at one address, an allowed update, an invalid
// change), an internal error and a reason no rule's METADATA describes.
// decisionID stands in for each decision's id, which changes every run.
func fixedResults(decisionID string) []result {
	book := evaluator.Rulebook{Revision: "sha256:" + strings.Repeat("0", 64), Rules: 60}
	decision := func(allowed bool, provider, operation string, reasons ...evaluator.Reason) *evaluator.Decision {
		if reasons == nil {
			reasons = []evaluator.Reason{}
		}
		return &evaluator.Decision{Allowed: allowed, DecisionID: decisionID, Provider: provider, Operation: operation, Reasons: reasons, Rulebook: book}
	}
	deny := evaluator.Reason{ID: "CBR-004", Effect: "deny", Category: "constraint",
		Message:     "backup bk-1 cannot be exported; CBR backups do not support exporting to a local PC",
		Remediation: "Create a system disk or data disk image and export that image instead.", Source: "Huawei Cloud IMS FAQ"}
	warn := evaluator.Reason{ID: "IMS-FE-013", Effect: "warn", Category: "constraint",
		Message:     "image img-full is a full-ECS image; changing the OS of server srv-1 with it writes only the system disk data",
		Remediation: "Create a new ECS from the full-ECS image instead.", Source: "Huawei Cloud IMS"}
	note := evaluator.Reason{ID: "CBR-006", Effect: "note", Category: "billing",
		Message: "backups are charged by CBR", Remediation: "Delete backups you no longer need.", Source: "Huawei Cloud IMS FAQ"}
	snap := evaluator.Reason{ID: "ECS-SNAP-001", Effect: "deny", Category: "constraint",
		Message: "snapshot s-1 is used by image m-1 and cannot be deleted", Remediation: "Delete image m-1 first.", Source: "Alibaba Cloud ECS"}
	failClosed := evaluator.Reason{ID: "REQ-004", Effect: "deny", Category: "constraint",
		Message: "the decision could not be made in time", Source: "imgadmit"}

	call := decision(false, "alibabacloud", "snapshot.delete", snap)
	call.Call = &evaluator.Call{Service: "ecs", Name: "DeleteSnapshot", Action: "DeleteSnapshot", Access: evaluator.AccessWrite}
	call.Requests = []map[string]any{{"provider": "alibabacloud", "operation": "snapshot.delete", "params": map[string]any{"snapshot_id": "s-1"}}}

	const plan = "plans/web.tfplan.json"
	return []result{
		{File: "requests/allowed.json", Decision: decision(true, "huaweicloud", "server.start")},
		{File: "requests/denied.yaml", Decision: decision(false, "huaweicloud", "backup.export", deny, warn, note)},
		{File: "requests/invalid.json", Error: &evaluator.Error{Code: evaluator.CodeInvalidRequest, Message: "the request does not match its schema",
			Errors: []evaluator.FieldError{
				{Pointer: "/params/file_format", Line: 6, Message: `value must be one of "qcow2", "vhd", but got "iso"`},
				{Pointer: "/params/image_id", Line: 4, Message: `missing required property "image_id"`},
			}}},
		{File: "calls/DeleteSnapshot.json", Decision: call},
		{File: plan, Address: "huaweicloud_ims_cbr_whole_image.web[0]", Action: "delete", Decision: decision(false, "huaweicloud", "image.delete", failClosed)},
		{File: plan, Address: "huaweicloud_ims_cbr_whole_image.web[0]", Action: "create", Decision: decision(false, "huaweicloud", "image.create_whole_from_backup", deny, warn)},
		{File: plan, Address: `huaweicloud_compute_instance.app["blue"]`, Action: "update", Decision: decision(true, "huaweicloud", "server.start", note)},
		{File: plan, Address: "huaweicloud_images_image.bad", Action: "create", Error: &evaluator.Error{Code: evaluator.CodeInvalidRequest,
			Message: "the resource change does not make a valid request",
			Errors:  []evaluator.FieldError{{Pointer: "/resource_changes/3/change/after/name", Message: "must be a string"}}}},
		{File: "requests/crash.json", Error: &evaluator.Error{Code: evaluator.CodeInternal, Message: "evaluation failed: out of memory"}},
	}
}

// TestFormatsGolden writes fixedResults in every format and compares each
// with testdata/golden/results.<format>.
func TestFormatsGolden(t *testing.T) {
	rules := rulebook(t)
	results := fixedResults("11111111-2222-4333-8444-555555555555")
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeResults(&out, format, results, rules, false); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", "results."+format), out.String())
		})
	}
}

// TestSARIFForCodeScanning decodes the SARIF and checks what GitHub code
// scanning requires of an upload, and that a finding's fingerprint is the
// same from one run to the next (when only the decision ids differ).
func TestSARIFForCodeScanning(t *testing.T) {
	rules := rulebook(t)
	write := func(id string) []byte {
		var out bytes.Buffer
		if err := writeSARIF(&out, fixedResults(id), rules); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	first, second := write("11111111-2222-4333-8444-555555555555"), write("99999999-8888-4777-8666-555555555555")
	if bytes.Contains(first, []byte("11111111-2222")) {
		t.Errorf("the SARIF carries a decision id: its fingerprints or messages would change every run")
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two runs differing only in decision ids gave different SARIF:\n%s\n---\n%s", first, second)
	}

	type message struct {
		Text string `json:"text"`
	}
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string   `json:"id"`
						ShortDescription     *message `json:"shortDescription"`
						FullDescription      *message `json:"fullDescription"`
						HelpURI              string   `json:"helpUri"`
						Help                 *message `json:"help"`
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful *bool `json:"executionSuccessful"`
				Notifications       []struct {
					Message message `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string  `json:"ruleId"`
				RuleIndex *int    `json:"ruleIndex"`
				Level     string  `json:"level"`
				Message   message `json:"message"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
						Kind               string `json:"kind"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(first, &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, first)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-schema-2.1.0.json") {
		t.Errorf("version %q, $schema %q", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "imgadmit" {
		t.Errorf("runs[0].tool.driver.name = %q", run.Tool.Driver.Name)
	}
	ruleIndex := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription == nil || r.ShortDescription.Text == "" || (r.HelpURI == "" && (r.Help == nil || r.Help.Text == "")) {
			t.Errorf("rule %d lacks its id, shortDescription or help: %+v", i, r)
		}
		ruleIndex[r.ID] = i
	}
	// METADATA reaches the descriptors.
	for _, want := range rules {
		if i, ok := ruleIndex[want.ID]; ok {
			got := run.Tool.Driver.Rules[i]
			if got.ShortDescription.Text != want.Title || got.FullDescription == nil || got.FullDescription.Text != strings.TrimSpace(want.Description) ||
				got.DefaultConfiguration.Level != sarifLevel(want.Effect) || !strings.Contains(got.Help.Text, want.Remediation) || !strings.Contains(got.Help.Text, want.File) {
				t.Errorf("rule %s does not carry its METADATA: %+v", want.ID, got)
			}
		}
	}
	for _, id := range []string{"CBR-004", "IMS-FE-013", "ECS-SNAP-001", "REQ-001", "REQ-004"} {
		if _, ok := ruleIndex[id]; !ok {
			t.Errorf("no rule descriptor for %s", id)
		}
	}
	if _, ok := ruleIndex["CBR-006"]; ok {
		t.Errorf("a note's rule is described: notes are not results")
	}

	type want struct {
		rule, level, uri, address string
		line                      int
	}
	wants := []want{
		{"CBR-004", "error", "requests/denied.yaml", "", 1},
		{"IMS-FE-013", "warning", "requests/denied.yaml", "", 1},
		{"REQ-001", "error", "requests/invalid.json", "", 6},
		{"ECS-SNAP-001", "error", "calls/DeleteSnapshot.json", "", 1},
		{"REQ-004", "error", "plans/web.tfplan.json", "huaweicloud_ims_cbr_whole_image.web[0]", 1},
		{"CBR-004", "error", "plans/web.tfplan.json", "huaweicloud_ims_cbr_whole_image.web[0]", 1},
		{"IMS-FE-013", "warning", "plans/web.tfplan.json", "huaweicloud_ims_cbr_whole_image.web[0]", 1},
		{"REQ-001", "error", "plans/web.tfplan.json", "huaweicloud_images_image.bad", 1},
	}
	if len(run.Results) != len(wants) {
		t.Fatalf("%d results, want %d (one per deny, warn or invalid input; no notes)", len(run.Results), len(wants))
	}
	fingerprints := map[string]bool{}
	for i, got := range run.Results {
		w := wants[i]
		if got.RuleID != w.rule || got.Level != w.level || got.Message.Text == "" {
			t.Errorf("result %d: ruleId %q level %q message %q, want %s %s", i, got.RuleID, got.Level, got.Message.Text, w.rule, w.level)
		}
		if got.RuleIndex == nil || *got.RuleIndex != ruleIndex[got.RuleID] {
			t.Errorf("result %d: ruleIndex %v, want %d", i, got.RuleIndex, ruleIndex[got.RuleID])
		}
		if len(got.Locations) != 1 || got.Locations[0].PhysicalLocation == nil || got.Locations[0].PhysicalLocation.Region == nil {
			t.Errorf("result %d: no physical location with a region: %+v", i, got.Locations)
			continue
		}
		loc := got.Locations[0]
		if uri := loc.PhysicalLocation.ArtifactLocation.URI; uri != w.uri {
			t.Errorf("result %d: uri %q, want %q", i, uri, w.uri)
		}
		if line := loc.PhysicalLocation.Region.StartLine; line != w.line {
			t.Errorf("result %d: startLine %d, want %d", i, line, w.line)
		}
		switch {
		case w.address == "" && len(loc.LogicalLocations) != 0:
			t.Errorf("result %d: a logical location for a request: %+v", i, loc.LogicalLocations)
		case w.address != "" && (len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != w.address):
			t.Errorf("result %d: logical locations %+v, want %s", i, loc.LogicalLocations, w.address)
		case w.address != "" && !strings.HasPrefix(got.Message.Text, w.address):
			t.Errorf("result %d: message %q does not name the address", i, got.Message.Text)
		}
		fp := got.PartialFingerprints[sarifFingerprint]
		if len(fp) != 64 || fingerprints[fp] {
			t.Errorf("result %d: partial fingerprint %q missing or not unique", i, fp)
		}
		fingerprints[fp] = true
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || *run.Invocations[0].ExecutionSuccessful ||
		len(run.Invocations[0].Notifications) != 1 || !strings.Contains(run.Invocations[0].Notifications[0].Message.Text, "out of memory") {
		t.Errorf("the internal error is not a failed invocation's notification: %+v", run.Invocations)
	}
}

// TestSARIFURIs: a file's uri is relative with forward slashes, escaped as a
// URI; standard input is "-".
func TestSARIFURIs(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "plan dir", "a#b.json"))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"plan.json":            "plan.json",
		"./plans//b.json":      "plans/b.json",
		abs:                    "testdata/plan%20dir/a%23b.json",
		"-":                    "-",
		"/elsewhere/plan.json": "file:///elsewhere/plan.json",
	} {
		if got := sarifURI(in); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGitHubEscapes: a message's %, CR and LF are escaped, and a property's
// ':' and ',' too, so nothing a request says can end a workflow command or
// start another; control characters are escaped as in the text output.
func TestGitHubEscapes(t *testing.T) {
	d := &evaluator.Decision{Provider: "huaweicloud", Operation: "backup.export", Reasons: []evaluator.Reason{
		{ID: "CBR-004", Effect: "deny", Message: "100% sure:\nno,\r\n::error::forged\x1b[2J", Remediation: "fix, it: now"},
	}}
	results := []result{{File: "odd:name,1%.json", Address: `x.y["a,b:c"]`, Action: "create", Decision: d}}
	var out bytes.Buffer
	if err := writeGitHub(&out, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := `::error file=odd%3Aname%2C1%25.json,title=CBR-004::x.y["a,b:c"] (create): 100% sure:\nno,\r\n::error::forged\x1b[2J%0Afix: fix, it: now`
	want = strings.ReplaceAll(want, "100%", "100%25")
	if len(lines) != 2 || lines[0] != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if got := escapeData("a%b\rc\nd:e,f"); got != "a%25b%0Dc%0Ad:e,f" {
		t.Errorf("escapeData = %q", got)
	}
	if got := escapeProperty("a%b\rc\nd:e,f"); got != "a%25b%0Dc%0Ad%3Ae%2Cf" {
		t.Errorf("escapeProperty = %q", got)
	}
}

// TestFormatsEscapeTheTerminal: in every format read in a terminal or a log
// (text, table, tap, github), a control or format character in a file name,
// an address or a message is escaped as printable does.
func TestFormatsEscapeTheTerminal(t *testing.T) {
	hostile := "x\nok.json: ALLOWED\x1b]0;pwned\x07\u202e"
	d := &evaluator.Decision{Allowed: false, Provider: "huaweicloud", Operation: "backup.export", Reasons: []evaluator.Reason{
		{ID: "CBR-004", Effect: "deny", Message: "msg " + hostile, Remediation: "fix " + hostile},
	}}
	results := []result{
		{File: hostile + ".json", Address: "a." + hostile, Action: "create", Decision: d},
		{File: hostile + ".yaml", Error: &evaluator.Error{Code: evaluator.CodeInvalidRequest, Message: "bad " + hostile,
			Errors: []evaluator.FieldError{{Pointer: "/params/" + hostile, Line: 2, Message: "m " + hostile}}}},
	}
	for _, format := range []string{"text", "table", "tap", "github"} {
		var out bytes.Buffer
		if err := writeResults(&out, format, results, nil, false); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("%s printed a control or format character: %q", format, s)
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, "ok.json") {
				t.Errorf("%s printed a line of the file name's making: %q", format, line)
			}
		}
		for _, want := range []string{`x\nok.json: ALLOWED\x1b]0;pwned\a\u202e`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s output lacks the escaped %s:\n%s", format, want, s)
			}
		}
	}
}

// TestJUnitOneCasePerAddress: a plan's results are one test case per
// resource address (its delete and create together), named by the address,
// its class the plan file.
func TestJUnitOneCasePerAddress(t *testing.T) {
	var out bytes.Buffer
	if err := writeJUnit(&out, fixedResults("x")); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	s := suites.Suites[0]
	// 4 requests and calls + 3 addresses + 1 internal error.
	if s.Tests != 8 || len(s.Cases) != 8 || s.Failures != 3 || s.Errors != 3 {
		t.Errorf("tests=%d cases=%d failures=%d errors=%d, want 8, 8, 3, 3", s.Tests, len(s.Cases), s.Failures, s.Errors)
	}
	c := s.Cases[4]
	if c.Name != "huaweicloud_ims_cbr_whole_image.web[0]" || c.Classname != "plans/web.tfplan.json" || c.Failure == nil ||
		!strings.Contains(c.Failure.Body, "delete: deny REQ-004") || !strings.Contains(c.Failure.Body, "create: deny CBR-004") {
		t.Errorf("the replaced resource's case = %+v", c)
	}
}
