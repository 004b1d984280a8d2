// Package loadgen drives an OPA-style decision endpoint over HTTP and measures
// it: a fixed number of requests, at a fixed rate or flat out, bounded in time,
// with throughput and latency percentiles. cmd/loadgen is its command line (its
// compare runs the same load against `imgadmit serve` and the stock OPA
// server); the end-to-end tests (test/e2e) drive the built binary with it.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Load is one run's shape.
type Load struct {
	// Requests is how many requests to send at most.
	Requests int
	// Duration bounds the run: no request starts after it.
	Duration time.Duration
	// Rate is requests per second; 0 sends flat out, each worker sending its
	// next request as soon as the last one is answered.
	Rate float64
	// Workers is how many requests may be in flight at once.
	Workers int
	// Timeout bounds one request.
	Timeout time.Duration
	// URLs, when set, is each body's endpoint: body i goes to URLs[i] in
	// place of Run's url, so that one run can mix endpoints.
	URLs []string
	// Answer, when set, is called as each request ends, from the worker that
	// sent it: i is the index of its body, answer the whole body of a 200,
	// err what went wrong otherwise. What it returns is the request's
	// outcome: nil counts it answered, an error failed (say, a 200 that is
	// not a decision). Unset, a 200 is answered and its body is not kept.
	Answer func(i int, answer []byte, err error) error
}

// Result is what one run measured.
type Result struct {
	Sent      int           // requests answered or failed
	Errors    int           // transport errors and answers other than 200
	Elapsed   time.Duration // from the first request to the last answer
	Latencies []time.Duration
	// Lags are, at a fixed rate, how late the load generator released each
	// request after the time it was due (sorted): its own timer and
	// scheduling, charged to the server's latency all the same (latency
	// counts from the due time), and shown so that a reader can tell the two
	// apart. On this project's VM a Go timer wakes 0.5-1 ms late when the
	// process is otherwise idle, more than the 0.5 ms between requests at
	// 2,000/s (docs/performance.md).
	Lags []time.Duration
	// Service are, at a fixed rate, the latencies from when each request was
	// sent rather than due (sorted): the server's answer time without the
	// queue; nil flat out, where Latencies already count from there.
	Service []time.Duration
	// Queued are, at a fixed rate, how long after its due time each request
	// was sent (sorted): its release lag and its wait for a free worker.
	Queued []time.Duration
	// FirstError says what went wrong first, when something did.
	FirstError string
}

// Late is how many requests, at a fixed rate, were sent more than d after
// they were due.
func (r *Result) Late(d time.Duration) int {
	i, _ := slices.BinarySearch(r.Queued, d+1)
	return len(r.Queued) - i
}

// Throughput is answered requests per second.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent-r.Errors) / r.Elapsed.Seconds()
}

// Percentile is the latency below which a fraction p (0..1) of the requests
// were answered; 0 when nothing was.
func (r *Result) Percentile(p float64) time.Duration {
	return Percentile(r.Latencies, p)
}

// Percentile of sorted durations: the nearest rank; 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// NewClient is an HTTP client for loopback load: keep-alive connections, one
// per worker, no proxy.
func NewClient(workers int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		MaxConnsPerHost:     workers * 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}}
}

