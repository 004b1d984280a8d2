package sidecar

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Trust boundaries at the HTTP edge: who may ask, over what, and what a
// request cannot change (the inventory, the trust setting, the clock, the
// builtins the rulebook may call).

// TestAuthRejects: with --token-file, every endpoint but the two health
// checks answers 401 to a missing, empty, malformed or wrong bearer token,
// whatever the method or path, before reading the body; and nothing a
// refused request carried (an inventory) takes effect.
func TestAuthRejects(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	writeFile(t, tokenFile, "s3cret-token\n")
	h := newHarness(t, func(c *Config) { c.TokenFile = tokenFile; c.MaxBody = 1024 })
	const unauthorized = `{"code":"unauthorized","message":"a valid bearer token is required: Authorization: Bearer <token>","errors":[]}`
	wantHeader := map[string]string{"Content-Type": jsonCT, "WWW-Authenticate": `Bearer realm="imgadmit"`}
	// A request the inventory below would turn from a warning into a deny.
	const inventory = `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`
	endpoints := []struct{ method, path, body string }{
		{"POST", PathAdmit, reqDelete},
		{"POST", PathOPADecide, `{"input":` + reqDelete + `}`},
		{"PUT", PathInventory, inventory},
		{"GET", PathRules, ""},
		{"HEAD", PathRules, ""},
		{"GET", PathMetrics, ""},
		{"DELETE", PathAdmit, ""},
		{"GET", "/v1/data", ""},
		{"GET", "/", ""},
		{"POST", PathAdmit + "?access_token=s3cret-token", reqDelete},
		{"POST", PathAdmit, strings.Repeat("x", 4096)}, // over --max-body: 401 first
	}
	bad := []struct {
		name   string
		header map[string]string
	}{
		{"no header", nil},
		{"empty", map[string]string{"Authorization": ""}},
		{"scheme only", map[string]string{"Authorization": "Bearer"}},
		{"scheme and space", map[string]string{"Authorization": "Bearer "}},
		{"wrong token", map[string]string{"Authorization": "Bearer wrong"}},
		{"a prefix of the token", map[string]string{"Authorization": "Bearer s3cret-toke"}},
		{"the token and more", map[string]string{"Authorization": "Bearer s3cret-token-and-more"}},
		{"the token twice", map[string]string{"Authorization": "Bearer s3cret-token s3cret-token"}},
		{"no scheme", map[string]string{"Authorization": "s3cret-token"}},
		{"other scheme", map[string]string{"Authorization": "Token s3cret-token"}},
		{"basic", map[string]string{"Authorization": "Basic czNjcmV0LXRva2Vu"}},
		{"in a cookie", map[string]string{"Cookie": "token=s3cret-token"}},
		{"in another header", map[string]string{"X-Auth-Token": "s3cret-token"}},
		{"upper-case token", map[string]string{"Authorization": "Bearer S3CRET-TOKEN"}},
	}
	n := 0
	for _, ep := range endpoints {
		for _, b := range bad {
			hdr := map[string]string{"Content-Type": jsonCT}
			for k, v := range b.header {
				hdr[k] = v
			}
			got := h.do(ep.method, ep.path, hdr, ep.body)
			want := unauthorized
			if ep.method == "HEAD" {
				want = ""
			}
			t.Run(fmt.Sprintf("%s %s %s", ep.method, ep.path, b.name), func(t *testing.T) {
				check(t, got, 401, wantHeader, want)
			})
			n++
		}
	}
	for _, b := range bad {
		check(t, h.do("GET", PathHealth, b.header, ""), 200, map[string]string{"Content-Type": jsonCT}, `{"status":"ok"}`)
		if got := h.do("GET", PathReady, b.header, ""); got.status != 200 {
			t.Errorf("ready with %s: %d", b.name, got.status)
		}
	}
	good := map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer s3cret-token"}
	check(t, h.do("POST", PathAdmit, good, reqDelete), 200, nil, decDelete)
	if got := h.readyWith(good); !strings.Contains(got, `"source":"none"`) {
		t.Errorf("an inventory was applied by a refused request: %s", got)
	}
	// Every refused attempt is in the decision log, as a refused event with
	// its status; the one authorized request is the one decision.
	decisions, refused := 0, 0
	for _, l := range h.dlog.lines() {
		var ev refusedEvent
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		switch {
		case ev.Event == eventDecision:
			decisions++
		case ev.Event == eventRefused && ev.Status == 401 && ev.Code == CodeUnauthorized && ev.RequestedBy == "" && ev.RemoteAddr != "":
			refused++
		default:
			t.Errorf("decision log line %s", l)
		}
	}
	if decisions != 1 || refused != n {
		t.Errorf("%d decisions and %d refused attempts in the decision log, want 1 and %d", decisions, refused, n)
	}
	t.Logf("%d refused requests: %d endpoints x %d bad credentials", n, len(endpoints), len(bad))
}

