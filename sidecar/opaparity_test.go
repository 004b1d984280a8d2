package sidecar

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/open-policy-agent/opa/v1/plugins"
	"github.com/open-policy-agent/opa/v1/server"
	"github.com/open-policy-agent/opa/v1/server/types"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/util"
)

// rulebookDir is the shipped rulebook, which both servers load.
const rulebookDir = "../policies"

// newStockOPA is stock OPA's own server, in this process, as `opa run
// --server policies/` with a decision log (so decisions carry an id) and
// the inventory as data.inventory: the rulebook's files are written to an
// inmem store as policies, which compiles them as OPA's runtime does.
func newStockOPA(t *testing.T, inventory string) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	store := inmem.New()
	m, err := plugins.New(nil, "imgadmit-parity", store)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New().WithStore(store).WithManager(m).WithDecisionIDFactory(uuid.NewString).Init(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txn := storage.NewTransactionOrDie(ctx, store, storage.WriteParams)
	err = filepath.WalkDir(rulebookDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".rego" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return store.UpsertPolicy(ctx, txn, p, b)
	})
	if err != nil {
		t.Fatal(err)
	}
	var inv any
	if err := util.UnmarshalJSON([]byte(inventory), &inv); err != nil {
		t.Fatal(err)
	}
	if err := store.Write(ctx, txn, storage.AddOp, storage.MustParsePath("/inventory"), inv); err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, txn); err != nil {
		t.Fatal(err)
	}
	if m.GetCompiler() == nil || len(m.GetCompiler().Modules) == 0 {
		t.Fatal("stock OPA compiled no rulebook")
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(func() {
		ts.Close()
		m.Stop(ctx)
	})
	return ts
}

// Why imgadmit answers a call unlike stock OPA, on purpose. Every call of
// TestDataAPIParity that differs names one of these; any other difference
// fails the test. docs/sidecar.md ("The Data API beside stock OPA") has the
// same table.
var opaDifferences = map[string]string{
	diffSchema: "every change is validated against the inventory schema as a whole (SPEC, The sidecar): " +
		"400 invalid_inventory with pointers, the last good inventory kept; OPA takes any JSON",
	diffCodes: "a malformed body or patch is 400 in both; OPA's code is invalid_parameter for any of them, " +
		"imgadmit's names what was wrong: invalid_request (a request or a patch), invalid_inventory (a PUT body)",
	diffStrictPatch: "a JSON Patch is read as RFC 6902 and 6901 write it: add and replace need a value, a path starts with /; " +
		"OPA reads a missing value as null and a path without / as one",
	diffBodies: "YAML and gzip bodies are read on every endpoint with a body (issue 16); " +
		"OPA reads them on POST /v1/data only, and answers 400 on PUT and PATCH",
	diffMediaType: "a Content-Type other than JSON or YAML is 415 (SPEC, The sidecar); OPA reads any body as JSON",
	diffParams: "a query parameter the endpoint does not take is 400 invalid_parameter, never ignored (SPEC, The sidecar); " +
		"OPA ignores parameters it does not know, and rule_labels (OPA 1.22) is not one imgadmit takes",
	diffETag: "ETag on every read and change, If-Match (412 on a stale one) and If-None-Match tags are imgadmit's additions (SPEC, The sidecar); " +
		"OPA has no ETags and makes the write",
	diffAlwaysInventory: "the inventory always exists: never loaded or deleted, it is {}, one document with one revision (its ETag); " +
		"a GET reads {\"result\":{}} and DELETE of /v1/data/inventory always empties it (204), where OPA's data.inventory is undefined ({}, then 404)",
	diffNoInput: "a decision needs a request (SPEC, The sidecar: {\"input\": request}): no input is 400 invalid_request; " +
		"OPA answers 200 with no result (and a warning on POST)",
	diffInvalidRequest: "a request that fails its schema is 400 invalid_request with pointers (SPEC, The sidecar), " +
		"as on /v1/admit; OPA evaluates it (here the rulebook's REQ-003)",
	diffCleanPath: "a path that is not clean (a trailing /, //, /./) is 404 not_found: one spelling of each document, and no redirect; " +
		"OPA's mux redirects it to the clean path (301 or 307), and a client that follows a 301 turns a PUT or DELETE into a GET",
	diffPutArray: "a PUT at an array index overwrites the element, as OPA's documentation says a PUT does (\"create or overwrite a document\"); " +
		"OPA's store inserts it before the element (JSON Patch add)",
	diffHead: "HEAD is answered as GET is, without the body (net/http); OPA answers 405",
	diffPostInventory: "POST on the inventory is 405 (Allow names the methods): the inventory is data, which no input changes; " +
		"OPA evaluates data.inventory with the input",
	// Differences every call of a kind has; the comparison allows them
	// without a call naming them.
	diffReadNotDecision: "a read of the inventory is not a decision: no decision_id, not in the decision log; " +
		"OPA, with decision logging on, gives every /v1/data read one",
	diffDecisionMembers: "a decision carries decision_id and rulebook (SPEC, The decision), " +
		"which the shipped rulebook cannot give stock OPA; the rest of the result is the same",
	diffProvenance: "provenance carries revision, the rulebook revision (issue 16); OPA fills it only for a legacy bundle",
	diffMetrics: "metrics gives the timers the sidecar measures, by OPA's names, and instrument gives the same: a subset of OPA's " +
		"(OPA adds query compile and cache counters, and instrument's evaluator histograms)",
	diffErrors: "an error's errors member is always there, [] or {pointer, message, line} items; OPA leaves it out " +
		"(its ErrorV1 decodes [] but no items, its own AST errors included)",
	// Not driven here; their own tests cover them.
	diffAuth: "identities and roles (401 unauthorized, 403 forbidden; SPEC, Identity): this OPA runs without authentication " +
		"(TestAuth, TestIdentities)",
	diffExplain: "explain: pending (issue 16, another change)",
}

