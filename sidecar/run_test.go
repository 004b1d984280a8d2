package sidecar

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// running is a Server started with Run on a loopback port.
type running struct {
	h    *harness
	url  string
	stop context.CancelFunc
	done chan error
}

// startRun runs a server on 127.0.0.1:0 and waits until it is ready.
func startRun(t *testing.T, client *http.Client, scheme string, mod func(*Config), prep ...func(*Server)) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessServer(t, func(c *Config) { c.Listener = ln }, mod)
	s := h.s
	for _, p := range prep {
		p(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{h: h, url: scheme + "://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	eventually(t, "ready", func() bool {
		resp, err := client.Get(r.url + PathReady)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return r
}

// wait stops the server and returns Run's error.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
		return nil
	}
}

// TestRunWatch: --watch reloads on change; a broken rulebook keeps the last
// good one serving while requests keep coming.
func TestRunWatch(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policies")
	copyTree(t, filepath.Join("testdata", "policies"), pol)
	inv := filepath.Join(dir, "data", "inventory.json")
	writeFile(t, inv, `{}`)
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) { cfg.Policies = pol; cfg.DataFiles = []string{inv}; cfg.Watch = true })
	ct := map[string]string{"Content-Type": jsonCT}
	rev1 := revisionOf(t, send(t, c, "POST", r.url+PathAdmit, ct, reqExport).body)
	ready := func() readyBody {
		var b readyBody
		if err := json.Unmarshal([]byte(send(t, c, "GET", r.url+PathReady, nil, "").body), &b); err != nil {
			t.Fatal(err)
		}
		return b
	}

	writeFile(t, filepath.Join(pol, "rules", "broken.rego"), brokenRego)
	eventually(t, "the failed reload", func() bool {
		return ready().Reloads["rulebook"].Error != ""
	})
	if got := send(t, c, "POST", r.url+PathAdmit, ct, reqExport); revisionOf(t, got.body) != rev1 || got.status != 200 {
		t.Errorf("after a broken rulebook: %d %s", got.status, got.body)
	}

	// A new directory of rules is watched too.
	if err := os.Remove(filepath.Join(pol, "rules", "broken.rego")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pol, "more", "extra.rego"), extraRego)
	eventually(t, "the new rule", func() bool {
		return ready().Rules == 6
	})
	got := send(t, c, "POST", r.url+PathAdmit, ct, reqExpire)
	if !strings.Contains(got.body, `"id":"TEST-006"`) || revisionOf(t, got.body) == rev1 {
		t.Errorf("after the new rule: %s", got.body)
	}

	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`)
	eventually(t, "the inventory reload", func() bool {
		return strings.Contains(send(t, c, "POST", r.url+PathAdmit, ct, reqDelete).body, `"id":"TEST-003"`)
	})
	if b := ready(); !b.Reloads["inventory"].OK || !b.Reloads["rulebook"].OK || b.Inventory.Source != "files" {
		t.Errorf("ready: %+v", b)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestRunSIGHUP: a value on Reload reloads the files and reopens the log,
// without --watch.
func TestRunSIGHUP(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.json")
	logFile := filepath.Join(dir, "decisions.log")
	writeFile(t, inv, `{}`)
	hup := make(chan os.Signal)
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) {
		cfg.DataFiles = []string{inv}
		cfg.Reload = hup
		cfg.DecisionLogWriter = nil
		cfg.DecisionLog = logFile
	})
	ct := map[string]string{"Content-Type": jsonCT}
	check(t, send(t, c, "POST", r.url+PathAdmit, ct, reqDelete), 200, ct, decDelete)
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`)
	if err := os.Rename(logFile, logFile+".1"); err != nil {
		t.Fatal(err)
	}
	hup <- syscall.SIGHUP // unbuffered: returns once the loop has it
	hup <- syscall.SIGHUP // and once it is done with the first
	got := send(t, c, "POST", r.url+PathAdmit, ct, reqDelete)
	if !strings.Contains(got.body, `"id":"TEST-003"`) {
		t.Errorf("after SIGHUP: %s", got.body)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// One decision in each file; the first SIGHUP changed the inventory, and
	// says so in the old file, the second changed nothing and says nothing.
	for f, want := range map[string][]string{logFile + ".1": {eventDecision, eventInventory}, logFile: {eventDecision}} {
		b, err := os.ReadFile(f)
		var events []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ev struct{ Event string }
			if json.Unmarshal([]byte(l), &ev) == nil {
				events = append(events, ev.Event)
			}
		}
		if err != nil || !slices.Equal(events, want) {
			t.Errorf("%s: %v, events %v, want %v:\n%s", f, err, events, want, b)
		}
	}
	if n := strings.Count(r.h.logbuf.String(), `"msg":"SIGHUP: reloading"`); n != 2 {
		t.Errorf("%d SIGHUP reloads logged, want 2", n)
	}
}

