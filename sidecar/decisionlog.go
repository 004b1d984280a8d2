package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
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

// write appends rec, whose Result is already encoded as result (compact JSON,
// from json.Marshal). An error is returned for the caller's information only:
// it has already been logged and counted.
func (l *decisionLog) write(rec *Record, result []byte) error {
	line, err := rec.appendLine(make([]byte, 0, 512+len(rec.Input)+len(result)+len(rec.Error)), result)
	if err != nil {
		// Only an Input that is not JSON gets here, and the evaluator decoded it.
		l.failed(rec, nil, fmt.Errorf("encode decision log line: %w", err))
		return err
	}
	l.mu.Lock()
	if l.closed {
		err = errors.New("decision log is closed")
	} else {
		_, err = l.w.Write(line)
	}
	l.mu.Unlock()
	if err != nil {
		l.failed(rec, line, err)
		return err
	}
	l.m.logLines.Inc()
	return nil
}

// appendLine appends rec as one JSON line, byte for byte what encoding/json
// writes for it (with HTML escaping off; a test holds the two equal), with
// the result encoded beforehand, so a decision is encoded once for its
// answer and its log line, and the line is built without reflection.
func (rec *Record) appendLine(b, result []byte) ([]byte, error) {
	b = append(b, `{"decision_id":`...)
	b = appendJSONString(b, rec.DecisionID)
	b = append(b, `,"time":`...)
	b = appendJSONString(b, rec.Time)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, rec.Path)
	b = append(b, `,"remote_addr":`...)
	b = appendJSONString(b, rec.RemoteAddr)
	b = append(b, `,"input":`...)
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, rec.Input); err != nil {
		return nil, err
	}
	b = buf.Bytes()
	b = append(b, `,"result":`...)
	b = append(b, result...)
	b = append(b, `,"revision":`...)
	b = appendJSONString(b, rec.Revision)
	b = append(b, `,"latency_ns":`...)
	b = strconv.AppendInt(b, rec.LatencyNS, 10)
	if rec.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, rec.Error)
	}
	return append(b, "}\n"...), nil
}

// appendJSONString appends s as a JSON string, as encoding/json writes it with
// HTML escaping off. Strings of plain printable ASCII (ids, times, paths,
// addresses) are copied; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