func (h *harness) readyWith(header map[string]string) string {
	return h.do("GET", PathReady, header, "").body
}

// TestTLSRejects: a TLS server answers no decision to a client that speaks
// plain HTTP, does not trust its certificate, asks for another name, or
// offers only TLS 1.1; a client that trusts it still needs the token.
func TestTLSRejects(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	tokenFile := filepath.Join(dir, "token")
	writeFile(t, tokenFile, "tok")
	trusted := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	r := startRun(t, trusted, "https", func(c *Config) { c.TLSCert, c.TLSKey, c.TokenFile = certFile, keyFile, tokenFile })
	ct := map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer tok"}
	check(t, send(t, trusted, "POST", r.url+PathAdmit, ct, reqExport), 200, nil, decExport)

	hostPort := strings.TrimPrefix(r.url, "https://")
	_, port, _ := strings.Cut(hostPort, ":")
	for _, tc := range []struct {
		name   string
		client *http.Client
		url    string
		want   func(error) bool
	}{
		{"no trust in the certificate", &http.Client{}, r.url, func(err error) bool {
			var ua x509.UnknownAuthorityError
			return errors.As(err, &ua)
		}},
		{"another name", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, "https://localhost:" + port, func(err error) bool {
			var he x509.HostnameError
			return errors.As(err, &he)
		}},
		{"TLS 1.1 only", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}, r.url, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "protocol version")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", tc.url+PathAdmit, strings.NewReader(reqExport))
			for k, v := range ct {
				req.Header.Set(k, v)
			}
			resp, err := tc.client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("answered %d", resp.StatusCode)
			}
			if !tc.want(err) {
				t.Errorf("error %v (%T)", err, errors.Unwrap(err))
			}
		})
	}
	// Plain HTTP to the TLS port: Go's server answers 400 by itself; no
	// decision, no handler.
	plain := send(t, &http.Client{}, "POST", "http://"+hostPort+PathAdmit, ct, reqExport)
	if plain.status != 400 || strings.Contains(plain.body, "decision_id") {
		t.Errorf("plain HTTP: %d %s", plain.status, plain.body)
	}
	if lines := r.h.dlog.lines(); len(lines) != 1 {
		t.Errorf("%d decision log lines, want the one trusted decision", len(lines))
	}
}

// TestReloadRefusesIOBuiltins: a reload to a rulebook that calls http.send,
// opa.runtime or net.lookup_ip_addr is a failed reload: the previous
// rulebook keeps deciding, /health/ready and the metrics say so.
func TestReloadRefusesIOBuiltins(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policies")
	copyTree(t, filepath.Join("testdata", "policies"), pol)
	h := newHarness(t, func(c *Config) { c.Policies = pol })
	rev := h.s.eval.Load().Revision()
	for i, call := range []string{
		`http.send({"method": "get", "url": "http://127.0.0.1:1/"})`,
		`opa.runtime()`,
		`net.lookup_ip_addr("localhost")`,
	} {
		name := call[:strings.IndexByte(call, '(')]
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(pol, "rules", "leak.rego")
			writeFile(t, file, "package imgadmit.rules\n\nleak := "+call+"\n")
			defer os.Remove(file)
			err := h.s.Reload(context.Background())
			if evaluator.CodeOf(err) != evaluator.CodeInvalidRulebook || !strings.Contains(err.Error(), "undefined function "+name) {
				t.Fatalf("Reload: %v", err)
			}
			if r := h.readyReloads()["rulebook"]; r.OK || !strings.Contains(r.Error, "undefined function "+name) {
				t.Errorf("ready: %+v", r)
			}
			got := h.post(PathAdmit, reqExport)
			check(t, got, 200, nil, decExport)
			if revisionOf(t, got.body) != rev {
				t.Errorf("a refused rulebook decided")
			}
			m := h.do("GET", PathMetrics, nil, "").body
			if want := fmt.Sprintf(`imgadmit_reloads_total{result="failure",target="rulebook"} %d`, i+1); !strings.Contains(m, want+"\n") {
				t.Errorf("metrics lack %s", want)
			}
		})
	}
}

