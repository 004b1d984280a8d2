package sidecar

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	opaserver "github.com/open-policy-agent/opa/v1/server"
)

// TestOPAHTTPMetrics sends one request to a fresh server and scrapes
// /metrics: exactly one series of OPA's http_request_duration_seconds counts
// it, with the code, handler and method stock OPA would give it (the
// scrape itself is counted only once it has answered).
func TestOPAHTTPMetrics(t *testing.T) {
	tokenFile := t.TempDir() + "/token"
	writeFile(t, tokenFile, "s3cret-token\n")
	withToken := func(c *Config) { c.TokenFile = tokenFile }
	ct := map[string]string{"Content-Type": jsonCT}
	for _, tc := range []struct {
		name, method, path, body string
		mod                      func(*Config)
		unloaded                 bool
		want                     string // code,handler,method
	}{
		{name: "admit allow", method: "POST", path: PathAdmit, body: reqExport, want: "200,v1/admit,post"},
		{name: "admit deny", method: "POST", path: PathAdmit, body: reqDelete, want: "200,v1/admit,post"},
		{name: "admit invalid", method: "POST", path: PathAdmit, body: `{}`, want: "400,v1/admit,post"},
		{name: "admit other method", method: "DELETE", path: PathAdmit, want: "405,v1/admit,delete"},
		{name: "admit unknown method", method: "BREW", path: PathAdmit, want: "405,v1/admit,unknown"},
		{name: "admit no token", method: "POST", path: PathAdmit, body: reqExport, mod: withToken, want: "401,v1/admit,post"},
		{name: "admit not ready", method: "POST", path: PathAdmit, body: reqExport, unloaded: true, want: "503,v1/admit,post"},
		{name: "opa decision", method: "POST", path: PathOPADecide, body: `{"input":` + reqExport + `}`, want: "200,v1/data,post"},
		{name: "opa decision get", method: "GET", path: PathOPADecide + "?input=" + url.QueryEscape(reqExport), want: "200,v1/data,get"},
		{name: "opa decision bad parameter", method: "GET", path: PathOPADecide + "?bogus=1&input=" + url.QueryEscape(reqExport), want: "400,v1/data,get"},
		{name: "inventory get", method: "GET", path: PathInventory, want: "200,v1/data,get"},
		{name: "inventory put invalid", method: "PUT", path: PathInventory, body: `[]`, want: "400,v1/data,put"},
		{name: "inventory below", method: "GET", path: PathInventory + "/resources/images/img-none", want: "200,v1/data,get"},
		{name: "inventory patch", method: "PATCH", path: PathInventory, body: `[]`, want: "204,v1/data,patch"},
		{name: "data elsewhere", method: "GET", path: "/v1/data/system", want: "404,v1/data,get"},
		{name: "rules", method: "GET", path: PathRules, want: "200,v1/rules,get"},
		{name: "health", method: "GET", path: PathHealth, want: "200,health,get"},
		{name: "health head", method: "HEAD", path: PathHealth, want: "200,health,head"},
		{name: "ready", method: "GET", path: PathReady, want: "200,health,get"},
		{name: "not ready", method: "GET", path: PathReady, unloaded: true, want: "503,health,get"},
		{name: "metrics", method: "GET", path: PathMetrics, want: "200,metrics,get"},
		{name: "unknown path", method: "GET", path: "/v1/policies", want: "404,catchall,get"},
		{name: "unknown path no token", method: "GET", path: "/nowhere", mod: withToken, want: "401,catchall,get"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h *harness
			if tc.unloaded {
				h = newUnloaded(t, tc.mod)
			} else {
				h = newHarness(t, tc.mod)
			}
			header := map[string]string{}
			if tc.body != "" {
				header = ct
			}
			h.do(tc.method, tc.path, header, tc.body)
			got := opaCounts(t, h.do("GET", PathMetrics, map[string]string{"Authorization": "Bearer s3cret-token"}, ""))
			if want := []string{tc.want + " 1"}; !slices.Equal(got, want) {
				t.Errorf("http_request_duration_seconds counts %q, want %q", got, want)
			}
		})
	}
}

