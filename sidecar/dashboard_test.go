package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/logging"
	"github.com/open-policy-agent/opa/v1/plugins"
	"github.com/open-policy-agent/opa/v1/plugins/status"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/imgadmit/imgadmit/evaluator"
)

// dashboardFile is the Grafana dashboard docs/sidecar.md points to.
const dashboardFile = "../docs/grafana-dashboard.json"

// opaPluginMetrics are the metrics OPA's status plugin registers, with
// `status: {prometheus: true}`, in the registry the sidecar hands OPA's
// plugin manager (metrics.reg), by their type. They come from
// opa@v1.22.2 v1/plugins/status/metrics.go (newCollectors, and the
// decisionLogsCounterNames it exports with _total: the decision log plugin,
// v1/plugins/logs, has no Prometheus metrics of its own). The bundle and
// decision log plugins register none either. TestOPAPluginMetrics runs OPA's
// status plugin to hold this list to what it registers.
var opaPluginMetrics = map[string]string{
	"opa_info":                                                     "gauge",
	"plugin_status_gauge":                                          "gauge",
	"bundle_loaded_counter":                                        "counter",
	"bundle_failed_load_counter":                                   "counter",
	"last_bundle_request":                                          "gauge",
	"last_success_bundle_activation":                               "gauge",
	"last_success_bundle_download":                                 "gauge",
	"last_success_bundle_request":                                  "gauge",
	"bundle_loading_duration_ns":                                   "histogram",
	"decision_logs_status_gauge":                                   "gauge",
	"decision_logs_dropped_rate_limit_exceeded_total":              "counter",
	"decision_logs_dropped_buffer_size_limit_exceeded_total":       "counter",
	"decision_logs_dropped_buffer_size_limit_bytes_exceeded_total": "counter",
	"decision_logs_encoding_failure_total":                         "counter",
	"decision_logs_nd_builtin_cache_dropped_total":                 "counter",
	"enc_log_exceeded_upload_size_limit_bytes_total":               "counter",
	"decision_logs_chunks_uploaded_total":                          "counter",
	"decision_logs_chunks_upload_failed_total":                     "counter",
	"decision_logs_buffer_size_events":                             "gauge",
	"decision_logs_buffer_size_bytes":                              "gauge",
}

// seriesNames are the names a family's samples carry: a histogram's
// _bucket, _sum and _count.
func seriesNames(name, typ string) []string {
	if typ == "histogram" {
		return []string{name + "_bucket", name + "_sum", name + "_count"}
	}
	return []string{name}
}

// recordingRegisterer is the sidecar's registerer, noting the name of
// every metric registered through it and every refusal.
type recordingRegisterer struct {
	prometheus.Registerer
	mu    sync.Mutex
	names []string
	errs  []error
}

var fqNameRE = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *recordingRegisterer) Register(c prometheus.Collector) error {
	descs := make(chan *prometheus.Desc)
	go func() { c.Describe(descs); close(descs) }()
	var names []string
	for d := range descs {
		if m := fqNameRE.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	err := r.Registerer.Register(c)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, names...)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%v: %w", names, err))
	}
	return err
}

func (r *recordingRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// TestOPAPluginMetrics runs OPA's own status plugin, Prometheus on, with
// the sidecar's registry, as the plugin manager will: every metric it
// registers goes in without a clash with the sidecar's (all of them, sync
// included), and they are exactly opaPluginMetrics.
func TestOPAPluginMetrics(t *testing.T) {
	m := newMetrics(time.Second, func() *evaluator.Evaluator { return nil })
	m.watchSync()
	rec := &recordingRegisterer{Registerer: m.reg}
	mgr, err := plugins.New([]byte(`{}`), "test", inmem.New(),
		plugins.WithPrometheusRegister(rec), plugins.Logger(logging.NewNoOpLogger()))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := status.NewConfigBuilder().WithBytes([]byte(`{"prometheus": true}`)).
		WithServices(mgr.Services()).WithPlugins(mgr.Plugins()).Parse()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := status.New(cfg, mgr)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	p.Stop(ctx)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) > 0 {
		t.Errorf("OPA's status plugin could not register: %v", rec.errs)
	}
	var want []string
	for name := range opaPluginMetrics {
		want = append(want, name)
	}
	sort.Strings(want)
	got := slices.Sorted(slices.Values(rec.names))
	if !slices.Equal(got, want) {
		t.Errorf("OPA's status plugin registered\n %q\nthe list says\n %q", got, want)
	}
}

