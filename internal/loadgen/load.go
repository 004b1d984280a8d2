// Package loadgen drives an OPA-style decision endpoint over HTTP and measures
// it: a fixed number of requests, at a fixed rate or flat out, bounded in time,
// with throughput and latency percentiles. Compare (compare.go) runs the same
// load against `imgadmit serve` and the stock OPA server, alternating, and
// times `imgadmit eval` against `opa eval`. cmd/loadgen is its command line.
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
	// FirstError says what went wrong first, when something did.
	FirstError string
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
	return percentile(r.Latencies, p)
}

// percentile expects sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
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
// an error: a failed request is counted in the result.
func Run(ctx context.Context, client *http.Client, url string, bodies [][]byte, l Load) (*Result, error) {
	if len(bodies) == 0 {
		return nil, errors.New("no request bodies")
	}
	if l.Requests <= 0 || l.Duration <= 0 || l.Workers <= 0 {
		return nil, fmt.Errorf("load needs requests, duration and workers above zero: %+v", l)
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
	record := func(lat time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Sent++
		if err != nil {
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
			return
		}
		res.Latencies = append(res.Latencies, lat)
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
				if time.Now().After(deadline) && l.Rate == 0 {
					continue // flat out: the time is up, drain
				}
				from := s.due
				if l.Rate == 0 {
					from = time.Now()
				}
				err := post(ctx, client, url, bodies[s.n%len(bodies)], l.Timeout)
				record(time.Since(from), err)
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
	return res, nil
}

// post sends one request and reads the whole answer; anything but a 200 is
// an error.
func post(ctx context.Context, client *http.Client, url string, body []byte, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return nil
}

// Summary is one line for people: throughput and latency percentiles.
func (r *Result) Summary() string {
	s := fmt.Sprintf("%7.0f req/s  p50 %8s  p90 %8s  p99 %8s  max %8s  (%d sent, %d errors, %s)",
		r.Throughput(), round(r.Percentile(0.50)), round(r.Percentile(0.90)), round(r.Percentile(0.99)),
		round(r.Percentile(1)), r.Sent, r.Errors, r.Elapsed.Round(time.Millisecond))
	if len(r.Lags) > 0 {
		s += fmt.Sprintf("  released late p50 %s p99 %s", round(percentile(r.Lags, 0.50)), round(percentile(r.Lags, 0.99)))
	}
	return s
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
