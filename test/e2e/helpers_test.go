package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// Requests for the real rulebook.
const (
	// e2eAllowed is started from a stopped server: nothing refuses it.
	e2eAllowed = `{"provider":"huaweicloud","operation":"server.start","region":"cn-north-4","params":{"server_id":"srv-1"},` +
		`"resources":{"servers":{"srv-1":{"status":"stopped","image_creation_in_progress":false}}}}`
	// e2eDenied claims its backup is a server backup; the inventory knows it
	// is a disk backup, and the inventory wins: IMS-FE-001 denies.
	e2eDenied = `{"provider":"huaweicloud","operation":"image.create","region":"cn-north-4","params":{"name":"web-2026-11","image_type":"full_ecs",` +
		`"source":{"type":"cbr_backup","id":"bk-7f3a"},"agree_disclaimer":true},"resources":{"backups":{"bk-7f3a":{"resource_type":"server"}}}}`
	e2eInventory = `{"resources":{"backups":{"bk-7f3a":{"resource_type":"disk","status":"available"}}}}`
)

// decision is what the tests read from a decision, on either endpoint and
// in the decision log.
type decision struct {
	Allowed    bool     `json:"allowed"`
	DecisionID string   `json:"decision_id"`
	Reasons    []reason `json:"reasons"`
	// Requests are the canonical requests a real API call became.
	Requests []map[string]any `json:"requests"`
	Rulebook struct {
		Revision string `json:"revision"`
	} `json:"rulebook"`
}

// reason is a rule that had something to say about a request.
type reason struct {
	ID     string `json:"id"`
	Effect string `json:"effect"`
}

// has says whether rule id gave the decision a reason with effect.
func (d decision) has(id, effect string) bool {
	return slices.Contains(d.Reasons, reason{id, effect})
}

// apiError is an error answer of the CLI's --format json or the sidecar.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Errors  []struct {
		Pointer string `json:"pointer"`
		Message string `json:"message"`
		Line    int    `json:"line"`
	} `json:"errors"`
	File string `json:"file"`
}

// call is a request to the sidecar: an endpoint and a body.
type call struct{ path, body string }

// The decision endpoints: imgadmit's own, and OPA's Data API.
const (
	admitPath = "/v1/admit"
	opaPath   = "/v1/data/imgadmit/decision"
)

// opaCall is c's request on the OPA endpoint, as {"input": request}.
func opaCall(request string) call { return call{opaPath, `{"input":` + request + `}`} }

// readDecision reads the answer of a call to path: an error unless it is a
// decision (with an id and a revision, the same id on both sides of an OPA
// answer) that did not fail closed.
func readDecision(path string, answer []byte) (decision, error) {
	var d decision
	var err error
	if path == opaPath {
		var r struct {
			DecisionID string    `json:"decision_id"`
			Result     *decision `json:"result"`
		}
		if err = json.Unmarshal(answer, &r); err == nil && r.Result != nil {
			d = *r.Result
			if r.DecisionID != d.DecisionID {
				err = fmt.Errorf("decision ids differ")
			}
		}
	} else {
		err = json.Unmarshal(answer, &d)
	}
	if err != nil || d.DecisionID == "" || d.Rulebook.Revision == "" {
		return d, fmt.Errorf("%s: not a decision (%v): %.300s", path, err, answer)
	}
	if d.has("REQ-004", "deny") {
		return d, fmt.Errorf("%s: failed closed: %.300s", path, answer)
	}
	return d, nil
}

// lockedLog collects the server log as the process writes it.
type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *lockedLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// served is a running `imgadmit serve`, the built binary, on a free
// loopback port. It is always stopped when the test ends.
type served struct {
	t       *testing.T
	cmd     *exec.Cmd
	base    string
	log     *lockedLog // the server log (stderr), line by line
	stdout  *bytes.Buffer
	exited  chan struct{}
	waitErr error // set before exited is closed
	client  *http.Client
}

