package sidecar

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
)

// fleetInventory is an inventory of n backups (bk-1 being deleted), the
// size of which the test picks with n.
func fleetInventory(n int) string {
	var b strings.Builder
	b.WriteString(`{"settings":{"missing_facts":"warn"},"resources":{"backups":{"bk-1":{"status":"deleting"}`)
	for i := range n {
		fmt.Fprintf(&b, `,"bk-%06d":{"status":"available","resource_id":"srv-%06d"}`, i, i)
	}
	b.WriteString(`}}}`)
	return b.String()
}

// chunked is a body whose length the client does not know: it is sent
// chunked, without Content-Length.
type chunked struct{ io.Reader }

func (h *harness) doReader(method, path string, header map[string]string, body io.Reader) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestPutWholeInventoryLimits: a whole inventory has its own limit,
// --max-inventory-body, however the body is sent; over it is 413 naming
// the flag, and the inventory serving stays.
func TestPutWholeInventoryLimits(t *testing.T) {
	const maxBody, maxInv = 1 << 10, 64 << 10
	h := newHarness(t, func(c *Config) { c.MaxBody, c.MaxInventoryBody = maxBody, maxInv })
	json := map[string]string{"Content-Type": jsonCT}
	gz := map[string]string{"Content-Type": jsonCT, "Content-Encoding": "gzip"}
	under, over := fleetInventory(200), fleetInventory(2000)
	if len(under) <= maxBody || len(under) >= maxInv || len(over) <= maxInv {
		t.Fatalf("sizes %d and %d do not straddle the limits", len(under), len(over))
	}
	// A resource so long that the limit falls inside it, the stream in the
	// middle of a value when the reader fails.
	longValue := `{"resources":{"backups":{"bk-1":{"status":"` + strings.Repeat("a", maxInv) + `"}}}}`
	tooLarge := fmt.Sprintf(`{"code":"request_too_large","message":"the body is larger than the limit of %d bytes (--max-inventory-body)","errors":[]}`, maxInv)

	if got := h.do("PUT", PathInventory, json, under); got.status != 204 {
		t.Fatalf("PUT %d bytes: %d %s", len(under), got.status, got.body)
	}
	served := h.s.eval.Load().InventoryRevision()
	// Decisions use it: bk-1 is being deleted.
	if got := h.post(PathAdmit, reqDelete); !strings.Contains(got.body, `"TEST-003"`) {
		t.Fatalf("the decision does not use the inventory PUT: %s", got.body)
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   io.Reader
	}{
		{"with Content-Length", json, strings.NewReader(over)},
		{"chunked", json, chunked{strings.NewReader(over)}},
		{"chunked, the limit inside a value", json, chunked{strings.NewReader(longValue)}},
		{"gzip, decompressed over", gz, strings.NewReader(gzipped(over))},
		{"gzip chunked, decompressed over", gz, chunked{strings.NewReader(gzipped(over))}},
		{"gzip, the limit inside a value", gz, chunked{strings.NewReader(gzipped(longValue))}},
		{"YAML, chunked", map[string]string{"Content-Type": "application/yaml"}, chunked{strings.NewReader(over)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, h.doReader("PUT", PathInventory, tc.header, tc.body), 413, map[string]string{"Content-Type": jsonCT}, tooLarge)
			if h.s.eval.Load().InventoryRevision() != served {
				t.Errorf("a refused PUT changed the inventory")
			}
		})
	}
	// Below the inventory, a body over --max-body is read too.
	var ids string
	for i := range maxBody / 16 {
		ids += fmt.Sprintf(`"snap-%010d",`, i)
	}
	if got := h.do("PUT", PathInventory+"/resources/images/img-2", json, `{"snapshot_ids":[`+ids+`"snap-1"]}`); got.status != 204 {
		t.Errorf("PUT below, over --max-body: %d %s", got.status, got.body)
	}
	// Gzip under the limit decompressed.
	if got := h.do("PUT", PathInventory, gz, gzipped(under)); got.status != 204 || h.s.eval.Load().InventoryRevision() != served {
		t.Errorf("PUT gzip: %d %s", got.status, got.body)
	}
}

