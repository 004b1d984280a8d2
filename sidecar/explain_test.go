package sidecar

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var updateExplain = flag.Bool("update-explain", false, "rewrite testdata/explain from the current answers")

// TestExplain asks the decision endpoints for every explain mode, with and
// without pretty, and compares each whole answer with
// testdata/explain/<name>.json: OPA's explanation of the test rulebook's
// evaluation (lines under pretty, events otherwise), beside the decision.
func TestExplain(t *testing.T) {
	h := newHarness(t, nil)
	in := `{"input":` + reqExport + `}`
	get := PathOPADecide + "?input=" + url.QueryEscape(reqExport)
	// Raw events carry their local variables in map order: they are
	// compared with their locals sorted. The raw full and debug traces are
	// compared as their events' op, type and query ids, one line each (the
	// nodes are the pretty traces' lines); the rest of the answer whole.
	cases := []struct{ name, method, path string }{
		{"notes", "POST", PathOPADecide + "?explain=notes"},
		{"notes-pretty", "POST", PathOPADecide + "?explain=notes&pretty"},
		{"fails", "POST", PathOPADecide + "?explain=fails"},
		{"fails-pretty", "POST", PathOPADecide + "?explain=fails&pretty"},
		{"full", "POST", PathOPADecide + "?explain=full"},
		{"full-pretty", "POST", PathOPADecide + "?explain=full&pretty"},
		{"debug", "POST", PathOPADecide + "?explain=debug"},
		{"debug-pretty", "POST", PathOPADecide + "?explain=debug&pretty"},
		{"get-full-pretty", "GET", get + "&explain=full&pretty"},
		{"get-fails-metrics-provenance", "GET", get + "&explain=fails&metrics&provenance"},
		{"off", "POST", PathOPADecide + "?explain=off"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" {
				body = in
			}
			got := h.do(tc.method, tc.path, map[string]string{"Content-Type": jsonCT}, body)
			if !strings.Contains(tc.path, "pretty") && !strings.Contains(tc.path, "=off") {
				got.body = canonicalExplanation(t, got.body, strings.Contains(tc.path, "=full") || strings.Contains(tc.path, "=debug"))
			}
			got.body = timerRE.ReplaceAllString(got.body, `"$1":N`)
			golden := filepath.Join("testdata", "explain", tc.name+".json")
			if *updateExplain {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(norm(got.body)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden answer (go test ./sidecar -run TestExplain -update-explain): %v", err)
			}
			check(t, got, 200, nil, strings.TrimSuffix(string(want), "\n"))
			// An explained decision is logged like any other: one line each.
			if n := len(h.dlog.lines()); n != i+1 {
				t.Errorf("%d decision log lines after %d decisions", n, i+1)
			}
		})
	}
	if m := h.do("GET", PathMetrics, nil, "").body; !strings.Contains(m, `imgadmit_decisions_total{outcome="deny"} `+strconv.Itoa(len(cases))+"\n") {
		t.Errorf("explained decisions are not counted:\n%s", m)
	}
}

// TestExplainRefused: a value OPA does not define, explain where nothing is
// evaluated, and explain on /v1/admit (whose answer is the bare decision,
// with no member for an explanation) are each a 400 that says why.
func TestExplainRefused(t *testing.T) {
	h := newHarness(t, nil)
	bad := func(msg string) string {
		return `{"code":"invalid_parameter","message":` + jsonString(msg) + `,"errors":[]}`
	}
	in := `{"input":` + reqExport + `}`
	cases := []struct{ name, method, path, body, want string }{
		{"unknown mode", "POST", PathOPADecide + "?explain=all", in, bad(`the query parameter explain takes notes, fails, full, debug or off, not "all"`)},
		{"empty mode", "POST", PathOPADecide + "?explain", in, bad(`the query parameter explain takes notes, fails, full, debug or off, not ""`)},
		{"one good, one bad", "POST", PathOPADecide + "?explain=full&explain=FULL", in, bad(`the query parameter explain takes notes, fails, full, debug or off, not "FULL"`)},
		{"get unknown mode", "GET", PathOPADecide + "?input=" + url.QueryEscape(reqExport) + "&explain=trace", "", bad(`the query parameter explain takes notes, fails, full, debug or off, not "trace"`)},
		{"admit", "POST", PathAdmit + "?explain=full", reqExport, bad(`unknown query parameter "explain"; POST /v1/admit takes: pretty`)},
		{"inventory", "GET", PathInventory + "?explain=full", "", bad(`explain=full is taken by the decision endpoints (/v1/data/imgadmit/decision); reading the inventory evaluates no rule, so there is nothing to explain`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, h.do(tc.method, tc.path, map[string]string{"Content-Type": jsonCT}, tc.body), 400, nil, tc.want)
		})
	}
	if n := len(h.dlog.lines()); n != 0 {
		t.Errorf("%d decision log lines for refused calls", n)
	}
}

