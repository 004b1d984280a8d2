package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// inFlight is a POST /v1/admit whose handler is running: its headers are
// sent and the server has asked for the body (100 Continue), which it has
// not got yet.
type inFlight struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
	body string
}

func startInFlight(t *testing.T, base, body string) *inFlight {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(60 * time.Second)); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/admit HTTP/1.1\r\nHost: imgadmit\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
	r := &inFlight{t: t, conn: conn, br: bufio.NewReader(conn), body: body}
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, the sign the handler is reading the body: %v %v", resp, err)
	}
	return r
}

// finish sends the body and reads the answer.
func (r *inFlight) finish() (int, string) {
	r.t.Helper()
	if _, err := io.WriteString(r.conn, r.body); err != nil {
		r.t.Fatalf("send the body: %v", err)
	}
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		r.t.Fatalf("read the answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("read the answer: %v", err)
	}
	return resp.StatusCode, string(b)
}

// TestServeSIGTERMDrains: SIGTERM under load stops accepting, lets the
// requests in flight finish (one is still being sent when the signal comes),
// writes a log line for every decision answered, and exits 0.
func TestServeSIGTERMDrains(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	s := startServe(t, "--decision-log", logFile, "--shutdown-timeout", "30s")
	l := startLoad(t, s, requestMix(t), loadgen.Load{Workers: 2})
	waitFor(t, "load", func() bool { n, _ := l.counts(); return n > 100 })

	slow := startInFlight(t, s.base, e2eAllowed)
	_, errsBefore := l.counts()
	s.signal(syscall.SIGTERM)
	s.logged("shutting down: finishing requests in flight")
	// The listener closes: new connections are refused (the log line comes
	// just before the server closes it, so this polls).
	waitFor(t, "new connections refused", func() bool {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.base, "http://"), 5*time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	l.halt()

	code, body := slow.finish()
	var d decision
	if err := json.Unmarshal([]byte(body), &d); code != 200 || err != nil || !d.Allowed || d.DecisionID == "" {
		t.Fatalf("the request in flight at SIGTERM: %d %s", code, body)
	}
	st, ok := s.wait(30 * time.Second)
	if !ok || st.ExitCode() != 0 {
		t.Fatalf("after SIGTERM: exited %v, state %v", ok, st)
	}
	if errsBefore != 0 {
		t.Errorf("%d errors before SIGTERM, the first: %v", errsBefore, l.errs[0])
	}
	l.add(d)
	lines := decisionLines(checkDecisionLog(t, logFile, l.answered))
	logs := s.log.all()
	if !strings.Contains(logs[len(logs)-1], `"msg":"stopped"`) {
		t.Errorf("last server log line: %s", logs[len(logs)-1])
	}
	t.Logf("%d decisions answered and logged, the last one in flight at SIGTERM; %d requests refused after it", lines, len(l.errs))
}

// TestServeSecondSIGTERM: a second SIGTERM while the server drains (a
// request in flight that never finishes sending, --shutdown-timeout 60s)
// ends the process at once, killed by the signal. Every decision answered
// before is in the log, whole.
func TestServeSecondSIGTERM(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	s := startServe(t, "--decision-log", logFile, "--shutdown-timeout", "60s")
	answered := map[string]string{}
	for i, c := range requestMix(t)[:20] {
		d, err := s.decide(c)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		answered[d.DecisionID] = d.Rulebook.Revision
	}
	slow := startInFlight(t, s.base, e2eAllowed)
	s.signal(syscall.SIGTERM)
	s.logged("shutting down: finishing requests in flight")
	if _, ok := s.wait(500 * time.Millisecond); ok {
		t.Fatal("the server did not wait for the request in flight")
	}
	s.signal(syscall.SIGTERM)
	// Far less than the 60 s drain: "at once", without timing anything finer.
	st, ok := s.wait(15 * time.Second)
	if !ok {
		t.Fatal("a second SIGTERM did not end the drain")
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("exit after the second SIGTERM: %v, want killed by SIGTERM", st)
	}
	if _, err := http.ReadResponse(slow.br, nil); err == nil {
		t.Error("the request in flight got an answer from a killed server")
	}
	checkDecisionLog(t, logFile, answered)
}
