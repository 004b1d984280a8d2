package sidecar

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// The appenders must write exactly what encode (encoding/json) writes: the
// decision log's readers and the answer's clients see no difference.

var appendStrings = []string{
	"",
	"plain ascii",
	`a "quote" and a \ backslash`,
	"\b\f\n\r\t",
	"\x00\x01\x1f\x7f",
	"<html> & 'quotes'",
	"line\u2028and\u2029paragraph",
	"not utf-8: \xff\xfe, cut: \xe2\x80",
	"é, 日本語, 😀",
	"/v1/data/imgadmit/decision",
}

func TestAppendString(t *testing.T) {
	for _, s := range appendStrings {
		want := strings.TrimSuffix(string(mustEncode(s)), "\n")
		if got := string(appendString(nil, s)); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range appendStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.TrimSuffix(string(mustEncode(s)), "\n")
		if got := string(appendString([]byte("x"), s)); got != "x"+want {
			t.Fatalf("appendString(%q) = %s, want x%s", s, got, want)
		}
	})
}

func TestAppendLine(t *testing.T) {
	decision := encodeDecision(&evaluator.Decision{Allowed: false, DecisionID: "d-1", Provider: "huaweicloud", Operation: "image.delete",
		Reasons: []evaluator.Reason{{ID: "IMS-IMG-001", Effect: "deny", Category: "c", Message: "an <image> & its \"backup\"", Source: "s"}}})
	full := &Record{
		Event: eventDecision, Labels: map[string]string{"version": "1.22.2", "id": "i-1", "imgadmit_version": "dev", "zone": "a\tb"},
		DecisionID: "d-1", Bundles: map[string]bundleRevision{"rules": {Revision: "r2"}, "extra": {Revision: "r\u20281"}},
		Path: decisionPath, Input: json.RawMessage("{\n  \"provider\": \"huaweicloud\",\n  \"params\": {\"name\": \"a b\\n<c>\"}\n}\n"),
		Result: decision, RequestedBy: "ci", Timestamp: "2026-11-30T15:00:00.123456789Z",
		Metrics: timers{timerHandler: 12345, timerInputParse: 10, timerQueryEval: 9000},
		recordAdditions: recordAdditions{Endpoint: PathOPADecide, RemoteAddr: "127.0.0.1:5555", ProjectID: "p1",
			Revision: "sha256:abc", LatencyNS: 12345, Error: "evaluation stopped: \"deadline\""},
	}
	for _, tc := range []struct {
		name string
		rec  *Record
	}{
		{"every member", full},
		{"the fewest members", &Record{Event: eventDecision, Result: decision}},
		{"no result", &Record{Event: eventDecision, Labels: map[string]string{}}},
		{"an input over the limit", &Record{Event: eventDecision, Labels: map[string]string{"id": "x"}, Result: decision, Metrics: timers{},
			recordAdditions: recordAdditions{InputSHA256: strings.Repeat("ab", 32), InputBytes: 70000, LatencyNS: -1}}},
		{"a compact input with a space in a string", &Record{Event: eventDecision, Input: json.RawMessage(`{"a":[1,2.5e3,true,null,"x y"]}`), Result: decision}},
		{"a compact input", &Record{Event: eventDecision, Input: json.RawMessage(`{"a":[1,2.5e3,true,null,"x\u0020y\n"],"b":{}}`), Result: decision}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := encode(tc.rec)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.rec.appendLine([]byte("kept:"))
			if err != nil || string(got) != "kept:"+string(want) {
				t.Fatalf("appendLine:\n got %s (err %v)\nwant kept:%s", got, err, want)
			}
		})
	}
	// An input that is not JSON and needs compacting fails as encode does.
	// (One without whitespace is appended as it is: the evaluator decoded
	// every input that reaches a line.)
	bad := &Record{Event: eventDecision, Input: json.RawMessage(`{"a": `), Result: decision}
	if _, err := encode(bad); err == nil {
		t.Fatal("encode took an input that is not JSON")
	}
	if got, err := bad.appendLine(nil); err == nil {
		t.Fatalf("appendLine took an input that is not JSON: %s", got)
	}
}

func TestEncodeDecision(t *testing.T) {
	decisions := []*evaluator.Decision{
		{Allowed: true, DecisionID: "d", Provider: "alibabacloud", Operation: "image.copy"},
		{Allowed: true, DecisionID: "d", Reasons: []evaluator.Reason{}},
		{Allowed: false, DecisionID: "d2", Provider: "huaweicloud", Operation: "image.create",
			Reasons:  []evaluator.Reason{{ID: "X", Effect: "deny", Category: "c", Message: "<&>\u2028\xff", Remediation: "r", Source: "s", Enforcement: "deny"}},
			Rulebook: evaluator.Rulebook{Revision: "rev", Rules: 42}},
		{Allowed: true, Reasons: []evaluator.Reason{{ID: "W", Effect: "waived", Waiver: &evaluator.Waiver{Rule: "W", Expires: "2027-01-01"}}}},
		{Allowed: true, Call: &evaluator.Call{Service: "ims", Name: "CreateImage"}, Requests: []map[string]any{{"operation": "image.create"}}},
	}
	// And every decision of the fixture mix, real API calls included.
	s := newBenchServer(t)
	e := s.eval.Load()
	for _, dir := range []string{"requests", "calls"} {
		reqs, files, err := loadgen.Requests(filepath.Join("..", "fixtures", dir))
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range reqs {
			req, err := e.ParseRequest(raw, evaluator.FormatJSON)
			if err != nil {
				continue // the invalid fixtures
			}
			d, err := e.DecideRequest(context.Background(), req, evaluator.DecideOptions{})
			if err != nil {
				t.Fatalf("%s: %v", files[i], err)
			}
			decisions = append(decisions, d)
		}
	}
	for _, d := range decisions {
		if got, want := string(encodeDecision(d)), string(mustEncode(d)); got != want {
			t.Errorf("encodeDecision:\n got %s\nwant %s", got, want)
		}
	}
	if len(decisions) < 100 {
		t.Errorf("only %d decisions compared", len(decisions))
	}
}

func TestDataAnswerEncode(t *testing.T) {
	result := mustEncode(map[string]any{"allowed": true, "message": "<ok>"})
	for _, tc := range []struct {
		name string
		a    dataAnswer
	}{
		{"decision", dataAnswer{DecisionID: "d-1", Result: result}},
		{"with metrics", dataAnswer{DecisionID: "d-1", Result: result, Metrics: timers{timerHandler: 5, timerQueryEval: 3, timerInputParse: 1}}},
		{"no decision id", dataAnswer{Result: result}},
		{"no result", dataAnswer{DecisionID: "d-1"}},
		{"nothing", dataAnswer{}},
		{"provenance", dataAnswer{DecisionID: "d-1", Result: result, Provenance: &provenance{Version: "v", Revision: "r"}}},
		{"explanation", dataAnswer{DecisionID: "d-1", Result: result, Explanation: json.RawMessage(`["a", "b"]`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := string(tc.a.encode()), string(mustEncode(tc.a)); got != want {
				t.Errorf("encode:\n got %s\nwant %s", got, want)
			}
		})
	}
}
