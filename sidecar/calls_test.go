package sidecar

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// callUnknown is a write call imgadmit does not know, pasted with its
// credentials: refused (REQ-003) on both decision paths, and logged without them.
const callUnknown = `{"provider":"huaweicloud","region":"cn-north-4",
 "call":{"method":"POST","path":"/v1/cloudimages/frobnicate",
  "headers":{"X-Project-Id":"` + projectA + `","X-Auth-Token":"secret-token-value"},"body":{}}}`

func TestCallDocuments(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{PathAdmit, PathOPADecide} {
		t.Run(path, func(t *testing.T) {
			body := callUnknown
			if path == PathOPADecide {
				body = `{"input":` + callUnknown + `}`
			}
			got := h.post(path, body)
			if got.status != http.StatusOK {
				t.Fatalf("status %d: %s", got.status, got.body)
			}
			var d evaluator.Decision
			raw := []byte(got.body)
			if path == PathOPADecide {
				var r struct{ Result json.RawMessage }
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
				raw = r.Result
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatalf("%v: %s", err, got.body)
			}
			if d.Allowed || len(d.Reasons) != 1 || d.Reasons[0].ID != "REQ-003" || d.Call == nil || d.Call.Access != evaluator.AccessWrite {
				t.Errorf("decision %s", got.body)
			}
		})
	}
	lines := h.dlog.lines()
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2", len(lines))
	}
	for _, line := range lines {
		var rec Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, "secret-token-value") || !strings.Contains(string(rec.Input), `"X-Auth-Token":"(redacted)"`) ||
			!strings.Contains(string(rec.Input), `"X-Project-Id":"`+projectA+`"`) {
			t.Errorf("the logged input keeps the credential or loses the rest: %s", rec.Input)
		}
	}
}

func TestCallDocumentErrorsPointIntoTheCall(t *testing.T) {
	h := newHarness(t, nil)
	doc := `{"provider":"huaweicloud","operation":"image.create","call":{"method":"GET","path":"/v2/cloudimages"}}`
	check(t, h.post(PathAdmit, doc), http.StatusBadRequest, nil, `{"code":"invalid_request","message":"the GET /v2/cloudimages call cannot be read","errors":[{"pointer":"/operation","message":"a call document says what it does in /call and has no \"operation\": send either a call document or a canonical request (provider, operation, params), not both","line":1}]}`)
	check(t, h.post(PathOPADecide, `{"input":`+doc+`}`), http.StatusBadRequest, nil, `{"code":"invalid_request","message":"the GET /v2/cloudimages call cannot be read","errors":[{"pointer":"/input/operation","message":"a call document says what it does in /call and has no \"operation\": send either a call document or a canonical request (provider, operation, params), not both","line":1}]}`)
}