// TestPutWholeInventoryFormats: YAML and a cloud's describe response are
// read whole and serve as ParseInventory makes them; the decision log's
// event has the body's digest and size, streamed or not.
func TestPutWholeInventoryFormats(t *testing.T) {
	h := newHarness(t, nil)
	response, err := os.ReadFile(filepath.Join("..", "fixtures", "responses", "huaweicloud", "cbr-list-backups.json"))
	if err != nil {
		t.Fatal(err)
	}
	const yamlInv = "settings:\n  missing_facts: warn\nresources:\n  backups:\n    bk-1: {status: deleting}\n"
	for _, tc := range []struct {
		name, ct, body string
		format         evaluator.Format
	}{
		{"JSON, streamed", jsonCT, fleetInventory(50), evaluator.FormatJSON},
		{"YAML", "application/yaml", yamlInv, evaluator.FormatYAML},
		{"a cloud's response", jsonCT, string(response), evaluator.FormatJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do("PUT", PathInventory, map[string]string{"Content-Type": tc.ct}, tc.body)
			if got.status != 204 {
				t.Fatalf("PUT: %d %s", got.status, got.body)
			}
			doc, err := cloudfacts.ParseInventory([]byte(tc.body), tc.format, "", "")
			if err != nil {
				t.Fatal(err)
			}
			want, err := evaluator.FactsOf(doc)
			if err != nil {
				t.Fatal(err)
			}
			if rev := h.s.eval.Load().InventoryRevision(); rev != want.Revision() || got.header.Get("ETag") != etag(rev) {
				t.Errorf("revision %s (ETag %s), want %s", rev, got.header.Get("ETag"), want.Revision())
			}
			wantJSON, _, _ := want.AppendJSON(nil, nil)
			check(t, h.do("GET", PathInventory, nil, ""), 200, nil, `{"result":`+string(wantJSON)+`}`)
			events := loggedEvents(t, h)
			ev := events[len(events)-1]
			sum := sha256.Sum256([]byte(tc.body))
			if ev["event"] != eventInventory || ev["sha256"] != hex.EncodeToString(sum[:]) || ev["bytes"] != float64(len(tc.body)) {
				t.Errorf("event %v, want sha256 %x and %d bytes", ev, sum, len(tc.body))
			}
		})
	}
}

