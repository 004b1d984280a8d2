package calldoc

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// problems is the invalid-request error of d as "pointer: message" lines.
func problems(d *Document) []string {
	err := d.Err(evaluator.Call{})
	if err == nil {
		return nil
	}
	var out []string
	for _, fe := range err.(*evaluator.Error).Errors {
		out = append(out, fe.Pointer+": "+fe.Message)
	}
	return out
}

func TestRead(t *testing.T) {
	tests := []struct {
		name             string
		doc              string
		provider         string
		region, project  string
		problems         []string
		resourcesCarried bool
	}{
		{
			name:     "a whole envelope",
			doc:      `{"provider":"huaweicloud","region":"cn-north-4","project_id":"p1","call":{"method":"GET"},"resources":{"images":{}}}`,
			provider: "huaweicloud", region: "cn-north-4", project: "p1", resourcesCarried: true,
		},
		{
			name:     "call and operation together",
			doc:      `{"provider":"huaweicloud","operation":"image.create","params":{},"call":{}}`,
			provider: "huaweicloud",
			problems: []string{
				`/operation: a call document says what it does in /call and has no "operation": send either a call document or a canonical request (provider, operation, params), not both`,
				`/params: a call document says what it does in /call and has no "params": send either a call document or a canonical request (provider, operation, params), not both`,
			},
		},
		{
			name:     "an unknown provider",
			doc:      `{"provider":"aws","call":{}}`,
			provider: "aws",
			problems: []string{`/provider: unknown provider "aws"; known providers: alibabacloud, huaweicloud`},
		},
		{
			name:     "no provider",
			doc:      `{"call":{}}`,
			problems: []string{`/provider: missing required property "provider" (one of alibabacloud, huaweicloud)`},
		},
		{
			name:     "members of the wrong type",
			doc:      `{"provider":7,"region":["x"],"project_id":false,"call":"GET /"}`,
			problems: []string{"/call: call must be an object, but got string", "/project_id: project_id must be a string, but got boolean", "/provider: provider must be a string, but got number", "/region: region must be a string, but got array"},
		},
		{
			name:     "an unknown member",
			doc:      `{"provider":"alibabacloud","call":{},"extra":1}`,
			provider: "alibabacloud",
			problems: []string{`/extra: unknown member "extra"; a call document has: call, project_id, provider, region, resources`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Read(decode(t, tc.doc))
			if d.Provider != tc.provider || d.Region() != tc.region || d.Project() != tc.project || (d.Resources != nil) != tc.resourcesCarried {
				t.Errorf("got provider %q region %q project %q resources %v", d.Provider, d.Region(), d.Project(), d.Resources)
			}
			if got := problems(d); !reflect.DeepEqual(got, tc.problems) {
				t.Errorf("problems\n%q\nwant\n%q", got, tc.problems)
			}
		})
	}
}