var opaCountRE = regexp.MustCompile(`^http_request_duration_seconds_count\{code="([^"]*)",handler="([^"]*)",method="([^"]*)"\} (\d+)$`)

// opaCounts are the series of http_request_duration_seconds_count in a
// scrape, each as "code,handler,method count", sorted.
func opaCounts(t *testing.T, scrape reply) []string {
	t.Helper()
	if scrape.status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", scrape.status, scrape.body)
	}
	var out []string
	for _, l := range strings.Split(scrape.body, "\n") {
		if !strings.HasPrefix(l, "http_request_duration_seconds_count") {
			continue
		}
		m := opaCountRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("series not as OPA labels it: %s", l)
		}
		out = append(out, fmt.Sprintf("%s,%s,%s %s", m[1], m[2], m[3], m[4]))
	}
	slices.Sort(out)
	return out
}

// TestOPAHTTPMetricsShape checks the histogram's help, type and buckets are
// stock OPA's (its default server.metrics configuration).
func TestOPAHTTPMetricsShape(t *testing.T) {
	h := newHarness(t, nil)
	h.do("GET", PathHealth, nil, "")
	body := h.do("GET", PathMetrics, nil, "").body
	var got []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "http_request_duration_seconds") && !strings.Contains(l, "imgadmit_") &&
			!strings.HasPrefix(l, "http_request_duration_seconds_sum") {
			got = append(got, regexp.MustCompile(`\} \d+$`).ReplaceAllString(l, "} N"))
		}
	}
	want := `# HELP http_request_duration_seconds A histogram of duration for requests.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="1e-06"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="5e-06"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="1e-05"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="5e-05"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="0.0001"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="0.0005"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="0.001"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="0.01"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="0.1"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="1"} N
http_request_duration_seconds_bucket{code="200",handler="health",method="get",le="+Inf"} N
http_request_duration_seconds_count{code="200",handler="health",method="get"} N`
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
}

// TestOPAHTTPMetricsBounded sends requests to many made-up paths with
// made-up methods: the labels stay within the few values there are.
func TestOPAHTTPMetricsBounded(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 40 {
		h.do([]string{"GET", "PROPFIND", fmt.Sprintf("X%d", i)}[i%3], fmt.Sprintf("/p%d/%d", i, i*7), nil, "")
		h.do("GET", fmt.Sprintf("/health/x%d", i), nil, "")
		h.do("GET", fmt.Sprintf("/v1/data/x%d", i), nil, "")
	}
	got := opaCounts(t, h.do("GET", PathMetrics, nil, ""))
	want := []string{"404,catchall,get 14", "404,catchall,unknown 26", "404,health,get 40", "404,v1/data,get 40"}
	if !slices.Equal(got, want) {
		t.Errorf("counts %q, want %q", got, want)
	}
}

// TestOPAHandlerNames holds the handler labels that are OPA's to OPA's own
// constants, and every path to a label of the fixed list.
func TestOPAHandlerNames(t *testing.T) {
	for ours, opas := range map[string]string{
		handlerV1Data: opaserver.PromHandlerV1Data,
		handlerHealth: opaserver.PromHandlerHealth,
		handlerCatch:  opaserver.PromHandlerCatch,
	} {
		if ours != opas {
			t.Errorf("handler label %q, OPA's is %q", ours, opas)
		}
	}
	for path, want := range map[string]string{
		PathAdmit: handlerAdmit, PathOPADecide: handlerV1Data, PathInventory: handlerV1Data,
		PathInventory + "/a/b": handlerV1Data, "/v1/data": handlerV1Data, PathRules: handlerRules,
		PathHealth: handlerHealth, PathReady: handlerHealth, PathMetrics: handlerMetrics,
		"/": handlerCatch, "/v1/datax": handlerCatch, "/healthz": handlerCatch, "/v1/admit/x": handlerCatch,
	} {
		if got := opaHandlerOf(path); got != want || !slices.Contains(opaHandlers, got) {
			t.Errorf("opaHandlerOf(%q) = %q, want %q", path, got, want)
		}
	}
}
