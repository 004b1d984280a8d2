package sidecar

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	serverMetrics "github.com/open-policy-agent/opa/v1/plugins/server/metrics"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Outcomes of a decision, as the decisions_total and http metrics label them.
const (
	outcomeAllow      = "allow"
	outcomeDeny       = "deny"
	outcomeFailClosed = "fail_closed"
	outcomeOK         = "ok"
)

// Reload targets and results.
const (
	targetRulebook   = "rulebook"
	targetInventory  = "inventory"
	targetIdentities = "identities"
	resultSuccess    = "success"
	resultFailure    = "failure"
)

// Values of the handler label of OPA's HTTP metrics. Where an endpoint is one
// of OPA's, it carries the name stock OPA's server gives it (the PromHandler*
// constants of opa/v1/server/server.go), so OPA's dashboards and alerts find
// it; imgadmit's own endpoints are named the same way. Every path maps onto
// one of these: unknown paths cannot grow the label's values.
const (
	handlerV1Data  = "v1/data"  // server.PromHandlerV1Data
	handlerHealth  = "health"   // server.PromHandlerHealth
	handlerCatch   = "catchall" // server.PromHandlerCatch: any other path
	handlerMetrics = "metrics"  // stock OPA leaves /metrics uninstrumented
	handlerAdmit   = "v1/admit"
	handlerRules   = "v1/rules"
)

// opaHandlers are every value of the handler label.
var opaHandlers = []string{handlerV1Data, handlerHealth, handlerCatch, handlerMetrics, handlerAdmit, handlerRules}

// opaHandlerOf is the handler label of a path, as OPA's router would route
// it: the whole Data API is "v1/data", /health and below "health".
func opaHandlerOf(path string) string {
	switch {
	case path == PathAdmit:
		return handlerAdmit
	case path == PathRules:
		return handlerRules
	case path == PathMetrics:
		return handlerMetrics
	case path == "/v1/data" || strings.HasPrefix(path, "/v1/data/"):
		return handlerV1Data
	case path == PathHealth || strings.HasPrefix(path, PathHealth+"/"):
		return handlerHealth
	}
	return handlerCatch
}

// opaHTTPBuckets are the buckets stock OPA gives http_request_duration_seconds
// (its server.metrics configuration with nothing set), read from OPA's own
// configuration package so the two never drift apart.
var opaHTTPBuckets = sync.OnceValue(func() []float64 {
	c, err := serverMetrics.NewConfigBuilder().Parse()
	if err != nil || c.Prom == nil || c.Prom.HTTPRequestDurationSeconds == nil {
		// OPA's defaults failed to build from no input at all; Prometheus'
		// defaults still make a usable histogram.
		return prometheus.DefBuckets
	}
	return c.Prom.HTTPRequestDurationSeconds.Buckets
})

// metrics are the server's Prometheus metrics, in a registry of their own (no
// global state, so tests can run servers side by side). OPA's plugin manager
// registers its plugins' metrics in the same registry (reg).
type metrics struct {
	// reg is also where OPA's plugin manager registers its plugins' metrics
	// (plugins.WithPrometheusRegister): /metrics then shows them beside
	// these. None of the names registered here is one of theirs
	// (TestOPAPluginMetrics).
	reg *prometheus.Registry
	// httpDuration and httpCancellations are OPA's HTTP metrics, named and
	// labelled as stock OPA's server names them (opa internal/prometheus).
	httpDuration      *prometheus.HistogramVec
	httpCancellations *prometheus.CounterVec

	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	decisions  *prometheus.CounterVec
	reasons    *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	reloadOK   *prometheus.GaugeVec
	logLines   prometheus.Counter
	logErrors  prometheus.Counter
	invUpdates *prometheus.CounterVec
	// connRefused counts connections closed at once, beyond --max-connections.
	connRefused prometheus.Counter

	// syncs count the serve --sync runs by result, their duration, and the
	// last one's outcome; registered only with --sync.
	syncs           *prometheus.CounterVec
	syncDuration    *prometheus.HistogramVec
	syncOK          prometheus.Gauge
	syncLastSuccess prometheus.Gauge
	syncResources   prometheus.Gauge
}

