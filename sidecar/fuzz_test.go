package sidecar

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Fuzz targets of the sidecar, on the embedded rulebook (FuzzAdmit in
// handlers_test.go runs the small test rulebook). `go test` runs their seed
// corpora; `make fuzz` runs each with -fuzz.

// lastLine counts the decision log's lines and keeps the last one, without
// keeping the whole log in memory for a long fuzz run.
type lastLine struct {
	mu   sync.Mutex
	n    int
	last string
	torn bool // a Write that was not exactly one line
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := string(p)
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		l.torn = true
	}
	l.n++
	l.last = strings.TrimSuffix(s, "\n")
	return len(p), nil
}

func (l *lastLine) get() (int, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n, l.last, l.torn
}

// fixtureBodies is every JSON request fixture under ../fixtures/requests,
// every call document under ../fixtures/calls, and the hostile corpus's JSON
// files.
func fixtureBodies(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{filepath.Join("..", "fixtures", "requests"), filepath.Join("..", "fixtures", "calls"), filepath.Join("..", "fixtures", "hostile")} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
				return err
			}
			b, err := os.ReadFile(p)
			out = append(out, string(b))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	if len(out) < 150 {
		t.Fatalf("only %d seed bodies", len(out))
	}
	return out
}

// FuzzDecisionEndpoints: whatever the body, /v1/admit and the OPA endpoint
// answer a consistent decision (200, logged once, whole) or a 400
// invalid_request whose field errors point into the body; never a 5xx.
// wrap sends the body to the OPA endpoint as {"input": body}; otherwise as
// it is, so the fuzzer also shapes the envelope.
func FuzzDecisionEndpoints(f *testing.F) {
	for _, b := range fixtureBodies(f) {
		f.Add(b, true)
	}
	f.Add(`{"input":{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"b"}},"input2":1}`, false)
	f.Add(`{"x":[],"input":{}}`, false)
	log := &lastLine{}
	h := newHarness(f, func(c *Config) { realRulebook(c); c.DecisionLogWriter = log })
	revision := h.s.eval.Load().Revision()
	f.Fuzz(func(t *testing.T, body string, wrap bool) {
		h.t = t
		opaBody := body
		if wrap {
			opaBody = `{"input":` + body + `}`
		}
		for _, tc := range []struct{ path, body, prefix string }{
			{PathAdmit, body, ""},
			{PathOPADecide, opaBody, inputPointer},
		} {
			before, _, _ := log.get()
			got := h.post(tc.path, tc.body)
			after, line, torn := log.get()
			switch got.status {
			case 200:
				var d evaluator.Decision
				if tc.path == PathOPADecide {
					var r struct {
						DecisionID string              `json:"decision_id"`
						Result     *evaluator.Decision `json:"result"`
					}
					if err := json.Unmarshal([]byte(got.body), &r); err != nil || r.Result == nil || r.DecisionID != r.Result.DecisionID {
						t.Fatalf("%s: %v: %s", tc.path, err, got.body)
					}
					d = *r.Result
				} else if err := json.Unmarshal([]byte(got.body), &d); err != nil {
					t.Fatalf("%s: %v: %s", tc.path, err, got.body)
				}
				denies := 0
				for _, r := range d.Reasons {
					if r.Effect == evaluator.EffectDeny {
						denies++
					}
					if r.ID == evaluator.FailClosedID {
						t.Errorf("%s: fail-closed decision for %q: %s", tc.path, tc.body, got.body)
					}
				}
				if d.Allowed != (denies == 0) || d.Rulebook.Revision != revision || d.DecisionID == "" {
					t.Errorf("%s: inconsistent decision %s", tc.path, got.body)
				}
				var rec Record
				if after != before+1 || torn || json.Unmarshal([]byte(line), &rec) != nil || rec.DecisionID != d.DecisionID || rec.Endpoint != tc.path || rec.Revision != revision {
					t.Errorf("%s: decision log %d -> %d lines (torn %v), last %.300s", tc.path, before, after, torn, line)
				}
			case 400:
				e := checkHostileShape(t, tc.path, got, 400)
				if e.Code != evaluator.CodeInvalidRequest {
					t.Errorf("%s: code %s", tc.path, e.Code)
				}
				for _, fe := range e.Errors {
					// On the OPA endpoint, "" is the envelope itself.
					if !strings.HasPrefix(fe.Pointer, tc.prefix) && fe.Pointer != "" {
						t.Errorf("%s: pointer %q outside %q", tc.path, fe.Pointer, tc.prefix)
					}
				}
				if after != before {
					t.Errorf("%s: a 400 was logged as a decision", tc.path)
				}
			default:
				t.Errorf("%s %q: status %d: %s", tc.path, tc.body, got.status, got.body)
			}
		}
	})
}

