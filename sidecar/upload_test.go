package sidecar

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// slowBody yields its text in parts, a pause before each.
type slowBody struct {
	parts []string
	pause time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.parts) == 0 {
		return 0, io.EOF
	}
	time.Sleep(b.pause)
	n := copy(p, b.parts[0])
	b.parts[0] = b.parts[0][n:]
	if b.parts[0] == "" {
		b.parts = b.parts[1:]
	}
	return n, nil
}

// TestPutWholeInventoryOutlastsTimeouts: a whole inventory that keeps
// arriving for longer than --read-timeout and --write-timeout is read to
// its end, applied, and answered 204 (a fleet's takes seconds to send); one
// that stalls for longer than --read-timeout is cut and changes nothing.
func TestPutWholeInventoryOutlastsTimeouts(t *testing.T) {
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) {
		cfg.ReadTimeout, cfg.WriteTimeout, cfg.EvalTimeout = 300*time.Millisecond, 400*time.Millisecond, 100*time.Millisecond
	})
	inv := `{"resources":{"images":{"img-slow":{"status":"active","region":"cn-north-4"}}},"settings":{"missing_facts":"warn"}}`
	var parts []string
	for i := 0; i < len(inv); i += 12 {
		parts = append(parts, inv[i:min(i+12, len(inv))])
	}
	put := func(body io.Reader) (int, error) {
		req, err := http.NewRequest(http.MethodPut, r.url+PathInventory, body)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", jsonCT)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	// 10 parts, 100 ms apart: a second in all, each wait well inside 300 ms.
	code, err := put(&slowBody{parts: parts, pause: 100 * time.Millisecond})
	if err != nil || code != http.StatusNoContent {
		t.Fatalf("slow but steady PUT: %d, %v; want 204", code, err)
	}
	got := send(t, c, "GET", r.url+PathInventory+"/resources/images/img-slow/status", nil, "")
	if strings.TrimSpace(got.body) != `{"result":"active"}` {
		t.Fatalf("after the slow PUT: %s", got.body)
	}
	// A body that stops for 1 s: cut, and the inventory stays.
	stalled := &slowBody{parts: []string{`{"resources":{"images":{`, `"img-late":{}}}}`}, pause: time.Second}
	if code, err := put(stalled); err == nil && code == http.StatusNoContent {
		t.Fatalf("a stalled body was applied (%d)", code)
	}
	got = send(t, c, "GET", r.url+PathInventory+"/resources/images/img-slow/status", nil, "")
	if strings.TrimSpace(got.body) != `{"result":"active"}` {
		t.Fatalf("after the stalled PUT: %s", got.body)
	}
}

// TestInventoryWritesReadOneBodyAtATime: while one inventory write holds the
// slot (reading its body, up to --max-inventory-body), another waits for it,
// and goes on once it is given back.
func TestInventoryWritesReadOneBodyAtATime(t *testing.T) {
	h := newHarness(t, nil)
	h.s.inventoryWrites <- struct{}{} // a write reading its body
	done := make(chan reply, 1)
	go func() {
		done <- h.do("PUT", PathInventory+"/resources/images/img-wait", map[string]string{"Content-Type": jsonCT}, `{"status":"active"}`)
	}()
	select {
	case r := <-done:
		t.Fatalf("the second write went on while the first held the slot: %d %s", r.status, r.body)
	case <-time.After(200 * time.Millisecond):
	}
	<-h.s.inventoryWrites // the first is done
	select {
	case r := <-done:
		if r.status != http.StatusNoContent {
			t.Fatalf("the second write, once its turn came: %d %s", r.status, r.body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second write never went on")
	}
}
