package main

import (
	"bytes"
	"context"
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
