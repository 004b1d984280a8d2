package sidecar

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestRecordLine pins the decision log line, a public format: its members
// in order, the input compacted as sent (escapes kept), the decision as
// answered (HTML characters escaped, as Decision.MarshalJSON writes them),
// everything else as written, on one line.
func TestRecordLine(t *testing.T) {
	started := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)
	deny := &evaluator.Decision{
		DecisionID: "4f6c", Provider: "huaweicloud", Operation: "image.create",
		Reasons: []evaluator.Reason{{
			ID: "IMS-FE-001", Effect: "deny", Category: "constraint",
			Message: `backup "b<1>" & é` + "\u2028" + "end\x01", Source: "seed",
		}},
		Rulebook: evaluator.Rulebook{Revision: "sha256:abc", Rules: 50},
	}
	allow := &evaluator.Decision{DecisionID: "id-2", Allowed: true, Provider: "alibabacloud", Operation: "snapshot.delete"}
	const denyJSON = `{"allowed":false,"decision_id":"4f6c","provider":"huaweicloud","operation":"image.create","reasons":[{"id":"IMS-FE-001","effect":"deny","category":"constraint","message":"backup \"b\u003c1\u003e\" \u0026 é\u2028end\u0001","source":"seed"}],"rulebook":{"revision":"sha256:abc","rules":50}}`
	// OPA's members first (labels and metrics are the server's to fill),
	// then imgadmit's.
	head := `{"event":"decision","labels":null,"decision_id":"%s","path":"imgadmit/decision"`
	mid := `,"requested_by":"","timestamp":"2026-11-24T05:00:00.000123456Z","endpoint":"/v1/data/imgadmit/decision","remote_addr":"127.0.0.1:54321"`
	for _, tc := range []struct {
		name  string
		input string
		d     *evaluator.Decision
		cause error
		want  string
	}{
		{"compact input, denied", `{"provider":"huaweicloud"}`, deny, nil,
			fmt.Sprintf(head, "4f6c") + `,"input":{"provider":"huaweicloud"},"result":` + denyJSON + mid + `,"revision":"sha256:abc","latency_ns":123456}` + "\n"},
		{"pretty input with escapes", "{\n  \"provider\" : \"a<b>&c \\u00e9\",\r\n\t\"n\": [1, 2.50 ]\n}\n", allow, nil,
			fmt.Sprintf(head, "id-2") + `,"input":{"provider":"a<b>&c \u00e9","n":[1,2.50]},"result":{"allowed":true,"decision_id":"id-2","provider":"alibabacloud","operation":"snapshot.delete","reasons":[],"rulebook":{"revision":"","rules":0}}` + mid + `,"revision":"","latency_ns":123456}` + "\n"},
		{"failed closed, with an error", `{}`, deny, errors.New(`stopped: "deadline" <x> & é`),
			fmt.Sprintf(head, "4f6c") + `,"input":{},"result":` + denyJSON + mid + `,"revision":"sha256:abc","latency_ns":123456,"error":"stopped: \"deadline\" <x> & é"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecord(PathOPADecide, "127.0.0.1:54321", []byte(tc.input), DefaultDecisionLogMaxInput, tc.d, mustEncode(tc.d), started, started.Add(123456*time.Nanosecond), tc.cause)
			got, err := encode(rec)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("line:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRecordLineRefusesInputThatIsNotJSON(t *testing.T) {
	rec := newRecord(PathAdmit, "", []byte(`{"provider":`), DefaultDecisionLogMaxInput, &evaluator.Decision{DecisionID: "x"}, []byte(`{}`), time.Now(), time.Now(), nil)
	if _, err := encode(rec); err == nil {
		t.Fatal("encode accepted an input that is not JSON")
	}
}
