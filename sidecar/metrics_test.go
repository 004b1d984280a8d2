package sidecar

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMetrics checks every imgadmit_ series after a known set of requests.
// Bucket counts depend on timing, so for the histogram it checks the bucket
// bounds and the counts, not which bucket each request fell in.
func TestMetrics(t *testing.T) {
	h := newHarness(t, nil)
	h.post(PathAdmit, reqExport)
	h.post(PathAdmit, reqDelete)
	h.post(PathAdmit, `{}`)
	h.post(PathOPADecide, `{"input":`+reqExpire+`}`)
	h.do("GET", PathHealth, nil, "")
	h.do("GET", "/nowhere", nil, "")
	got := h.do("GET", PathMetrics, nil, "")
	if got.status != 200 || !strings.HasPrefix(got.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, Content-Type %q", got.status, got.header.Get("Content-Type"))
	}
	bucket := regexp.MustCompile(`^(imgadmit_http_request_duration_seconds_bucket\{.*\}) \d+$`)
	var lines []string
	for _, l := range strings.Split(got.body, "\n") {
		if !strings.Contains(l, "imgadmit_") || strings.Contains(l, "_sum{") {
			continue
		}
		if bucket.MatchString(l) && !strings.Contains(l, `endpoint="/health"`) {
			continue // one series' buckets show the bounds
		}
		lines = append(lines, bucket.ReplaceAllString(l, "$1 N"))
	}
	want := strings.TrimSpace(wantMetrics)
	if g := strings.Join(lines, "\n"); norm(g) != want {
		t.Errorf("metrics\n got:\n%s\n\nwant:\n%s", norm(g), want)
	}
	if rev := h.s.eval.Load().Revision(); !strings.Contains(got.body, "\nimgadmit_rulebook_info{revision=\""+rev+"\"} 1\n") {
		t.Errorf("imgadmit_rulebook_info is not labelled %s", rev)
	}
	for _, l := range []string{"go_goroutines ", "process_start_time_seconds "} {
		if !strings.Contains(got.body, "\n"+l) {
			t.Errorf("no %s in the metrics", l)
		}
	}
}

func TestLatencyBuckets(t *testing.T) {
	for _, tc := range []struct {
		deadline time.Duration
		want     []float64
	}{
		{500 * time.Millisecond, []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5}},
		{2 * time.Second, []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2}},
		{time.Millisecond, []float64{0.0005, 0.001}},
	} {
		got := latencyBuckets(tc.deadline)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.deadline, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.deadline, got, tc.want)
				break
			}
		}
	}
}

const wantMetrics = `
# HELP imgadmit_connections_refused_total Connections closed as soon as they were accepted: more were open than --max-connections.
# TYPE imgadmit_connections_refused_total counter
imgadmit_connections_refused_total 0
# HELP imgadmit_decision_log_errors_total Decision log lines that could not be written (the line went to the server log instead).
# TYPE imgadmit_decision_log_errors_total counter
imgadmit_decision_log_errors_total 0
# HELP imgadmit_decision_log_lines_total Decision log lines written.
# TYPE imgadmit_decision_log_lines_total counter
imgadmit_decision_log_lines_total 3
# HELP imgadmit_decision_reasons_total Reasons given in decisions, by rule id and effect.
# TYPE imgadmit_decision_reasons_total counter
imgadmit_decision_reasons_total{effect="deny",rule_id="TEST-001"} 1
imgadmit_decision_reasons_total{effect="warn",rule_id="TEST-002"} 1
# HELP imgadmit_decisions_total Decisions answered, by outcome (allow, deny, fail_closed).
# TYPE imgadmit_decisions_total counter
imgadmit_decisions_total{outcome="allow"} 2
imgadmit_decisions_total{outcome="deny"} 1
imgadmit_decisions_total{outcome="fail_closed"} 0
# HELP imgadmit_http_request_duration_seconds Time to answer an HTTP request, by endpoint and outcome; buckets reach the evaluation deadline.
# TYPE imgadmit_http_request_duration_seconds histogram
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.0005"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.001"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.0025"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.005"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.01"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.025"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.05"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.1"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.25"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="0.5"} N
imgadmit_http_request_duration_seconds_bucket{endpoint="/health",outcome="ok",le="+Inf"} N
imgadmit_http_request_duration_seconds_count{endpoint="/health",outcome="ok"} 1
imgadmit_http_request_duration_seconds_count{endpoint="/v1/admit",outcome="allow"} 1
imgadmit_http_request_duration_seconds_count{endpoint="/v1/admit",outcome="deny"} 1
imgadmit_http_request_duration_seconds_count{endpoint="/v1/admit",outcome="invalid_request"} 1
imgadmit_http_request_duration_seconds_count{endpoint="/v1/data/imgadmit/decision",outcome="allow"} 1
imgadmit_http_request_duration_seconds_count{endpoint="other",outcome="not_found"} 1
# HELP imgadmit_http_requests_total HTTP requests answered, by endpoint and outcome (allow, deny, fail_closed, ok, or the error code).
# TYPE imgadmit_http_requests_total counter
imgadmit_http_requests_total{endpoint="/health",outcome="ok"} 1
imgadmit_http_requests_total{endpoint="/v1/admit",outcome="allow"} 1
imgadmit_http_requests_total{endpoint="/v1/admit",outcome="deny"} 1
imgadmit_http_requests_total{endpoint="/v1/admit",outcome="invalid_request"} 1
imgadmit_http_requests_total{endpoint="/v1/data/imgadmit/decision",outcome="allow"} 1
imgadmit_http_requests_total{endpoint="other",outcome="not_found"} 1
# HELP imgadmit_inventory_updates_total Changes to the inventory through the Data API (PUT, PATCH, DELETE on /v1/data/inventory and below), by result.
# TYPE imgadmit_inventory_updates_total counter
imgadmit_inventory_updates_total{result="failure"} 0
imgadmit_inventory_updates_total{result="success"} 0
# HELP imgadmit_reloads_total Reloads of the rulebook directory and the inventory files (on change or SIGHUP), by target and result.
# TYPE imgadmit_reloads_total counter
imgadmit_reloads_total{result="failure",target="rulebook"} 0
imgadmit_reloads_total{result="success",target="rulebook"} 0
# HELP imgadmit_rulebook_info The rulebook serving now: always 1, labelled with its revision.
# TYPE imgadmit_rulebook_info gauge
imgadmit_rulebook_info{revision="REV"} 1
# HELP imgadmit_rulebook_rules Rules in the rulebook serving now.
# TYPE imgadmit_rulebook_rules gauge
imgadmit_rulebook_rules 5
`