// latencyBuckets reach up to the evaluation deadline: a request that took
// longer was cut off and answered fail closed, and +Inf counts it.
func latencyBuckets(deadline time.Duration) []float64 {
	limit := deadline.Seconds()
	var out []float64
	for _, b := range []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60} {
		if b < limit {
			out = append(out, b)
		}
	}
	return append(out, limit)
}

// newMetrics registers every metric. current reports the rulebook now serving
// (nil before the first load); it is read at scrape time so the revision shown
// is always the one decisions carry.
func newMetrics(deadline time.Duration, current func() *evaluator.Evaluator) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "A histogram of duration for requests.",
			Buckets: opaHTTPBuckets(),
		}, []string{"code", "handler", "method"}),
		httpCancellations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_request_cancellations",
			Help: "A count of cancelled requests.",
		}, []string{"code", "handler", "method"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgadmit_http_requests_total",
			Help: "HTTP requests answered, by endpoint and outcome (allow, deny, fail_closed, ok, or the error code).",
		}, []string{"endpoint", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "imgadmit_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by endpoint and outcome; buckets reach the evaluation deadline.",
			Buckets: latencyBuckets(deadline),
		}, []string{"endpoint", "outcome"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgadmit_decisions_total",
			Help: "Decisions answered, by outcome (allow, deny, fail_closed).",
		}, []string{"outcome"}),
		reasons: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgadmit_decision_reasons_total",
			Help: "Reasons given in decisions, by rule id and effect.",
		}, []string{"rule_id", "effect"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgadmit_reloads_total",
			Help: "Reloads of the rulebook directory and the inventory files (on change or SIGHUP), by target and result.",
		}, []string{"target", "result"}),
		reloadOK: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "imgadmit_reload_last_success",
			Help: "1 if the last reload of the target succeeded, 0 if it failed and the previous one is still serving.",
		}, []string{"target"}),
		logLines: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imgadmit_decision_log_lines_total",
			Help: "Decision log lines written.",
		}),
		logErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imgadmit_decision_log_errors_total",
			Help: "Decision log lines that could not be written (the line went to the server log instead).",
		}),
		invUpdates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imgadmit_inventory_updates_total",
			Help: "Changes to the inventory through the Data API (PUT, PATCH, DELETE on /v1/data/inventory and below), by result.",
		}, []string{"result"}),
		connRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imgadmit_connections_refused_total",
			Help: "Connections closed as soon as they were accepted: more were open than --max-connections.",
		}),
	}
	m.syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "imgadmit_syncs_total",
		Help: "Syncs of the inventory from the clouds (serve --sync), by result.",
	}, []string{"result"})
	m.syncDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "imgadmit_sync_duration_seconds",
		Help:    "Time a sync took, from the first call to the inventory swapped (or the failure), by result.",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
	}, []string{"result"})
	m.syncOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "imgadmit_sync_last_success",
		Help: "1 if the last sync succeeded, 0 if it failed and the last good inventory is still serving.",
	})
	m.syncLastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "imgadmit_sync_last_success_timestamp_seconds",
		Help: "When the last good sync ended (Unix time); 0 before the first.",
	})
	m.syncResources = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "imgadmit_sync_resources",
		Help: "Resources the last good sync fetched.",
	})
	m.reg.MustRegister(m.httpDuration, m.httpCancellations, m.requests, m.latency, m.decisions, m.reasons, m.reloads, m.reloadOK,
		m.logLines, m.logErrors, m.invUpdates, m.connRefused, rulebookCollector{current},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that alerts divide or rate should exist from the start, at zero.
	for _, o := range []string{outcomeAllow, outcomeDeny, outcomeFailClosed} {
		m.decisions.WithLabelValues(o)
	}
	for _, r := range []string{resultSuccess, resultFailure} {
		m.invUpdates.WithLabelValues(r)
	}
	return m
}