// Run posts bodies (cycling through them) to url as the load says, and
// returns what it measured. Only a context error or a load that cannot run is
// an error: a failed request is counted in the result. Cancelling ctx stops
// the run: no request starts after it, and those in flight finish (each
// within the load's Timeout), so that stopping a load fails none.
func Run(ctx context.Context, client *http.Client, url string, bodies [][]byte, l Load) (*Result, error) {
	if len(bodies) == 0 {
		return nil, errors.New("no request bodies")
	}
	if l.Requests <= 0 || l.Duration <= 0 || l.Workers <= 0 {
		return nil, fmt.Errorf("load needs requests, duration and workers above zero: %+v", l)
	}
	if l.URLs != nil && len(l.URLs) != len(bodies) {
		return nil, fmt.Errorf("%d URLs for %d bodies", len(l.URLs), len(bodies))
	}
	if l.Timeout <= 0 {
		l.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Capacity for the latencies, capped: a run bounded by its duration may
	// ask for far more requests than it will send (1<<30 would be 8 GiB).
	res := &Result{Latencies: make([]time.Duration, 0, min(l.Requests, 1<<20))}
	var mu sync.Mutex // guards res
	record := func(lat, svc, queued time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Sent++
		if l.Rate > 0 {
			res.Queued = append(res.Queued, queued)
		}
		if err != nil {
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
			return
		}
		res.Latencies = append(res.Latencies, lat)
		if l.Rate > 0 {
			res.Service = append(res.Service, svc)
		}
	}

	// Slots hands out request numbers; at a fixed rate each carries the time
	// the request was due, and its latency counts from then, so a server that
	// falls behind is charged for the queue it causes (no coordinated
	// omission).
	type slot struct {
		n   int
		due time.Time
	}
	var lags []time.Duration // written by the pacer only, read after it ends
	slots := make(chan slot, l.Workers)
	start := time.Now()
	deadline := start.Add(l.Duration)
	go func() {
		defer close(slots)
		var interval time.Duration
		if l.Rate > 0 {
			interval = time.Duration(float64(time.Second) / l.Rate)
		}
		for n := 0; n < l.Requests; n++ {
			due := time.Now()
			if interval > 0 {
				due = start.Add(time.Duration(n) * interval)
				if wait := time.Until(due); wait > 0 {
					t := time.NewTimer(wait)
					select {
					case <-t.C:
					case <-ctx.Done():
						t.Stop()
						return
					}
				}
			}
			if !due.Before(deadline) {
				return
			}
			if interval > 0 {
				lags = append(lags, time.Since(due))
			}
			select {
			case slots <- slot{n: n, due: due}:
			case <-ctx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range l.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range slots {
				if ctx.Err() != nil || (time.Now().After(deadline) && l.Rate == 0) {
					continue // stopped, or flat out and the time is up: drain
				}
				sent := time.Now()
				from := s.due
				if l.Rate == 0 {
					from = sent
				}
				i := s.n % len(bodies)
				target := url
				if l.URLs != nil {
					target = l.URLs[i]
				}
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.Timeout)
				answer, err := post(rctx, client, target, bodies[i], l.Answer != nil)
				cancel()
				if l.Answer != nil {
					err = l.Answer(i, answer, err)
				}
				record(time.Since(from), time.Since(sent), sent.Sub(s.due), err)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	// The pacer has ended: it closed slots before the workers could finish.
	slices.Sort(lags)
	res.Lags = lags
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	slices.Sort(res.Latencies)
	slices.Sort(res.Service)
	slices.Sort(res.Queued)
	return res, nil
}

// Post sends one JSON body to url and returns the answer, which must be a
// 200: anything else is an error, with the start of the answer.
func Post(ctx context.Context, client *http.Client, url string, body []byte) ([]byte, error) {
	return post(ctx, client, url, body, true)
}

// post is Post, reading but not keeping the answer unless keep says so.
func post(ctx context.Context, client *http.Client, url string, body []byte, keep bool) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var answer []byte
	if keep {
		answer, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		if len(answer) == 0 {
			return nil, fmt.Errorf("%s answered %d", url, resp.StatusCode)
		}
		return nil, fmt.Errorf("%s answered %d: %.300s", url, resp.StatusCode, answer)
	}
	return answer, nil
}

// Summary is one line for people: throughput and latency percentiles.
func (r *Result) Summary() string {
	s := fmt.Sprintf("%7.0f req/s  p50 %8s  p90 %8s  p99 %8s  max %8s  (%d sent, %d errors, %s)",
		r.Throughput(), Round(r.Percentile(0.50)), Round(r.Percentile(0.90)), Round(r.Percentile(0.99)),
		Round(r.Percentile(1)), r.Sent, r.Errors, r.Elapsed.Round(time.Millisecond))
	if len(r.Lags) > 0 {
		s += fmt.Sprintf("  released late p50 %s p99 %s", Round(Percentile(r.Lags, 0.50)), Round(Percentile(r.Lags, 0.99)))
	}
	return s
}

// Round rounds a duration for a report: to 10 µs from a millisecond up, to
// the microsecond below.
func Round(d time.Duration) time.Duration {
	switch {
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