const (
	diffSchema          = "schema"
	diffCodes           = "codes"
	diffStrictPatch     = "strict patch"
	diffBodies          = "yaml and gzip everywhere"
	diffMediaType       = "media type"
	diffParams          = "parameters"
	diffETag            = "etag"
	diffAlwaysInventory = "inventory always exists"
	diffNoInput         = "no input"
	diffInvalidRequest  = "invalid request"
	diffCleanPath       = "clean paths"
	diffPutArray        = "put at an array index"
	diffHead            = "head"
	diffPostInventory   = "post inventory"
	diffReadNotDecision = "reads are not decisions"
	diffDecisionMembers = "decision members"
	diffProvenance      = "provenance revision"
	diffMetrics         = "metrics subset"
	diffErrors          = "errors member"
	diffAuth            = "auth"
	diffExplain         = "explain"
)

// parityCall is one call sent to both servers, and what stock OPA answers.
type parityCall struct {
	name, method, path string
	header             map[string]string
	body               string
	status             int // stock OPA's status, and imgadmit's unless differs says otherwise
	// Where imgadmit differs on purpose: the reason (opaDifferences), and
	// imgadmit's status and error code where they are not OPA's.
	differs string
	ours    int
	code    string
}

// TestDataAPIParity sends the same calls, one after the other, to stock
// OPA's own server (newStockOPA) and to the sidecar, both with the shipped
// rulebook and the same inventory, and decodes both answers with OPA's
// types: the same status, the same members (decision_id, provenance and its
// members, metrics by name, result, warning) and the same result, the same
// error code. After each call both inventories are read back and must be
// equal: a change is made alike. A call where imgadmit differs on purpose
// names the difference; then both statuses and imgadmit's code are
// asserted, and OPA's inventory is set to imgadmit's if the two parted.
func TestDataAPIParity(t *testing.T) {
	opa := newStockOPA(t, dataInventory)
	// Answers as they are: OPA redirects some paths (diffCleanPath).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	invFile := filepath.Join(t.TempDir(), "inventory.json")
	writeFile(t, invFile, dataInventory)
	h := newHarness(t, func(c *Config) { c.Policies = rulebookDir; c.DataFiles = []string{invFile} })

	inv := PathInventory
	ct := map[string]string{"Content-Type": jsonCT}
	yaml := map[string]string{"Content-Type": "application/x-yaml"}
	gz := map[string]string{"Content-Encoding": "gzip"}
	patchCT := map[string]string{"Content-Type": "application/json-patch+json"}
	const request = `{"provider":"huaweicloud","operation":"backup.delete","params":{"backup_id":"bk-1"}}`
	in := `{"input":` + request + `}`
	get := PathOPADecide + "?input=" + url.QueryEscape(request)

	calls := []parityCall{
		// Reads.
		{name: "GET the inventory", method: "GET", path: inv, status: 200},
		{name: "GET an object below", method: "GET", path: inv + "/resources/images/img-1", status: 200},
		{name: "GET a string", method: "GET", path: inv + "/resources/images/img-1/status", status: 200},
		{name: "GET an array element", method: "GET", path: inv + "/resources/images/img-1/snapshot_ids/1", status: 200},
		{name: "GET a percent-encoded member", method: "GET", path: inv + "/resources/backups/bk%2F2", status: 200},
		{name: "GET a missing member", method: "GET", path: inv + "/resources/images/img-9", status: 200},
		{name: "GET below a missing parent", method: "GET", path: inv + "/nothing/x/y", status: 200},
		{name: "GET below a string", method: "GET", path: inv + "/settings/missing_facts/x", status: 200},
		{name: "GET pretty", method: "GET", path: inv + "/settings?pretty", status: 200},
		{name: "GET pretty=false", method: "GET", path: inv + "/settings?pretty=false", status: 200},
		{name: "GET metrics", method: "GET", path: inv + "/settings?metrics", status: 200},
		{name: "GET metrics=true, nothing there", method: "GET", path: inv + "/nothing?metrics=true", status: 200},
		{name: "GET instrument", method: "GET", path: inv + "/settings?instrument", status: 200},
		{name: "GET provenance", method: "GET", path: inv + "/settings?provenance", status: 200},
		{name: "GET strict-builtin-errors", method: "GET", path: inv + "/settings?strict-builtin-errors", status: 200},
		{name: "GET all of them", method: "GET", path: inv + "/resources?pretty&metrics&provenance&instrument&strict-builtin-errors", status: 200},
		{name: "GET an unknown parameter", method: "GET", path: inv + "?nonsense=1", status: 200, differs: diffParams, ours: 400, code: CodeInvalidParameter},
		{name: "GET rule_labels", method: "GET", path: inv + "?rule_labels", status: 200, differs: diffParams, ours: 400, code: CodeInvalidParameter},
		{name: "GET with a trailing slash", method: "GET", path: inv + "/settings/", status: 301, differs: diffCleanPath, ours: 404, code: CodeNotFound},
		{name: "GET with //", method: "GET", path: inv + "//settings", status: 307, differs: diffCleanPath, ours: 404, code: CodeNotFound},
		{name: "HEAD", method: "HEAD", path: inv, status: 405, differs: diffHead, ours: 200},
		{name: "POST on the inventory", method: "POST", path: inv, header: ct, body: `{"input":{}}`, status: 200, differs: diffPostInventory, ours: 405, code: CodeMethodNotAllowed},

		// PUT.
		{name: "PUT a new member", method: "PUT", path: inv + "/resources/images/img-2", header: ct, body: `{"status":"active"}`, status: 204},
		{name: "PUT with no content type", method: "PUT", path: inv + "/resources/images/img-2", body: `{"status":"deleted"}`, status: 204},
		{name: "PUT metrics", method: "PUT", path: inv + "/resources/images/img-2?metrics", body: `{"status":"active"}`, status: 200},
		{name: "PUT If-None-Match * on a value there", method: "PUT", path: inv + "/resources/images/img-2", header: map[string]string{"If-None-Match": "*"}, body: `{"status":"deleted"}`, status: 304},
		{name: "PUT If-None-Match * on the inventory", method: "PUT", path: inv, header: map[string]string{"If-None-Match": "*"}, body: `{}`, status: 304},
		{name: "PUT If-None-Match * on nothing", method: "PUT", path: inv + "/resources/images/img-3", header: map[string]string{"If-None-Match": "*"}, body: `{"status":"active"}`, status: 204},
		{name: "PUT below missing parents", method: "PUT", path: inv + "/resources/servers/srv-1", body: `{"status":"ACTIVE"}`, status: 204},
		{name: "PUT a percent-encoded member", method: "PUT", path: inv + "/resources/backups/bk%2F3", body: `{"status":"available"}`, status: 204},
		{name: "PUT an array element", method: "PUT", path: inv + "/resources/images/img-1/snapshot_ids/0", body: `"z"`, status: 204, differs: diffPutArray},
		{name: "PUT at an index the array does not have", method: "PUT", path: inv + "/resources/images/img-1/snapshot_ids/5", body: `"z"`, status: 404},
		{name: "PUT below a string", method: "PUT", path: inv + "/settings/missing_facts/x", body: `"y"`, status: 404},
		{name: "PUT malformed JSON", method: "PUT", path: inv + "/resources/images/img-2", body: `{"status":`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidInventory},
		{name: "PUT YAML", method: "PUT", path: inv + "/resources/images/img-2", header: yaml, body: "status: active\n", status: 400, differs: diffBodies, ours: 204},
		{name: "PUT gzip", method: "PUT", path: inv + "/resources/images/img-2", header: gz, body: gzipped(`{"status":"active"}`), status: 400, differs: diffBodies, ours: 204},
		{name: "PUT text/plain", method: "PUT", path: inv + "/resources/images/img-2", header: map[string]string{"Content-Type": "text/plain"}, body: `{"status":"active"}`, status: 204, differs: diffMediaType, ours: 415, code: CodeUnsupportedMediaType},
		{name: "PUT a value the schema refuses", method: "PUT", path: inv + "/resources/images/img-2", body: `{"colour":"red"}`, status: 204, differs: diffSchema, ours: 400, code: evaluator.CodeInvalidInventory},
		{name: "PUT an array as the inventory", method: "PUT", path: inv, body: `[]`, status: 204, differs: diffSchema, ours: 400, code: evaluator.CodeInvalidInventory},
		{name: "PUT a stale If-Match", method: "PUT", path: inv + "/resources/images/img-2", header: map[string]string{"If-Match": `"sha256:0"`}, body: `{"status":"active"}`, status: 204, differs: diffETag, ours: 412, code: CodePreconditionFailed},
		{name: "PUT an unknown parameter", method: "PUT", path: inv + "/resources/images/img-2?x", body: `{"status":"active"}`, status: 204, differs: diffParams, ours: 400, code: CodeInvalidParameter},

		// PATCH.
		{name: "PATCH add", method: "PATCH", path: inv, body: `[{"op":"add","path":"/resources/images/img-4","value":{"status":"active"}}]`, status: 204},
		{name: "PATCH remove, metrics", method: "PATCH", path: inv + "?metrics", body: `[{"op":"remove","path":"/resources/images/img-4"}]`, status: 200},
		{name: "PATCH replace", method: "PATCH", path: inv + "/resources", header: patchCT, body: `[{"op":"replace","path":"/backups/bk-1/status","value":"deleting"}]`, status: 204},
		{name: "PATCH append and insert", method: "PATCH", path: inv + "/resources/images/img-1", body: `[{"op":"add","path":"/snapshot_ids/-","value":"c"},{"op":"add","path":"/snapshot_ids/1","value":"d"}]`, status: 204},
		{name: "PATCH the request's path itself", method: "PATCH", path: inv + "/settings", body: `[{"op":"replace","path":"","value":{"missing_facts":"warn"}}]`, status: 204},
		{name: "PATCH nothing", method: "PATCH", path: inv, header: ct, body: `[]`, status: 204},
		{name: "PATCH remove of nothing", method: "PATCH", path: inv, body: `[{"op":"remove","path":"/resources/images/img-9"}]`, status: 404},
		{name: "PATCH replace of nothing", method: "PATCH", path: inv, body: `[{"op":"replace","path":"/settings/nothing","value":1}]`, status: 404},
		{name: "PATCH a missing path", method: "PATCH", path: inv + "/nothing", body: `[{"op":"add","path":"/x","value":1}]`, status: 404},
		{name: "PATCH add below a missing parent", method: "PATCH", path: inv, body: `[{"op":"add","path":"/settings/nothing/x","value":1}]`, status: 404},
		{name: "PATCH add below a string", method: "PATCH", path: inv, body: `[{"op":"add","path":"/settings/missing_facts/x","value":1}]`, status: 404},
		{name: "PATCH add at an index out of range", method: "PATCH", path: inv + "/resources/images/img-1", body: `[{"op":"add","path":"/snapshot_ids/9","value":"e"}]`, status: 404},
		{name: "PATCH half of which fails", method: "PATCH", path: inv, body: `[{"op":"remove","path":"/resources/backups/bk-1"},{"op":"remove","path":"/resources/backups/bk-9"}]`, status: 404},
		{name: "PATCH move", method: "PATCH", path: inv, body: `[{"op":"move","from":"/settings","path":"/x"}]`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH copy", method: "PATCH", path: inv, body: `[{"op":"copy","from":"/settings","path":"/x"}]`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH test that holds", method: "PATCH", path: inv, body: `[{"op":"test","path":"/settings/missing_facts","value":"warn"}]`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH test that fails", method: "PATCH", path: inv, body: `[{"op":"test","path":"/settings/missing_facts","value":"deny"}]`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH with no op", method: "PATCH", path: inv, body: `[{"path":"/x"}]`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH malformed JSON", method: "PATCH", path: inv, body: `[{"op":`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH not an array", method: "PATCH", path: inv, body: `{"op":"remove","path":"/settings"}`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "PATCH add without a value", method: "PATCH", path: inv, body: `[{"op":"add","path":"/resources/images/img-5"}]`, status: 204, differs: diffStrictPatch, ours: 400, code: evaluator.CodeInvalidRequest},
		{name: "PATCH a path without /", method: "PATCH", path: inv, body: `[{"op":"remove","path":"resources/servers"}]`, status: 204, differs: diffStrictPatch, ours: 400, code: evaluator.CodeInvalidRequest},
		{name: "PATCH gzip", method: "PATCH", path: inv, header: gz, body: gzipped(`[]`), status: 400, differs: diffBodies, ours: 204},
		{name: "PATCH pretty=maybe", method: "PATCH", path: inv + "?pretty=maybe", body: `[]`, status: 204, differs: diffParams, ours: 400, code: CodeInvalidParameter},

		// DELETE.
		{name: "DELETE a member", method: "DELETE", path: inv + "/resources/images/img-2", status: 204},
		{name: "DELETE it again", method: "DELETE", path: inv + "/resources/images/img-2", status: 404},
		{name: "DELETE below a missing parent", method: "DELETE", path: inv + "/nothing/x", status: 404},
		{name: "DELETE an array element", method: "DELETE", path: inv + "/resources/images/img-1/snapshot_ids/0", status: 204},
		{name: "DELETE a percent-encoded member", method: "DELETE", path: inv + "/resources/backups/bk%2F3", status: 204},
		{name: "DELETE metrics", method: "DELETE", path: inv + "/resources/servers?metrics", status: 200},
		{name: "DELETE with a trailing slash", method: "DELETE", path: inv + "/resources/images/img-3/", status: 301, differs: diffCleanPath, ours: 404, code: CodeNotFound},

		// The decision.
		{name: "POST a decision", method: "POST", path: PathOPADecide, header: ct, body: in, status: 200},
		{name: "POST with no content type", method: "POST", path: PathOPADecide, body: in, status: 200},
		{name: "POST pretty", method: "POST", path: PathOPADecide + "?pretty", body: in, status: 200},
		{name: "POST metrics", method: "POST", path: PathOPADecide + "?metrics", body: in, status: 200},
		{name: "POST instrument", method: "POST", path: PathOPADecide + "?instrument", body: in, status: 200},
		{name: "POST provenance", method: "POST", path: PathOPADecide + "?provenance", body: in, status: 200},
		{name: "POST strict-builtin-errors", method: "POST", path: PathOPADecide + "?strict-builtin-errors", body: in, status: 200},
		{name: "POST an unknown parameter", method: "POST", path: PathOPADecide + "?partial", body: in, status: 200, differs: diffParams, ours: 400, code: CodeInvalidParameter},
		{name: "POST YAML", method: "POST", path: PathOPADecide, header: yaml, body: "input:\n  provider: huaweicloud\n  operation: backup.delete\n  params: {backup_id: bk-1}\n", status: 200},
		{name: "POST gzip", method: "POST", path: PathOPADecide, header: gz, body: gzipped(in), status: 200},
		{name: "POST malformed JSON", method: "POST", path: PathOPADecide, body: `{"input":`, status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "POST without input", method: "POST", path: PathOPADecide, body: `{}`, status: 200, differs: diffNoInput, ours: 400, code: evaluator.CodeInvalidRequest},
		{name: "POST with no body", method: "POST", path: PathOPADecide, status: 200, differs: diffNoInput, ours: 400, code: evaluator.CodeInvalidRequest},
		{name: "POST a request that fails its schema", method: "POST", path: PathOPADecide, body: `{"input":{"provider":"nope"}}`, status: 200, differs: diffInvalidRequest, ours: 400, code: evaluator.CodeInvalidRequest},
		{name: "GET a decision", method: "GET", path: get, status: 200},
		{name: "GET a decision, metrics and provenance", method: "GET", path: get + "&metrics&provenance&pretty", status: 200},
		{name: "GET a decision, malformed input", method: "GET", path: PathOPADecide + "?input=%7B", status: 400, differs: diffCodes, code: evaluator.CodeInvalidRequest},
		{name: "GET a decision without input", method: "GET", path: PathOPADecide, status: 200, differs: diffNoInput, ours: 400, code: evaluator.CodeInvalidRequest},

		// The inventory itself, last.
		{name: "DELETE the inventory", method: "DELETE", path: inv, status: 204},
		{name: "GET the deleted inventory", method: "GET", path: inv, status: 200, differs: diffAlwaysInventory},
		{name: "DELETE the deleted inventory", method: "DELETE", path: inv, status: 404, differs: diffAlwaysInventory, ours: 204},
		{name: "PUT the inventory", method: "PUT", path: inv, header: ct, body: dataInventory, status: 204},
		{name: "GET it back", method: "GET", path: inv, status: 200},
	}
	// Every difference listed is one a call shows, or one the comparison
	// allows on every call of its kind, or one left to other tests.
	named := map[string]bool{diffReadNotDecision: true, diffDecisionMembers: true, diffProvenance: true,
		diffMetrics: true, diffErrors: true, diffAuth: true, diffExplain: true}
	for _, c := range calls {
		named[c.differs] = true
	}
	for d := range opaDifferences {
		if !named[d] {
			t.Errorf("no call shows the difference %q", d)
		}
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := opaDifferences[c.differs]; c.differs != "" && !ok {
				t.Fatalf("no such difference %q", c.differs)
			}
			o := send(t, client, c.method, opa.URL+c.path, c.header, c.body)
			s := h.do(c.method, c.path, c.header, c.body)
			ours := c.status
			if c.ours != 0 {
				ours = c.ours
			}
			if o.status != c.status || s.status != ours {
				t.Fatalf("status: OPA %d (want %d), imgadmit %d (want %d)\n OPA %s\n ours %s", o.status, c.status, s.status, ours, o.body, s.body)
			}
			if c.differs == "" {
				compareAnswers(t, c, o, s)
			} else if s.status >= 400 {
				if e := decodeError(t, "imgadmit", s); e.Code != c.code {
					t.Errorf("imgadmit's code %q, want %q (%s)", e.Code, c.code, s.body)
				}
			}
			// Both inventories are the same after the call; where imgadmit
			// refused what OPA made, OPA is given imgadmit's again.
			oi, si := readInventory(t, client, opa.URL), readInventory(t, client, h.ts.URL)
			if oi == si {
				return
			}
			if c.differs == "" {
				t.Errorf("the inventories parted\n OPA  %s\n ours %s", oi, si)
			}
			if got := send(t, client, "PUT", opa.URL+inv, ct, si); got.status != 204 {
				t.Fatalf("setting OPA's inventory: %d %s", got.status, got.body)
			}
		})
	}
}

