package evaluator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fakeTranslator reads test documents whose call member spells out the
// translation: {"call": {"parts": [canonical requests], "unknown": why,
// "access": "read"}}. Each part's values come from /call/parts/<i>, which is
// where its schema errors must be reported.
type fakeTranslator struct{}

func (fakeTranslator) Recognizes(doc map[string]any) bool {
	_, ok := doc["call"]
	return ok
}

func (fakeTranslator) Translate(doc map[string]any) (*Translation, error) {
	call, _ := doc["call"].(map[string]any)
	if bad, ok := call["bad"].(string); ok {
		return nil, &Error{Code: CodeInvalidRequest, Message: "the call cannot be read", Errors: []FieldError{{Pointer: bad, Message: "is bad"}}}
	}
	t := &Translation{Provider: "huaweicloud", Call: Call{Service: "test", Name: "Fake", Access: AccessWrite}}
	if a, ok := call["access"].(string); ok {
		t.Call.Access = a
	}
	t.Unknown, _ = call["unknown"].(string)
	parts, _ := call["parts"].([]any)
	for i, p := range parts {
		req := p.(map[string]any)
		t.Operation, _ = req["operation"].(string)
		t.ProjectID, _ = req["project_id"].(string)
		t.Parts = append(t.Parts, Part{Request: req, Origins: []Origin{{Path: "", From: fmt.Sprintf("/call/parts/%d", i)}}})
	}
	return t, nil
}

func newCallEvaluator(t *testing.T) *Evaluator {
	return newTestEvaluator(t, Options{Translator: fakeTranslator{}})
}

