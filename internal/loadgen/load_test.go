package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// decisionServer answers like an OPA Data API endpoint and counts requests;
// every failEvery-th request gets a 500 (0: never).
func decisionServer(t *testing.T, failEvery int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			Input json.RawMessage `json:"input"`
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &in) != nil || in.Input == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if c := n.Add(1); failEvery > 0 && c%failEvery == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"result":{"allowed":true,"reasons":[]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRunFlatOutSendsTheCount(t *testing.T) {
	srv, n := decisionServer(t, 0)
	bodies := DataBodies([][]byte{[]byte(`{"provider": "huaweicloud"}`), []byte(`{"provider":"alibabacloud"}`)})
	res, err := Run(context.Background(), NewClient(4), srv.URL, bodies, Load{Requests: 300, Duration: 10 * time.Second, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 300 || res.Errors != 0 || n.Load() != 300 || len(res.Latencies) != 300 {
		t.Fatalf("sent %d, errors %d, served %d, latencies %d: want 300, 0, 300, 300 (%s)", res.Sent, res.Errors, n.Load(), len(res.Latencies), res.FirstError)
	}
	if res.Throughput() <= 0 || res.Percentile(0.5) <= 0 || res.Percentile(0.5) > res.Percentile(0.99) || res.Percentile(0.99) > res.Percentile(1) {
		t.Errorf("throughput %v, p50 %v, p99 %v, max %v", res.Throughput(), res.Percentile(0.5), res.Percentile(0.99), res.Percentile(1))
	}
	if !strings.Contains(res.Summary(), "300 sent, 0 errors") {
		t.Errorf("summary %q", res.Summary())
	}
}

func TestRunAtARateKeepsTheRate(t *testing.T) {
	srv, n := decisionServer(t, 0)
	bodies := DataBodies([][]byte{[]byte(`{}`)})
	start := time.Now()
	res, err := Run(context.Background(), NewClient(8), srv.URL, bodies, Load{Requests: 100, Duration: 10 * time.Second, Rate: 200, Workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	// 100 requests at 200/s take half a second: not much less (the rate
	// holds), and not the whole duration.
	if took := time.Since(start); took < 450*time.Millisecond || took > 5*time.Second {
		t.Errorf("100 requests at 200/s took %v", took)
	}
	if res.Sent != 100 || n.Load() != 100 {
		t.Errorf("sent %d, served %d", res.Sent, n.Load())
	}
	// Every request released has its lag, sorted, none negative; the
	// summary shows them.
	if len(res.Lags) != 100 || res.Lags[0] < 0 || !slices.IsSorted(res.Lags) {
		t.Errorf("%d lags, first %v, sorted %v", len(res.Lags), res.Lags[:min(1, len(res.Lags))], slices.IsSorted(res.Lags))
	}
	if !strings.Contains(res.Summary(), "released late p50") {
		t.Errorf("summary %q does not show the lags", res.Summary())
	}
}

func TestRunFlatOutHasNoLags(t *testing.T) {
	srv, _ := decisionServer(t, 0)
	res, err := Run(context.Background(), NewClient(2), srv.URL, DataBodies([][]byte{[]byte(`{}`)}), Load{Requests: 20, Duration: 10 * time.Second, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lags) != 0 || strings.Contains(res.Summary(), "released late") {
		t.Errorf("flat out: %d lags, summary %q", len(res.Lags), res.Summary())
	}
}

func TestRunStopsAtTheDuration(t *testing.T) {
	srv, _ := decisionServer(t, 0)
	start := time.Now()
	res, err := Run(context.Background(), NewClient(2), srv.URL, DataBodies([][]byte{[]byte(`{}`)}),
		Load{Requests: 1 << 30, Duration: 300 * time.Millisecond, Rate: 50, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a 300 ms run took %v", took)
	}
	if res.Sent == 0 || res.Sent > 20 {
		t.Errorf("sent %d in 300 ms at 50/s", res.Sent)
	}
}

func TestRunCountsFailures(t *testing.T) {
	srv, _ := decisionServer(t, 10)
	res, err := Run(context.Background(), NewClient(1), srv.URL, DataBodies([][]byte{[]byte(`{}`)}), Load{Requests: 50, Duration: 10 * time.Second, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 5 || len(res.Latencies) != 45 || !strings.Contains(res.FirstError, "500") {
		t.Errorf("errors %d, latencies %d, first %q: want 5, 45, a 500", res.Errors, len(res.Latencies), res.FirstError)
	}
}

func TestRunRefusesAnUnboundedLoad(t *testing.T) {
	for _, l := range []Load{{Duration: time.Second, Workers: 1}, {Requests: 1, Workers: 1}, {Requests: 1, Duration: time.Second}} {
		if _, err := Run(context.Background(), NewClient(1), "http://127.0.0.1:1", [][]byte{[]byte(`{}`)}, l); err == nil {
			t.Errorf("%+v: no error", l)
		}
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i))
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := Percentile(lat, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p*100, got, c.want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("percentile of nothing")
	}
}

func TestRequestsAndBodies(t *testing.T) {
	reqs, files, err := Requests("../../fixtures/requests")
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != len(files) || len(reqs) < 50 {
		t.Fatalf("%d requests, %d files", len(reqs), len(files))
	}
	for _, f := range files {
		if strings.Contains(f, "REQ-001") || strings.Contains(f, "REQ-003") {
			t.Errorf("%s is refused before evaluation: not a decision to time", f)
		}
	}
	for i, b := range DataBodies(reqs[:3]) {
		var body struct {
			Input map[string]any `json:"input"`
		}
		if err := json.Unmarshal(b, &body); err != nil || body.Input["provider"] == nil || strings.ContainsAny(string(b), "\n") {
			t.Errorf("body %d: %v %s", i, err, b)
		}
	}
}

func TestRunMixesEndpointsAndReadsAnswers(t *testing.T) {
	a, na := decisionServer(t, 0)
	b, nb := decisionServer(t, 3) // every third request to b is a 500
	bodies := DataBodies([][]byte{[]byte(`{"n":0}`), []byte(`{"n":1}`), []byte(`{"n":2}`)})
	var answered atomic.Int64
	res, err := Run(context.Background(), NewClient(2), "http://127.0.0.1:1/unused", bodies, Load{
		Requests: 30, Duration: 10 * time.Second, Workers: 2,
		URLs: []string{a.URL, a.URL, b.URL},
		Answer: func(i int, answer []byte, err error) error {
			if err != nil {
				if i != 2 || !strings.Contains(err.Error(), "answered 500: boom") {
					t.Errorf("body %d: %v", i, err)
				}
				return err
			}
			if string(answer) != `{"result":{"allowed":true,"reasons":[]}}` {
				t.Errorf("body %d: answer %q", i, answer)
			}
			answered.Add(1)
			if i == 1 {
				return fmt.Errorf("body 1 is refused by its reader")
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// 20 requests to a, 10 to b of which 3 fail; the reader fails the 10 of body 1.
	if na.Load() != 20 || nb.Load() != 10 || answered.Load() != 27 || res.Sent != 30 || res.Errors != 13 || len(res.Latencies) != 17 {
		t.Errorf("a %d, b %d, answered %d, sent %d, errors %d, latencies %d", na.Load(), nb.Load(), answered.Load(), res.Sent, res.Errors, len(res.Latencies))
	}
	if _, err := Run(context.Background(), NewClient(1), a.URL, bodies, Load{Requests: 1, Duration: time.Second, Workers: 1, URLs: []string{a.URL}}); err == nil {
		t.Error("1 URL for 3 bodies: no error")
	}
}

func TestRunAtARateKeepsServiceTimes(t *testing.T) {
	srv, _ := decisionServer(t, 0)
	res, err := Run(context.Background(), NewClient(4), srv.URL, DataBodies([][]byte{[]byte(`{}`)}), Load{Requests: 40, Duration: 10 * time.Second, Rate: 200, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Service) != 40 || !slices.IsSorted(res.Service) || res.Service[0] <= 0 {
		t.Errorf("%d service times, sorted %v", len(res.Service), slices.IsSorted(res.Service))
	}
	if len(res.Queued) != 40 || !slices.IsSorted(res.Queued) || res.Queued[0] < 0 {
		t.Errorf("%d queue times, sorted %v", len(res.Queued), slices.IsSorted(res.Queued))
	}
	if res.Late(time.Hour) != 0 || res.Late(-1) != 40 {
		t.Errorf("late by more than an hour: %d, by anything: %d", res.Late(time.Hour), res.Late(-1))
	}
	flat, err := Run(context.Background(), NewClient(1), srv.URL, DataBodies([][]byte{[]byte(`{}`)}), Load{Requests: 5, Duration: 10 * time.Second, Workers: 1})
	if err != nil || flat.Service != nil || flat.Queued != nil || flat.Late(0) != 0 {
		t.Errorf("flat out: service %v, queued %v, late %d, err %v", flat.Service, flat.Queued, flat.Late(0), err)
	}
}

// TestRunStopsWithoutFailing: cancelling the context stops a run that has
// no end of its own; the requests in flight then finish, and none fails.
func TestRunStopsWithoutFailing(t *testing.T) {
	var inFlight atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		time.Sleep(50 * time.Millisecond)
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(slow.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Result)
	go func() {
		res, err := Run(ctx, NewClient(4), slow.URL, [][]byte{[]byte(`{}`)}, Load{Requests: 1 << 30, Duration: time.Hour, Workers: 4})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	for inFlight.Load() < 8 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case res := <-done:
		if res.Errors != 0 || res.Sent < 8 || int64(res.Sent) != inFlight.Load() {
			t.Errorf("sent %d (%d reached the server), %d errors (%s)", res.Sent, inFlight.Load(), res.Errors, res.FirstError)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop")
	}
}