// compareAnswers compares the answers of a call where imgadmit answers as
// OPA does, decoded with OPA's types.
func compareAnswers(t *testing.T, c parityCall, o, s reply) {
	t.Helper()
	switch {
	case o.status == 204 || o.status == 304:
		if o.body != "" || s.body != "" {
			t.Errorf("a %d with a body: OPA %q, ours %q", o.status, o.body, s.body)
		}
	case o.status >= 400:
		oe, se := decodeError(t, "OPA", o), decodeError(t, "imgadmit", s)
		if oe.Code != se.Code || oe.Message == "" || se.Message == "" {
			t.Errorf("errors differ\n OPA  %+v\n ours %+v", oe, se)
		}
	default:
		compareDocuments(t, c, o, s)
	}
}

// compareDocuments compares two DataResponseV1 answers member by member.
func compareDocuments(t *testing.T, c parityCall, o, s reply) {
	t.Helper()
	var od, sd types.DataResponseV1
	if err := util.UnmarshalJSON([]byte(o.body), &od); err != nil {
		t.Fatalf("OPA's answer is no DataResponseV1: %v: %s", err, o.body)
	}
	if err := util.UnmarshalJSON([]byte(s.body), &sd); err != nil {
		t.Fatalf("imgadmit's answer is no DataResponseV1: %v: %s", err, s.body)
	}
	isDecision := strings.HasPrefix(c.path, PathOPADecide)
	// Members: the same, less decision_id on an inventory read (not a
	// decision) and on a change (neither answers one).
	om, sm := memberNames(t, o.body), memberNames(t, s.body)
	if !isDecision && c.method == "GET" {
		if od.DecisionID == "" || sd.DecisionID != "" {
			t.Errorf("decision_id: OPA %q, ours %q (%s)", od.DecisionID, sd.DecisionID, diffReadNotDecision)
		}
		om = slices.DeleteFunc(om, func(n string) bool { return n == "decision_id" })
	}
	if !slices.Equal(om, sm) {
		t.Errorf("members: OPA %v, ours %v", om, sm)
	}
	if isDecision && (od.DecisionID == "" || sd.DecisionID == "") {
		t.Errorf("decision_id: OPA %q, ours %q", od.DecisionID, sd.DecisionID)
	}
	if (od.Warning == nil) != (sd.Warning == nil) || len(od.Explanation) != 0 || len(sd.Explanation) != 0 ||
		len(od.RuleLabels) != 0 || len(sd.RuleLabels) != 0 || len(od.Metadata) != 0 || len(sd.Metadata) != 0 {
		t.Errorf("warning, explanation, rule_labels or other members\n OPA  %s\n ours %s", o.body, s.body)
	}
	// Indented as OPA indents, or not at all.
	if op, sp := strings.Contains(o.body, "\n  "), strings.Contains(s.body, "\n  "); op != sp {
		t.Errorf("pretty: OPA %v, ours %v", op, sp)
	}
	// The result: the same document; a decision's less what imgadmit adds.
	if (od.Result == nil) != (sd.Result == nil) {
		t.Fatalf("result: OPA %s, ours %s", o.body, s.body)
	}
	if od.Result != nil {
		ours := *sd.Result
		if isDecision {
			d, ok := ours.(map[string]any)
			if !ok || d["decision_id"] != sd.DecisionID || d["rulebook"] == nil {
				t.Errorf("the decision lacks its decision_id or rulebook (%s): %s", diffDecisionMembers, s.body)
			}
			d = maps.Clone(d)
			delete(d, "decision_id")
			delete(d, "rulebook")
			ours = d
		}
		if g, w := string(mustEncode(ours)), string(mustEncode(*od.Result)); g != w {
			t.Errorf("result\n OPA  %s ours %s", w, g)
		}
	}
	// Metrics: imgadmit's timers are OPA's names for the same call.
	if (od.Metrics == nil) != (sd.Metrics == nil) {
		t.Errorf("metrics: OPA %v, ours %v", od.Metrics, sd.Metrics)
	}
	if od.Metrics != nil {
		for name := range sd.Metrics {
			if _, ok := od.Metrics[name]; !ok {
				t.Errorf("metric %s is not one OPA gives here (%s): OPA %v", name, diffMetrics, slices.Sorted(maps.Keys(od.Metrics)))
			}
		}
		if _, ok := sd.Metrics[timerHandler]; !ok {
			t.Errorf("no %s: %v", timerHandler, sd.Metrics)
		}
	}
	// Provenance: OPA's members, and the rulebook revision.
	if (od.Provenance == nil) != (sd.Provenance == nil) {
		t.Fatalf("provenance: OPA %s, ours %s", o.body, s.body)
	}
	if od.Provenance != nil {
		op, sp := memberNames(t, o.body, "provenance"), memberNames(t, s.body, "provenance")
		sp = slices.DeleteFunc(sp, func(n string) bool { return n == "revision" })
		if !slices.Equal(op, sp) || sd.Provenance.Revision == "" || sd.Provenance.Version == "" {
			t.Errorf("provenance members: OPA %v, ours %v + revision %q (%s)", op, sp, sd.Provenance.Revision, diffProvenance)
		}
	}
}

