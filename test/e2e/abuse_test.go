package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rssLimitMB is what the sidecar may grow to under the abuse below: it
// started at about 35 MB, and without limits reached 250 MB (headers) and
// 890 MB (large shares) on this machine.
const rssLimitMB = 150

// watchServer samples the server's RSS and keeps asking it, as a
// well-behaved client would (askWellBehaved), for /health and a decision,
// until stop is closed; it reports the peak RSS and how the well-behaved
// requests fared.
func watchServer(t *testing.T, s *served, stop <-chan struct{}) func() (peakMB int, ok, failed int) {
	var peak, okN, failN atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			kb, err := s.rssKB()
			if err != nil {
				t.Errorf("server RSS: %v", err) // no figure would pass any limit
				return
			}
			if int64(kb) > peak.Load() {
				peak.Store(int64(kb))
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	go func() {
		defer wg.Done()
		c := &http.Client{Timeout: 5 * time.Second}
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if err := askWellBehaved(c, s.base); err != nil {
				t.Logf("a well-behaved request: %v", err)
				failN.Add(1)
			} else {
				okN.Add(1)
			}
		}
	}()
	return func() (int, int, int) {
		wg.Wait()
		return int(peak.Load() / 1024), int(okN.Load()), int(failN.Load())
	}
}

// askWellBehaved asks for /health, which must be 200, and a decision, as a
// well-behaved client does: a decision turned away with 429 and a
// Retry-After (the server's in-flight bound is for everyone) is asked again
// when it says, at most three times; it must end in a 200.
func askWellBehaved(c *http.Client, base string) error {
	health, err := c.Get(base + "/health")
	if err != nil {
		return err
	}
	health.Body.Close()
	if health.StatusCode != http.StatusOK {
		return fmt.Errorf("/health: %d", health.StatusCode)
	}
	for range 3 {
		r, err := c.Post(base+"/v1/admit", "application/json", strings.NewReader(e2eDenied))
		if err != nil {
			return err
		}
		r.Body.Close()
		after, _ := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.StatusCode != http.StatusTooManyRequests || after <= 0 {
			if r.StatusCode != http.StatusOK {
				return fmt.Errorf("a decision: %d", r.StatusCode)
			}
			return nil
		}
		time.Sleep(time.Duration(after) * time.Second)
	}
	return fmt.Errorf("a decision: 429 three times")
}

// TestServeHoldsUnderSlowHeaders: 100 connections trickling headers (up to
// 1 MB each, for at most 3 s) take the sidecar's memory nowhere, and it keeps
// answering /health and decisions meanwhile.
func TestServeHoldsUnderSlowHeaders(t *testing.T) {
	s := startServe(t, "--decision-log", "/dev/null")
	addr := strings.TrimPrefix(s.base, "http://")
	stop := make(chan struct{})
	report := watchServer(t, s, stop)
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Second)
	chunk := []byte("X-Pad: " + strings.Repeat("a", 1000) + "\r\n")
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(deadline.Add(time.Second))
			fmt.Fprintf(c, "GET /health HTTP/1.1\r\nHost: x\r\n")
			for sent := 0; sent < 1<<20 && time.Now().Before(deadline); sent += len(chunk) {
				if _, err := c.Write(chunk); err != nil {
					return // the server answered 431 and closed: as it should
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	time.Sleep(400 * time.Millisecond)
	close(stop)
	peak, ok, failed := report()
	t.Logf("100 slow header connections: peak RSS %d MB; well-behaved requests %d answered, %d failed", peak, ok, failed)
	if peak >= rssLimitMB || failed > 0 || ok == 0 {
		t.Errorf("peak RSS %d MB (limit %d); well-behaved requests %d answered, %d failed", peak, rssLimitMB, ok, failed)
	}
}

// TestServeHoldsUnderLargeShares: 30 concurrent 700 kB image.share requests
// (some 70,000 members each) are each decided or turned away (429), in
// bounded memory, while the sidecar keeps answering others.
func TestServeHoldsUnderLargeShares(t *testing.T) {
	s := startServe(t, "--decision-log", "/dev/null")
	var members bytes.Buffer
	for i := 0; members.Len() < 700<<10; i++ {
		if i > 0 {
			members.WriteByte(',')
		}
		fmt.Fprintf(&members, `"%08x"`, i)
	}
	body := `{"provider":"huaweicloud","operation":"image.share","region":"cn-north-4","project_id":"p1","params":{"image_id":"img-1","members":[` +
		members.String() + `]},"resources":{"images":{"img-1":{"image_type":"system","visibility":"private","owner_project_id":"p1","members":[],"region":"cn-north-4"}}}}`
	stop := make(chan struct{})
	report := watchServer(t, s, stop)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 60 * time.Second}
			code := -1
			if r, err := c.Post(s.base+"/v1/admit", "application/json", strings.NewReader(body)); err == nil {
				code = r.StatusCode
				r.Body.Close()
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	peak, ok, failed := report()
	t.Logf("30 concurrent 700 kB shares: answers %v; peak RSS %d MB; well-behaved requests %d answered, %d failed", codes, peak, ok, failed)
	if peak >= rssLimitMB || codes[200] == 0 || codes[200]+codes[429] != 30 {
		t.Errorf("answers %v, peak RSS %d MB (limit %d)", codes, peak, rssLimitMB)
	}
	if failed > ok {
		t.Errorf("well-behaved requests: %d answered, %d failed", ok, failed)
	}
}
