package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestRecordLineIsEncodingJSON holds the hand-built decision log line equal,
// byte for byte, to what encoding/json writes for the same Record: the line
// is a public format, and the shortcut must not change it.
func TestRecordLineIsEncodingJSON(t *testing.T) {
	started := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)
	deny := &evaluator.Decision{
		DecisionID: "4f6c1c2e-0d7b-4c4e-9d3e-2f9a1b0c8d7e", Provider: "huaweicloud", Operation: "image.create",
		Reasons: []evaluator.Reason{{
			ID: "IMS-FE-001", Effect: "deny", Category: "constraint",
			Message:     `backup "b<1>" & more: a "quoted" \ name, tab	here, é, ✓, line` + "\u2028" + "end\x01",
			Remediation: "Use <this> & that", Source: "seed",
		}},
		Rulebook: evaluator.Rulebook{Revision: "sha256:abc", Rules: 50},
	}
	allow := &evaluator.Decision{DecisionID: "id-2", Allowed: true, Provider: "alibabacloud", Operation: "snapshot.delete"}
	for _, tc := range []struct {
		name  string
		input string
		d     *evaluator.Decision
		cause error
	}{
		{"compact input, denied", `{"provider":"huaweicloud","operation":"image.create"}`, deny, nil},
		{"pretty input with odd spacing and escapes", "{\n  \"provider\" : \"huaweicloud\",\r\n\t\"params\": {\"name\": \"a<b>&c \\u00e9 \\\"q\\\"\"},\n  \"n\": [1, 2.50, -3e2 ]\n}\n", deny, nil},
		{"allowed, no reasons", `{"provider":"alibabacloud"}`, allow, nil},
		{"failed closed, with an error", `{"provider":"huaweicloud"}`, deny, errors.New(`evaluation stopped: "context deadline exceeded" <x> & é`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecord(PathOPADecide, "127.0.0.1:54321", []byte(tc.input), DefaultDecisionLogMaxInput, tc.d, started, started.Add(123456*time.Nanosecond), tc.cause)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rec); err != nil {
				t.Fatal(err)
			}
			result, err := json.Marshal(tc.d)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rec.appendLine(nil, result)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("line differs from encoding/json:\n got %s\nwant %s", got, want.Bytes())
			}
		})
	}
}

func TestAppendLineRefusesInputThatIsNotJSON(t *testing.T) {
	rec := newRecord(PathAdmit, "", []byte(`{"provider":`), DefaultDecisionLogMaxInput, &evaluator.Decision{DecisionID: "x"}, time.Now(), time.Now(), nil)
	if _, err := rec.appendLine(nil, []byte(`{}`)); err == nil {
		t.Fatal("appendLine accepted an input that is not JSON")
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain-ascii 0123 ~!@#$%^&*()_+{}[]|:;'<>,.?/", `q"uote`, `back\slash`, "nl\ncr\rtab\t", "\x00\x1f\x7f", "é✓", "\u2028\u2029", "bad utf8 \xff\xfe"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("appendJSONString(%q) = %s; want x%s", s, got, want.Bytes())
		}
	}
}