// opaError is OPA's ErrorV1 with its errors kept as they are: ErrorV1's
// own ([]error) decodes none (diffErrors).
type opaError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Errors  []json.RawMessage `json:"errors"`
}

// decodeError reads an error answer as an OPA client does: ErrorV1 when it
// decodes (errors absent or []), else opaError.
func decodeError(t *testing.T, who string, r reply) opaError {
	t.Helper()
	var e opaError
	if err := util.UnmarshalJSON([]byte(r.body), &e); err != nil || e.Code == "" || e.Message == "" {
		t.Fatalf("%s's %d is no ErrorV1 (%v): %s", who, r.status, err, r.body)
	}
	if len(e.Errors) == 0 {
		var ev types.ErrorV1
		if err := util.UnmarshalJSON([]byte(r.body), &ev); err != nil || ev.Code != e.Code || ev.Message != e.Message {
			t.Errorf("%s's error does not decode as OPA's ErrorV1 (%v): %s", who, err, r.body)
		}
	}
	return e
}

// memberNames is the sorted member names of the object body is, or of its
// member at path.
func memberNames(t *testing.T, body string, path ...string) []string {
	t.Helper()
	var v any
	if err := util.UnmarshalJSON([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return slices.Sorted(maps.Keys(v.(map[string]any)))
}

// readInventory is the whole inventory a server answers, encoded as the
// sidecar encodes; nothing there (OPA's after a DELETE) is the empty
// inventory (diffAlwaysInventory).
func readInventory(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	got := send(t, c, "GET", base+PathInventory, nil, "")
	var d types.DataResponseV1
	if err := util.UnmarshalJSON([]byte(got.body), &d); err != nil || got.status != 200 {
		t.Fatalf("GET %s: %d %v %s", PathInventory, got.status, err, got.body)
	}
	if d.Result == nil {
		return "{}\n"
	}
	return string(mustEncode(*d.Result))
}
