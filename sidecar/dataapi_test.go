package sidecar

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// dataInventory is an inventory with an object, an array and a key that
// needs percent-encoding in a path.
const dataInventory = `{"resources":{"backups":{"bk-1":{"status":"available"},"bk/2":{"status":"deleting"}},` +
	`"images":{"img-1":{"snapshot_ids":["a","b"],"status":"active"}}},"settings":{"missing_facts":"warn"}}`

// TestDataAPIGet reads the inventory back, whole and below, as OPA's Data
// API answers: {"result": value}, {} where there is nothing, the revision
// as the ETag.
func TestDataAPIGet(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Identities = writeIdentities(t, testIdentities()) })
	if got := h.do("PUT", PathInventory, bearer(tokCMDB), dataInventory); got.status != 204 {
		t.Fatalf("PUT: %d %s", got.status, got.body)
	}
	tag := etag(h.s.eval.Load().InventoryRevision())
	ok := map[string]string{"Content-Type": jsonCT, "ETag": tag}
	cases := []struct {
		name, path, token string
		status            int
		header            map[string]string
		want              string
	}{
		{"whole", PathInventory, tokCMDB, 200, ok, `{"result":` + dataInventory + `}`},
		{"an object", PathInventory + "/resources/images", tokCMDB, 200, ok, `{"result":{"img-1":{"snapshot_ids":["a","b"],"status":"active"}}}`},
		{"a string", PathInventory + "/resources/images/img-1/status", tokCMDB, 200, ok, `{"result":"active"}`},
		{"an array element", PathInventory + "/resources/images/img-1/snapshot_ids/1", tokCMDB, 200, ok, `{"result":"b"}`},
		{"percent-decoded", PathInventory + "/resources/backups/bk%2F2/status", tokCMDB, 200, ok, `{"result":"deleting"}`},
		{"missing member", PathInventory + "/resources/images/img-9", tokCMDB, 200, ok, `{}`},
		{"below a string", PathInventory + "/resources/images/img-1/status/x", tokCMDB, 200, ok, `{}`},
		{"index out of range", PathInventory + "/resources/images/img-1/snapshot_ids/2", tokCMDB, 200, ok, `{}`},
		{"index not a number", PathInventory + "/resources/images/img-1/snapshot_ids/x1", tokCMDB, 200, ok, `{}`},
		// As OPA's storage reads an index (util.Atoi): a leading zero is the number.
		{"index with a leading zero", PathInventory + "/resources/images/img-1/snapshot_ids/01", tokCMDB, 200, ok, `{"result":"b"}`},
		{"pretty", PathInventory + "/settings?pretty=true", tokCMDB, 200, ok, "{\n  \"result\": {\n    \"missing_facts\": \"warn\"\n  }\n}"},
		{"trailing slash", PathInventory + "/", tokCMDB, 404, map[string]string{"Content-Type": jsonCT},
			`{"code":"not_found","message":"no endpoint at /v1/data/inventory/; the endpoints are /v1/admit, /v1/data/imgadmit/decision, /v1/data/inventory, /v1/rules, /health, /health/ready, /metrics","errors":[]}`},
		{"decide role", PathInventory + "/resources", tokPipe, 403, map[string]string{"Content-Type": jsonCT, "ETag": ""},
			`{"code":"forbidden","message":"identity \"image-pipeline\" does not have the role inventory that GET /v1/data/inventory/resources needs","errors":[]}`},
		{"no token", PathInventory, "", 401, map[string]string{"Content-Type": jsonCT, "ETag": ""},
			`{"code":"unauthorized","message":"a valid bearer token is required: Authorization: Bearer <token>","errors":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdr map[string]string
			if tc.token != "" {
				hdr = bearer(tc.token)
			}
			check(t, h.do("GET", tc.path, hdr, ""), tc.status, tc.header, tc.want)
		})
	}
}

// TestDataAPIWrites runs PUT, PATCH and DELETE, on the inventory and below
// it, one after the other on one server: each step's whole answer, then
// the whole inventory a GET reads after it (the last good one after a
// refused change).
func TestDataAPIWrites(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Identities = writeIdentities(t, testIdentities()) })
	patchCT := map[string]string{"Content-Type": "application/json-patch+json", "Authorization": "Bearer " + tokCMDB}
	inv := PathInventory
	const (
		start   = `{"resources":{"backups":{"bk-1":{"status":"available"},"bk/2":{"status":"deleting"}},"images":{"img-1":{"snapshot_ids":["a","b"],"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		withImg = `{"resources":{"backups":{"bk-1":{"status":"available"},"bk/2":{"status":"deleting"}},"images":{"img-1":{"snapshot_ids":["a","b"],"status":"active"},"img-2":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		patched = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-3":{"status":"available"},"bk/2":{"status":"deleting"}},"images":{"img-1":{"snapshot_ids":["a","b","c"],"status":"active"},"img-2":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		deleted = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-3":{"status":"available"}},"images":{"img-1":{"snapshot_ids":["a","b","c"],"status":"active"},"img-2":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		made    = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-3":{"status":"available"}},"images":{"img-1":{"snapshot_ids":["a","b","c"],"status":"active"},"img-2":{"status":"active"}}},"settings":{"missing_facts":"warn","trust_request_facts":false}}`
	)
	steps := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		want               string // the answer's body
		after              string // the whole inventory after
	}{
		{"put the whole", "PUT", inv, bearer(tokCMDB), start, 204, "", start},
		{"put a member", "PUT", inv + "/resources/images/img-2", bearer(tokCMDB), `{"status":"active"}`, 204, "", withImg},
		{"put an invalid member", "PUT", inv + "/resources/images/img-3", bearer(tokCMDB), `{"colour":"red"}`, 400,
			`{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[{"pointer":"/resources/images/img-3/colour","message":"unknown property \"colour\"; allowed: backup_id, encrypted_with_default_key, from_shared_backup, image_type, is_copied, members, owner_project_id, region, replica_of_region, snapshot_ids, source_instance_id, status, visibility"}]}`, withImg},
		{"put a cloud response below", "PUT", inv + "/resources", bearer(tokCMDB), `{"images":[]}`, 400,
			`{"code":"invalid_inventory","message":"the body is a cloud's describe or list response: PUT it to /v1/data/inventory, the whole inventory, not below it","errors":[]}`, withImg},
		{"put malformed", "PUT", inv + "/resources/images/img-3", bearer(tokCMDB), `{"status":`, 400,
			`{"code":"invalid_inventory","message":"malformed JSON: the document ends early at line 1, column 11","errors":[]}`, withImg},
		{"patch", "PATCH", inv + "/resources", patchCT,
			`[{"op":"replace","path":"/backups/bk-1/status","value":"deleting"},{"op":"add","path":"/backups/bk-3","value":{"status":"available"}},{"op":"add","path":"/images/img-1/snapshot_ids/-","value":"c"}]`,
			204, "", patched},
		{"patch that makes it invalid", "PATCH", inv, patchCT, `[{"op":"replace","path":"/settings/missing_facts","value":"shrug"}]`, 400,
			`{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[{"pointer":"/settings/missing_facts","message":"value must be one of \"deny\", \"warn\", but got \"shrug\""}]}`, patched},
		{"patch half of which fails", "PATCH", inv, patchCT,
			`[{"op":"remove","path":"/resources/backups/bk-1"},{"op":"remove","path":"/resources/backups/bk-9"}]`, 404,
			`{"code":"resource_not_found","message":"nothing at /resources/backups/bk-9 in the inventory","errors":[]}`, patched},
		{"patch move", "PATCH", inv, patchCT, `[{"op":"move","from":"/settings","path":"/x"}]`, 400,
			`{"code":"invalid_request","message":"invalid JSON Patch","errors":[{"pointer":"/0","message":"op \"move\" is not one of add, remove, replace"}]}`, patched},
		{"patch not an array", "PATCH", inv, patchCT, `{"op":"remove","path":"/settings"}`, 400,
			`{"code":"invalid_request","message":"the body must be a JSON Patch: an array of {\"op\", \"path\", \"value\"}","errors":[]}`, patched},
		{"patch add without a value", "PATCH", inv, patchCT, `[{"op":"add","path":"/settings/trust_request_facts"}]`, 400,
			`{"code":"invalid_request","message":"invalid JSON Patch","errors":[{"pointer":"/0","message":"add needs a value"}]}`, patched},
		{"delete percent-encoded", "DELETE", inv + "/resources/backups/bk%2F2", bearer(tokCMDB), "", 204, "", deleted},
		{"delete nothing", "DELETE", inv + "/resources/backups/bk%2F2", bearer(tokCMDB), "", 404,
			`{"code":"resource_not_found","message":"nothing at /resources/backups/bk~12 in the inventory","errors":[]}`, deleted},
		{"put makes parents", "PUT", inv + "/settings/trust_request_facts", bearer(tokCMDB), `false`, 204, "", made},
		{"decide role", "DELETE", inv, bearer(tokPipe), "", 403,
			`{"code":"forbidden","message":"identity \"image-pipeline\" does not have the role inventory that DELETE /v1/data/inventory needs","errors":[]}`, made},
		{"stale If-Match", "DELETE", inv, map[string]string{"Authorization": "Bearer " + tokCMDB, "If-Match": `"sha256:0"`}, "", 412,
			`{"code":"precondition_failed","message":"the inventory changed: its ETag is \"REV\", not \"sha256:0\"; read it again and retry","errors":[]}`, made},
		{"delete the whole", "DELETE", inv, bearer(tokCMDB), "", 204, "", `{}`},
	}
	for _, st := range steps {
		before := h.s.eval.Load().InventoryRevision()
		got := h.do(st.method, st.path, st.header, st.body)
		after := h.s.eval.Load().InventoryRevision()
		wantHeader := map[string]string{"ETag": ""}
		if st.status == 204 {
			wantHeader["ETag"] = etag(after)
		} else if after != before {
			t.Errorf("%s: refused (%d), but the inventory changed", st.name, st.status)
		}
		if st.want != "" {
			wantHeader["Content-Type"] = jsonCT
		}
		t.Run(st.name, func(t *testing.T) {
			check(t, got, st.status, wantHeader, st.want)
			check(t, h.do("GET", inv, bearer(tokCMDB), ""), 200, map[string]string{"ETag": etag(after)}, `{"result":`+st.after+`}`)
		})
	}
	// The change is in the decision log, with its request.
	var last map[string]any
	for _, ev := range loggedEvents(t, h) {
		if ev["event"] == eventInventory {
			last = ev
		}
	}
	if last["method"] != "DELETE" || last["path"] != inv || last["requested_by"] != "cmdb-sync" || last["revision"] != h.s.eval.Load().InventoryRevision() {
		t.Errorf("the last change logged as %v", last)
	}
	// Counted: the changes made and refused (a body that does not parse is
	// refused before it is a change, as on PUT), every path below the
	// inventory under its endpoint.
	metrics := h.do("GET", PathMetrics, bearer(tokCMDB), "").body
	for _, want := range []string{
		`imgadmit_inventory_updates_total{result="success"} 6`,
		`imgadmit_inventory_updates_total{result="failure"} 5`,
		`imgadmit_http_requests_total{endpoint="/v1/data/inventory",outcome="precondition_failed"} 1`,
		`imgadmit_http_requests_total{endpoint="/v1/data/inventory",outcome="resource_not_found"} 2`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDataAPIIfMatch: a write whose If-Match is the ETag a GET read is made;
// the next with the same (now stale) ETag is 412 and changes nothing.
func TestDataAPIIfMatch(t *testing.T) {
	h := newHarness(t, nil)
	tag := h.do("GET", PathInventory, nil, "").header.Get("ETag")
	put := func() reply {
		return h.do("PUT", PathInventory+"/resources/backups/bk-1", map[string]string{"Content-Type": jsonCT, "If-Match": tag}, `{"status":"available"}`)
	}
	first := put()
	check(t, first, 204, map[string]string{"ETag": etag(h.s.eval.Load().InventoryRevision())}, "")
	check(t, put(), 412, map[string]string{"ETag": ""},
		`{"code":"precondition_failed","message":"the inventory changed: its ETag is \"REV\", not \"REV\"; read it again and retry","errors":[]}`)
	check(t, h.do("PUT", PathInventory+"/resources/backups/bk-2", map[string]string{"Content-Type": jsonCT, "If-Match": "*"}, `{}`), 204, nil, "")
	check(t, h.do("GET", PathInventory+"/resources/backups", nil, ""), 200, nil, `{"result":{"bk-1":{"status":"available"},"bk-2":{}}}`)
}

// TestDataAPIConcurrentWriters: writers patching at once, half of them with
// If-Match and retrying on 412, lose no change; every answer is 204 or 412.
func TestDataAPIConcurrentWriters(t *testing.T) {
	h := newHarness(t, nil)
	check(t, h.post(PathInventory+"/x", ""), 405, nil, `{"code":"method_not_allowed","message":"/v1/data/inventory/x does not take POST; it takes GET, HEAD, PUT, PATCH, DELETE","errors":[]}`)
	check(t, h.do("PUT", PathInventory, map[string]string{"Content-Type": jsonCT}, `{"resources":{"backups":{}}}`), 204, nil, "")
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan string, writers*100)
	for i := range writers {
		wg.Go(func() {
			body := fmt.Sprintf(`[{"op":"add","path":"/bk-%d","value":{"status":"available"}}]`, i)
			for range 100 {
				hdr := map[string]string{"Content-Type": "application/json-patch+json"}
				if i%2 == 0 {
					hdr["If-Match"] = send(t, h.ts.Client(), "GET", h.ts.URL+PathInventory, nil, "").header.Get("ETag")
				}
				got := send(t, h.ts.Client(), "PATCH", h.ts.URL+PathInventory+"/resources/backups", hdr, body)
				if got.status == 204 {
					return
				}
				if got.status != 412 {
					errs <- fmt.Sprintf("writer %d: %d %s", i, got.status, got.body)
					return
				}
			}
			errs <- fmt.Sprintf("writer %d never got its change in", i)
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	got := h.do("GET", PathInventory+"/resources/backups", nil, "")
	var v struct{ Result map[string]any }
	if err := json.Unmarshal([]byte(got.body), &v); err != nil || len(v.Result) != writers {
		t.Errorf("after %d writers: %s", writers, got.body)
	}
}

// TestEditCopies: a change copies what it changes and leaves the inventory
// it was made to as it was, for the decisions still reading it.
func TestEditCopies(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"a": map[string]any{"b": []any{"x", "y"}, "c": "d"}, "e": map[string]any{}}
	}
	orig := doc()
	cases := []struct {
		name string
		path []string
		kind editKind
		want string
	}{
		{"put", []string{"a", "c"}, editPut, `{"a":{"b":["x","y"],"c":1},"e":{}}`},
		{"put makes parents", []string{"f", "g"}, editPut, `{"a":{"b":["x","y"],"c":"d"},"e":{},"f":{"g":1}}`},
		{"add inserts", []string{"a", "b", "0"}, editAdd, `{"a":{"b":[1,"x","y"],"c":"d"},"e":{}}`},
		{"add appends", []string{"a", "b", "-"}, editAdd, `{"a":{"b":["x","y",1],"c":"d"},"e":{}}`},
		{"replace an element", []string{"a", "b", "1"}, editReplace, `{"a":{"b":["x",1],"c":"d"},"e":{}}`},
		{"remove an element", []string{"a", "b", "0"}, editRemove, `{"a":{"b":["y"],"c":"d"},"e":{}}`},
		{"remove a member", []string{"a"}, editRemove, `{"e":{}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := edit(orig, tc.path, tc.kind, 1)
			if err != nil {
				t.Fatal(err)
			}
			if g := string(mustEncode(got)); g != tc.want+"\n" {
				t.Errorf("got %s want %s", g, tc.want)
			}
			if g, w := string(mustEncode(orig)), string(mustEncode(doc())); g != w {
				t.Errorf("the original changed: %s", g)
			}
		})
	}
	for _, path := range [][]string{{"a", "b", "2"}, {"a", "x"}, {"a", "c", "d"}, {"x", "y"}} {
		if _, err := edit(orig, path, editReplace, 1); err == nil {
			t.Errorf("replace at %v: no error", path)
		}
	}
}

// TestDataAPIPutAsOPA: a PUT answers as OPA's does where the two could
// differ: If-None-Match "*" (304 when there is a value at the path, the
// inventory itself always being one; made when there is none), a tag in
// If-None-Match (304 when it is the inventory's ETag), and a path the
// inventory cannot hold (404 resource_conflict). Each step's whole answer,
// then the whole inventory after it.
func TestDataAPIPutAsOPA(t *testing.T) {
	h := newHarness(t, nil)
	inv := PathInventory
	const (
		start = `{"resources":{"images":{"img-1":{"snapshot_ids":["a"],"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		added = `{"resources":{"images":{"img-1":{"snapshot_ids":["a"],"status":"active"},"img-2":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
	)
	noneMatch := func(tags string) map[string]string {
		return map[string]string{"Content-Type": jsonCT, "If-None-Match": tags}
	}
	conflict := func(at string) string {
		return `{"code":"resource_conflict","message":"cannot put a value at ` + at + `: the inventory has no object, nor an array with that index, to hold it","errors":[]}`
	}
	if got := h.do("PUT", inv, map[string]string{"Content-Type": jsonCT}, start); got.status != 204 {
		t.Fatalf("PUT: %d %s", got.status, got.body)
	}
	steps := []struct {
		name, path string
		header     map[string]string
		body       string
		status     int
		want       string
		after      string
	}{
		{"if-none-match * on the inventory", inv, noneMatch("*"), `{}`, 304, "", start},
		{"if-none-match * on a value there", inv + "/resources/images/img-1", noneMatch("*"), `{"status":"deleted"}`, 304, "", start},
		{"if-none-match * on nothing", inv + "/resources/images/img-2", noneMatch("*"), `{"status":"active"}`, 204, "", added},
		{"if-none-match the ETag", inv + "/resources/images/img-2", noneMatch(`"x", ETAG`), `{"status":"deleted"}`, 304, "", added},
		{"if-none-match a stale ETag", inv + "/resources/images/img-2", noneMatch(`W/"sha256:0"`), `{"status":"active"}`, 204, "", added},
		{"below a string", inv + "/settings/missing_facts/x", nil, `"y"`, 404, conflict("/settings/missing_facts/x"), added},
		{"at an index the array does not have", inv + "/resources/images/img-1/snapshot_ids/1", nil, `"b"`, 404, conflict("/resources/images/img-1/snapshot_ids/1"), added},
		{"at - of an array", inv + "/resources/images/img-1/snapshot_ids/-", nil, `"b"`, 404, conflict("/resources/images/img-1/snapshot_ids/-"), added},
	}
	for _, st := range steps {
		before := h.s.eval.Load().InventoryRevision()
		if tags := st.header["If-None-Match"]; strings.Contains(tags, "ETAG") {
			st.header["If-None-Match"] = strings.ReplaceAll(tags, "ETAG", etag(before))
		}
		got := h.do("PUT", st.path, st.header, st.body)
		after := h.s.eval.Load().InventoryRevision()
		wantHeader := map[string]string{"ETag": ""}
		switch st.status {
		case 204:
			wantHeader["ETag"] = etag(after)
		case 304:
			wantHeader["ETag"] = etag(before)
		}
		if st.status != 204 && after != before {
			t.Errorf("%s: not made (%d), but the inventory changed", st.name, st.status)
		}
		t.Run(st.name, func(t *testing.T) {
			check(t, got, st.status, wantHeader, st.want)
			check(t, h.do("GET", inv, nil, ""), 200, map[string]string{"ETag": etag(after)}, `{"result":`+st.after+`}`)
		})
	}
}