// startServe starts `imgadmit serve --addr 127.0.0.1:0 args...` and waits
// until /health/ready is 200. It runs without GOGC and GOMEMLIMIT, as
// deployed: the binary picks its own GC target.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	bin := builtBinary(t)
	s := &served{
		t:      t,
		log:    &lockedLog{},
		stdout: &bytes.Buffer{},
		exited: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=")
	})
	s.cmd.Stdout = s.stdout
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			s.log.add(sc.Text())
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
				listening <- l.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			lines := s.log.all()
			if len(lines) > 40 {
				lines = lines[len(lines)-40:]
			}
			t.Logf("server log (last lines):\n%s", strings.Join(lines, "\n"))
		}
		s.client.CloseIdleConnections()
	})
	select {
	case addr := <-listening:
		s.base = "http://" + addr
	case <-s.exited:
		t.Fatalf("the server exited before listening: %v", s.waitErr)
	case <-time.After(30 * time.Second):
		t.Fatal("the server never said where it listens")
	}
	waitFor(t, "ready", func() bool {
		code, _ := s.get("/health/ready")
		return code == 200
	})
	return s
}

// pid is the server's process id.
func (s *served) pid() int { return s.cmd.Process.Pid }

// rssKB is the server's resident set size, in kB.
func (s *served) rssKB() (int, error) {
	rss, _, err := loadgen.Memory(s.pid())
	return int(rss >> 10), err
}

func (s *served) signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit, at most limit, and returns how.
func (s *served) wait(limit time.Duration) (*os.ProcessState, bool) {
	select {
	case <-s.exited:
		return s.cmd.ProcessState, true
	case <-time.After(limit):
		return nil, false
	}
}

// stop sends SIGTERM and fails the test unless the server exits 0 within
// 30 seconds, its last log line saying it stopped.
func (s *served) stop() {
	s.t.Helper()
	s.signal(syscall.SIGTERM)
	if st, ok := s.wait(30 * time.Second); !ok || st.ExitCode() != 0 {
		s.t.Fatalf("after SIGTERM: exited %v, state %v", ok, st)
	}
	if logs := s.log.all(); len(logs) == 0 || !strings.Contains(logs[len(logs)-1], `"msg":"stopped"`) {
		s.t.Errorf("the last server log line is not \"stopped\": %v", logs[max(0, len(logs)-1):])
	}
}

// reload sends SIGHUP and waits until the server has tried to reload both
// the rulebook and the inventory (what names the wait in a failure); it
// returns what /health/ready says then.
func (s *served) reload(what string) readyAnswer {
	s.t.Helper()
	before := s.ready().Reloads
	s.signal(syscall.SIGHUP)
	var r readyAnswer
	waitFor(s.t, what, func() bool {
		r = s.ready()
		return r.Reloads["rulebook"].Time != before["rulebook"].Time && r.Reloads["inventory"].Time != before["inventory"].Time
	})
	return r
}

// logged waits until the server log has a line with msg.
func (s *served) logged(msg string) {
	s.t.Helper()
	waitFor(s.t, "the server log line "+msg, func() bool {
		return slices.ContainsFunc(s.log.all(), func(l string) bool { return strings.Contains(l, `"msg":"`+msg+`"`) })
	})
}

// get reads path; a transport error is status 0 with the error as the body.
func (s *served) get(path string) (int, string) {
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends body to path as contentType, with more headers as name, value
// pairs, and returns the status and the answer.
func (s *served) post(path, contentType, body string, header ...string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// decide sends c and reads the decision (readDecision).
func (s *served) decide(c call) (decision, error) {
	b, err := loadgen.Post(context.Background(), s.client, s.base+c.path, []byte(c.body))
	if err != nil {
		return decision{}, err
	}
	return readDecision(c.path, b)
}

// ready reads /health/ready.
func (s *served) ready() readyAnswer {
	s.t.Helper()
	code, body := s.get("/health/ready")
	var r readyAnswer
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 {
		s.t.Fatalf("ready: %d %s", code, body)
	}
	return r
}

type readyAnswer struct {
	Status   string `json:"status"`
	Revision string `json:"revision"`
	Rules    int    `json:"rules"`
	Reloads  map[string]struct {
		OK    bool   `json:"ok"`
		Time  string `json:"time"`
		Error string `json:"error"`
	} `json:"reloads"`
}

// metric reads one sample of /metrics, 0 when absent.
func (s *served) metric(series string) float64 {
	s.t.Helper()
	_, body := s.get("/metrics")
	for l := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				s.t.Fatalf("%s: %v", l, err)
			}
			return f
		}
	}
	return 0
}