// watchSync registers the sync metrics, the counters at zero.
func (m *metrics) watchSync() {
	m.reg.MustRegister(m.syncs, m.syncDuration, m.syncOK, m.syncLastSuccess, m.syncResources)
	m.syncs.WithLabelValues(resultSuccess)
	m.syncs.WithLabelValues(resultFailure)
}

func (m *metrics) synced(result string, d time.Duration) {
	m.syncs.WithLabelValues(result).Inc()
	m.syncDuration.WithLabelValues(result).Observe(d.Seconds())
	if result == resultSuccess {
		m.syncOK.Set(1)
		m.syncLastSuccess.Set(float64(time.Now().UnixNano()) / 1e9)
		return
	}
	m.syncOK.Set(0)
}

// watchTargets creates the reload series for the targets that can reload.
func (m *metrics) watchTargets(targets ...string) {
	for _, t := range targets {
		m.reloads.WithLabelValues(t, resultSuccess)
		m.reloads.WithLabelValues(t, resultFailure)
	}
}

func (m *metrics) observe(endpoint, outcome string, d time.Duration) {
	m.requests.WithLabelValues(endpoint, outcome).Inc()
	m.latency.WithLabelValues(endpoint, outcome).Observe(d.Seconds())
}

func (m *metrics) decided(d *evaluator.Decision, outcome string) {
	m.decisions.WithLabelValues(outcome).Inc()
	for _, r := range d.Reasons {
		m.reasons.WithLabelValues(r.ID, r.Effect).Inc()
	}
}

func (m *metrics) reloaded(target string, err error) {
	if err != nil {
		m.reloads.WithLabelValues(target, resultFailure).Inc()
		m.reloadOK.WithLabelValues(target).Set(0)
		return
	}
	m.reloads.WithLabelValues(target, resultSuccess).Inc()
	m.reloadOK.WithLabelValues(target).Set(1)
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts every answer in OPA's HTTP metrics, under the handler
// label opaHandlerOf gives its path (always one of opaHandlers), as OPA's
// server does (promhttp's own instrumentation: method and code are bounded
// to the standard values).
func (m *metrics) instrument(next http.Handler) http.Handler {
	byHandler := make(map[string]http.Handler, len(opaHandlers))
	for _, h := range opaHandlers {
		byHandler[h] = m.instrumentHandler(h, next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		byHandler[opaHandlerOf(r.URL.Path)].ServeHTTP(w, r)
	})
}

// instrumentHandler is OPA's Provider.InstrumentHandler: the duration of
// every answer, and a count of those whose request was cancelled first.
func (m *metrics) instrumentHandler(label string, next http.Handler) http.Handler {
	duration := m.httpDuration.MustCurryWith(prometheus.Labels{"handler": label})
	cancellations := m.httpCancellations.MustCurryWith(prometheus.Labels{"handler": label})
	return promhttp.InstrumentHandlerDuration(duration, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if r.Context().Err() != nil {
			cancellations.WithLabelValues(strconv.Itoa(sw.status), methodLabel(r.Method)).Inc()
		}
	}))
}

// methodLabel is the method as OPA's cancellation counter shows it (as
// sent), but any method net/http does not name counts as "unknown": a
// client cannot grow the label's values.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "unknown"
}

// statusWriter remembers the status code of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// rulebookCollector reports the rulebook serving now.
type rulebookCollector struct {
	current func() *evaluator.Evaluator
}

var (
	rulebookInfoDesc = prometheus.NewDesc("imgadmit_rulebook_info",
		"The rulebook serving now: always 1, labelled with its revision.", []string{"revision"}, nil)
	rulebookRulesDesc = prometheus.NewDesc("imgadmit_rulebook_rules",
		"Rules in the rulebook serving now.", nil, nil)
)

func (c rulebookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- rulebookInfoDesc
	ch <- rulebookRulesDesc
}

func (c rulebookCollector) Collect(ch chan<- prometheus.Metric) {
	e := c.current()
	if e == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(rulebookInfoDesc, prometheus.GaugeValue, 1, e.Revision())
	ch <- prometheus.MustNewConstMetric(rulebookRulesDesc, prometheus.GaugeValue, float64(len(e.Rules())))
}