// FuzzPutInventory: whatever the body, PUT /v1/data/inventory answers 204
// (applied) or 400 invalid_inventory with field errors (the previous
// inventory kept), never a 5xx; and a decision after it is still a
// decision, made with the inventory the answer said is serving.
func FuzzPutInventory(f *testing.F) {
	f.Add(`{}`)
	f.Add(`{"resources":{"backups":{"bk-7f3a":{"resource_type":"server","status":"available","includes_system_disk":true,"image_id":null,"shared":false}}}}`)
	f.Add(`{"settings":{"missing_facts":"warn","trust_request_facts":false,"full_ecs_cross_region_regions":["cn-north-4"],"image_tag_policy":{"required_keys":["env"],"allowed_values":{"env":["prod"]}}}}`)
	for _, b := range fixtureBodies(f) {
		var req map[string]any
		if json.Unmarshal([]byte(b), &req) == nil && req["resources"] != nil {
			inv, _ := json.Marshal(map[string]any{"resources": req["resources"]})
			f.Add(string(inv))
		}
	}
	h := newHarness(f, realRulebook)
	// The inventory says bk-7f3a backs up a disk: IMS-FE-001 denies this
	// request, which claims a server backup. A fuzzed inventory may change
	// that; a refused one must not.
	const known = `{"resources":{"backups":{"bk-7f3a":{"resource_type":"disk","status":"available","includes_system_disk":true,"image_id":null,"shared":false}}}}`
	const req = `{"provider":"huaweicloud","operation":"image.create","region":"cn-north-4","params":{"name":"web","image_type":"full_ecs",` +
		`"source":{"type":"cbr_backup","id":"bk-7f3a"},"agree_disclaimer":true},"resources":{"backups":{"bk-7f3a":{"resource_type":"server"}}}}`
	ct := map[string]string{"Content-Type": jsonCT}
	f.Fuzz(func(t *testing.T, body string) {
		h.t = t
		if got := h.do("PUT", PathInventory, ct, known); got.status != 204 {
			t.Fatalf("reset: %d %s", got.status, got.body)
		}
		got := h.do("PUT", PathInventory, ct, body)
		switch got.status {
		case 204:
			if got.body != "" {
				t.Errorf("204 with a body: %q", got.body)
			}
		case 400:
			if e := checkHostileShape(t, "inventory", got, 400); e.Code != evaluator.CodeInvalidInventory {
				t.Errorf("code %s", e.Code)
			}
		default:
			t.Fatalf("%q: status %d: %s", body, got.status, got.body)
		}
		d := h.post(PathAdmit, req)
		if d.status != 200 || strings.Contains(d.body, `"id":"`+evaluator.FailClosedID+`"`) {
			t.Fatalf("decision after inventory %q: %d %s", body, d.status, d.body)
		}
		if got.status == 400 && !strings.Contains(d.body, `"id":"IMS-FE-001","effect":"deny"`) {
			t.Errorf("a refused inventory changed the decision: %s", d.body)
		}
	})
}

// FuzzInputMember: whatever the body, inputMember finds the input member
// that encoding/json finds, as the very bytes of the body, at the line it
// says; or refuses a body encoding/json refuses, or one naming input twice
// (encoding/json would take the last).
func FuzzInputMember(f *testing.F) {
	for _, b := range []string{
		`{"input":{"a":1}}`,
		` { "x" : [1, {"y": "}"}], "input" : "s" , "z": null } `,
		"{\n\"meta\": {\"k\": \"v\\\"}\"},\n\n  \"input\":\n  [1, 2, {\"input\": 3}]\n}",
		`{"input":1,"input":2}`,
		`{"\u0069nput":{}}`,
		`{"inp\"ut":{}, "input": true}`,
		`{"x":1}`,
		`{}`,
		`[]`,
		`"input"`,
		`{"input":{}} trailing`,
		`{"input":-1.5e3,"b":false}`,
		`{"a":"\\","input":"\\\\"}`,
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		raw := []byte(body)
		gotIn, gotLine, gotErr := inputMember(raw)
		var members map[string]json.RawMessage
		valid := json.Valid(raw) && json.Unmarshal(raw, &members) == nil && members != nil
		switch {
		case gotErr != nil && gotErr.Message == "malformed request":
			if !valid || strings.Count(body, "input") < 2 {
				t.Fatalf("body %q: refused as input twice: %+v", body, gotErr)
			}
		case gotErr != nil:
			if valid && members["input"] != nil {
				t.Fatalf("body %q: refused (%+v), but encoding/json reads input %s", body, gotErr, members["input"])
			}
		default:
			if !valid || !bytes.Equal(gotIn, members["input"]) {
				t.Fatalf("body %q: input %q, encoding/json reads %q (valid %v)", body, gotIn, members["input"], valid)
			}
			at := cap(raw) - cap(gotIn) // gotIn is a slice of raw
			if want := bytes.Count(raw[:at], []byte{'\n'}); gotLine != want {
				t.Fatalf("body %q: input at line offset %d, want %d", body, gotLine, want)
			}
		}
	})
}
