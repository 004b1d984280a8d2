package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// Server is a decision server this package started, on a loopback port.
type Server struct {
	Name string
	// Base is http://127.0.0.1:PORT.
	Base string
	// DecisionPath is the OPA Data API path both servers answer.
	DecisionPath string
	// DecisionLog is imgadmit's decision log file; empty for OPA.
	DecisionLog string
	// ConsoleDecisions says the server writes its decision log to its own
	// output (stock OPA's decision_logs.console), which goes to a file.
	ConsoleDecisions bool
	// Answered counts the decisions it answered (200) over the whole run:
	// what its decision log must hold.
	Answered int64

	cmd     *exec.Cmd
	logf    *os.File // the server's stdout and stderr
	done    chan struct{}
	waitErr error
}

// URL is the decision endpoint.
func (s *Server) URL() string { return s.Base + s.DecisionPath }

// StartImgadmit starts `imgadmit serve` with the inventory file, logging
// decisions to decisionLog (its default is standard output; a file is what a
// deployment keeps).
// name names the server in the report; extra are more serve flags (say
// --config-file).
func StartImgadmit(ctx context.Context, name, bin, inventory, decisionLog, workDir string, env []string, extra ...string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:" + port, "--data", inventory, "--decision-log", decisionLog}, extra...)
	s, err := start(ctx, name, workDir, env, bin, args...)
	if err != nil {
		return nil, err
	}
	s.Base = "http://127.0.0.1:" + port
	s.DecisionLog = decisionLog
	if err := s.waitReady(ctx, "/health/ready"); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// StartOPA starts the stock OPA server on the rulebook directory and loads the
// inventory document at data.inventory through the Data API, as an operator
// of stock OPA would. extra are more `opa run` flags (say --log-level error).
func StartOPA(ctx context.Context, name, bin, policies string, inventoryJSON []byte, workDir string, env []string, extra ...string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"run", "--server", "--addr", "127.0.0.1:" + port}, extra...)
	args = append(args, policies)
	s, err := start(ctx, name, workDir, env, bin, args...)
	if err != nil {
		return nil, err
	}
	s.Base = "http://127.0.0.1:" + port
	if err := s.waitReady(ctx, "/health"); err != nil {
		s.Stop()
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.Base+"/v1/data/inventory", bytes.NewReader(inventoryJSON))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("PUT /v1/data/inventory answered %d", resp.StatusCode)
			}
		}
	}
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("%s: load the inventory: %w", name, err)
	}
	return s, nil
}

// start starts bin with args; env is added to this process's environment.
func start(ctx context.Context, name, workDir string, env []string, bin string, args ...string) (*Server, error) {
	logf, err := os.CreateTemp(workDir, name+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so an interrupt of the load generator reaches
	// it only through Stop, and Stop ends it whatever it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{Name: name, DecisionPath: "/v1/data/imgadmit/decision", cmd: cmd, logf: logf, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// waitReady polls path until it answers 200, the process exits, or 60 s pass.
func (s *Server) waitReady(ctx context.Context, path string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it was ready (%v): %s", s.Name, s.waitErr, s.LogTail(2000))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := http.Get(s.Base + path)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s was not ready at %s%s within 60 s: %s", s.Name, s.Base, path, s.LogTail(2000))
}

// Stop ends the server: SIGTERM, then SIGKILL after 10 s. It is safe to call
// twice.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	if s.logf != nil {
		s.logf.Close()
		os.Remove(s.logf.Name())
		s.logf = nil
	}
}

// LoggedDecisions counts the decisions in the server's decision log: the
// lines of imgadmit's file, or the "Decision Log" events in stock OPA's
// output; -1 for a server without one.
func (s *Server) LoggedDecisions() (int64, error) {
	var path string
	var want []byte
	switch {
	case s.DecisionLog != "":
		path = s.DecisionLog
	case s.ConsoleDecisions && s.logf != nil:
		path, want = s.logf.Name(), []byte(`"msg":"Decision Log"`)
	default:
		return -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := countLines(f, want)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// countLines counts the whole lines of r (ended by a newline: a last line
// still being written is no decision yet) that contain want (every one when
// want is nil), reading r a buffer at a time: a run's decision log may be
// gigabytes.
func countLines(r io.Reader, want []byte) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var n int64
	var long []byte // a line longer than br's buffer so far, when want is set
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if want != nil {
				long = append(long, chunk...)
			}
			continue
		case errors.Is(err, io.EOF):
			return n, nil
		case err != nil:
			return n, err
		}
		line := chunk
		if len(long) > 0 {
			line = append(long, chunk...)
			long = line[:0]
		}
		if want == nil || bytes.Contains(line, want) {
			n++
		}
	}
}

// LogTail is the end of the server's output, for error messages.
func (s *Server) LogTail(n int) string {
	if s.logf == nil {
		return ""
	}
	b, err := os.ReadFile(s.logf.Name())
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// Memory is the server's resident set now and at its peak, in bytes, from
// /proc (Linux).
func (s *Server) Memory() (rss, peak int64, err error) {
	return loadgen.Memory(s.cmd.Process.Pid)
}

// CPU is the CPU time the server has used so far (user and system), from
// /proc (Linux; clock ticks of 1/100 s).
func (s *Server) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// HandlerLatencies reads the whole decision log lines written from offset on
// and returns their latency_ns (sorted): the server's own time per decision,
// from the handler's start (the request's headers read) to the decision,
// without the time the request waited before a handler ran or the answer took
// to reach the client.
func HandlerLatencies(path string, offset int64) ([]time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	// Only whole lines: the server may be writing one as we read.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	var lat []time.Duration
	for line := range bytes.Lines(b) {
		var rec struct {
			LatencyNS *int64 `json:"latency_ns"`
		}
		if err := json.Unmarshal(line, &rec); err != nil || rec.LatencyNS == nil {
			return nil, fmt.Errorf("%s: a decision log line without latency_ns: %.80s", path, line)
		}
		lat = append(lat, time.Duration(*rec.LatencyNS))
	}
	slices.Sort(lat)
	return lat, nil
}

// Collector is a decision-log collector on loopback, as a fleet's would be:
// it takes OPA's uploads (a gzip JSON array of events) and counts the
// events.
type Collector struct {
	srv    *http.Server
	URL    string
	events atomic.Int64
}

// StartCollector starts a Collector on a free loopback port.
func StartCollector() (*Collector, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Collector{URL: "http://" + ln.Addr().String()}
	c.srv = &http.Server{Handler: http.HandlerFunc(c.collect), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

func (c *Collector) collect(w http.ResponseWriter, r *http.Request) {
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var events []json.RawMessage
	if err := json.NewDecoder(zr).Decode(&events); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.events.Add(int64(len(events)))
}

// Events is how many events have arrived.
func (c *Collector) Events() int64 { return c.events.Load() }

// Stop stops the collector.
func (c *Collector) Stop() { _ = c.srv.Close() }

// UploadConfig writes an OPA configuration file that uploads decision logs
// to the collector (every one to two seconds, so uploads run during the load)
// and returns its path.
func (c *Collector) UploadConfig(workDir string) (string, error) {
	file := filepath.Join(workDir, "opa-config.json")
	cfg := fmt.Sprintf(`{"services":{"collector":{"url":%q}},"decision_logs":{"service":"collector","reporting":{"min_delay_seconds":1,"max_delay_seconds":2}}}`, c.URL)
	return file, os.WriteFile(file, []byte(cfg), 0o600)
}
