package sidecar

import (
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
		{"index not a number", PathInventory + "/resources/images/img-1/snapshot_ids/01", tokCMDB, 200, ok, `{}`},
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