// waitFor polls cond until it holds, for at most 15 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// copyRulebook copies the rulebook (policies/) into dir, so the test can
// change and break its copy, and returns the copy's path.
func copyRulebook(t *testing.T, dir string) string {
	t.Helper()
	pol := filepath.Join(dir, "policies")
	if err := os.CopyFS(pol, os.DirFS(filepath.Join(repo, "policies"))); err != nil {
		t.Fatal(err)
	}
	return pol
}

// requestMix is every valid request fixture on /v1/admit; every fourth
// also goes to the OPA endpoint.
func requestMix(t *testing.T) []call {
	t.Helper()
	reqs, _, err := loadgen.Requests(filepath.Join(repo, "fixtures", "requests"))
	if err != nil {
		t.Fatal(err)
	}
	var out []call
	for i, r := range reqs {
		var compact bytes.Buffer
		if err := json.Compact(&compact, r); err != nil {
			t.Fatal(err)
		}
		out = append(out, call{admitPath, compact.String()})
		if i%4 == 0 {
			out = append(out, opaCall(compact.String()))
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d requests in the mix", len(out))
	}
	return out
}

// load is internal/loadgen driving a server with calls, keeping every
// decision's id and revision for checkDecisionLog, and every error.
type load struct {
	t    *testing.T
	stop context.CancelFunc
	done chan struct{}
	res  *loadgen.Result
	err  error

	mu       sync.Mutex
	answered map[string]string // decision id -> revision
	errs     []error           // requests that got no decision
}

// startLoad drives s with mix (cycling through it) in the background, as
// shape says: at shape.Rate per second or flat out, from shape.Workers
// workers, for shape.Duration or until stopped. Every answer must be a
// decision (readDecision). The load is stopped when the test ends.
func startLoad(t *testing.T, s *served, mix []call, shape loadgen.Load) *load {
	t.Helper()
	l := &load{t: t, done: make(chan struct{}), answered: map[string]string{}}
	bodies, urls := make([][]byte, len(mix)), make([]string, len(mix))
	for i, c := range mix {
		bodies[i], urls[i] = []byte(c.body), s.base+c.path
	}
	shape.URLs = urls
	if shape.Requests == 0 {
		shape.Requests = 1 << 30
	}
	if shape.Duration == 0 {
		shape.Duration = time.Hour // until stopped
	}
	if shape.Timeout == 0 {
		shape.Timeout = 30 * time.Second
	}
	shape.Answer = func(i int, answer []byte, err error) error {
		var d decision
		if err == nil {
			d, err = readDecision(mix[i].path, answer)
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if err != nil {
			l.errs = append(l.errs, err)
			return err
		}
		l.answered[d.DecisionID] = d.Rulebook.Revision
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.stop = cancel
	go func() {
		defer close(l.done)
		l.res, l.err = loadgen.Run(ctx, s.client, "", bodies, shape)
	}()
	t.Cleanup(func() { l.halt() })
	return l
}

// runLoad is startLoad to the end of its duration.
func runLoad(t *testing.T, s *served, mix []call, shape loadgen.Load) (*load, *loadgen.Result) {
	t.Helper()
	l := startLoad(t, s, mix, shape)
	return l, l.wait()
}

// wait waits for the load to end and returns what loadgen measured.
func (l *load) wait() *loadgen.Result {
	l.t.Helper()
	<-l.done
	if l.err != nil {
		l.t.Fatalf("load: %v", l.err)
	}
	return l.res
}

// halt stops the load, lets the requests in flight finish, and returns
// what loadgen measured.
func (l *load) halt() *loadgen.Result {
	l.t.Helper()
	l.stop()
	return l.wait()
}

// counts are the decisions answered and the errors so far.
func (l *load) counts() (answered, errs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.answered), len(l.errs)
}

// add records a decision answered outside the load, for the log check.
func (l *load) add(d decision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answered[d.DecisionID] = d.Rulebook.Revision
}

// reportErrors fails the test with the first few errors of the load.
func (l *load) reportErrors(what string) {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, err := range l.errs[:min(5, len(l.errs))] {
		l.t.Errorf("%s: %v", what, err)
	}
}

// logRecord is what the tests read from a decision log line.
type logRecord struct {
	Event       string          `json:"event"`
	DecisionID  string          `json:"decision_id"`
	Path        string          `json:"path"`
	RemoteAddr  string          `json:"remote_addr"`
	RequestedBy string          `json:"requested_by"`
	ProjectID   string          `json:"project_id"`
	Status      int             `json:"status"` // of a refused attempt
	Input       json.RawMessage `json:"input"`
	InputSHA256 string          `json:"input_sha256"`
	Result      decision        `json:"result"`
	Revision    string          `json:"revision"`
	LatencyNS   int64           `json:"latency_ns"`
	Error       string          `json:"error"`
}

// checkDecisionLog reads a decision log and checks it holds exactly one
// whole line per decision answered (id -> revision), with that revision,
// its input and its latency, from a loopback client; its other events
// (inventory changes, refused attempts) are whole lines too. It returns
// every line read.
func checkDecisionLog(t *testing.T, file string, answered map[string]string) []logRecord {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := make(map[string]bool, len(answered))
	r := bufio.NewReaderSize(f, 1<<20)
	var records []logRecord
	n := 0
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			if len(line) != 0 {
				t.Errorf("the decision log ends with a torn line: %.200q", line)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var rec logRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("decision log line %d: %v: %.200q", len(records)+1, err, line)
		}
		records = append(records, rec)
		if rec.Event != "decision" {
			continue // an inventory change or a refused attempt: not a decision
		}
		n++
		rev, ok := answered[rec.DecisionID]
		switch {
		case seen[rec.DecisionID]:
			t.Errorf("decision %s logged twice", rec.DecisionID)
		case !ok:
			t.Errorf("decision log line %d: %s was never answered", n, rec.DecisionID)
		case rec.Revision != rev || rec.Result.Rulebook.Revision != rev || rec.Result.DecisionID != rec.DecisionID:
			t.Errorf("decision log line %d: revision %s, answered with %s", n, rec.Revision, rev)
		case rec.Error != "":
			t.Errorf("decision log line %d: failed closed: %s", n, rec.Error)
		case !strings.HasPrefix(rec.RemoteAddr, "127.0.0.1:") || rec.LatencyNS <= 0 || (len(rec.Input) == 0 && rec.InputSHA256 == ""):
			t.Errorf("decision log line %d: remote address %q, latency %d ns, input %d bytes", n, rec.RemoteAddr, rec.LatencyNS, len(rec.Input))
		}
		seen[rec.DecisionID] = true
	}
	missing := 0
	for id := range answered {
		if !seen[id] {
			missing++
			if missing <= 5 {
				t.Errorf("decision %s was answered but not logged", id)
			}
		}
	}
	if n != len(answered) || missing > 0 {
		t.Errorf("%d decision log lines for %d decisions answered (%d missing)", n, len(answered), missing)
	}
	return records
}

// decisionLines counts the decisions among a decision log's records.
func decisionLines(records []logRecord) int {
	n := 0
	for _, r := range records {
		if r.Event == "decision" {
			n++
		}
	}
	return n
}
