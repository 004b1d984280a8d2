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

// TestCallSecretsAreNotLogged: what a call creates may carry secrets of its
// own (a server's password, its user data): the decision log keeps neither,
// in the params form or the raw query form.
func TestCallSecretsAreNotLogged(t *testing.T) {
	h := newHarness(t, nil)
	for _, doc := range []string{
		`{"provider":"alibabacloud","call":{"action":"RunInstances","params":{"RegionId":"cn-hangzhou","ImageId":"m-1","Password":"Sup3rSecret!","UserData":"c2VjcmV0"}}}`,
		`{"provider":"alibabacloud","call":{"action":"RunInstances","query":"RegionId=cn-hangzhou&ImageId=m-1&Password=Sup3rSecret%21&UserData=c2VjcmV0"}}`,
		`{"provider":"huaweicloud","call":{"method":"POST","path":"/v2/` + projectA + `/cloudservers/srv-1/changeos",
		  "body":{"os-change":{"imageid":"img-1","adminpass":"Sup3rSecret!","metadata":{"user_data":"c2VjcmV0"}}}}}`,
		// In an array, under names a JSON pointer would read otherwise, in a
		// read's raw query after '?', in a presigned URL (refused: IMS reads
		// bucket:file, never a URL; the refusal is not logged at all).
		`{"provider":"huaweicloud","call":{"method":"POST","path":"/v1/` + projectA + `/cloudservers/frob","body":{"servers":[{"adminPass":"Sup3rSecret!"}]}}}`,
		`{"provider":"huaweicloud","call":{"method":"POST","path":"/v1/` + projectA + `/cloudservers/frob","body":{"x%41":{"password":"Sup3rSecret!"},"a/b":{"password%41":"c2VjcmV0"}}}}`,
		`{"provider":"alibabacloud","call":{"action":"DescribeImages","query":"?Signature=Sup3rSecret%21&RegionId=cn-hangzhou"}}`,
		`{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST","path":"/v2/cloudimages/action","headers":{"X-Project-Id":"` + projectA + `"},
		  "body":{"name":"web","image_url":"https://b.obs.cn-north-4.myhuaweicloud.com/w.qcow2?AccessKeyId=AK&Signature=Sup3rSecret%21","os_version":"Ubuntu 22.04 server 64bit","min_disk":40}}}`,
	} {
		if got := h.post(PathAdmit, doc); got.status != http.StatusOK && got.status != http.StatusBadRequest {
			t.Fatalf("status %d: %s", got.status, got.body)
		}
	}
	for _, line := range h.dlog.lines() {
		if strings.Contains(line, "Sup3rSecret") || strings.Contains(line, "c2VjcmV0") || !strings.Contains(line, "(redacted)") {
			t.Errorf("a secret is logged: %s", line)
		}
	}
}

// TestCallProjectIsBound: the project a call is made as (the path's
// {project_id}, else X-Project-Id) is held to the caller's identity like a
// request's project_id; a call that names none is decided as the identity's
// one project.
func TestCallProjectIsBound(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Identities = writeIdentities(t, testIdentities()) })
	asPipeline := map[string]string{"Authorization": "Bearer " + tokPipe, "Content-Type": "application/json"}
	deleteBackup := func(project string) string {
		return `{"provider":"huaweicloud","call":{"method":"DELETE","path":"/v3/` + project + `/backups/bk-1"}}`
	}
	deleteImage := func(header string) string {
		return `{"provider":"huaweicloud","call":{"method":"DELETE","path":"/v2/images/img-1"` + header + `}}`
	}
	for _, tc := range []struct {
		name, doc string
		status    int
		project   string
	}{
		{"its own project in the path", deleteBackup(projectA), http.StatusOK, projectA},
		{"another project in the path", deleteBackup(projectB), http.StatusForbidden, ""},
		{"another project in X-Project-Id", deleteImage(`,"headers":{"x-project-id":"` + projectB + `"}`), http.StatusForbidden, ""},
		{"no project: the identity's one", deleteImage(""), http.StatusOK, projectA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do("POST", PathAdmit, asPipeline, tc.doc)
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			if tc.status == http.StatusForbidden {
				if !strings.Contains(got.body, projectB) || !strings.Contains(got.body, "image-pipeline") {
					t.Errorf("the 403 names neither the project nor the identity: %s", got.body)
				}
				return
			}
			var d evaluator.Decision
			if err := json.Unmarshal([]byte(got.body), &d); err != nil {
				t.Fatal(err)
			}
			if len(d.Requests) != 1 || d.Requests[0]["project_id"] != tc.project {
				t.Errorf("decided as %v, want project %s", d.Requests, tc.project)
			}
		})
	}
}