// encode is v as compact JSON, '&' as it is.
func encode(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// TestRedact: every secret a call carries is replaced, wherever it is and
// however its name is written, and nothing else is.
func TestRedact(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{
			name: "headers of the call",
			doc:  `{"call":{"headers":{"X-Auth-Token":"s1","authorization":"s2","X-Project-Id":"p","x-obs-security-token":"s3"}}}`,
			want: `{"call":{"headers":{"X-Auth-Token":"(redacted)","X-Project-Id":"p","authorization":"(redacted)","x-obs-security-token":"(redacted)"}}}`,
		},
		{
			name: "a new server's secrets, at any depth, in arrays too",
			doc: `{"call":{"body":{"server":{"adminPass":"s1","name":"web","metadata":{"user_data":"s2"},
			  "data_volumes":[{"extendparam":{"x-client-secret":"s3"}}]},"servers":[{"adminPass":"s4","id":"srv"}],"os-change":{"adminpass":"s5","keyname":"kp"}}}}`,
			want: `{"call":{"body":{"os-change":{"adminpass":"(redacted)","keyname":"kp"},"server":{"adminPass":"(redacted)","data_volumes":[{"extendparam":{"x-client-secret":"(redacted)"}}],"metadata":{"user_data":"(redacted)"},"name":"web"},"servers":[{"adminPass":"(redacted)","id":"srv"}]}}}`,
		},
		{
			name: "a body that is an array, names a pointer would unescape",
			doc:  `{"call":{"body":[{"password":"s1"},{"x%41":{"password%41":"s2"}},{"a/b":{"adminPass":"s3"}}]}}`,
			want: `{"call":{"body":[{"password":"(redacted)"},{"x%41":{"password%41":"(redacted)"}},{"a/b":{"adminPass":"(redacted)"}}]}}`,
		},
		{
			name: "a presigned URL in the body",
			doc:  `{"call":{"body":{"image_url":"https://b.obs.example.com/f.qcow2?AccessKeyId=AK&Expires=1&Signature=s1"}}}`,
			want: `{"call":{"body":{"image_url":"https://b.obs.example.com/f.qcow2?AccessKeyId=AK&Expires=1&Signature=(redacted)"}}}`,
		},
		{
			name: "Alibaba params and raw queries, with a leading ? and escaped names",
			doc:  `{"call":{"params":{"Password":"s1","UserData":"s2","InstanceId":"i-1","SecurityToken":"s3"},"query":"?Signatur%65=s4&ImageId=m&BearerToken=s5"}}`,
			want: `{"call":{"params":{"InstanceId":"i-1","Password":"(redacted)","SecurityToken":"(redacted)","UserData":"(redacted)"},"query":"?Signatur%65=(redacted)&ImageId=m&BearerToken=(redacted)"}}`,
		},
		{
			name: "the query of a path, and of a query object",
			doc:  `{"call":{"path":"/v1/x?X-Amz-Signature=s1&a=1","query":{"token":"s2","limit":"10"}}}`,
			want: `{"call":{"path":"/v1/x?X-Amz-Signature=(redacted)&a=1","query":{"limit":"10","token":"(redacted)"}}}`,
		},
		{
			name: "nothing to redact",
			doc:  `{"call":{"path":"/v2/images/img-1","body":{"delete_backup":true,"url":"https://x/?a=1"}}}`,
			want: `{"call":{"body":{"delete_backup":true,"url":"https://x/?a=1"},"path":"/v2/images/img-1"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := decode(t, tc.doc)
			before := encode(t, doc)
			found := Redact(doc, false)
			if after := encode(t, doc); after != before {
				t.Fatalf("a dry run changed the document: %s", after)
			}
			if Redact(doc, true) != found || found == (tc.name == "nothing to redact") {
				t.Errorf("Redact found %v", found)
			}
			got := encode(t, doc)
			if got != tc.want {
				t.Errorf("redacted\n%s\nwant\n%s", got, tc.want)
			}
			for _, secret := range []string{"s1", "s2", "s3", "s4", "s5"} {
				if strings.Contains(got, "="+secret) || strings.Contains(got, `"`+secret+`"`) {
					t.Errorf("secret %s is left: %s", secret, got)
				}
			}
		})
	}
}

func TestRegionAndProjectConflicts(t *testing.T) {
	d := Read(decode(t, `{"provider":"huaweicloud","region":"cn-north-4","project_id":"p1","call":{}}`))
	d.SetRegion("cn-north-4", "/call/host")
	d.SetProject("p1", "/call/path", "the path's project")
	if d.Failed() {
		t.Fatalf("agreeing sources are a problem: %v", problems(d))
	}
	d.SetRegion("cn-east-3", "/call/host")
	d.SetProject("p2", "/call/headers/X-Project-Id", "X-Project-Id")
	want := []string{
		`/call/headers/X-Project-Id: X-Project-Id "p2" differs from project "p1" at /project_id; a call is made as one project`,
		`/call/host: region "cn-east-3" differs from region "cn-north-4" at /region; a call has one region`,
	}
	if got := problems(d); !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n%q\nwant\n%q", got, want)
	}
	if d.Region() != "cn-north-4" || d.Project() != "p1" {
		t.Errorf("the first source must stand: %q %q", d.Region(), d.Project())
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q        string
		want     map[string]string
		problems []string
	}{
		{q: "", want: map[string]string{}},
		{q: "ImageId=m-1&AddAccount.1=123&Name=a%20b+c", want: map[string]string{"ImageId": "m-1", "AddAccount.1": "123", "Name": "a b c"}},
		{q: "Flag", want: map[string]string{"Flag": ""}},
		{q: "A=1&A=2", problems: []string{`/call/query: query parameter "A" is given twice; a call names each parameter once`}},
		{q: "A=1&&B=2", problems: []string{`/call/query: the query string has an empty parameter (two '&' in a row, or one at an end)`}},
		{q: "=1", problems: []string{`/call/query: the query string has a parameter with no name ("=1")`}},
		{q: "A=%zz", problems: []string{`/call/query: query parameter "A": malformed escape in its value`}},
		{q: "%zz=1", problems: []string{`/call/query: query parameter "%zz": malformed escape in its name`}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			var p Problems
			got, ok := p.ParseQuery(tc.q, "/call/query")
			var msgs []string
			for _, fe := range p.list {
				msgs = append(msgs, fe.Pointer+": "+fe.Message)
			}
			if !reflect.DeepEqual(msgs, tc.problems) || ok != (tc.problems == nil) {
				t.Fatalf("problems %q (ok %v), want %q", msgs, ok, tc.problems)
			}
			if tc.problems == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReaders(t *testing.T) {
	obj := decode(t, `{"s":"x","e":"","n":3,"f":1.5,"b":true,"a":["x",2],"o":{},"null":null}`)
	var p Problems
	if s, ok := p.String(obj, "s", "/s"); s != "x" || !ok {
		t.Errorf("String: %q %v", s, ok)
	}
	if _, ok := p.NonEmpty(obj, "e", "/e"); ok {
		t.Error(`NonEmpty read "" as present`)
	}
	if _, ok := p.String(obj, "null", "/null"); ok {
		t.Error("String read null as present")
	}
	if n, ok := p.Int(obj, "n", "/n"); n != 3 || !ok {
		t.Errorf("Int: %d %v", n, ok)
	}
	if p.Failed() {
		t.Fatalf("good values are problems: %v", p.list)
	}
	p.Int(obj, "f", "/f")
	p.Strings(obj, "a", "/a")
	p.Object(obj, "s", "/s")
	p.Array(obj, "o", "/o")
	want := []evaluator.FieldError{
		{Pointer: "/f", Message: "f must be an integer, but got 1.5"},
		{Pointer: "/a/1", Message: "a[1] must be a string, but got number"},
		{Pointer: "/s", Message: "s must be an object, but got string"},
		{Pointer: "/o", Message: "o must be an array, but got object"},
	}
	if !reflect.DeepEqual(p.list, want) {
		t.Errorf("problems\n%v\nwant\n%v", p.list, want)
	}
}

func TestPart(t *testing.T) {
	d := Read(decode(t, `{"provider":"huaweicloud","region":"cn-north-4","call":{},"resources":{"images":{}}}`))
	d.SetProject("p1", "/call/path", "the path's project")
	p := d.NewPart("image.delete", "/call/body")
	p.Set("image_id", "img-1", "/call/path")
	q := p.Clone()
	q.Set("delete_backup", true, "/call/body/delete_backup")
	tr, err := d.Translation(evaluator.Call{Name: "GlanceDeleteImage", Access: evaluator.AccessWrite}, "image.delete", []*Part{p, q})
	if err != nil {
		t.Fatal(err)
	}
	want := evaluator.Part{
		Request: map[string]any{"provider": "huaweicloud", "operation": "image.delete", "region": "cn-north-4", "project_id": "p1",
			"resources": map[string]any{"images": map[string]any{}}, "params": map[string]any{"image_id": "img-1"}},
		Origins: []evaluator.Origin{{Path: "", From: "/call"}, {Path: "/params", From: "/call/body"}, {Path: "/provider", From: "/provider"},
			{Path: "/region", From: "/region"}, {Path: "/project_id", From: "/call/path"}, {Path: "/resources", From: "/resources"},
			{Path: "/params/image_id", From: "/call/path"}},
	}
	if !reflect.DeepEqual(tr.Parts[0], want) {
		t.Errorf("part\n%#v\nwant\n%#v", tr.Parts[0], want)
	}
	if got := tr.Parts[1].Request["params"]; !reflect.DeepEqual(got, map[string]any{"image_id": "img-1", "delete_backup": true}) {
		t.Errorf("the clone's params: %v", got)
	}
	if tr.ProjectID != "p1" || tr.Operation != "image.delete" || tr.Provider != "huaweicloud" {
		t.Errorf("translation %+v", tr)
	}
}

func TestUnknown(t *testing.T) {
	d := Read(decode(t, `{"provider":"huaweicloud","call":{}}`))
	read, _ := d.Unknown(evaluator.Call{Access: evaluator.AccessRead}, "GET /v2/cloudimages lists images", []string{"A"})
	write, _ := d.Unknown(evaluator.Call{Access: evaluator.AccessWrite}, "POST /v9/x is not a call imgadmit knows", []string{"A (POST /a)", "B (DELETE /b)"})
	if read.Unknown != "" || len(read.Parts) != 0 {
		t.Errorf("a read is refused: %+v", read)
	}
	want := "POST /v9/x is not a call imgadmit knows; a write imgadmit does not know is refused (fail closed). Known calls: A (POST /a); B (DELETE /b)"
	if write.Unknown != want {
		t.Errorf("unknown %q\nwant %q", write.Unknown, want)
	}
}

func TestPointer(t *testing.T) {
	if got := Pointer("/call/params", "a/b", "c~d"); got != "/call/params/a~1b/c~0d" {
		t.Errorf("got %q", got)
	}
}
