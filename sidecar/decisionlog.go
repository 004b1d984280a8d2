package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	opametrics "github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/server"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/jsonread"
)

// The events of the decision log, each line's "event".
const (
	eventDecision  = "decision"
	eventRefused   = "refused"
	eventInventory = "inventory"
)

// decisionPath is the path of every decision in OPA's event shape: the
// rule that decides, as stock OPA serves it (data.imgadmit.decision).
const decisionPath = "imgadmit/decision"

// Record is one line of the decision log: one per decision answered. It has
// OPA's decision-log event shape (plugins/logs EventV1: labels, decision_id,
// bundles, path, input, result, requested_by, timestamp, metrics), so an OPA
// log pipeline reads it, with imgadmit's additions beside them; the events
// uploaded with --config-file's decision_logs are the same, with the
// additions under "custom" (EventV1 has no other place for them).
type Record struct {
	Event string `json:"event"` // eventDecision
	// Labels are OPA's: the instance id, OPA's version, imgadmit's version
	// and --config-file's labels.
	Labels     map[string]string `json:"labels"`
	DecisionID string            `json:"decision_id"`
	// Bundles are the bundles serving (with --config-file), by name.
	Bundles map[string]bundleRevision `json:"bundles,omitempty"`
	// Path is the decision's rule, as OPA names it: imgadmit/decision.
	Path string `json:"path"`
	// Input is the request as it was sent (compacted, secrets redacted); a
	// request larger than --decision-log-max-input is InputSHA256 and
	// InputBytes instead, so a caller cannot fill the disk through the log.
	Input json.RawMessage `json:"input,omitempty"`
	// Result is the decision as it was answered: its JSON, encoded once for
	// the answer and this line.
	Result json.RawMessage `json:"result"`
	// RequestedBy is the identity that asked (its name in --identities;
	// "token-file" or "anonymous" without identities).
	RequestedBy string `json:"requested_by"`
	// Timestamp is when the decision was made, RFC 3339 in UTC.
	Timestamp string `json:"timestamp"`
	// Metrics are the decision's timers, by OPA's names.
	Metrics timers `json:"metrics,omitempty"`

	recordAdditions

	// decided is Timestamp as a time, for the event OPA's plugin takes.
	decided time.Time
	// bundleInfo is Bundles as the event OPA's plugin takes has them
	// (servingBundles: built once per activation).
	bundleInfo map[string]server.BundleInfo
}

// recordAdditions are imgadmit's members of a decision event, beside OPA's.
type recordAdditions struct {
	// Endpoint is the endpoint that answered (/v1/admit or OPA's).
	Endpoint   string `json:"endpoint"`
	RemoteAddr string `json:"remote_addr"`
	// ProjectID is the project the decision was made as: the request's, or
	// its identity's one project when the request named none.
	ProjectID   string `json:"project_id,omitempty"`
	InputSHA256 string `json:"input_sha256,omitempty"`
	InputBytes  int    `json:"input_bytes,omitempty"`
	// Revision is the revision of the rulebook that made the decision.
	Revision string `json:"revision"`
	// LatencyNS is the time from the request's arrival to the decision.
	LatencyNS int64 `json:"latency_ns"`
	// Error is why the decision failed closed; empty otherwise.
	Error string `json:"error,omitempty"`
}

// bundleRevision is OPA's BundleInfoV1.
type bundleRevision struct {
	Revision string `json:"revision"`
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
	bp := lineBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledLine {
			lineBuffers.Put(bp)
		}
	}()
	line, err := rec.appendLine((*bp)[:0])
	if err != nil {
		// Only an Input that is not JSON gets here, and the evaluator decoded it.
		l.failed(rec.DecisionID, rec, nil, fmt.Errorf("encode decision log line: %w", err))
		return err
	}
	*bp = line
	// writeLine is done with the line when it returns (written, or handed
	// to the server log): the buffer can serve the next one.
	return l.writeLine(rec.DecisionID, rec, line)
}