// TestUntrustedFactsOverHTTP: with TrustRequestFacts false (the sidecar's
// --trust-request-facts=false), a request's facts change nothing: each
// request is decided as if it carried none, on both endpoints.
func TestUntrustedFactsOverHTTP(t *testing.T) {
	f := false
	h := newHarness(t, func(c *Config) { realRulebook(c); c.TrustRequestFacts = &f })
	trusting := newHarness(t, realRulebook)
	with := `{"provider":"huaweicloud","operation":"server.start","region":"cn-north-4","params":{"server_id":"srv-1"},` +
		`"resources":{"servers":{"srv-1":{"status":"stopped","image_creation_in_progress":false}}}}`
	without := `{"provider":"huaweicloud","operation":"server.start","region":"cn-north-4","params":{"server_id":"srv-1"}}`
	ids := func(body string) string {
		var d evaluator.Decision
		if err := jsonUnmarshal(body, &d); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var out []string
		for _, r := range d.Reasons {
			out = append(out, r.Effect+" "+r.ID)
		}
		return fmt.Sprintf("allowed=%v %v", d.Allowed, out)
	}
	if got := ids(trusting.post(PathAdmit, with).body); got != "allowed=true []" {
		t.Fatalf("trusted facts: %s", got)
	}
	a, b := ids(h.post(PathAdmit, with).body), ids(h.post(PathAdmit, without).body)
	if a != b || a != "allowed=false [deny REQ-002 deny REQ-002]" {
		t.Errorf("untrusted: with facts %s, without %s", a, b)
	}
	var opa struct{ Result evaluator.Decision }
	if err := jsonUnmarshal(h.post(PathOPADecide, `{"input":`+with+`}`).body, &opa); err != nil || opa.Result.Allowed {
		t.Errorf("untrusted on the OPA endpoint: %+v %v", opa.Result, err)
	}
}

// TestClockCannotBeSetOverHTTP: the sidecar decides time-based rules by its
// own clock: a header naming a time changes nothing, and a query parameter
// or a body that carries one is refused.
func TestClockCannotBeSetOverHTTP(t *testing.T) {
	h := newHarness(t, realRulebook)
	// The instance expired 30 days ago: its image's snapshots were
	// released 15 days ago (ECS-IMG-005 denies); in the year 2000 they
	// would not have been.
	expired := time.Now().UTC().AddDate(0, 0, -30).Format(time.RFC3339)
	req := `{"provider":"alibabacloud","operation":"server.create","region":"cn-hangzhou","params":{"image_id":"m-1"},` +
		`"resources":{"images":{"m-1":{"source_instance_id":"i-1"}},"servers":{"i-1":{"expired_at":"` + expired + `","payment_overdue_since":null}}}}`
	effect := func(got reply) string {
		var d evaluator.Decision
		if err := jsonUnmarshal(got.body, &d); err != nil || got.status != 200 {
			t.Fatalf("%d %s", got.status, got.body)
		}
		for _, r := range d.Reasons {
			if r.ID == "ECS-IMG-005" {
				return r.Effect
			}
		}
		return "none"
	}
	if e := effect(h.post(PathAdmit, req)); e != evaluator.EffectDeny {
		t.Fatalf("ECS-IMG-005 %s, want deny", e)
	}
	old := "2000-01-01T00:00:00Z"
	for _, tc := range []struct {
		path   string
		header map[string]string
	}{
		{PathAdmit, map[string]string{"X-Imgadmit-Now": old}},
		{PathAdmit, map[string]string{"Date": "Sat, 01 Jan 2000 00:00:00 GMT"}},
		{PathAdmit, map[string]string{"X-Opa-Time": old}},
	} {
		hdr := map[string]string{"Content-Type": jsonCT}
		for k, v := range tc.header {
			hdr[k] = v
		}
		if e := effect(h.do("POST", tc.path, hdr, req)); e != evaluator.EffectDeny {
			t.Errorf("%s %v: ECS-IMG-005 %s, want deny", tc.path, tc.header, e)
		}
	}
	for _, q := range []string{"?now=" + old, "?time=" + old + "&eval_time=946684800000000000"} {
		got := h.do("POST", PathAdmit+q, map[string]string{"Content-Type": jsonCT}, req)
		if got.status != 400 || !strings.Contains(got.body, `"code":"invalid_parameter"`) {
			t.Errorf("%s: %d %s, want 400 invalid_parameter", q, got.status, got.body)
		}
	}
	got := h.post(PathAdmit, strings.Replace(req, `"params"`, `"now":"`+old+`","params"`, 1))
	check(t, got, 400, nil, `{"code":"invalid_request","message":"the request does not match its schema","errors":[{"pointer":"/now","message":"unknown property \"now\"; allowed: operation, params, project_id, provider, region, resources","line":1}]}`)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
