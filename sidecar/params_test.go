package sidecar

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"testing"

	"github.com/open-policy-agent/opa/v1/server/types"
)

var timerRE = regexp.MustCompile(`"(timer_[a-z_]+_ns)": ?\d+`)

// TestQueryParameters runs OPA's query parameters, and others, on every
// endpoint that reads them, and checks the whole answer (timers as N).
func TestQueryParameters(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Version = "1.2.3" })
	if got := h.do("PUT", PathInventory, map[string]string{"Content-Type": jsonCT}, `{"settings":{"missing_facts":"warn"}}`); got.status != 204 {
		t.Fatalf("PUT: %d %s", got.status, got.body)
	}
	ct := map[string]string{"Content-Type": jsonCT}
	in := `{"input":` + reqExpire + `}`
	get := PathOPADecide + "?input=" + url.QueryEscape(reqExpire)
	const (
		opaResult = `"result":` + decExpire
		prov      = `"provenance":{"version":"1.2.3","build_commit":"","build_timestamp":"","build_hostname":"","revision":"REV"}`
		decTimers = `"metrics":{"timer_rego_input_parse_ns":N,"timer_rego_query_eval_ns":N,"timer_server_handler_ns":N}`
		admitOnly = `POST /v1/admit takes: pretty`
		opaPost   = `POST /v1/data/imgadmit/decision takes: pretty, metrics, provenance, instrument, explain, strict-builtin-errors`
		opaGet    = `GET /v1/data/imgadmit/decision takes: pretty, metrics, provenance, instrument, explain, strict-builtin-errors, input`
		invGet    = `GET /v1/data/inventory/... takes: pretty, metrics, provenance, instrument, explain, strict-builtin-errors`
	)
	bad := func(msg string) string {
		return `{"code":"invalid_parameter","message":` + jsonString(msg) + `,"errors":[]}`
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		// /v1/admit answers the decision itself: pretty only.
		{"admit pretty bare", "POST", PathAdmit + "?pretty", reqExpire, 200,
			"{\n  \"allowed\": true,\n  \"decision_id\": \"ID\",\n  \"provider\": \"huaweicloud\",\n  \"operation\": \"backup.expire\",\n  \"reasons\": [],\n  \"rulebook\": {\n    \"revision\": \"REV\",\n    \"rules\": 5\n  }\n}"},
		{"admit pretty=FALSE", "POST", PathAdmit + "?pretty=FALSE", reqExpire, 200, decExpire},
		{"admit pretty=maybe", "POST", PathAdmit + "?pretty=maybe", reqExpire, 400, bad(`the query parameter pretty takes true or false, not "maybe"`)},
		{"admit metrics", "POST", PathAdmit + "?metrics", reqExpire, 400, bad(`unknown query parameter "metrics"; ` + admitOnly)},
		{"admit provenance", "POST", PathAdmit + "?provenance=true", reqExpire, 400, bad(`unknown query parameter "provenance"; ` + admitOnly)},
		{"admit unknown", "POST", PathAdmit + "?x=1", reqExpire, 400, bad(`unknown query parameter "x"; ` + admitOnly)},

		// OPA's decision endpoint, POST.
		{"post plain", "POST", PathOPADecide, in, 200, `{"decision_id":"ID",` + opaResult + `}`},
		{"post metrics", "POST", PathOPADecide + "?metrics", in, 200, `{"decision_id":"ID",` + decTimers + `,` + opaResult + `}`},
		{"post instrument", "POST", PathOPADecide + "?instrument=true", in, 200, `{"decision_id":"ID",` + decTimers + `,` + opaResult + `}`},
		{"post metrics=false", "POST", PathOPADecide + "?metrics=false", in, 200, `{"decision_id":"ID",` + opaResult + `}`},
		{"post provenance", "POST", PathOPADecide + "?provenance", in, 200, `{"decision_id":"ID",` + prov + `,` + opaResult + `}`},
		{"post both", "POST", PathOPADecide + "?provenance&metrics=True", in, 200, `{"decision_id":"ID",` + prov + `,` + decTimers + `,` + opaResult + `}`},
		{"post strict-builtin-errors", "POST", PathOPADecide + "?strict-builtin-errors", in, 200, `{"decision_id":"ID",` + opaResult + `}`},
		{"post explain=off", "POST", PathOPADecide + "?explain=off", in, 200, `{"decision_id":"ID",` + opaResult + `}`},
		{"post explain=all", "POST", PathOPADecide + "?explain=all", in, 400, bad(`the query parameter explain takes notes, fails, full, debug or off, not "all"`)},
		{"post metrics=1", "POST", PathOPADecide + "?metrics=1", in, 400, bad(`the query parameter metrics takes true or false, not "1"`)},
		{"post input in the query", "POST", PathOPADecide + "?input={}", in, 400, bad(`unknown query parameter "input"; ` + opaPost)},
		{"post partial", "POST", PathOPADecide + "?partial", in, 400, bad(`unknown query parameter "partial"; ` + opaPost)},
		{"post pretty=maybe refused before the body", "POST", PathOPADecide + "?pretty=maybe", `{`, 400, bad(`the query parameter pretty takes true or false, not "maybe"`)},

		// OPA's decision endpoint, GET.
		{"get metrics and provenance", "GET", get + "&metrics&provenance", "", 200, `{"decision_id":"ID",` + prov + `,` + decTimers + `,` + opaResult + `}`},
		{"get unknown", "GET", get + "&q=x", "", 400, bad(`unknown query parameter "q"; ` + opaGet)},

		// The Data API's GET of the inventory.
		{"inventory metrics", "GET", PathInventory + "/settings?metrics", "", 200, `{"metrics":{"timer_server_handler_ns":N},"result":{"missing_facts":"warn"}}`},
		{"inventory provenance, nothing there", "GET", PathInventory + "/nothing?provenance", "", 200, `{` + prov + `}`},
		{"inventory pretty provenance", "GET", PathInventory + "/settings/missing_facts?pretty&provenance", "", 200,
			"{\n  \"provenance\": {\n    \"version\": \"1.2.3\",\n    \"build_commit\": \"\",\n    \"build_timestamp\": \"\",\n    \"build_hostname\": \"\",\n    \"revision\": \"REV\"\n  },\n  \"result\": \"warn\"\n}"},
		{"inventory explain=debug", "GET", PathInventory + "?explain=debug", "", 400, bad(`explain=debug is taken by the decision endpoints (/v1/data/imgadmit/decision); reading the inventory evaluates no rule, so there is nothing to explain`)},
		{"inventory explain=off", "GET", PathInventory + "/settings?explain=off", "", 200, `{"result":{"missing_facts":"warn"}}`},
		{"inventory input", "GET", PathInventory + "/settings?input={}", "", 400, bad(`unknown query parameter "input"; ` + invGet)},
		// A change asked for metrics answers them, as OPA's writes do.
		{"inventory PUT metrics", "PUT", PathInventory + "/settings?metrics", `{}`, 200, `{"metrics":{"timer_rego_input_parse_ns":N,"timer_server_handler_ns":N}}`},
		{"inventory PATCH metrics", "PATCH", PathInventory + "?metrics", `[]`, 200, `{"metrics":{"timer_rego_input_parse_ns":N,"timer_server_handler_ns":N}}`},
		{"inventory DELETE metrics", "DELETE", PathInventory + "/settings?metrics", "", 200, `{"metrics":{"timer_server_handler_ns":N}}`},
		{"inventory PUT provenance", "PUT", PathInventory + "/settings?provenance", `{}`, 400, bad(`unknown query parameter "provenance"; PUT /v1/data/inventory/... takes: pretty, metrics`)},
		{"inventory PATCH explain", "PATCH", PathInventory + "?explain=full", `[]`, 400, bad(`unknown query parameter "explain"; PATCH /v1/data/inventory takes: pretty, metrics`)},
		{"inventory DELETE x", "DELETE", PathInventory + "/settings?x", "", 400, bad(`unknown query parameter "x"; DELETE /v1/data/inventory/... takes: pretty, metrics`)},
		{"inventory DELETE pretty=2", "DELETE", PathInventory + "/nothing?pretty=2", "", 400, bad(`the query parameter pretty takes true or false, not "2"`)},
		{"inventory provenance=yes", "GET", PathInventory + "?provenance=yes", "", 400, bad(`the query parameter provenance takes true or false, not "yes"`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do(tc.method, tc.path, ct, tc.body)
			got.body = timerRE.ReplaceAllString(got.body, `"$1":N`)
			check(t, got, tc.status, nil, tc.want)
		})
	}
}