// canonicalExplanation is an answer with its raw explanation's locals
// sorted, or, when short, each event as "op type query_id parent_id".
func canonicalExplanation(t *testing.T, body string, short bool) string {
	t.Helper()
	var a map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, body)
	}
	var events []map[string]any
	if err := json.Unmarshal(a["explanation"], &events); err != nil {
		t.Fatalf("explanation is not OPA's events: %v\n%s", err, a["explanation"])
	}
	var out any = events
	if short {
		lines := make([]string, len(events))
		for i, e := range events {
			lines[i] = fmt.Sprintf("%v %v %v %v", e["op"], e["type"], e["query_id"], e["parent_id"])
		}
		out = lines
	} else {
		for _, e := range events {
			locals, _ := e["locals"].([]any)
			sort.Slice(locals, func(i, j int) bool {
				return fmt.Sprint(locals[i].(map[string]any)["key"]) < fmt.Sprint(locals[j].(map[string]any)["key"])
			})
		}
	}
	x, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	a["explanation"] = x
	// The members in OPA's order, as the answer has them.
	var b strings.Builder
	b.WriteString("{")
	for i, k := range []string{"decision_id", "provenance", "explanation", "metrics", "result"} {
		if v, ok := a[k]; ok {
			if i > 0 && b.Len() > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", k, v)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// TestExplainIsBounded: an explanation past its bounds (trace events, or
// bytes in either encoding) is a 400 naming the decision, which is still
// logged; under the bounds it is answered.
func TestExplainIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name           string
		query          string
		events, nbytes int
		status         int
	}{
		{"within the bounds", "?explain=full", 100_000, 8 << 20, 200},
		{"too many events", "?explain=full", 5, 8 << 20, 400},
		{"too many bytes, events", "?explain=full", 100_000, 2000, 400},
		{"too many bytes, lines", "?explain=full&pretty", 100_000, 500, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(e, b int) { maxExplainEvents, maxExplainBytes = e, b }(maxExplainEvents, maxExplainBytes)
			maxExplainEvents, maxExplainBytes = tc.events, tc.nbytes
			h := newHarness(t, nil)
			got := h.post(PathOPADecide+tc.query, `{"input":`+reqExport+`}`)
			lines := h.dlog.lines()
			if got.status != tc.status || len(lines) != 1 {
				t.Fatalf("status %d (want %d), %d log lines: %s", got.status, tc.status, len(lines), got.body)
			}
			if tc.status == 400 {
				id := decisionIDOfLine(t, lines[0])
				want := fmt.Sprintf(`{"code":"invalid_parameter","message":"explain=full: the explanation is larger than the sidecar answers (%d trace events or %d bytes); decision %s was made and logged: ask for explain=fails or notes, or explain the request with imgadmit eval --explain full","errors":[]}`, tc.events, tc.nbytes, id)
				var compact bytes.Buffer
				if err := json.Compact(&compact, []byte(got.body)); err != nil || compact.String() != want {
					t.Fatalf("got  %s\nwant %s", got.body, want)
				}
			}
		})
	}
}

func decisionIDOfLine(t *testing.T, line string) string {
	t.Helper()
	var rec Record
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	return rec.DecisionID
}
