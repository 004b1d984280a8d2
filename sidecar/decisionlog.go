package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Record is one line of the decision log: one per decision answered.
type Record struct {
	DecisionID string `json:"decision_id"`
	// Time is when the decision was made, RFC 3339 in UTC.
	Time string `json:"time"`
	// Path is the endpoint that answered.
	Path       string `json:"path"`
	RemoteAddr string `json:"remote_addr"`
	// Input is the request as it was sent (compacted).
	Input json.RawMessage `json:"input"`
	// Result is the decision as it was answered.
	Result *evaluator.Decision `json:"result"`
	// Revision is the revision of the rulebook that made the decision.
	Revision string `json:"revision"`
	// LatencyNS is the time from the request's arrival to the decision.
	LatencyNS int64 `json:"latency_ns"`
	// Error is why the decision failed closed; empty otherwise.
	Error string `json:"error,omitempty"`
}

// decisionLog appends one JSON line per decision. Each line is one Write
// call, unbuffered, so a line answered is a line handed to the kernel; a line
// that cannot be written goes to the server log instead, and is counted.
type decisionLog struct {
	mu     sync.Mutex
	w      io.Writer
	file   *os.File // nil when the writer is not a file we opened
	path   string   // the file's path, for reopening
	log    *slog.Logger
	m      *metrics
	closed bool
}

func openDecisionLog(c *settled, log *slog.Logger, m *metrics) (*decisionLog, error) {
	l := &decisionLog{log: log, m: m}
	switch {
	case c.DecisionLogWriter != nil:
		l.w = c.DecisionLogWriter
	case c.DecisionLog == StdoutLog:
		l.w = c.Stdout
	default:
		f, err := openLogFile(c.DecisionLog)
		if err != nil {
			return nil, configErrorf("--decision-log: %v", err)
		}
		l.w, l.file, l.path = f, f, c.DecisionLog
	}
	return l, nil
}

// The log holds requests, which may name projects and resources: owner only.
func openLogFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// write appends rec. An error is returned for the caller's information only:
// it has already been logged and counted.
func (l *decisionLog) write(rec *Record) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		// Only an Input that is not JSON gets here, and the evaluator decoded it.
		l.failed(rec, nil, fmt.Errorf("encode decision log line: %w", err))
		return err
	}
	l.mu.Lock()
	var err error
	if l.closed {
		err = errors.New("decision log is closed")
	} else {
		_, err = l.w.Write(buf.Bytes())
	}
	l.mu.Unlock()
	if err != nil {
		l.failed(rec, buf.Bytes(), err)
		return err
	}
	l.m.logLines.Inc()
	return nil
}

func (l *decisionLog) failed(rec *Record, line []byte, err error) {
	l.m.logErrors.Inc()
	var payload any = rec
	if line != nil {
		payload = json.RawMessage(line)
	}
	l.log.Error("decision log write failed; the decision line follows here instead",
		"err", err.Error(), "decision_id", rec.DecisionID, "decision", payload)
}

// reopen reopens the log file (after logrotate moved it): the new file is
// opened before the old one is closed, so a failure keeps the old one.
func (l *decisionLog) reopen() error {
	if l.path == "" {
		return nil
	}
	f, err := openLogFile(l.path)
	if err != nil {
		return fmt.Errorf("reopen decision log %s: %w", l.path, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		f.Close()
		return nil
	}
	old := l.file
	l.w, l.file = f, f
	if err := old.Close(); err != nil {
		return fmt.Errorf("close old decision log %s: %w", l.path, err)
	}
	return nil
}

// close flushes the log to disk and closes it; lines written after it are
// errors, logged and counted.
func (l *decisionLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.file == nil {
		return nil
	}
	var err error
	// Only a regular file can be synced (a FIFO or /dev/stdout cannot).
	if fi, serr := l.file.Stat(); serr == nil && fi.Mode().IsRegular() {
		err = l.file.Sync()
	}
	if cerr := l.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close decision log %s: %w", l.path, err)
	}
	return nil
}

func newRecord(path, remote string, input []byte, d *evaluator.Decision, started, decided time.Time, cause error) *Record {
	rec := &Record{
		DecisionID: d.DecisionID,
		Time:       decided.UTC().Format(time.RFC3339Nano),
		Path:       path,
		RemoteAddr: remote,
		Input:      json.RawMessage(input),
		Result:     d,
		Revision:   d.Rulebook.Revision,
		LatencyNS:  decided.Sub(started).Nanoseconds(),
	}
	if cause != nil {
		rec.Error = cause.Error()
	}
	return rec
}
