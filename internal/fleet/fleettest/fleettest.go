// Package fleettest is what the fleet's tests need on loopback: a bundle
// server (ETags, 304), a decision-log and status collector (OPA's upload
// format: a gzip JSON array of events), signing keys and bundles built and
// signed with OPA's own bundle package.
package fleettest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"
)

// Server is a bundle server and a log and status collector in one, as a
// fleet's control plane would be: GET /bundles/NAME, POST /logs, POST
// /status.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	bundles  map[string][]byte
	asked    map[string]int // GETs of each bundle, served or not
	events   []map[string]any
	uploads  int
	statuses []map[string]any
	// FailLogs, while set, answers uploads 503 (OPA's plugin retries).
	failLogs bool
}

// NewServer starts a Server on loopback, closed when t ends.
func NewServer(t testing.TB) *Server {
	s := &Server{bundles: map[string][]byte{}, asked: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bundles/{name}", s.serveBundle)
	mux.HandleFunc("POST /logs", s.collectLogs)
	mux.HandleFunc("POST /status", s.collectStatus)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// SetBundle serves b as bundle name from now on.
func (s *Server) SetBundle(name string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bundles[name] = b
}

// Asked is how many times bundle name was asked for, whether or not it was
// served.
func (s *Server) Asked(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[name]
}

// FailLogs makes uploads fail (503) while on.
func (s *Server) FailLogs(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLogs = on
}

func (s *Server) serveBundle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.bundles[r.PathValue("name")]
	s.asked[r.PathValue("name")]++
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/gzip")
	_, _ = w.Write(b)
}

func (s *Server) collectLogs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fail := s.failLogs
	s.mu.Unlock()
	if fail {
		http.Error(w, "collector down", http.StatusServiceUnavailable)
		return
	}
	var events []map[string]any
	if err := readGzipJSON(r, &events); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.events = append(s.events, events...)
	s.uploads++
	s.mu.Unlock()
}

func (s *Server) collectStatus(w http.ResponseWriter, r *http.Request) {
	var st map[string]any
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.statuses = append(s.statuses, st)
	s.mu.Unlock()
}

func readGzipJSON(r *http.Request, v any) error {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return fmt.Errorf("Content-Encoding %q, not gzip", r.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Events are the decision-log events received, in order.
func (s *Server) Events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.events...)
}

// Statuses are the status reports received, in order.
func (s *Server) Statuses() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.statuses...)
}

// Keys is an RSA key pair in PEM, for signing bundles and verifying them.
type Keys struct {
	Private, Public string
}

// NewKeys generates a key pair.
func NewKeys(t testing.TB) Keys {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return Keys{
		Private: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		Public:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
	}
}

// KeyID is the key's name in the configurations Config writes.
const KeyID = "fleet"

// Bundle is a bundle to build: its policy files by path, its data, its
// revision and roots.
type Bundle struct {
	Revision string
	Roots    []string
	Modules  map[string]string
	Data     map[string]any
}

// Build writes b as a bundle (tar.gz), signed with keys when given (Private
// set).
func Build(t testing.TB, b Bundle, keys *Keys) []byte {
	t.Helper()
	roots := b.Roots
	ob := bundle.Bundle{
		Manifest: bundle.Manifest{Revision: b.Revision, Roots: &roots},
		Data:     b.Data,
	}
	if ob.Data == nil {
		ob.Data = map[string]any{}
	}
	for path, src := range b.Modules {
		ob.Modules = append(ob.Modules, bundle.ModuleFile{URL: path, Path: path, Raw: []byte(src)})
	}
	if keys != nil {
		if err := ob.GenerateSignature(bundle.NewSigningConfig(keys.Private, "RS256", ""), KeyID, false); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(ob); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Config is an OPA configuration (JSON) for a sidecar of the fleet at
// server: the named bundles, polled every second or two, verified with
// keys when given; decision logs uploaded within a second or two; status
// reported with Prometheus metrics; and the labels.
func Config(server string, bundles []string, keys *Keys, labels map[string]string) []byte {
	cfg := map[string]any{
		"services": map[string]any{"fleet": map[string]any{"url": server}},
		"decision_logs": map[string]any{
			"service":   "fleet",
			"resource":  "/logs",
			"reporting": map[string]any{"min_delay_seconds": 1, "max_delay_seconds": 2},
		},
		"status": map[string]any{"service": "fleet", "prometheus": true},
		"labels": labels,
	}
	if len(bundles) > 0 {
		bs := map[string]any{}
		for _, name := range bundles {
			b := map[string]any{
				"service":  "fleet",
				"resource": "/bundles/" + name,
				"polling":  map[string]any{"min_delay_seconds": 1, "max_delay_seconds": 2},
			}
			if keys != nil {
				b["signing"] = map[string]any{"keyid": KeyID}
			}
			bs[name] = b
		}
		cfg["bundles"] = bs
	}
	if keys != nil {
		cfg["keys"] = map[string]any{KeyID: map[string]any{"algorithm": "RS256", "key": keys.Public}}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(err)
	}
	return b
}

// Tamper is b, signed with keys, with a line added to each policy file
// afterwards: the signature no longer holds for them.
func Tamper(t testing.TB, b Bundle, keys Keys) []byte {
	t.Helper()
	return TamperArchive(t, Build(t, b, &keys))
}

// TamperArchive is a bundle archive with a comment added to each .rego file
// and everything else (the signatures included) as it was.
func TamperArchive(t testing.TB, signed []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	changed := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(h.Name, ".rego") {
			body = append(body, "\n# tampered\n"...)
			changed++
		}
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if changed == 0 {
		t.Fatal("TamperArchive: the bundle has no policy file to change")
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