// lineBuffers hold decision log lines between requests: a line is a few
// kilobytes, written and forgotten, and a buffer grown once serves every
// later line without growing again. A buffer grown past maxPooledLine by a
// rare large input is left to the collector rather than kept.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledLine = 64 << 10

// writeEvent appends an event that is not a decision (a refused attempt, an
// inventory change).
func (l *decisionLog) writeEvent(ev any) error {
	return l.writeLine("", ev, mustEncode(ev))
}

// writeLine writes one line in one Write call. rec is what the line says, for
// the server log when it cannot be written.
func (l *decisionLog) writeLine(id string, rec any, line []byte) error {
	var err error
	l.mu.Lock()
	if l.closed {
		err = errors.New("decision log is closed")
	} else {
		_, err = l.w.Write(line)
	}
	l.mu.Unlock()
	if err != nil {
		l.failed(id, rec, line, err)
		return err
	}
	l.m.logLines.Inc()
	return nil
}

func (l *decisionLog) failed(id string, rec any, line []byte, err error) {
	l.m.logErrors.Inc()
	payload := rec
	if line != nil {
		payload = json.RawMessage(line)
	}
	l.log.Error("decision log write failed; the line follows here instead",
		"err", err.Error(), "decision_id", id, "line", payload)
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

// newRecord is the line of decision d, encoded as result; an input over
// maxInput bytes is logged as its digest and size.
func newRecord(endpoint, remote string, input []byte, maxInput int, d *evaluator.Decision, result []byte, started, decided time.Time, cause error) *Record {
	rec := &Record{
		Event:      eventDecision,
		DecisionID: d.DecisionID,
		Timestamp:  decided.UTC().Format(time.RFC3339Nano),
		decided:    decided,
		Path:       decisionPath,
		Result:     json.RawMessage(result),
		recordAdditions: recordAdditions{
			Endpoint:   endpoint,
			RemoteAddr: remote,
			Revision:   d.Rulebook.Revision,
			LatencyNS:  decided.Sub(started).Nanoseconds(),
		},
	}
	if len(input) > maxInput {
		rec.InputSHA256, rec.InputBytes = sha256Hex(input), len(input)
	} else {
		rec.Input = json.RawMessage(input)
	}
	if cause != nil {
		rec.Error = cause.Error()
	}
	return rec
}

// refusedEvent is a request refused before any decision: no valid token
// (401), a role or project its identity does not have (403), or no room to
// decide it (429).
type refusedEvent struct {
	Event       string `json:"event"` // eventRefused
	Time        string `json:"time"`
	Path        string `json:"path"`
	Method      string `json:"method"`
	RemoteAddr  string `json:"remote_addr"`
	RequestedBy string `json:"requested_by,omitempty"` // empty when no identity was recognized
	Status      int    `json:"status"`
	Code        string `json:"code"`
	Message     string `json:"message"`
}

// inventoryEvent is a change of the inventory: through PUT
// /v1/data/inventory, a reload of the --data files, or a sync (serve --sync).
type inventoryEvent struct {
	Event  string `json:"event"` // eventInventory
	Time   string `json:"time"`
	Source string `json:"source"` // "http", "files" or "sync"
	// Method and Path are the change's request (source http): PUT, PATCH
	// or DELETE, on the inventory or a path below it.
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	RemoteAddr  string `json:"remote_addr,omitempty"`
	RequestedBy string `json:"requested_by"`
	// SHA256 and Bytes describe the new inventory as it arrived: the body,
	// or the files one after the other.
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// PreviousRevision and Revision are the inventory's revisions before and
	// after (evaluator.Evaluator.InventoryRevision).
	PreviousRevision string `json:"previous_revision"`
	Revision         string `json:"revision"`
}

// logDecision writes rec to the decision log and, with --config-file's
// decision_logs, hands the same event to OPA's decision-log plugin, which
// buffers and uploads it. t are the decision's timers; the line's handler
// timer is its latency.
func (s *Server) logDecision(ctx context.Context, rec *Record, t timers) error {
	rec.Labels = s.labels
	rec.Metrics = timers{timerHandler: rec.LatencyNS}
	for k, v := range t {
		rec.Metrics[k] = v
	}
	if sb := s.bundles.Load(); sb != nil {
		rec.Bundles, rec.bundleInfo = sb.revisions, sb.info
	}
	err := s.dlog.write(rec)
	if s.fleet != nil && s.fleet.DecisionLogs() {
		if uerr := s.fleet.Log(ctx, rec.event); uerr != nil {
			s.metrics.logErrors.Inc()
			s.log.Error("decision log plugin refused the event", "err", uerr.Error(), "decision_id", rec.DecisionID)
			err = errors.Join(err, fmt.Errorf("decision log plugin: %w", uerr))
		}
	}
	return err
}

// event is rec as OPA's decision-log plugin takes it: the same members,
// imgadmit's additions under custom. requested_by is the identity, as in
// the file (OPA's plugin writes server.Info.RemoteAddr there).
//
// With masks (a mask policy at decision_logs.mask_decision) the input and
// the result are decoded into Go values, as OPA's server gives them: OPA's
// masking changes them in place, and would leave JSON bytes unmasked
// without a word. Without, they stay the JSON already encoded for the file,
// and the input's OPA value (for the drop policy) is read from it directly:
// OPA would encode and decode both again for every event (round 6 of
// docs/performance.md: 2345 against 1914 decisions a second).
func (rec *Record) event(masks bool) (*server.Info, error) {
	info := &server.Info{
		DecisionID: rec.DecisionID,
		Path:       rec.Path,
		Timestamp:  rec.decided,
		RemoteAddr: rec.RequestedBy,
		Metrics:    eventMetrics(rec.Metrics),
		Custom:     rec.custom(),
	}
	var result any = rec.Result
	if masks {
		if err := util.UnmarshalJSON(rec.Result, &result); err != nil {
			return nil, fmt.Errorf("decision log event result: %w", err)
		}
	}
	info.Results = &result
	if rec.Input != nil {
		var input any = rec.Input
		if masks {
			if err := util.UnmarshalJSON(rec.Input, &input); err != nil {
				return nil, fmt.Errorf("decision log event input: %w", err)
			}
		} else {
			doc, err := jsonread.Decode(rec.Input, eventLimits, nil)
			if err == nil {
				info.InputAST, err = ast.InterfaceToValue(doc)
			}
			if err != nil {
				return nil, fmt.Errorf("decision log event input: %w", err)
			}
		}
		info.Input = &input
	}
	info.Bundles = rec.bundleInfo
	return info, nil
}

// eventLimits bound reading a logged input again: it was read whole with
// the request's own (tighter) limits before.
var eventLimits = jsonread.Limits{MaxDepth: 10_000, MaxNumber: 10_000}

// custom is recordAdditions as the members of EventV1's custom object.
func (rec *Record) custom() map[string]any {
	c := map[string]any{
		"event":       rec.Event,
		"endpoint":    rec.Endpoint,
		"remote_addr": rec.RemoteAddr,
		"revision":    rec.Revision,
		"latency_ns":  rec.LatencyNS,
	}
	for k, v := range map[string]string{"project_id": rec.ProjectID, "input_sha256": rec.InputSHA256, "error": rec.Error} {
		if v != "" {
			c[k] = v
		}
	}
	if rec.InputBytes > 0 {
		c["input_bytes"] = rec.InputBytes
	}
	return c
}

// timerMetrics gives OPA's plugin a decision's timers: it reads them with
// All() only.
type timerMetrics struct {
	opametrics.Metrics
	all map[string]any
}

func eventMetrics(t timers) opametrics.Metrics {
	all := make(map[string]any, len(t))
	for k, v := range t {
		all[k] = v
	}
	return timerMetrics{Metrics: unusedMetrics, all: all}
}

// unusedMetrics answers the methods of metrics.Metrics the plugin does not
// call on an event's metrics.
var unusedMetrics = opametrics.NoOp()

func (m timerMetrics) All() map[string]any          { return m.all }
func (m timerMetrics) MarshalJSON() ([]byte, error) { return json.Marshal(m.all) }
