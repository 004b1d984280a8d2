package sidecar

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/fixtures/hostile"
)

// realRulebook is a harness Config change: the embedded rulebook, as
// `imgadmit serve` runs it, instead of the small test rulebook.
func realRulebook(c *Config) { c.Policies = "" }

// TestHostileCorpus sends every case of the bad-input corpus
// (fixtures/hostile) to the real handler: POST /v1/admit as sent, the OPA
// endpoint as {"input": case}, and PUT /v1/data/inventory. Each is a 4xx
// with {"code","message","errors"} that says where the problem is; then the
// server still answers health checks and decisions, and the decision log
// holds exactly the decisions answered.
func TestHostileCorpus(t *testing.T) {
	// The inventory's own limit (512 MiB by default) down to the others',
	// so that the corpus's bodies over the limit are over it there too.
	h := newHarness(t, func(c *Config) { realRulebook(c); c.MaxInventoryBody = DefaultMaxBody })
	ct := map[string]string{"Content-Type": jsonCT}
	for _, c := range hostile.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Bug != "" {
				t.Skip("bug: " + c.Bug)
			}
			h.t = t
			body, err := c.Body()
			if err != nil {
				t.Fatal(err)
			}
			want := c.WantHTTP()
			admit := h.do("POST", PathAdmit, ct, string(body))
			ae := checkHostile(t, "admit", admit, want, "")

			// The OPA endpoint: the same error, pointing into the body sent.
			opa := h.do("POST", PathOPADecide, ct, `{"input":`+string(body)+`}`)
			oe := checkHostileShape(t, "opa", opa, want.Status)
			if oe.Code != ae.Code {
				t.Errorf("opa: code %s, admit %s", oe.Code, ae.Code)
			}
			if want.Status == 400 && json.Valid(body) && !hasDuplicateOrBadUTF8(c) {
				// The input member is the case as sent: the evaluator sees
				// the same document, and the pointers gain /input.
				wantErrs := make([]evaluator.FieldError, len(ae.Errors))
				for i, fe := range ae.Errors {
					fe.Pointer = inputPointer + fe.Pointer
					wantErrs[i] = fe
				}
				if oe.Message != ae.Message || !slices.Equal(oe.Errors, wantErrs) {
					t.Errorf("opa: %+v\nwant the admit error under /input: %+v", oe, ae)
				}
			}
			for _, fe := range oe.Errors {
				if !strings.HasPrefix(fe.Pointer, inputPointer) {
					t.Errorf("opa: pointer %q is not under /input", fe.Pointer)
				}
			}

			// As an inventory: never applied, never a 5xx.
			inv := h.do("PUT", PathInventory, ct, string(body))
			ie := checkHostileShape(t, "inventory", inv, want.Status)
			if want.Status == 400 && ie.Code != evaluator.CodeInvalidInventory {
				t.Errorf("inventory: code %s, want invalid_inventory", ie.Code)
			}
		})
	}
	h.t = t
	check(t, h.do("GET", PathHealth, nil, ""), 200, ct, `{"status":"ok"}`)
	if got := h.do("GET", PathReady, nil, ""); got.status != 200 || !strings.Contains(got.body, `"status":"ready"`) || !strings.Contains(got.body, `"source":"none"`) {
		t.Errorf("ready after the corpus: %d %s", got.status, got.body)
	}
	got := h.post(PathAdmit, `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"bk-1"}}`)
	if got.status != 200 || !strings.Contains(got.body, `"id":"CBR-004"`) {
		t.Fatalf("a decision after the corpus: %d %s", got.status, got.body)
	}
	if lines := h.dlog.lines(); len(lines) != 1 || !strings.Contains(lines[0], decisionID(t, got.body)) {
		t.Errorf("decision log after the corpus holds %d lines, want the one decision", len(lines))
	}
	m := h.do("GET", PathMetrics, nil, "").body
	if strings.Contains(m, `outcome="internal"`) || !strings.Contains(m, "imgadmit_decisions_total{outcome=\"fail_closed\"} 0\n") ||
		!strings.Contains(m, "imgadmit_inventory_updates_total{result=\"success\"} 0\n") {
		t.Errorf("metrics: an internal error, a fail-closed decision or an inventory applied:\n%s", grepLines(m, "imgadmit_"))
	}
	t.Logf("%d cases, each through /v1/admit, the OPA endpoint and PUT /v1/data/inventory", len(hostile.Cases))
}

// hasDuplicateOrBadUTF8: cases the OPA endpoint's envelope parser sees
// differently from a request body (json.Valid accepts them).
func hasDuplicateOrBadUTF8(c hostile.Case) bool {
	return strings.HasPrefix(c.Name, "dup-") || strings.HasPrefix(c.Name, "utf8-")
}

// checkHostile checks an answer against the case's expected error.
func checkHostile(t *testing.T, what string, got reply, want hostile.Want, prefix string) APIError {
	t.Helper()
	e := checkHostileShape(t, what, got, want.Status)
	if e.Code != want.Code || !strings.Contains(e.Message, want.Message) {
		t.Errorf("%s: code %q message %q, want %q containing %q", what, e.Code, e.Message, want.Code, want.Message)
	}
	if want.Field == "" {
		if len(e.Errors) != 0 {
			t.Errorf("%s: field errors %+v, want none", what, e.Errors)
		}
		return e
	}
	for _, fe := range e.Errors {
		if fe.Pointer == prefix+want.Pointer && strings.Contains(fe.Message, want.Field) {
			return e
		}
	}
	t.Errorf("%s: no field error at %q with %q in %+v", what, prefix+want.Pointer, want.Field, e.Errors)
	return e
}

// checkHostileShape: the status, and a body that is exactly an APIError.
func checkHostileShape(t *testing.T, what string, got reply, status int) APIError {
	t.Helper()
	if got.status != status {
		t.Errorf("%s: status %d, want %d: %.300s", what, got.status, status, got.body)
	}
	var e APIError
	dec := json.NewDecoder(strings.NewReader(got.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Code == "" || e.Message == "" || e.Errors == nil {
		t.Errorf("%s: not a {code, message, errors} body (%v): %.300s", what, err, got.body)
	}
	if got.header.Get("Content-Type") != jsonCT {
		t.Errorf("%s: Content-Type %q", what, got.header.Get("Content-Type"))
	}
	for _, fe := range e.Errors {
		if fe.Message == "" || (fe.Pointer != "" && fe.Pointer[0] != '/') {
			t.Errorf("%s: field error %+v", what, fe)
		}
	}
	return e
}

// TestOPAEndpointMessagePlace: on the OPA endpoint, a position the message
// names (not only a field error's line) is in the body the client sent.
// Today the evaluator's message counts from the start of the input member:
// this invalid byte is on line 4 of the body, and the answer says line 1.
// handleOPADecision adds lineOffset to field errors' lines only.
func TestOPAEndpointMessagePlace(t *testing.T) {
	t.Skip("bug: sidecar/handlers.go handleOPADecision offsets field error lines but not the line in a message (invalid UTF-8 at line N, column C): it counts from the input member, not the body; remove this skip with the fix")
	h := newHarness(t, nil)
	got := h.post(PathOPADecide, "{\n\"input\":\n\n{\"provider\": \"huaweicloud\xff\"}}")
	check(t, got, 400, nil, `{"code":"invalid_request","message":"input: invalid UTF-8 at line 4, column 26","errors":[]}`)
}