// TestDashboard reads docs/grafana-dashboard.json as Grafana would import it
// and holds every metric its queries name to one the sidecar shows on
// /metrics (scraped after decisions, a reload and a sync) or one of OPA's
// plugin metrics: a query on a metric nobody exposes fails.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readDashboard(raw)
	if err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	exposed, _ := scrapedNames(t)
	for name, typ := range opaPluginMetrics {
		for _, n := range seriesNames(name, typ) {
			exposed[n] = true
		}
	}
	problems, used := checkQueries(d, exposed)
	for _, p := range problems {
		t.Error(p)
	}
	// What the issue asks the dashboard to show.
	for _, n := range []string{"imgadmit_decision_reasons_total", "imgadmit_decisions_total", "http_request_duration_seconds_bucket",
		"http_request_duration_seconds_count", "imgadmit_reloads_total", "bundle_loaded_counter", "bundle_failed_load_counter",
		"last_success_bundle_activation", "decision_logs_chunks_uploaded_total", "imgadmit_decision_log_lines_total", "imgadmit_syncs_total"} {
		if !used[n] {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
}

// checkQueries names every query that selects no metric or one not in
// exposed, and returns the metrics the queries use.
func checkQueries(d *dashboard, exposed map[string]bool) (problems []string, used map[string]bool) {
	used = map[string]bool{}
	for _, q := range d.queries {
		names := promqlMetricNames(q.expr)
		if len(names) == 0 {
			problems = append(problems, fmt.Sprintf("%s: query %q names no metric", q.where, q.expr))
		}
		for _, n := range names {
			used[n] = true
			if !exposed[n] {
				problems = append(problems, fmt.Sprintf("%s: query %q names %s, which neither the sidecar nor OPA's plugins expose", q.where, q.expr, n))
			}
		}
	}
	return problems, used
}

// scrapedNames are the sample names, and the families, of a scrape of a
// sidecar that has answered decisions (allow, deny, with reasons), reloaded
// and synced.
func scrapedNames(t *testing.T) (samples, families map[string]bool) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policies")
	copyTree(t, filepath.Join("testdata", "policies"), pol)
	inv := filepath.Join(dir, "inventory.json")
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`)
	h := newHarness(t, func(c *Config) {
		c.Policies = pol
		c.DataFiles = []string{inv}
		c.SyncInterval = time.Hour
		c.Sync = func(context.Context) (map[string]any, error) {
			return map[string]any{"resources": map[string]any{}}, nil
		}
	})
	h.post(PathAdmit, reqExport)
	h.post(PathAdmit, reqDelete)
	h.post(PathOPADecide, `{"input":`+reqExpire+`}`)
	h.do("GET", "/nowhere", nil, "")
	if err := h.s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.s.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	scrape := h.do("GET", PathMetrics, nil, "")
	samples, families = map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(scrape.body, "\n") {
		if f, ok := strings.CutPrefix(l, "# TYPE "); ok {
			families[strings.Fields(f)[0]] = true
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		samples[l[:strings.IndexAny(l, "{ ")]] = true
	}
	return samples, families
}

// TestMetricsDocumented: docs/sidecar.md names every metric the sidecar
// shows (but Go's and the process's) and every one of OPA's plugins.
func TestMetricsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/sidecar.md")
	if err != nil {
		t.Fatal(err)
	}
	_, families := scrapedNames(t)
	families["http_request_cancellations"] = true // no cancellation in the scrape
	for name := range opaPluginMetrics {
		families[name] = true
	}
	for name := range families {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/sidecar.md does not name %s", name)
		}
	}
}

// dashboard is what the test reads of a Grafana dashboard: every PromQL
// query, in panels, rows' panels and template variables, with where it is.
type dashboard struct {
	queries []query
}

type query struct{ where, expr string }

// readDashboard checks what Grafana's import needs (a title, a uid, the
// schema version, a Prometheus datasource variable every panel uses, panel
// ids that are unique) and collects the queries.
func readDashboard(raw []byte) (*dashboard, error) {
	var doc struct {
		Title         string `json:"title"`
		UID           string `json:"uid"`
		SchemaVersion int    `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Title == "" || doc.UID == "" || doc.SchemaVersion == 0 {
		return nil, fmt.Errorf("title %q, uid %q, schemaVersion %d: all three are needed", doc.Title, doc.UID, doc.SchemaVersion)
	}
	d := &dashboard{}
	hasDatasource := false
	for _, v := range doc.Templating.List {
		switch {
		case v.Type == "datasource" && v.Name == "datasource" && v.Query == "prometheus":
			hasDatasource = true
		case v.Type == "query":
			q, ok := v.Query.(map[string]any)
			expr, _ := q["query"].(string)
			if !ok || expr == "" {
				return nil, fmt.Errorf("variable %s: no query", v.Name)
			}
			d.queries = append(d.queries, query{"variable " + v.Name, expr})
		}
	}
	if !hasDatasource {
		return nil, fmt.Errorf("no Prometheus datasource variable named datasource")
	}
	ids := map[int]bool{}
	var walk func(ps []panel) error
	walk = func(ps []panel) error {
		for _, p := range ps {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if p.ID == 0 || ids[p.ID] {
				return fmt.Errorf("%s: no id, or one another panel has", where)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				if err := walk(p.Panels); err != nil {
					return err
				}
				continue
			}
			if p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
				return fmt.Errorf("%s: datasource %q and %d queries; want ${datasource} and some", where, p.Datasource.UID, len(p.Targets))
			}
			for _, tg := range p.Targets {
				if tg.Expr == "" || tg.RefID == "" {
					return fmt.Errorf("%s: a query without expr or refId", where)
				}
				d.queries = append(d.queries, query{where, tg.Expr})
			}
		}
		return nil
	}
	if err := walk(doc.Panels); err != nil {
		return nil, err
	}
	return d, nil
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

