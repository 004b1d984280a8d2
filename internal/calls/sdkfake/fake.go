package sdkfake

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Timeouts short enough that a broken fake fails a test quickly instead of hanging it,
// long enough for a loaded CI machine running -race.
const (
	dialTimeout    = 2 * time.Second
	requestTimeout = 10 * time.Second
)

// request is one HTTP request as the fake received it.
type request struct {
	method string
	uri    string // the request target exactly as sent: escaped path, then ?query if any
	host   string // the Host header as sent
	header http.Header
	body   []byte
}

// fake is an httptest server that records every request and answers each with reply.
type fake struct {
	srv   *httptest.Server
	reply []byte

	mu  sync.Mutex // guards got
	got []request

	captureMu sync.Mutex // one capture at a time, so captures never see each other's calls
}

func startFake(t testing.TB, reply string) *fake {
	t.Helper()
	f := &fake{reply: []byte(reply)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, request{
		method: r.Method,
		uri:    r.RequestURI,
		host:   r.Host,
		header: r.Header.Clone(),
		body:   body,
	})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(f.reply)
}

// capture runs send and returns the one request it made; it fails t when send made none
// or more than one. send runs synchronously, so its requests are all recorded when it returns.
func (f *fake) capture(t testing.TB, send func()) request {
	t.Helper()
	f.captureMu.Lock()
	defer f.captureMu.Unlock()

	f.mu.Lock()
	start := len(f.got)
	f.mu.Unlock()

	send()

	f.mu.Lock()
	got := append([]request(nil), f.got[start:]...)
	f.mu.Unlock()

	if len(got) != 1 {
		var seen []string
		for _, r := range got {
			seen = append(seen, r.method+" "+r.uri)
		}
		t.Fatalf("sdkfake: send made %d HTTP calls, want exactly 1: %v", len(got), seen)
	}
	return got[0]
}

// transport is the only way the SDK clients reach anything: whatever host a request
// names, it dials the fake's loopback address, so nothing can go to the network even
// though the Huawei clients use the real endpoint host names. It is deliberately not an
// *http.Transport: the Alibaba SDK rewrites the dialer, the TLS config and the proxy (from
// HTTP_PROXY) of any *http.Transport it is given, and would undo all of this.
func (f *fake) transport(t testing.TB) http.RoundTripper {
	addr := f.srv.Listener.Addr().String()
	dialer := &net.Dialer{Timeout: dialTimeout}
	tr := &http.Transport{
		Proxy: nil, // never a proxy, whatever the environment says
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		},
		ResponseHeaderTimeout: requestTimeout,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return onlyFake{tr}
}

type onlyFake struct{ tr *http.Transport }

func (o onlyFake) RoundTrip(r *http.Request) (*http.Response, error) {
	// The fake speaks plain HTTP; an https request would fail in the TLS handshake
	// anyway, this only says why.
	if r.URL.Scheme != "http" {
		return nil, fmt.Errorf("sdkfake: refusing a %s request to %s: the fake serves plain http", r.URL.Scheme, r.URL.Host)
	}
	return o.tr.RoundTrip(r)
}