func TestDecideCall(t *testing.T) {
	e := newCallEvaluator(t)
	deleteBackups := `{"call": {"parts": [
	  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-used"},
	   "resources":{"backups":{"bk-used":{"image_id":"img-1"},"bk-free":{"image_id":null}}}},
	  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-free"},
	   "resources":{"backups":{"bk-used":{"image_id":"img-1"},"bk-free":{"image_id":null}}}}]}}`
	tests := []struct {
		name        string
		doc         string
		allowed     bool
		reasons     []string
		requests    int
		operation   string
		access      string
		messageHas  string
		noMessageOf string
	}{
		{
			name: "one part denied denies the call, with its reasons", doc: deleteBackups,
			allowed: false, reasons: []string{"deny CBR-001"}, requests: 2, operation: "backup.delete", access: AccessWrite,
			messageHas: "bk-used",
		},
		{
			name: "every part allowed allows the call",
			doc: `{"call": {"parts": [
			  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-1"},"resources":{"backups":{"bk-1":{"image_id":null},"bk-2":{"image_id":null}}}},
			  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-2"},"resources":{"backups":{"bk-1":{"image_id":null},"bk-2":{"image_id":null}}}}]}}`,
			allowed: true, reasons: []string{}, requests: 2, operation: "backup.delete", access: AccessWrite,
		},
		{
			name: "a reason two parts give is given once",
			doc: `{"call": {"parts": [
			  {"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}},
			  {"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}}]}}`,
			allowed: false, reasons: []string{"deny CBR-004"}, requests: 2, operation: "backup.export", access: AccessWrite,
		},
		{
			name: "a read is allowed with no reasons", doc: `{"call": {"access": "read"}}`,
			allowed: true, reasons: []string{}, access: AccessRead,
		},
		{
			name: "an unknown write is refused, REQ-003", doc: `{"call": {"unknown": "POST /v9/x is not a call imgadmit knows"}}`,
			allowed: false, reasons: []string{"deny REQ-003"}, access: AccessWrite, messageHas: "POST /v9/x",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDecide(t, e, tc.doc)
			if d.Allowed != tc.allowed || !reflect.DeepEqual(ids(d), tc.reasons) || len(d.Requests) != tc.requests || d.Operation != tc.operation {
				t.Fatalf("got allowed=%v reasons=%v requests=%d operation=%q; want %v %v %d %q",
					d.Allowed, ids(d), len(d.Requests), d.Operation, tc.allowed, tc.reasons, tc.requests, tc.operation)
			}
			if d.Call == nil || d.Call.Access != tc.access || d.Call.Name != "Fake" || d.Provider != "huaweicloud" {
				t.Errorf("call %+v, provider %q", d.Call, d.Provider)
			}
			if len(d.DecisionID) != 36 || d.Rulebook.Revision != e.Revision() || d.Rulebook.Rules != len(e.Rules()) {
				t.Errorf("decision id %q, rulebook %+v", d.DecisionID, d.Rulebook)
			}
			if tc.messageHas != "" && !strings.Contains(d.Reasons[0].Message, tc.messageHas) {
				t.Errorf("message %q does not name %q", d.Reasons[0].Message, tc.messageHas)
			}
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"reasons":[`) {
				t.Errorf("reasons are not a list in %s", b)
			}
		})
	}
}

// TestDecideCallMatchesItsParts: the call's reasons are exactly its parts'
// reasons, each decided alone, merged.
func TestDecideCallMatchesItsParts(t *testing.T) {
	e := newCallEvaluator(t)
	parts := []string{
		`{"provider":"huaweicloud","operation":"image.delete","params":{"image_id":"img-fe"},"resources":{"images":{"img-fe":{"image_type":"full_ecs","backup_id":"bk-1","visibility":"private","owner_project_id":"p1"}}},"project_id":"p1"}`,
		`{"provider":"huaweicloud","operation":"image.delete","params":{"image_id":"img-2","delete_backup":true},"resources":{"images":{"img-2":{"image_type":"full_ecs","backup_id":"bk-2","visibility":"private","owner_project_id":"p2"}}},"project_id":"p1"}`,
	}
	var want []Reason
	for _, p := range parts {
		want = append(want, mustDecide(t, e, p).Reasons...)
	}
	want = mergeReasons(want)
	d := mustDecide(t, e, `{"call": {"parts": [`+strings.Join(parts, ",")+`]}}`)
	if !reflect.DeepEqual(d.Reasons, want) {
		t.Errorf("call reasons\n%+v\nwant its parts' reasons\n%+v", d.Reasons, want)
	}
	if d.Allowed {
		t.Errorf("allowed %v", d.Allowed)
	}
}

// TestMergeReasons: the parts' reasons sorted as the router sorts them, the
// waiver last (by its position, then the request's resources and projects
// it shows), and a reason two parts gave kept once, whatever order the
// parts gave them in.
func TestMergeReasons(t *testing.T) {
	waived := func(index int, resources ...string) Reason {
		return Reason{ID: "IMS-FE-006", Effect: EffectWaived, Category: "constraint", Message: "in progress", Source: "s",
			Waiver: &Waiver{Index: index, Rule: "IMS-FE-006", Resources: resources, Expires: "2027-01-31T00:00:00Z", Reason: "r", ApprovedBy: "a"}}
	}
	deny := Reason{ID: "IMS-FE-006", Effect: EffectDeny, Category: "constraint", Message: "in progress", Source: "s"}
	warn := Reason{ID: "ECS-IMG-005", Effect: EffectWarn, Category: "constraint", Message: "warned", Source: "s"}
	cases := []struct {
		name string
		in   []Reason
		want []Reason
	}{
		{"none", []Reason{}, []Reason{}},
		{"effects in the router's order, duplicates once", []Reason{waived(0, "srv-1"), warn, deny, warn, deny},
			[]Reason{deny, warn, waived(0, "srv-1")}},
		{"waivers differing only in position, interleaved", []Reason{waived(1, "srv-1"), waived(0, "srv-1"), waived(1, "srv-1"), waived(0, "srv-1")},
			[]Reason{waived(0, "srv-1"), waived(1, "srv-1")}},
		{"one waiver shown with each part's resources", []Reason{waived(2, "srv-2"), waived(2, "srv-1"), waived(2, "srv-2")},
			[]Reason{waived(2, "srv-1"), waived(2, "srv-2")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeReasons(tc.in); !reflect.DeepEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Errorf("merged\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestCallErrorsPointIntoTheCall(t *testing.T) {
	e := newCallEvaluator(t)
	tests := []struct {
		name string
		doc  string
		want []FieldError
	}{
		{
			name: "a part's schema error is where its value was written",
			doc: "{\"call\": {\"parts\": [\n" +
				`{"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-1"}},` + "\n" +
				`{"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":7}}]}}`,
			want: []FieldError{{Pointer: "/call/parts/1/params/backup_id", Line: 3, Message: "expected string, but got number"}},
		},
		{
			name: "the translator's own errors get their lines",
			doc:  "{\"call\":\n {\"bad\": \"/call/bad\"}}",
			want: []FieldError{{Pointer: "/call/bad", Line: 2, Message: "is bad"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ParseRequest([]byte(tc.doc), FormatJSON)
			var ee *Error
			if !errors.As(err, &ee) || ee.Code != CodeInvalidRequest {
				t.Fatalf("got %v, want an invalid request", err)
			}
			if !reflect.DeepEqual(ee.Errors, tc.want) {
				t.Errorf("errors\n%+v\nwant\n%+v", ee.Errors, tc.want)
			}
		})
	}
}

func TestCallOfTooManyParts(t *testing.T) {
	e := newCallEvaluator(t)
	part := `{"provider":"huaweicloud","operation":"server.start","params":{"server_id":"s-1"}}`
	parts := strings.Repeat(part+",", MaxCallParts) + part
	_, err := e.ParseRequest([]byte(`{"call": {"parts": [`+parts+`]}}`), FormatJSON)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeInvalidRequest || len(ee.Errors) != 1 || ee.Errors[0].Pointer != "/call" ||
		!strings.Contains(ee.Errors[0].Message, "acts on 1001 resources; imgadmit judges at most 1000") {
		t.Fatalf("got %v", err)
	}
	if _, err := e.ParseRequest([]byte(`{"call": {"parts": [`+strings.Repeat(part+",", MaxCallParts-1)+part+`]}}`), FormatJSON); err != nil {
		t.Fatalf("%d parts: %v", MaxCallParts, err)
	}
}

// TestCallFactsAreSharedNotRepeated: every part is decided with the call's
// request facts, and the decision lists the parts without them (they are the
// call document's, once).
func TestCallFactsAreSharedNotRepeated(t *testing.T) {
	e := newCallEvaluator(t)
	d := mustDecide(t, e, `{"call": {"parts": [
	  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-used"},"resources":{"backups":{"bk-used":{"image_id":"img-1"}}}},
	  {"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-2"},"resources":{"backups":{"bk-2":{"image_id":"img-2"}}}}]}}`)
	if d.Allowed || len(d.Reasons) != 2 {
		t.Fatalf("each part must be decided with its own facts: %+v", d.Reasons)
	}
	for _, r := range d.Requests {
		if _, ok := r["resources"]; ok {
			t.Errorf("a listed request repeats the facts: %v", r)
		}
	}
}

func TestCallWithoutTranslatorIsInvalid(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	_, err := e.ParseRequest([]byte(`{"provider":"huaweicloud","call":{"parts":[]}}`), FormatJSON)
	if CodeOf(err) != CodeInvalidRequest {
		t.Fatalf("got %v, want invalid_request", err)
	}
}

func TestCallDecidedAsTheCallersProject(t *testing.T) {
	e := newCallEvaluator(t)
	req, err := e.ParseRequest([]byte(`{"call": {"parts": [{"provider":"huaweicloud","operation":"server.start","params":{"server_id":"s-1"}}]}}`), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.DecideRequest(context.Background(), req, DecideOptions{Now: testNow, Project: "proj-a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Requests[0]["project_id"]; got != "proj-a" {
		t.Errorf("the request was decided as project %v, want proj-a", got)
	}
	fc := e.FailClosed(req, errors.New("boom"))
	if fc.Allowed || fc.Provider != "huaweicloud" || fc.Operation != "server.start" {
		t.Errorf("fail-closed decision %+v", fc)
	}
}

func TestOrigin(t *testing.T) {
	origins := []Origin{{Path: "", From: "/call"}, {Path: "/params", From: "/call/body"}, {Path: "/params/name", From: "/call/body/image_name"},
		{Path: "/region", From: "/call/host"}, {Path: "/region", From: "/call/query", Name: "parameter RegionId"}}
	for in, want := range map[string]Origin{
		"/params/name":        {Path: "/params/name", From: "/call/body/image_name"},
		"/params/names":       {Path: "/params", From: "/call/body"},
		"/params/name/x":      {Path: "/params/name", From: "/call/body/image_name"},
		"/region":             {Path: "/region", From: "/call/query", Name: "parameter RegionId"},
		"/resources/images/x": {Path: "", From: "/call"},
	} {
		if got, found := origin(origins, in); !found || got != want {
			t.Errorf("origin(%q) = %+v, want %+v", in, got, want)
		}
	}
	if _, found := origin(nil, "/params/x"); found {
		t.Error("an origin found in none")
	}
}

// A translation made outside the evaluator (a Terraform plan's resource
// change) is checked and decided as a translated document is: with no
// translator configured, its schema errors at the parts' origins.
func TestRequestOfTranslation(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	tr := &Translation{Provider: "huaweicloud", Operation: "backup.delete", Call: Call{Service: "cbr", Name: "DeleteBackup", Access: AccessWrite},
		Parts: []Part{{Request: map[string]any{"provider": "huaweicloud", "operation": "backup.delete", "params": map[string]any{"backup_id": "bk-used"},
			"resources": map[string]any{"backups": map[string]any{"bk-used": map[string]any{"image_id": "img-1"}}}},
			Origins: []Origin{{Path: "", From: "/resource_changes/0/change/before"}}}}}
	req, err := e.RequestOfTranslation(tr)
	if err != nil {
		t.Fatal(err)
	}
	if call, n := req.Call(); call == nil || call.Name != "DeleteBackup" || n != 1 {
		t.Fatalf("Call() = %v, %d", call, n)
	}
	if req.Input() != nil || string(req.Redacted([]byte("x"))) != "x" {
		t.Fatalf("a translation has no document: Input %v", req.Input())
	}
	d, err := e.DecideRequest(context.Background(), req, DecideOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || len(d.Reasons) == 0 || d.Reasons[0].ID != "CBR-001" || len(d.Requests) != 1 {
		t.Fatalf("decision = %+v", d)
	}

	tr.Parts[0].Request["params"] = map[string]any{"backup_id": 7}
	_, err = e.RequestOfTranslation(tr)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeInvalidRequest || len(ee.Errors) != 1 || ee.Errors[0].Pointer != "/resource_changes/0/change/before/params/backup_id" {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.RequestOfTranslation(nil); CodeOf(err) != CodeInternal {
		t.Fatalf("nil translation: %v", err)
	}
}