var (
	promqlStringRE  = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promqlBracesRE  = regexp.MustCompile(`\{[^{}]*\}|\[[^\[\]]*\]`)
	promqlGroupRE   = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promqlTokenRE   = regexp.MustCompile(`\$\w+|[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?[a-z]*|[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?`)
	promqlKeywords  = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true, "bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true, "Inf": true, "NaN": true}
	grafanaVarRE    = regexp.MustCompile(`\$\{\w+\}`)
	labelValuesRE   = regexp.MustCompile(`^label_values\((\w+)\s*(?:\{[^}]*\})?\s*,\s*\w+\)$`)
	promqlFuncCalls = regexp.MustCompile(`\($`)
)

// promqlMetricNames are the metric names a PromQL expression selects (or,
// for a Grafana label_values(metric, label) variable, the metric it reads):
// what is left once strings, label matchers, ranges, grouping clauses,
// numbers, variables, keywords and function names are taken out.
func promqlMetricNames(expr string) []string {
	expr = strings.TrimSpace(expr)
	if m := labelValuesRE.FindStringSubmatch(expr); m != nil {
		return []string{m[1]}
	}
	expr = grafanaVarRE.ReplaceAllString(expr, " ")
	expr = promqlStringRE.ReplaceAllString(expr, `""`)
	for {
		next := promqlBracesRE.ReplaceAllString(expr, " ")
		next = promqlGroupRE.ReplaceAllString(next, " ")
		if next == expr {
			break
		}
		expr = next
	}
	seen := map[string]bool{}
	var out []string
	for _, tok := range promqlTokenRE.FindAllString(expr, -1) {
		switch {
		case strings.HasPrefix(tok, "$"), tok[0] >= '0' && tok[0] <= '9', promqlFuncCalls.MatchString(tok):
			continue
		}
		tok = strings.TrimSpace(tok)
		if promqlKeywords[tok] || seen[tok] {
			continue
		}
		seen[tok] = true
		out = append(out, tok)
	}
	return out
}

func TestPromqlMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`sum by (rule_id, effect) (rate(imgadmit_decision_reasons_total{instance=~"$instance", effect!="note"}[$__rate_interval]))`, []string{"imgadmit_decision_reasons_total"}},
		{`histogram_quantile(0.99, sum by (handler, le) (rate(http_request_duration_seconds_bucket{handler=~"v1/.*"}[5m])))`, []string{"http_request_duration_seconds_bucket"}},
		{`time() - max by (name) (last_success_bundle_activation{instance=~"${instance}"}) / 1e9`, []string{"last_success_bundle_activation"}},
		{`sum(rate(a_total[1m])) / on (instance) group_left (job) sum(rate(b_total[1m])) > bool 0.5 or vector(0)`, []string{"a_total", "b_total"}},
		{`label_values(imgadmit_rulebook_info, instance)`, []string{"imgadmit_rulebook_info"}},
		{`label_replace(up{job="a"}, "dst", "$1", "src", "(.*)")`, []string{"up"}},
		{`topk(10, sum without (instance) (increase(x_total[$__range]))) offset 5m`, []string{"x_total"}},
		{`sum(rate(nobody_exposes_this_total[5m]))`, []string{"nobody_exposes_this_total"}},
		{`vector(1)`, nil},
	} {
		if got := promqlMetricNames(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestReadDashboard: what Grafana's import needs, missing, is an error that
// says what.
func TestReadDashboard(t *testing.T) {
	good := `{"title":"t","uid":"u","schemaVersion":39,"templating":{"list":[{"name":"datasource","type":"datasource","query":"prometheus"}]},
	  "panels":[{"id":1,"type":"row","title":"r","panels":[{"id":2,"type":"timeseries","title":"p","datasource":{"uid":"${datasource}"},"targets":[{"refId":"A","expr":"up"}]}]}]}`
	if d, err := readDashboard([]byte(good)); err != nil || len(d.queries) != 1 || d.queries[0] != (query{`panel 2 "p"`, "up"}) {
		t.Fatalf("readDashboard(good): %+v, %v", d, err)
	}
	d, _ := readDashboard([]byte(strings.Replace(good, `"expr":"up"`, `"expr":"rate(up[5m]) / rate(nobody_total[5m])"`, 1)))
	problems, _ := checkQueries(d, map[string]bool{"up": true})
	if want := []string{`panel 2 "p": query "rate(up[5m]) / rate(nobody_total[5m])" names nobody_total, which neither the sidecar nor OPA's plugins expose`}; !slices.Equal(problems, want) {
		t.Errorf("checkQueries: %q, want %q", problems, want)
	}
	for _, tc := range []struct{ name, from, to, err string }{
		{"no uid", `"uid":"u"`, `"uid":""`, `title "t", uid "", schemaVersion 39: all three are needed`},
		{"no datasource variable", `"type":"datasource"`, `"type":"custom"`, "no Prometheus datasource variable named datasource"},
		{"fixed datasource", `"uid":"${datasource}"`, `"uid":"abc"`, `panel 2 "p": datasource "abc" and 1 queries; want ${datasource} and some`},
		{"same id twice", `"id":2`, `"id":1`, `panel 1 "p": no id, or one another panel has`},
		{"query without expr", `"expr":"up"`, `"expr":""`, `panel 2 "p": a query without expr or refId`},
	} {
		_, err := readDashboard([]byte(strings.Replace(good, tc.from, tc.to, 1)))
		if err == nil || err.Error() != tc.err {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
		}
	}
}