// TestRunGracefulShutdown: a request in flight when the server is told to
// stop is answered and logged before Run returns.
func TestRunGracefulShutdown(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	started := make(chan struct{}, 1)
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) {
		cfg.EvalTimeout = 300 * time.Millisecond
		cfg.DecisionLogWriter = nil
		cfg.DecisionLog = logFile
	}, func(s *Server) { s.testHookDecide = func() { started <- struct{}{} } })
	answered := make(chan reply, 1)
	go func() {
		answered <- send(t, c, "POST", r.url+PathAdmit, map[string]string{"Content-Type": jsonCT}, reqSlow)
	}()
	<-started
	if err := r.wait(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := <-answered
	if got.status != 200 || !strings.Contains(got.body, `"id":"REQ-004"`) {
		t.Fatalf("in-flight request: %d %s", got.status, got.body)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], decisionID(t, got.body)) {
		t.Errorf("decision log: %s", b)
	}
	if _, err := c.Get(r.url + PathHealth); err == nil {
		t.Error("the server still answers after Run returned")
	}
	logs := r.h.logbuf.String()
	if !strings.Contains(logs, `"msg":"shutting down: finishing requests in flight"`) || !strings.HasSuffix(logs, "\"msg\":\"stopped\"}\n") {
		t.Errorf("server log:\n%s", logs)
	}
}

func TestRunTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	tokenFile := filepath.Join(dir, "token")
	writeFile(t, tokenFile, "tok")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	r := startRun(t, c, "https", func(cfg *Config) { cfg.TLSCert, cfg.TLSKey, cfg.TokenFile = certFile, keyFile, tokenFile })
	ct := map[string]string{"Content-Type": jsonCT}
	check(t, send(t, c, "POST", r.url+PathAdmit, map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer tok"}, reqExport), 200, ct, decExport)
	check(t, send(t, c, "POST", r.url+PathAdmit, ct, reqExport), 401, ct,
		`{"code":"unauthorized","message":"a valid bearer token is required: Authorization: Bearer <token>","errors":[]}`)
	plain := send(t, &http.Client{}, "GET", "http"+strings.TrimPrefix(r.url, "https")+PathHealth, nil, "")
	if plain.status != 400 {
		t.Errorf("plain HTTP to the TLS port: %d %s", plain.status, plain.body)
	}
	if !strings.Contains(r.h.logbuf.String(), `"msg":"listening","addr":"`+strings.TrimPrefix(r.url, "https://")+`","tls":true,"auth":"--token-file `+tokenFile+`"}`) {
		t.Errorf("server log:\n%s", r.h.logbuf.String())
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "imgadmit test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestRunLoadFailure: a rulebook that does not load stops the server with
// the evaluator's error.
func TestRunLoadFailure(t *testing.T) {
	pol := t.TempDir()
	writeFile(t, filepath.Join(pol, "broken.rego"), brokenRego)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Listener: ln, Policies: pol, DecisionLogWriter: &syncBuffer{}, Logger: slog.New(slog.NewJSONHandler(&syncBuffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(context.Background())
	var ee *evaluator.Error
	if !errors.As(err, &ee) || ee.Code != evaluator.CodeInvalidRulebook {
		t.Fatalf("Run: %v, want an invalid_rulebook error", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty-token")
	writeFile(t, empty, "\n")
	twoWords := filepath.Join(dir, "two-words")
	writeFile(t, twoWords, "a b\n")
	file := filepath.Join(dir, "file")
	writeFile(t, file, "x")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative body", Config{MaxBody: -1}, "--max-body must be positive, not -1"},
		{"negative timeout", Config{ReadTimeout: -time.Second}, "timeouts must be positive"},
		{"write shorter than eval", Config{EvalTimeout: 2 * time.Second, WriteTimeout: time.Second}, "--write-timeout (1s) must be longer than --eval-timeout (2s)"},
		{"bad addr", Config{Addr: "8181"}, `--addr "8181": address 8181: missing port in address`},
		{"policies missing", Config{Policies: filepath.Join(dir, "nope")}, "--policies: stat " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"policies is a file", Config{Policies: file}, "--policies " + file + " is not a directory"},
		{"watch nothing", Config{Watch: true}, "--watch needs --policies DIR, --data FILE or --identities FILE: the embedded rulebook cannot change"},
		{"token missing", Config{TokenFile: filepath.Join(dir, "nope")}, "--token-file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"token empty", Config{TokenFile: empty}, "--token-file " + empty + " is empty"},
		{"token two words", Config{TokenFile: twoWords}, "--token-file " + twoWords + ": the token must be one word"},
		{"cert without key", Config{TLSCert: file}, "--tls-cert and --tls-key go together"},
		{"bad cert", Config{TLSCert: file, TLSKey: file}, "--tls-cert/--tls-key: tls: failed to find any PEM data in certificate input"},
		{"log in a missing directory", Config{DecisionLog: filepath.Join(dir, "nope", "d.log")}, "--decision-log: open " + filepath.Join(dir, "nope", "d.log") + ": no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || err.Error() != tc.want {
				t.Errorf("New: %v, want ConfigError %q", err, tc.want)
			}
		})
	}
}

// TestRunLimitsHeadersAndConnections: headers beyond --max-header-bytes are
// 431; a connection beyond --max-connections is closed at once, and a place
// freed is a place taken again.
func TestRunLimitsHeadersAndConnections(t *testing.T) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	r := startRun(t, c, "http", func(cfg *Config) { cfg.MaxHeaderBytes, cfg.MaxConnections = 4<<10, 2 })
	addr := strings.TrimPrefix(r.url, "http://")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n", strings.Repeat("a", 16<<10))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 431 ") {
		t.Errorf("16 kB of headers: %q %v", status, err)
	}
	conn.Close()

	// Two connections open and idle: the third is closed before a byte is read.
	var held []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	eventually(t, "both held connections accepted", func() bool { return acceptedOpen(r.h.s) == 2 })
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(third, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
	if n, err := third.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("the connection beyond the limit was served: %d %v", n, err)
	}
	third.Close()
	held[0].Close()
	eventually(t, "a freed place served again", func() bool {
		got, err := c.Get(r.url + PathHealth)
		if err != nil {
			return false
		}
		got.Body.Close()
		return got.StatusCode == 200
	})
	held[1].Close()
	eventually(t, "the refusal counted", func() bool {
		got, err := c.Get(r.url + PathMetrics)
		if err != nil {
			return false
		}
		defer got.Body.Close()
		b, _ := io.ReadAll(got.Body)
		// At least the third connection; attempts while the freed place was
		// still being given back count too.
		return !strings.Contains(string(b), "imgadmit_connections_refused_total 0\n") &&
			strings.Contains(string(b), "imgadmit_connections_refused_total ")
	})
}

// acceptedOpen is how many connections the server holds open.
func acceptedOpen(s *Server) int64 {
	l := s.listener.Load()
	if l == nil {
		return -1
	}
	return l.open.Load()
}

// TestRunWatchIdentities: --watch re-reads the identities file when it
// changes (even replaced by a rename); a broken one keeps the last good.
func TestRunWatchIdentities(t *testing.T) {
	file := writeIdentities(t, testIdentities())
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) { cfg.Identities = file; cfg.Watch = true })
	const tokNew = "watched-token-0006"
	ask := func(token string) int { return send(t, c, "POST", r.url+PathAdmit, bearer(token), reqExport).status }
	if got := ask(tokNew); got != 401 {
		t.Fatalf("an unknown token: %d", got)
	}
	next := filepath.Join(filepath.Dir(file), "next.yaml")
	writeFile(t, next, testIdentities()+"  - {name: watched, token_sha256: "+digest(tokNew)+", roles: [decide]}\n")
	if err := os.Rename(next, file); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new identity", func() bool { return ask(tokNew) == 200 })
	writeFile(t, file, "identities: [")
	eventually(t, "the failed reload", func() bool {
		var b readyBody
		err := json.Unmarshal([]byte(send(t, c, "GET", r.url+PathReady, bearer(tokPipe), "").body), &b)
		return err == nil && b.Reloads["identities"].Error != ""
	})
	if got := ask(tokNew); got != 200 {
		t.Errorf("after a broken identities file: %d", got)
	}
}
