package evaluator

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/imgadmit/imgadmit/policies"
)

var testNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func newTestEvaluator(t *testing.T, opts Options) *Evaluator {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func mustDecide(t *testing.T, e *Evaluator, req string) *Decision {
	t.Helper()
	d, err := e.Decide(context.Background(), []byte(req), FormatJSON, DecideOptions{Now: testNow})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

// ids lists a decision's reasons as "effect id".
func ids(d *Decision) []string {
	out := []string{}
	for _, r := range d.Reasons {
		out = append(out, r.Effect+" "+r.ID)
	}
	return out
}

const startStoppedServer = `{"provider":"huaweicloud","operation":"server.start","region":"cn-north-4",
 "params":{"server_id":"srv-1"},
 "resources":{"servers":{"srv-1":{"status":"stopped","image_creation_in_progress":false}}}}`

func TestDecideWholeDecision(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	d := mustDecide(t, e, `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}}`)
	if len(d.DecisionID) != 36 {
		t.Errorf("decision id %q is not a UUID", d.DecisionID)
	}
	d.DecisionID = ""
	want := &Decision{
		Allowed:   false,
		Provider:  "huaweicloud",
		Operation: "backup.export",
		Reasons: []Reason{{
			ID:          "CBR-004",
			Effect:      "deny",
			Category:    "constraint",
			Message:     d.Reasons[0].Message,
			Remediation: d.Reasons[0].Remediation,
			Source:      d.Reasons[0].Source,
		}},
		Rulebook: Rulebook{Revision: e.Revision(), Rules: len(e.Rules())},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("decision\n%+v\nwant\n%+v", d, want)
	}
	if !strings.Contains(d.Reasons[0].Message, "bk-1") || d.Reasons[0].Remediation == "" || d.Reasons[0].Source == "" {
		t.Errorf("reason does not name the backup or lacks remediation/source: %+v", d.Reasons[0])
	}
}

func TestFactsAndSettings(t *testing.T) {
	// The inventory says srv-1 is being imaged; the request claims it is not.
	inv := map[string]any{"resources": map[string]any{"servers": map[string]any{
		"srv-1": map[string]any{"status": "stopped", "image_creation_in_progress": true},
	}}}
	f, tr := false, true
	cases := []struct {
		name string
		opts Options
		req  string
		want []string
	}{
		{"request facts decide when the inventory is silent", Options{}, startStoppedServer, []string{}},
		{"the inventory wins over the request", Options{Inventory: inv}, startStoppedServer, []string{"deny IMS-FE-006"}},
		{"untrusted request facts are ignored", Options{TrustRequestFacts: &f}, startStoppedServer, []string{"deny REQ-002", "deny REQ-002"}},
		{"trusted explicitly", Options{TrustRequestFacts: &tr}, startStoppedServer, []string{}},
		{"lenient turns missing facts into warnings", Options{TrustRequestFacts: &f, Lenient: true}, startStoppedServer, []string{"warn REQ-002", "warn REQ-002"}},
		{"inventory setting: untrusted", Options{Inventory: map[string]any{"settings": map[string]any{"trust_request_facts": false}}}, startStoppedServer, []string{"deny REQ-002", "deny REQ-002"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDecide(t, newTestEvaluator(t, tc.opts), tc.req)
			if got := ids(d); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("reasons %v, want %v", got, tc.want)
			}
			if d.Allowed != (len(tc.want) == 0 || !strings.HasPrefix(tc.want[0], "deny")) {
				t.Errorf("allowed=%v with reasons %v", d.Allowed, ids(d))
			}
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	cases := []struct {
		name, req string
		want      []FieldError
	}{
		{"missing param", "{\"provider\":\"huaweicloud\",\n\"operation\":\"backup.delete\",\n\"params\":{}}",
			[]FieldError{{Pointer: "/params/backup_id", Message: `missing required property "backup_id"`, Line: 3}}},
		{"unknown provider", `{"provider":"aws","operation":"image.create","params":{}}`,
			[]FieldError{{Pointer: "/provider", Message: `REQ-003: unknown provider "aws"; known providers: alibabacloud, huaweicloud`, Line: 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Decide(context.Background(), []byte(tc.req), FormatJSON, DecideOptions{})
			var ee *Error
			if !errors.As(err, &ee) || ee.Code != CodeInvalidRequest {
				t.Fatalf("error %v, want invalid_request", err)
			}
			if !reflect.DeepEqual(ee.Errors, tc.want) {
				t.Errorf("errors %+v, want %+v", ee.Errors, tc.want)
			}
		})
	}
}

// policyFS is the embedded rulebook, less tests, with files replaced or added.
func policyFS(t *testing.T, replace map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, src := range replace {
		if src == "" {
			delete(m, p)
			continue
		}
		m[p] = &fstest.MapFile{Data: []byte(src)}
	}
	return m
}

func TestRulebookErrors(t *testing.T) {
	cases := []struct {
		name    string
		replace map[string]string
		want    string
	}{
		{"parse error", map[string]string{"rules/broken.rego": "package imgadmit.rules\nreasons contains r if {"}, "parse rulebook"},
		{"network builtin refused", map[string]string{"rules/net.rego": "package imgadmit.rules\n\nleak := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1\"})\n"}, "undefined function http.send"},
		{"runtime builtin refused", map[string]string{"rules/env.rego": "package imgadmit.rules\n\nenv := opa.runtime().env\n"}, "undefined function opa.runtime"},
		{"metadata incomplete", map[string]string{"rules/nosource.rego": "package imgadmit.rules\n\n# METADATA\n# title: x\n# custom:\n#   id: X-001\n#   effect: deny\n#   category: constraint\nreasons contains {} if false\n"}, "rule X-001 (rules/nosource.rego:3) lacks METADATA custom.providers, custom.remediation, custom.source"},
		{"unknown provider", map[string]string{"rules/aws.rego": "package imgadmit.rules\n\n# METADATA\n# title: x\n# custom:\n#   id: X-002\n#   effect: note\n#   category: constraint\n#   providers: [huaweicloud, aws]\n#   source: s\nreasons contains {} if false\n"}, "rule X-002 (rules/aws.rego:3) has custom.providers [huaweicloud aws]: aws is not a provider (huaweicloud, alibabacloud)"},
		{"duplicate id", map[string]string{"rules/dup.rego": readPolicy(t, "rules/ims_fe_001.rego")}, "rule id IMS-FE-001 is used twice"},
		{"empty", nil, "no .rego files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fsys fs.FS = policyFS(t, tc.replace)
			if tc.replace == nil {
				fsys = fstest.MapFS{}
			}
			_, err := New(context.Background(), Options{Policies: fsys})
			if CodeOf(err) != CodeInvalidRulebook || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want invalid_rulebook containing %q", err, tc.want)
			}
		})
	}
}

// TestRulebookSkipsHiddenEntries: a Kubernetes ConfigMap mount holds every
// file twice, once under a hidden ..<timestamp> directory; only the visible
// copy is loaded (otherwise every rule id would be "used twice").
func TestRulebookSkipsHiddenEntries(t *testing.T) {
	fsys := policyFS(t, map[string]string{
		"..2026_11_24_00_00_00.000/rules/ims_fe_001.rego": readPolicy(t, "rules/ims_fe_001.rego"),
		".hidden.rego": "package imgadmit.rules\nbroken :=",
	})
	e, err := New(context.Background(), Options{Policies: fsys})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if want := newTestEvaluator(t, Options{}).Revision(); e.Revision() != want {
		t.Errorf("revision %s, want the embedded rulebook's %s", e.Revision(), want)
	}
}

func readPolicy(t *testing.T, name string) string {
	b, err := fs.ReadFile(policies.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReloadKeepsLastGood(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	rev := e.Revision()
	if err := e.SetRulebook(context.Background(), policyFS(t, map[string]string{"rules/broken.rego": "package imgadmit.rules\nx :="})); CodeOf(err) != CodeInvalidRulebook {
		t.Fatalf("broken rulebook: %v", err)
	}
	if e.Revision() != rev {
		t.Error("a failed reload changed the revision")
	}
	if err := e.SetInventory(context.Background(), map[string]any{"settings": map[string]any{"missing_facts": "sometimes"}}); CodeOf(err) != CodeInvalidInventory {
		t.Fatalf("invalid inventory: %v", err)
	}
	if d := mustDecide(t, e, startStoppedServer); !d.Allowed || d.Rulebook.Revision != rev {
		t.Errorf("after failed reloads: %+v", d)
	}
	// A good reload: CBR-004 removed, so backup.export is allowed, with a new revision.
	if err := e.SetRulebook(context.Background(), policyFS(t, map[string]string{"rules/cbr_004.rego": ""})); err != nil {
		t.Fatal(err)
	}
	d := mustDecide(t, e, `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"b"}}`)
	if d.Rulebook.Revision == rev || !d.Allowed {
		t.Errorf("after a good reload: %+v", d)
	}
}

func TestFailClosed(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Decide(ctx, []byte(startStoppedServer), FormatJSON, DecideOptions{})
	if CodeOf(err) != CodeInternal || !strings.Contains(err.Error(), "evaluation stopped: context canceled") {
		t.Fatalf("cancelled evaluation: %v", err)
	}
	req, perr := e.ParseRequest([]byte(startStoppedServer), FormatJSON)
	if perr != nil {
		t.Fatal(perr)
	}
	d := e.FailClosed(req, err)
	if d.Allowed || d.Provider != "huaweicloud" || d.Operation != "server.start" || len(d.Reasons) != 1 ||
		d.Reasons[0].ID != FailClosedID || d.Reasons[0].Effect != EffectDeny || d.Rulebook.Revision != e.Revision() {
		t.Errorf("fail-closed decision %+v", d)
	}
}

func TestDecisionFromValueRefusesInconsistentAnswers(t *testing.T) {
	deny := map[string]any{"id": "X", "effect": "deny", "category": "constraint", "message": "m", "source": "s"}
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"not an object", "yes", "not an object"},
		{"no reasons", map[string]any{"allowed": true}, "no reasons array"},
		{"allowed with a deny", map[string]any{"allowed": true, "reasons": []any{deny}}, "allowed=true but 1 reasons deny"},
		{"denied without a deny", map[string]any{"allowed": false, "reasons": []any{}}, "allowed=false but 0 reasons deny"},
		{"bad effect", map[string]any{"allowed": true, "reasons": []any{map[string]any{"id": "X", "effect": "maybe"}}}, `effect "maybe"`},
	}
	for _, tc := range cases {
		if _, err := decisionFromValue(tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestConcurrentDecideAndReload runs decisions while the inventory and the
// rulebook are replaced; under -race it proves readers never see half a state.
func TestConcurrentDecideAndReload(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	good := e.Revision()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := e.Decide(context.Background(), []byte(startStoppedServer), FormatJSON, DecideOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				if d.Rulebook.Revision != good {
					t.Errorf("revision %s was never a good rulebook", d.Rulebook.Revision)
					return
				}
			}
		}()
	}
	broken := policyFS(t, map[string]string{"rules/broken.rego": "package imgadmit.rules\nx :="})
	for i := range 10 {
		if i%2 == 0 {
			_ = e.SetRulebook(context.Background(), broken)
		}
		if err := e.SetInventory(context.Background(), map[string]any{}); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
