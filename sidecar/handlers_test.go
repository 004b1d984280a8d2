package sidecar

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/server/types"

	"github.com/imgadmit/imgadmit/internal/opsgen"
	"github.com/imgadmit/imgadmit/schemas"
)

const jsonCT = "application/json"

// TestEndpoints runs every endpoint and every error status through the real
// handler and checks the whole answer.
func TestEndpoints(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBody = 256; c.MaxInventoryBody = 256 })
	ct := map[string]string{"Content-Type": jsonCT}
	big := `{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":"` + strings.Repeat("x", 300) + `"}}`
	pairs, err := opsgen.Pairs(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	knownOps := strings.Join(opsgen.All(pairs), ", ") // every operation that has a schema file
	cases := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		wantHeader         map[string]string
		want               string
	}{
		{"admit deny", "POST", PathAdmit, ct, reqExport, 200, nil, decExport},
		{"admit allow with a warning", "POST", PathAdmit, ct, reqDelete, 200, nil, decDelete},
		{"admit allow", "POST", PathAdmit, ct, reqExpire, 200, nil, decExpire},
		{"admit pretty", "POST", PathAdmit + "?pretty=true", ct, reqExpire, 200, nil,
			"{\n  \"allowed\": true,\n  \"decision_id\": \"ID\",\n  \"provider\": \"huaweicloud\",\n  \"operation\": \"backup.expire\",\n  \"reasons\": [],\n  \"rulebook\": {\n    \"revision\": \"REV\",\n    \"rules\": 5\n  }\n}"},
		{"admit charset and +json", "POST", PathAdmit, map[string]string{"Content-Type": "application/vnd.imgadmit+json; charset=UTF-8"}, reqExpire, 200, nil, decExpire},
		{"admit schema error", "POST", PathAdmit, ct, "{\n\"provider\": \"huaweicloud\",\n\"operation\": \"backup.export\",\n\"params\": {\"backup\": \"bk-1\"}\n}", 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/params/backup","message":"unknown property \"backup\"; allowed: backup_id","line":4},{"pointer":"/params/backup_id","message":"missing required property \"backup_id\"","line":4}]}`},
		{"admit unknown operation", "POST", PathAdmit, ct, `{"provider":"huaweicloud","operation":"backup.explode","params":{}}`, 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/operation","message":"REQ-003: unknown operation \"backup.explode\"; known operations: ` + knownOps + `","line":1}]}`},
		{"admit malformed JSON", "POST", PathAdmit, ct, `{"provider": "huaweicloud",}`, 400, nil,
			`{"code":"invalid_request","message":"malformed JSON at line 1, column 28: invalid character '}' looking for beginning of object key string","errors":[]}`},
		{"admit duplicate key", "POST", PathAdmit, ct, `{"provider":"huaweicloud","provider":"alibabacloud"}`, 400, nil,
			`{"code":"invalid_request","message":"malformed request","errors":[{"pointer":"/provider","message":"duplicate key \"provider\"","line":1}]}`},
		{"admit not an object", "POST", PathAdmit, ct, `[1, 2]`, 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"","message":"the request must be a JSON object, but got array","line":1}]}`},
		{"admit empty body", "POST", PathAdmit, ct, ``, 400, nil,
			`{"code":"invalid_request","message":"the document is empty","errors":[]}`},
		{"admit too large", "POST", PathAdmit, ct, big, 413, nil,
			`{"code":"request_too_large","message":"the body is larger than the limit of 256 bytes (--max-body)","errors":[]}`},
		{"admit no content type is JSON", "POST", PathAdmit, nil, reqExport, 200, nil, decExport},
		{"admit YAML", "POST", PathAdmit, map[string]string{"Content-Type": "application/yaml"}, "provider: huaweicloud\noperation: backup.export\nparams:\n  backup_id: bk-1\n", 200, nil, decExport},
		{"admit x-yaml", "POST", PathAdmit, map[string]string{"Content-Type": "application/x-yaml"}, "{provider: huaweicloud, operation: backup.delete, params: {backup_id: bk-1}}", 200, nil, decDelete},
		{"admit YAML schema error has no lines", "POST", PathAdmit, map[string]string{"Content-Type": "application/yaml"}, "provider: huaweicloud\noperation: backup.export\nparams:\n  backup_id: ''\n", 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/params/backup_id","message":"length must be >= 1, but got 0"}]}`},
		{"admit malformed YAML has its line", "POST", PathAdmit, map[string]string{"Content-Type": "application/yaml"}, "provider: huaweicloud\nprovider: alibabacloud\n", 400, nil,
			`{"code":"invalid_request","message":"malformed request","errors":[{"pointer":"/provider","message":"duplicate key \"provider\"","line":2}]}`},
		{"admit gzip", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Content-Encoding": "gzip"}, gzipped(reqExport), 200, nil, decExport},
		{"admit gzip larger than --max-body once decompressed", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Content-Encoding": "gzip"}, gzipped(big), 413, nil,
			`{"code":"request_too_large","message":"the body is larger than the limit of 256 bytes (--max-body)","errors":[]}`},
		{"admit gzip that is not", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Content-Encoding": "gzip"}, reqExport, 400, nil,
			`{"code":"invalid_request","message":"the body is not gzip: gzip: invalid header","errors":[]}`},
		{"admit gzip cut short", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Content-Encoding": "gzip"}, gzipped(reqExport)[:20], 400, nil,
			`{"code":"invalid_request","message":"could not read the body: unexpected EOF","errors":[]}`},
		{"admit deflate", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Content-Encoding": "deflate"}, reqExport, 415, nil,
			`{"code":"unsupported_media_type","message":"Content-Encoding \"deflate\" is not supported: send the body uncompressed or gzip","errors":[]}`},
		{"admit form", "POST", PathAdmit, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, reqExport, 415, nil,
			`{"code":"unsupported_media_type","message":"the body must be JSON or YAML, not \"application/x-www-form-urlencoded\": send Content-Type: application/json","errors":[]}`},
		{"admit latin1", "POST", PathAdmit, map[string]string{"Content-Type": "application/json; charset=latin1"}, reqExport, 415, nil,
			`{"code":"unsupported_media_type","message":"the body must be UTF-8, not charset \"latin1\"","errors":[]}`},
		{"admit GET", "GET", PathAdmit, nil, "", 405, map[string]string{"Allow": "POST"},
			`{"code":"method_not_allowed","message":"/v1/admit does not take GET; it takes POST","errors":[]}`},
		{"admit DELETE", "DELETE", PathAdmit, nil, "", 405, map[string]string{"Allow": "POST"},
			`{"code":"method_not_allowed","message":"/v1/admit does not take DELETE; it takes POST","errors":[]}`},

		{"opa deny", "POST", PathOPADecide, ct, `{"input":` + reqExport + `}`, 200, nil, `{"decision_id":"ID","result":` + decExport + `}`},
		{"opa allow", "POST", PathOPADecide, ct, `{"input":` + reqDelete + `}`, 200, nil, `{"decision_id":"ID","result":` + decDelete + `}`},
		{"opa ignores other members", "POST", PathOPADecide, ct, `{"com.example/trace":{"id":1},"input":` + reqExpire + `}`, 200, nil, `{"decision_id":"ID","result":` + decExpire + `}`},
		{"opa input is an array", "POST", PathOPADecide, ct, `{"input":[1]}`, 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/input","message":"the request must be a JSON object, but got array","line":1}]}`},
		{"opa input is null", "POST", PathOPADecide, ct, `{"input":null}`, 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/input","message":"the request must be a JSON object, but got null","line":1}]}`},
		{"opa no input", "POST", PathOPADecide, ct, `{"inptu":{}}`, 400, nil,
			`{"code":"invalid_request","message":"the body has no input: send {\"input\": request}","errors":[{"pointer":"/input","message":"missing required property \"input\""}]}`},
		{"opa input twice", "POST", PathOPADecide, ct, `{"input":` + reqExpire + `,"input":` + reqExport + `}`, 400, nil,
			`{"code":"invalid_request","message":"malformed request","errors":[{"pointer":"/input","message":"duplicate key \"input\""}]}`},
		{"opa body is an array", "POST", PathOPADecide, ct, `[{"input":{}}]`, 400, nil,
			`{"code":"invalid_request","message":"the body must be a JSON object {\"input\": request}","errors":[{"pointer":"","message":"the body must be an object with an input member"}]}`},
		{"opa malformed", "POST", PathOPADecide, ct, "{\n\"input\": {\"provider\": }\n}", 400, nil,
			`{"code":"invalid_request","message":"malformed JSON at line 2: invalid character '}' looking for beginning of value","errors":[]}`},
		{"opa truncated", "POST", PathOPADecide, ct, `{"input": {"provider": "huaweicloud"`, 400, nil,
			`{"code":"invalid_request","message":"malformed JSON: the body ends early at line 1","errors":[]}`},
		{"opa trailing data", "POST", PathOPADecide, ct, `{"input":` + reqExpire + `} {}`, 400, nil,
			`{"code":"invalid_request","message":"malformed JSON: unexpected data after the body's object","errors":[]}`},
		{"opa schema error lines count from the body", "POST", PathOPADecide, ct,
			"{\n  \"input\":\n  {\n    \"provider\": \"huaweicloud\",\n    \"operation\": \"backup.export\",\n    \"params\": {\"backup_id\": \"\"}\n  }\n}", 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/input/params/backup_id","message":"length must be >= 1, but got 0","line":6}]}`},
		{"opa wrong content type", "POST", PathOPADecide, map[string]string{"Content-Type": "text/plain"}, `{"input":{}}`, 415, nil,
			`{"code":"unsupported_media_type","message":"the body must be JSON or YAML, not \"text/plain\": send Content-Type: application/json","errors":[]}`},
		{"opa too large", "POST", PathOPADecide, ct, `{"input":` + big + `}`, 413, nil,
			`{"code":"request_too_large","message":"the body is larger than the limit of 256 bytes (--max-body)","errors":[]}`},
		{"opa PUT", "PUT", PathOPADecide, ct, `{"input":{}}`, 405, map[string]string{"Allow": "POST, GET, HEAD"},
			`{"code":"method_not_allowed","message":"/v1/data/imgadmit/decision does not take PUT; it takes POST, GET, HEAD","errors":[]}`},
		{"opa GET deny", "GET", PathOPADecide + "?input=" + url.QueryEscape(reqExport), nil, "", 200, nil, `{"decision_id":"ID","result":` + decExport + `}`},
		{"opa GET allow, pretty", "GET", PathOPADecide + "?pretty=true&input=" + url.QueryEscape(reqExpire), nil, "", 200, nil,
			"{\n  \"decision_id\": \"ID\",\n  \"result\": {\n    \"allowed\": true,\n    \"decision_id\": \"ID\",\n    \"provider\": \"huaweicloud\",\n    \"operation\": \"backup.expire\",\n    \"reasons\": [],\n    \"rulebook\": {\n      \"revision\": \"REV\",\n      \"rules\": 5\n    }\n  }\n}"},
		{"opa GET no input", "GET", PathOPADecide, nil, "", 400, nil,
			`{"code":"invalid_request","message":"the query has no input: send ?input=<request as URL-encoded JSON>","errors":[{"pointer":"/input","message":"missing required parameter \"input\""}]}`},
		{"opa GET input twice", "GET", PathOPADecide + "?input={}&input={}", nil, "", 400, nil,
			`{"code":"invalid_request","message":"malformed request","errors":[{"pointer":"/input","message":"the parameter \"input\" is given more than once"}]}`},
		{"opa GET schema error", "GET", PathOPADecide + "?input=" + url.QueryEscape(`{"provider":"huaweicloud","operation":"backup.export","params":{"backup_id":""}}`), nil, "", 400, nil,
			`{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/input/params/backup_id","message":"length must be >= 1, but got 0","line":1}]}`},
		{"opa GET malformed", "GET", PathOPADecide + "?input=%7B", nil, "", 400, nil,
			`{"code":"invalid_request","message":"input: malformed JSON: the document ends early at line 1, column 2","errors":[]}`},

		{"health", "GET", PathHealth, nil, "", 200, map[string]string{"Content-Type": jsonCT}, `{"status":"ok"}`},
		{"health HEAD", "HEAD", PathHealth, nil, "", 200, map[string]string{"Content-Type": jsonCT, "Content-Length": "16"}, ``},
		{"health POST", "POST", PathHealth, ct, "{}", 405, map[string]string{"Allow": "GET, HEAD"},
			`{"code":"method_not_allowed","message":"/health does not take POST; it takes GET, HEAD"` + `,"errors":[]}`},
		{"ready", "GET", PathReady, nil, "", 200, nil,
			`{"status":"ready","revision":"REV","rules":5,"inventory":{"source":"none","updated":"TIME"}}`},
		{"rules POST", "POST", PathRules, ct, "{}", 405, map[string]string{"Allow": "GET, HEAD"},
			`{"code":"method_not_allowed","message":"/v1/rules does not take POST; it takes GET, HEAD","errors":[]}`},
		{"metrics POST", "POST", PathMetrics, ct, "{}", 405, map[string]string{"Allow": "GET, HEAD"},
			`{"code":"method_not_allowed","message":"/metrics does not take POST; it takes GET, HEAD","errors":[]}`},
		{"inventory POST", "POST", PathInventory, ct, "{}", 405, map[string]string{"Allow": "GET, HEAD, PUT, PATCH, DELETE"},
			`{"code":"method_not_allowed","message":"/v1/data/inventory does not take POST; it takes GET, HEAD, PUT, PATCH, DELETE","errors":[]}`},
		{"inventory wrong content type", "PUT", PathInventory, map[string]string{"Content-Type": "text/yaml"}, "resources: {}\n", 415, nil,
			`{"code":"unsupported_media_type","message":"the body must be JSON or YAML, not \"text/yaml\": send Content-Type: application/json","errors":[]}`},
		{"inventory malformed YAML", "PUT", PathInventory, map[string]string{"Content-Type": "application/yaml"}, "resources:\n  - [\n", 400, nil,
			`{"code":"invalid_inventory","message":"malformed YAML: line 2: did not find expected node content","errors":[]}`},
		{"opa no content type", "POST", PathOPADecide, nil, `{"input":` + reqDelete + `}`, 200, nil, `{"decision_id":"ID","result":` + decDelete + `}`},
		{"opa YAML", "POST", PathOPADecide, map[string]string{"Content-Type": "application/x-yaml"}, "input:\n  provider: huaweicloud\n  operation: backup.expire\n  params: {backup_id: bk-1}\n", 200, nil, `{"decision_id":"ID","result":` + decExpire + `}`},
		{"inventory too large", "PUT", PathInventory, ct, `{"resources":{"backups":{"` + strings.Repeat("b", 300) + `":{}}}}`, 413, nil,
			`{"code":"request_too_large","message":"the body is larger than the limit of 256 bytes (--max-inventory-body)","errors":[]}`},
		{"inventory schema error", "PUT", PathInventory, ct, "{\"settings\": {\n\"missing_fact\": \"warn\"}}", 400, nil,
			`{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[{"pointer":"/settings/missing_fact","message":"unknown property \"missing_fact\"; allowed: enforcement, full_ecs_cross_region_regions, image_tag_policy, missing_facts, trust_request_facts, waivers","line":2}]}`},
		{"inventory malformed", "PUT", PathInventory, ct, `{"resources": [}`, 400, nil,
			`{"code":"invalid_inventory","message":"malformed JSON at line 1, column 16: invalid character '}' looking for beginning of value","errors":[]}`},
		{"inventory not an object", "PUT", PathInventory, ct, `"inventory"`, 400, nil,
			`{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[{"pointer":"","message":"expected object, but got string","line":1}]}`},

		{"unknown path", "GET", "/v1/data", nil, "", 404, nil,
			`{"code":"not_found","message":"no endpoint at /v1/data; the endpoints are /v1/admit, /v1/data/imgadmit/decision, /v1/data/inventory, /v1/rules, /health, /health/ready, /metrics","errors":[]}`},
		{"unknown data path", "POST", "/v1/data/imgadmit/rules", ct, `{"input":{}}`, 404, nil,
			`{"code":"not_found","message":"no endpoint at /v1/data/imgadmit/rules; the endpoints are /v1/admit, /v1/data/imgadmit/decision, /v1/data/inventory, /v1/rules, /health, /health/ready, /metrics","errors":[]}`},
		{"trailing slash", "POST", PathAdmit + "/", ct, reqExport, 404, nil,
			`{"code":"not_found","message":"no endpoint at /v1/admit/; the endpoints are /v1/admit, /v1/data/imgadmit/decision, /v1/data/inventory, /v1/rules, /health, /health/ready, /metrics","errors":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do(tc.method, tc.path, tc.header, tc.body)
			wantHeader := map[string]string{"Content-Type": jsonCT}
			if tc.method == http.MethodHead {
				wantHeader = map[string]string{}
			}
			for k, v := range tc.wantHeader {
				wantHeader[k] = v
			}
			if tc.status != http.StatusMethodNotAllowed && got.header.Get("Allow") != "" {
				t.Errorf("Allow %q on a %d", got.header.Get("Allow"), got.status)
			}
			check(t, got, tc.status, wantHeader, tc.want)
		})
	}
}

func TestRulesEndpoint(t *testing.T) {
	h := newHarness(t, nil)
	got := h.do("GET", PathRules, nil, "")
	check(t, got, 200, map[string]string{"Content-Type": jsonCT}, `{"revision":"REV","rules":[`+
		`{"id":"TEST-001","effect":"deny","category":"constraint","providers":["huaweicloud"],"title":"Backups cannot be exported","description":"Every backup.export is refused.","source":"sidecar tests","remediation":"Export an image instead.","file":"rules/rules.rego","line":5},`+
		`{"id":"TEST-002","effect":"warn","category":"billing","providers":["huaweicloud"],"title":"Deleting a backup stops its billing","description":"Every backup.delete gets this warning.","source":"sidecar tests","file":"rules/rules.rego","line":20},`+
		`{"id":"TEST-003","effect":"deny","category":"lifecycle","providers":["huaweicloud"],"title":"A backup being deleted cannot be deleted","description":"Reads the inventory only.","source":"sidecar tests","remediation":"Wait for the deletion to finish.","file":"rules/rules.rego","line":34},`+
		`{"id":"TEST-004","effect":"warn","category":"constraint","providers":["huaweicloud"],"title":"Torn inventory","description":"Backups bk-a and bk-b always have the same status in the inventories the\ntests write; a decision that sees them differ saw half of an update.","source":"sidecar tests","file":"rules/rules.rego","line":50},`+
		`{"id":"TEST-005","effect":"note","category":"constraint","providers":["huaweicloud"],"title":"Slow rule","description":"Never finishes in time, for the evaluation deadline.","source":"sidecar tests","file":"rules/rules.rego","line":69}]}`)
	if rev := h.s.eval.Load().Revision(); !strings.Contains(got.body, `"revision":"`+rev+`"`) {
		t.Errorf("rules revision is not the evaluator's %s: %s", rev, got.body)
	}
}

// TestOPAClientTypes talks to the OPA-compatible endpoint with OPA's own REST
// API types, as a stock OPA client does.
func TestOPAClientTypes(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		req     string
		allowed bool
		reasons []string
	}{
		{reqExport, false, []string{"TEST-001"}},
		{reqDelete, true, []string{"TEST-002"}},
		{reqExpire, true, []string{}},
	} {
		var input any
		if err := json.Unmarshal([]byte(tc.req), &input); err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(types.DataRequestV1{Input: &input})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h.ts.Client().Post(h.ts.URL+"/v1/data/imgadmit/decision", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var dr types.DataResponseV1
		err = json.NewDecoder(resp.Body).Decode(&dr)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, decode: %v", resp.StatusCode, err)
		}
		if dr.Result == nil || len(dr.Metadata) != 0 || dr.Warning != nil {
			t.Fatalf("DataResponseV1 %+v: want a result and nothing unknown", dr)
		}
		result, ok := (*dr.Result).(map[string]any)
		if !ok {
			t.Fatalf("result is %T", *dr.Result)
		}
		ids := []string{}
		for _, r := range result["reasons"].([]any) {
			ids = append(ids, r.(map[string]any)["id"].(string))
		}
		if result["allowed"] != tc.allowed || strings.Join(ids, ",") != strings.Join(tc.reasons, ",") ||
			result["decision_id"] != dr.DecisionID || dr.DecisionID == "" ||
			result["rulebook"].(map[string]any)["revision"] != h.s.eval.Load().Revision() {
			t.Errorf("%s: decision_id %q, result %v", tc.req, dr.DecisionID, result)
		}
	}
}

// TestOPARecordedExchange replays a request recorded against stock OPA
// (`opa run --server --set decision_logs.console=true testdata/policies`)
// and checks the sidecar answers the same document, plus the decision id
// and rulebook imgadmit adds to the result.
func TestOPARecordedExchange(t *testing.T) {
	var rec struct {
		Request  json.RawMessage `json:"request"`
		Response struct {
			DecisionID string         `json:"decision_id"`
			Result     map[string]any `json:"result"`
		} `json:"response"`
	}
	b, err := readTestdata("opa_exchange.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, nil)
	got := h.post(PathOPADecide, string(rec.Request))
	var ours struct {
		DecisionID string         `json:"decision_id"`
		Result     map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(got.body), &ours); err != nil || got.status != 200 {
		t.Fatalf("status %d, %v: %s", got.status, err, got.body)
	}
	if rec.Response.DecisionID == "" || ours.DecisionID != ours.Result["decision_id"] {
		t.Errorf("decision ids: OPA %q, ours %q / %v", rec.Response.DecisionID, ours.DecisionID, ours.Result["decision_id"])
	}
	if _, ok := ours.Result["rulebook"].(map[string]any); !ok {
		t.Errorf("no rulebook in %v", ours.Result)
	}
	delete(ours.Result, "decision_id")
	delete(ours.Result, "rulebook")
	o, _ := json.Marshal(ours.Result)
	w, _ := json.Marshal(rec.Response.Result)
	if string(o) != string(w) {
		t.Errorf("result differs from stock OPA's\n ours %s\n opa  %s", o, w)
	}
}

func TestAuth(t *testing.T) {
	tokenFile := t.TempDir() + "/token"
	writeFile(t, tokenFile, "s3cret-token\n")
	h := newHarness(t, func(c *Config) { c.TokenFile = tokenFile })
	unauthorized := `{"code":"unauthorized","message":"a valid bearer token is required: Authorization: Bearer <token>","errors":[]}`
	wantHeader := map[string]string{"Content-Type": jsonCT, "WWW-Authenticate": `Bearer realm="imgadmit"`}
	good := map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer s3cret-token"}
	cases := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		want               string
	}{
		{"no token", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT}, reqExport, 401, unauthorized},
		{"wrong token", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer s3cret"}, reqExport, 401, unauthorized},
		{"basic auth", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Authorization": "Basic czNjcmV0LXRva2Vu"}, reqExport, 401, unauthorized},
		{"opa no token", "POST", PathOPADecide, map[string]string{"Content-Type": jsonCT}, `{"input":` + reqExport + `}`, 401, unauthorized},
		{"inventory no token", "PUT", PathInventory, map[string]string{"Content-Type": jsonCT}, `{}`, 401, unauthorized},
		{"rules no token", "GET", PathRules, nil, "", 401, unauthorized},
		{"metrics no token", "GET", PathMetrics, nil, "", 401, unauthorized},
		{"unknown path no token", "GET", "/v1/policies", nil, "", 401, unauthorized},
		{"good token", "POST", PathAdmit, good, reqExport, 200, decExport},
		{"scheme is case-insensitive", "POST", PathAdmit, map[string]string{"Content-Type": jsonCT, "Authorization": "bearer s3cret-token"}, reqExport, 200, decExport},
		{"health is open", "GET", PathHealth, nil, "", 200, `{"status":"ok"}`},
		// Open, but the details (revisions, files, reload errors) only with a token.
		{"ready is open", "GET", PathReady, nil, "", 200, `{"status":"ready"}`},
		{"ready details with a token", "GET", PathReady, good, "", 200, `{"status":"ready","revision":"REV","rules":5,"inventory":{"source":"none","updated":"TIME"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do(tc.method, tc.path, tc.header, tc.body)
			hdr := map[string]string{"Content-Type": jsonCT}
			if tc.status == 401 {
				hdr = wantHeader
			} else if got.header.Get("WWW-Authenticate") != "" {
				t.Errorf("WWW-Authenticate on a %d", got.status)
			}
			check(t, got, tc.status, hdr, tc.want)
		})
	}
	// With the token, the metrics are there.
	got := h.do("GET", PathMetrics, map[string]string{"Authorization": "Bearer s3cret-token"}, "")
	if got.status != 200 || !strings.Contains(got.body, `imgadmit_http_requests_total{endpoint="/v1/admit",outcome="unauthorized"} 3`) {
		t.Errorf("metrics with a token: %d %s", got.status, got.body)
	}
}

// TestNotReady: until the rulebook is loaded, /health is live, /health/ready
// says loading, and the API answers 503.
func TestNotReady(t *testing.T) {
	h := newUnloaded(t, nil)
	check(t, h.do("GET", PathHealth, nil, ""), 200, map[string]string{"Content-Type": jsonCT}, `{"status":"ok"}`)
	check(t, h.do("GET", PathReady, nil, ""), 503, map[string]string{"Content-Type": jsonCT, "Retry-After": "1"}, `{"status":"loading"}`)
	notReady := `{"code":"not_ready","message":"the rulebook is still loading","errors":[]}`
	hdr := map[string]string{"Content-Type": jsonCT, "Retry-After": "1"}
	check(t, h.post(PathAdmit, reqExport), 503, hdr, notReady)
	check(t, h.post(PathOPADecide, `{"input":`+reqExport+`}`), 503, hdr, notReady)
	check(t, h.do("PUT", PathInventory, map[string]string{"Content-Type": jsonCT}, `{}`), 503, hdr, notReady)
	check(t, h.do("GET", PathRules, nil, ""), 503, hdr, notReady)
	if got := h.do("GET", PathMetrics, nil, ""); got.status != 200 || strings.Contains(got.body, "imgadmit_rulebook_info") {
		t.Errorf("metrics before load: %d, rulebook_info present: %v", got.status, strings.Contains(got.body, "imgadmit_rulebook_info"))
	}
	if err := h.s.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	check(t, h.post(PathAdmit, reqExport), 200, map[string]string{"Content-Type": jsonCT}, decExport)
	if n := len(h.dlog.lines()); n != 1 {
		t.Errorf("%d decision log lines, want 1: 503s are not decisions", n)
	}
}

// FuzzAdmit: whatever the body, the answer is a decision or a clear error,
// never a 500 or a panic.
func FuzzAdmit(f *testing.F) {
	for _, s := range []string{reqExport, reqDelete, `{"input":` + reqExport + `}`, `{"input":[]}`, `[]`, `{`, `"x"`, `{"provider":1}`,
		`{"provider":"huaweicloud","operation":"image.create","params":{"name":"a","image_type":"full_ecs","source":{"type":"cbr_backup","id":"b"},"agree_disclaimer":true},"resources":{"backups":{"b":{"resource_type":"disk"}}}}`} {
		f.Add(s)
	}
	h := newHarness(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		h.t = t
		for _, path := range []string{PathAdmit, PathOPADecide} {
			got := h.post(path, body)
			var e APIError
			switch got.status {
			case 200:
				decisionID(t, got.body)
			case 400:
				if err := json.Unmarshal([]byte(got.body), &e); err != nil || e.Code != "invalid_request" || e.Message == "" || e.Errors == nil {
					t.Errorf("%s %q: 400 with %s", path, body, got.body)
				}
			default:
				t.Errorf("%s %q: status %d: %s", path, body, got.status, got.body)
			}
		}
	})
}

// gzipped is s compressed with gzip.
func gzipped(s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return buf.String()
}
