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
		name              string
		doc               string
		provider          string
		region, project   string
		problems          []string
		resourcesCarried  bool
		redactionPointers []string
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
		{
			name: "secrets of what a call creates, at any depth, in any spelling",
			doc: `{"provider":"huaweicloud","call":{"body":{"server":{"adminPass":"p","name":"web","metadata":{"user_data":"u"},
			  "data_volumes":[{"extendparam":{"x-client-secret":"s"}}]},"os-change":{"adminpass":"p2","keyname":"kp"}},
			  "params":{"Password":"p3","UserData":"u2","PasswordInherit":"true","InstanceId":"i-1"},"query":"Signatur%65=x&ImageId=m"}}`,
			provider: "huaweicloud",
			redactionPointers: []string{"/call/body/server/adminPass", "/call/body/server/metadata/user_data",
				"/call/body/server/data_volumes/0/extendparam/x-client-secret", "/call/body/os-change/adminpass",
				"/call/params/Password", "/call/params/UserData", "/call/params/PasswordInherit", "/call/query"},
		},
		{
			name:              "credentials are found for the log to redact",
			doc:               `{"provider":"huaweicloud","call":{"path":"/v1/x?Signature=abc&a=1","headers":{"X-Auth-Token":"t","authorization":"a","X-Project-Id":"p"},"params":{"SecurityToken":"s","ImageId":"m"},"query":"a=1&Signature=zz"}}`,
			provider:          "huaweicloud",
			redactionPointers: []string{"/call/headers/X-Auth-Token", "/call/headers/authorization", "/call/params/SecurityToken", "/call/path", "/call/query"},
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
			var ptrs []string
			for p := range d.redactions() {
				ptrs = append(ptrs, p)
			}
			if len(ptrs) > 0 || tc.redactionPointers != nil {
				if !sameSet(ptrs, tc.redactionPointers) {
					t.Errorf("redactions %v, want %v", ptrs, tc.redactionPointers)
				}
			}
		})
	}
}

func TestRedactQueryKeepsTheRest(t *testing.T) {
	d := Read(decode(t, `{"provider":"alibabacloud","call":{"action":"DeleteImage","query":"ImageId=m-1&Signature=abc%2B&SecurityToken=tok&Force=false"}}`))
	want := "ImageId=m-1&Signature=(redacted)&SecurityToken=(redacted)&Force=false"
	if got := d.redactions()["/call/query"]; got != want {
		t.Errorf("redacted query %q, want %q", got, want)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
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