// TestParseParams: one reading of the query gives every parameter the
// handlers use, the GET decision's input values among them (the handler
// and decide read no query of their own).
func TestParseParams(t *testing.T) {
	cases := []struct {
		name, query string
		want        params
	}{
		{"none", "", params{explain: types.ExplainOffV1}},
		{"input alone", "input=" + url.QueryEscape(`{"a":1}`), params{explain: types.ExplainOffV1, input: []string{`{"a":1}`}}},
		{"input twice", "input=1&input=2", params{explain: types.ExplainOffV1, input: []string{"1", "2"}}},
		{"explain, metrics, provenance and input", "explain=fails&metrics&provenance=TRUE&input=%7B%7D",
			params{metrics: true, provenance: true, explain: types.ExplainFailsV1, input: []string{"{}"}}},
		{"instrument is metrics", "instrument", params{metrics: true, explain: types.ExplainOffV1}},
		{"explain, last wins", "explain=full&explain=notes", params{explain: types.ExplainNotesV1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, PathOPADecide+"?"+c.query, nil)
			got, aerr := parseParams(r, paramsOPAGet)
			if aerr != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("parseParams(%q) = %+v, %v; want %+v", c.query, got, aerr, c.want)
			}
		})
	}
}

// TestParamsExplains: only a mode that explains keeps the trace; params{}
// (the zero value, as a caller that read no explain has) does not.
func TestParamsExplains(t *testing.T) {
	for _, c := range []struct {
		p    params
		want bool
	}{
		{params{}, false},
		{params{explain: types.ExplainOffV1}, false},
		{params{explain: types.ExplainNotesV1}, true},
		{params{explain: types.ExplainFailsV1}, true},
		{params{explain: types.ExplainFullV1}, true},
		{params{explain: types.ExplainDebugV1}, true},
	} {
		if got := c.p.explains(); got != c.want {
			t.Errorf("%+v.explains() = %v, want %v", c.p, got, c.want)
		}
	}
}

// TestMetricsTimersMeasured: the timers are measured, not made up: each is
// positive, and the handler's covers the evaluation's.
func TestMetricsTimersMeasured(t *testing.T) {
	h := newHarness(t, nil)
	got := h.post(PathOPADecide+"?metrics", `{"input":`+reqExport+`}`)
	var a struct{ Metrics map[string]int64 }
	if err := json.Unmarshal([]byte(got.body), &a); err != nil || got.status != http.StatusOK {
		t.Fatalf("%d %s %v", got.status, got.body, err)
	}
	for _, k := range []string{timerInputParse, timerQueryEval, timerHandler} {
		if a.Metrics[k] <= 0 {
			t.Errorf("%s = %d, want > 0", k, a.Metrics[k])
		}
	}
	if a.Metrics[timerHandler] < a.Metrics[timerInputParse]+a.Metrics[timerQueryEval] {
		t.Errorf("handler %d < parse + eval %v", a.Metrics[timerHandler], a.Metrics)
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
