package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

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
// until /health/ready is 200.
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
		code, _ := get(s.client, s.base+"/health/ready")
		return code == 200
	})
	return s
}

// pid is the server's process id.
func (s *served) pid() int { return s.cmd.Process.Pid }

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

// logged waits until the server log has a line with msg.
func (s *served) logged(msg string) {
	s.t.Helper()
	waitFor(s.t, "the server log line "+msg, func() bool {
		for _, l := range s.log.all() {
			if strings.Contains(l, `"msg":"`+msg+`"`) {
				return true
			}
		}
		return false
	})
}

// ready reads /health/ready.
func (s *served) ready() readyAnswer {
	s.t.Helper()
	code, body := get(s.client, s.base+"/health/ready")
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
	_, body := get(s.client, s.base+"/metrics")
	for _, l := range strings.Split(body, "\n") {
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

// rssKB is the process's resident set size (VmRSS), in kB.
func rssKB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, errors.New("no VmRSS")
}

// logRecord is what the tests read from a decision log line.
type logRecord struct {
	Event      string `json:"event"`
	DecisionID string `json:"decision_id"`
	Path       string `json:"path"`
	Revision   string `json:"revision"`
	Result     struct {
		DecisionID string `json:"decision_id"`
		Rulebook   struct {
			Revision string `json:"revision"`
		} `json:"rulebook"`
	} `json:"result"`
	Error string `json:"error"`
}

// checkDecisionLog reads a decision log and checks it holds exactly one
// whole line per decision answered (id -> revision), with that revision;
// its other events (inventory changes, refused attempts) are whole lines too.
func checkDecisionLog(t *testing.T, file string, answered map[string]string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := make(map[string]bool, len(answered))
	r := bufio.NewReaderSize(f, 1<<20)
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
			t.Fatalf("decision log line %d: %v: %.200q", n+1, err, line)
		}
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
	return n
}

// requestMix is every valid request fixture, as /v1/admit bodies; every
// fourth also goes to the OPA endpoint.
type call struct{ path, body string }

func requestMix(t *testing.T) []call {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "requests", "*", "*.json"))
	sort.Strings(files)
	var out []call
	for i, f := range files {
		if strings.Contains(f, "REQ-001") || strings.Contains(f, "REQ-003") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, call{"/v1/admit", compact.String()})
		if i%4 == 0 {
			out = append(out, call{"/v1/data/imgadmit/decision", `{"input":` + compact.String() + `}`})
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d requests in the mix", len(out))
	}
	return out
}

// answer is one decision as a client sees it.
type answer struct {
	DecisionID string
	Revision   string
	Allowed    bool
	Reasons    []string
}

// decideOnce sends c and reads the decision; an error is anything but a
// 200 with a decision that did not fail closed.
func decideOnce(ctx context.Context, client *http.Client, base string, c call) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+c.path, strings.NewReader(c.body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	if resp.StatusCode != 200 {
		return answer{}, fmt.Errorf("%s: status %d: %.300s", c.path, resp.StatusCode, b)
	}
	var d struct {
		Allowed    bool   `json:"allowed"`
		DecisionID string `json:"decision_id"`
		Reasons    []struct {
			ID string `json:"id"`
		} `json:"reasons"`
		Rulebook struct {
			Revision string `json:"revision"`
		} `json:"rulebook"`
	}
	if c.path == "/v1/admit" {
		err = json.Unmarshal(b, &d)
	} else {
		var r struct {
			Result *json.RawMessage `json:"result"`
		}
		if err = json.Unmarshal(b, &r); err == nil && r.Result != nil {
			err = json.Unmarshal(*r.Result, &d)
		}
	}
	if err != nil || d.DecisionID == "" || d.Rulebook.Revision == "" {
		return answer{}, fmt.Errorf("%s: not a decision (%v): %.300s", c.path, err, b)
	}
	a := answer{DecisionID: d.DecisionID, Revision: d.Rulebook.Revision, Allowed: d.Allowed}
	for _, r := range d.Reasons {
		if r.ID == "REQ-004" {
			return a, fmt.Errorf("%s: failed closed: %.300s", c.path, b)
		}
		a.Reasons = append(a.Reasons, r.ID)
	}
	return a, nil
}

// load drives the server from workers goroutines until ctx ends: flat out
// when rate is 0, else at rate requests per second in all (each request is
// due at start + k/rate; a worker takes the next one when it is free). It
// keeps every decision's id and revision, for the decision log check:
// internal/loadgen measures the same way but does not read the answers.
type load struct {
	client  *http.Client
	base    string
	mix     []call
	workers int
	rate    float64

	mu        sync.Mutex
	answered  map[string]string // decision id -> revision
	latencies []time.Duration   // from when each request was due (sent, flat out)
	service   []time.Duration   // from when each request was sent
	errs      []error
	late      int // requests sent more than 50 ms after their due time
}

func (l *load) run(ctx context.Context) {
	l.mu.Lock()
	if l.answered == nil {
		l.answered = map[string]string{}
	}
	l.mu.Unlock()
	var next int64
	var nmu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	for w := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i += l.workers {
				from := time.Now()
				if l.rate > 0 {
					nmu.Lock()
					k := next
					next++
					nmu.Unlock()
					due := start.Add(time.Duration(float64(k) / l.rate * float64(time.Second)))
					// Latency counts from when the request was due: a server
					// that falls behind is charged for the queue it causes.
					from = due
					if d := time.Until(due); d > 0 {
						select {
						case <-time.After(d):
						case <-ctx.Done():
							return
						}
					} else if d < -50*time.Millisecond {
						l.mu.Lock()
						l.late++
						l.mu.Unlock()
					}
				}
				c := l.mix[i%len(l.mix)]
				sent := time.Now()
				a, err := decideOnce(context.WithoutCancel(ctx), l.client, l.base, c)
				lat, svc := time.Since(from), time.Since(sent)
				l.mu.Lock()
				if err != nil {
					l.errs = append(l.errs, err)
				} else {
					l.answered[a.DecisionID] = a.Revision
					l.latencies = append(l.latencies, lat)
					l.service = append(l.service, svc)
				}
				l.mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// percentile of durations (sorted in place).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(p*float64(len(ds))))]
}

// envDuration reads a duration from the environment, def when unset.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a duration such as 5m", name, s)
	}
	return d
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}