// TestInventoryEdits makes edits below resources/<kind>/<id> (which touch
// only the resources they name) and edits that reach more, one after the
// other on one server: after each, the whole inventory (a GET), its
// revision (that of the same document PUT whole to another server) and the
// decision on bk-1.
func TestInventoryEdits(t *testing.T) {
	h := newHarness(t, nil)
	whole := newHarness(t, nil) // each step's document PUT whole
	jsonH := map[string]string{"Content-Type": jsonCT}
	patchH := map[string]string{"Content-Type": "application/json-patch+json"}
	inv := PathInventory
	const (
		start    = `{"resources":{"backups":{"bk-1":{"status":"available"},"bk-2":{"status":"available"}},"images":{"img-1":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		deleting = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-2":{"status":"available"}},"images":{"img-1":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		noStatus = `{"resources":{"backups":{"bk-1":{},"bk-2":{"status":"available"}},"images":{"img-1":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		withDisk = `{"resources":{"backups":{"bk-1":{},"bk-2":{"status":"available"}},"disks":{"d-1":{"region":"cn-north-4"}},"images":{"img-1":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
		emptyKnd = `{"resources":{"backups":{"bk-1":{},"bk-2":{"status":"available"}},"disks":{"d-1":{"region":"cn-north-4"}},"images":{"img-1":{"status":"active"}},"snapshots":{}},"settings":{"missing_facts":"warn"}}`
		settings = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-2":{"status":"available"}},"disks":{"d-1":{"region":"cn-north-4"}},"images":{"img-1":{"status":"active"}},"snapshots":{}},"settings":{"missing_facts":"deny"}}`
		bk2Gone  = `{"resources":{"backups":{"bk-1":{"status":"deleting"}},"disks":{"d-1":{"region":"cn-north-4"}},"images":{"img-1":{"status":"active"}},"snapshots":{}},"settings":{"missing_facts":"deny"}}`
		bk3      = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-3":{"status":"available"}},"disks":{"d-1":{"region":"cn-north-4"}},"images":{"img-1":{"status":"active"}},"snapshots":{}},"settings":{"missing_facts":"deny"}}`
		kindGone = `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-3":{"status":"available"}},"images":{"img-1":{"status":"active"}},"snapshots":{}},"settings":{"missing_facts":"deny"}}`
	)
	denied := []string{"TEST-003", "TEST-002"}
	allowed := []string{"TEST-002"}
	steps := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		after              string
		reasons            []string
	}{
		{"put the whole", "PUT", inv, jsonH, start, 204, start, allowed},
		{"put a resource", "PUT", inv + "/resources/backups/bk-1", jsonH, `{"status":"deleting"}`, 204, deleting, denied},
		{"put a resource's field", "PUT", inv + "/resources/backups/bk-1/status", jsonH, `"available"`, 204,
			strings.Replace(deleting, `"bk-1":{"status":"deleting"}`, `"bk-1":{"status":"available"}`, 1), allowed},
		{"delete a resource's field", "DELETE", inv + "/resources/backups/bk-1/status", nil, "", 204, noStatus, allowed},
		{"delete a field that is not there", "DELETE", inv + "/resources/backups/bk-1/status", nil, "", 404, noStatus, allowed},
		{"delete a resource that is not there", "DELETE", inv + "/resources/backups/bk-9", nil, "", 404, noStatus, allowed},
		{"put in a kind the inventory lacks", "PUT", inv + "/resources/disks/d-1", jsonH, `{"region":"cn-north-4"}`, 204, withDisk, allowed},
		// A patch adds no parents (RFC 6902), as OPA's: a resource of a kind
		// the inventory lacks is added by a PUT, or its kind first.
		{"patch: add in an absent kind", "PATCH", inv, patchH,
			`[{"op":"add","path":"/resources/snapshots/s-1","value":{}}]`, 404, withDisk, allowed},
		{"patch: add an empty kind, then add and remove in it", "PATCH", inv, patchH,
			`[{"op":"add","path":"/resources/snapshots","value":{}},{"op":"add","path":"/resources/snapshots/s-1","value":{}},{"op":"remove","path":"/resources/snapshots/s-1"}]`, 204, emptyKnd, allowed},
		{"patch: add and remove in an empty kind", "PATCH", inv, patchH,
			`[{"op":"add","path":"/resources/snapshots/s-1","value":{}},{"op":"remove","path":"/resources/snapshots/s-1"}]`, 204, emptyKnd, allowed},
		{"patch: settings and a resource at once", "PATCH", inv, patchH,
			`[{"op":"replace","path":"/settings/missing_facts","value":"deny"},{"op":"add","path":"/resources/backups/bk-1/status","value":"deleting"}]`, 204, settings, denied},
		{"patch below a resource, from its path", "PATCH", inv + "/resources/backups/bk-2", patchH,
			`[{"op":"remove","path":""}]`, 204, bk2Gone, denied},
		{"put a bad resource", "PUT", inv + "/resources/backups/bk-3", jsonH, `{"status":3}`, 400, bk2Gone, denied},
		{"patch: a bad resource beside a good one", "PATCH", inv, patchH,
			`[{"op":"add","path":"/resources/backups/bk-3","value":{"status":"available"}},{"op":"add","path":"/resources/backups/bk-4","value":{"size":1}}]`, 400, bk2Gone, denied},
		{"If-None-Match * on a resource there", "PUT", inv + "/resources/backups/bk-1", map[string]string{"Content-Type": jsonCT, "If-None-Match": "*"},
			`{"status":"available"}`, 304, bk2Gone, denied},
		{"If-None-Match * on a resource not there", "PUT", inv + "/resources/backups/bk-3", map[string]string{"Content-Type": jsonCT, "If-None-Match": "*"},
			`{"status":"available"}`, 204, bk3, denied},
		{"If-None-Match * on a field not there", "PUT", inv + "/resources/backups/bk-3/resource_id", map[string]string{"Content-Type": jsonCT, "If-None-Match": "*"},
			`"srv-1"`, 204, strings.Replace(bk3, `"bk-3":{"status":"available"}`, `"bk-3":{"resource_id":"srv-1","status":"available"}`, 1), denied},
		{"delete a whole kind", "DELETE", inv + "/resources/disks", nil, "", 204,
			strings.Replace(kindGone, `"bk-3":{"status":"available"}`, `"bk-3":{"resource_id":"srv-1","status":"available"}`, 1), denied},
	}
	for _, st := range steps {
		before := h.s.eval.Load().InventoryRevision()
		got := h.do(st.method, st.path, st.header, st.body)
		after := h.s.eval.Load().InventoryRevision()
		t.Run(st.name, func(t *testing.T) {
			if got.status != st.status {
				t.Fatalf("status %d, want %d: %s", got.status, st.status, got.body)
			}
			if st.status != 204 && after != before {
				t.Errorf("refused (%d), but the inventory changed", st.status)
			}
			check(t, h.do("GET", inv, nil, ""), 200, map[string]string{"ETag": etag(after)}, `{"result":`+st.after+`}`)
			if w := whole.do("PUT", inv, jsonH, st.after); w.status != 204 || w.header.Get("ETag") != etag(after) {
				t.Errorf("the same document PUT whole: %d, ETag %s, not %s", w.status, w.header.Get("ETag"), etag(after))
			}
			var d struct{ Reasons []struct{ ID string } }
			if err := json.Unmarshal([]byte(h.post(PathAdmit, reqDelete).body), &d); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range d.Reasons {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, " ") != strings.Join(st.reasons, " ") {
				t.Errorf("reasons %v, want %v", ids, st.reasons)
			}
		})
	}
	// Reads after the edits: a kind, a resource, a field, as stored.
	for _, tc := range []struct{ path, want string }{
		{"/resources/backups", `{"bk-1":{"status":"deleting"},"bk-3":{"resource_id":"srv-1","status":"available"}}`},
		{"/resources/snapshots", `{}`},
		{"/resources/disks", ``},
		{"/resources/backups/bk-3", `{"resource_id":"srv-1","status":"available"}`},
		{"/resources/backups/bk-3/resource_id", `"srv-1"`},
		{"/resources/backups/bk-2", ``},
		{"/settings", `{"missing_facts":"deny"}`},
	} {
		want := `{}`
		if tc.want != "" {
			want = `{"result":` + tc.want + `}`
		}
		check(t, h.do("GET", inv+tc.path, nil, ""), 200, nil, want)
	}
}

// TestInventoryEditScopedAsWhole: a PATCH whose paths name resources alone
// (edited one by one) leaves the inventory a PATCH reaching a whole kind
// (edited as the whole document) leaves, for the same changes.
func TestInventoryEditScopedAsWhole(t *testing.T) {
	const start = `{"resources":{"backups":{"bk-1":{"status":"available"}},"images":{"img-1":{"status":"active"}}},"settings":{"missing_facts":"warn"}}`
	// Replacing images with what it is changes nothing, but makes the
	// edit reach a whole kind.
	const asWhole = `{"op":"replace","path":"/resources/images","value":{"img-1":{"status":"active"}}}`
	for name, ops := range map[string]string{
		"add then remove in an absent kind": `{"op":"add","path":"/resources/snapshots/s-1","value":{}},{"op":"remove","path":"/resources/snapshots/s-1"}`,
		"add in an absent kind":             `{"op":"add","path":"/resources/disks/d-1","value":{"region":"cn-north-4"}}`,
		"settings and a resource":           `{"op":"add","path":"/settings/trust_request_facts","value":false},{"op":"replace","path":"/resources/backups/bk-1/status","value":"deleting"}`,
		"remove the only resource":          `{"op":"remove","path":"/resources/backups/bk-1"}`,
		"add to an array in a resource":     `{"op":"add","path":"/resources/images/img-1/snapshot_ids","value":["s-1"]},{"op":"add","path":"/resources/images/img-1/snapshot_ids/0","value":"s-0"}`,
	} {
		t.Run(name, func(t *testing.T) {
			scoped, whole := newHarness(t, nil), newHarness(t, nil)
			patch := map[string]string{"Content-Type": "application/json-patch+json"}
			for _, h := range []*harness{scoped, whole} {
				if got := h.do("PUT", PathInventory, nil, start); got.status != 204 {
					t.Fatalf("PUT: %d %s", got.status, got.body)
				}
			}
			a := scoped.do("PATCH", PathInventory, patch, "["+ops+"]")
			b := whole.do("PATCH", PathInventory, patch, "["+asWhole+","+ops+"]")
			if a.status != b.status || a.header.Get("ETag") != b.header.Get("ETag") {
				t.Errorf("scoped: %d %s %s; whole: %d %s %s", a.status, a.header.Get("ETag"), a.body, b.status, b.header.Get("ETag"), b.body)
			}
			if ga, gb := scoped.do("GET", PathInventory, nil, ""), whole.do("GET", PathInventory, nil, ""); ga.body != gb.body {
				t.Errorf("scoped:\n%s\nwhole:\n%s", ga.body, gb.body)
			}
		})
	}
}

// TestInventoryBodyNotSizedByHeader: a client that announces a body of
// hundreds of MiB (under --max-inventory-body) and sends a few bytes does
// not make the server allocate what it announced.
func TestInventoryBodyNotSizedByHeader(t *testing.T) {
	h := newHarness(t, nil)
	const announced = 256 << 20
	r := httptest.NewRequest("PUT", PathInventory+"/resources/backups/bk-1", strings.NewReader(`{"status":"available"}`))
	r.ContentLength = announced
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	body, aerr := h.s.readInventoryBody(httptest.NewRecorder(), r, evaluator.CodeInvalidInventory)
	runtime.ReadMemStats(&after)
	if aerr != nil || string(body) != `{"status":"available"}` {
		t.Fatalf("read %q, %v", body, aerr)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > announced/4 {
		t.Errorf("reading 22 bytes allocated %d MiB: sized by Content-Length", n>>20)
	}
}
