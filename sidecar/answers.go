package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/open-policy-agent/opa/v1/server/types"

	"github.com/imgadmit/imgadmit/evaluator"
)

// APIError is the body of every answer that is not a decision or a document:
// {"code", "message", "errors"}.
type APIError struct {
	Code    string                 `json:"code"`
	Message string                 `json:"message"`
	Errors  []evaluator.FieldError `json:"errors"`

	status int
}

// Error is the message, so an answer can travel as an error.
func (e *APIError) Error() string { return e.Message }

func apiErrorf(status int, code, format string, args ...any) *APIError {
	return &APIError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// refuse answers e (a 401, 403 or 429) and writes the attempt to the
// decision log: who (when known), what, from where, and why.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, id *Identity, e *APIError) {
	ev := refusedEvent{
		Event: eventRefused, Time: time.Now().UTC().Format(time.RFC3339Nano),
		Path: r.URL.Path, Method: r.Method, RemoteAddr: r.RemoteAddr,
		Status: e.status, Code: e.Code, Message: e.Message,
	}
	if id != nil {
		ev.RequestedBy = id.Name
	}
	_ = s.dlog.writeEvent(ev)
	if e.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	writeError(w, r, e)
}

// encode is the sidecar's one JSON writer, for answers and decision log lines
// alike: encoding/json, HTML characters as they are (a decision keeps its own
// encoding, evaluator.Decision.MarshalJSON), compact, on one line ending in a
// newline. It fails only on a json.RawMessage that is not JSON.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mustEncode is encode for a value built here from strings, numbers and
// decoded JSON: failing is a bug.
func mustEncode(v any) []byte {
	b, err := encode(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}

// writeJSON writes v as the answer; ?pretty=true indents it, as OPA does.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	writeEncoded(w, r, status, mustEncode(v))
}

// writeEncoded writes an answer already encoded (encode), indented when
// ?pretty=true asks.
func writeEncoded(w http.ResponseWriter, r *http.Request, status int, compact []byte) {
	if wantPretty(r) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, compact, "", "  "); err != nil {
			panic(fmt.Sprintf("indent answer: %v", err))
		}
		compact = buf.Bytes()
	}
	writeBody(w, status, compact)
}

// wantPretty reads ?pretty as OPA does: present without a value, or true
// in any case (the Data API endpoints refuse other values, parseParams).
func wantPretty(r *http.Request) bool {
	if r.URL.RawQuery == "" {
		return false
	}
	on, _ := boolParam(paramPretty, r.URL.Query()[paramPretty])
	return on
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set(contentTypeKey, jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, r *http.Request, e *APIError) {
	if e.Errors == nil {
		e.Errors = []evaluator.FieldError{}
	}
	if rw, ok := w.(*responseWriter); ok && rw.noLines {
		for i := range e.Errors {
			e.Errors[i].Line = 0
		}
	}
	setOutcome(w, e.Code)
	writeJSON(w, r, e.status, e)
}

// fromEvaluator turns an evaluator error on the caller's input into a 400.
func fromEvaluator(err error) *APIError {
	e := &APIError{status: http.StatusBadRequest, Code: evaluator.CodeOf(err), Message: err.Error()}
	var ee *evaluator.Error
	if errors.As(err, &ee) {
		e.Message = ee.Message
		e.Errors = append([]evaluator.FieldError(nil), ee.Errors...)
	}
	return e
}

// opaAnswer is OPA's DataResponseV1 for a decision,
// {"decision_id": ..., "result": decision}, around the decision's JSON,
// with the provenance, explanation and metrics p asks for. The explanation
// is OPA's lines under ?pretty, its events otherwise.
//
// An explanation past its bounds is a 400 that names the decision, which
// was made and logged: the caller can read it there, or explain it with
// imgadmit eval --explain full, which has no such bound.
func (s *Server) opaAnswer(r *http.Request, d *decided, p params, start time.Time) ([]byte, *APIError) {
	a := dataAnswer{DecisionID: d.DecisionID, Result: d.encoded}
	if p.explain != types.ExplainOffV1 {
		x, err := explanation(d.Explanation, p.explain, wantPretty(r))
		if errors.Is(err, errExplainTooLarge) {
			return nil, paramErrorf("explain=%s: %v (%d trace events or %d bytes); decision %s was made and logged: ask for explain=fails or notes, or explain the request with imgadmit eval --explain full",
				p.explain, err, maxExplainEvents, maxExplainBytes, d.DecisionID)
		}
		if err != nil {
			// The trace is OPA's values and nodes, which encode; failing is a bug.
			panic(fmt.Sprintf("encode explanation: %v", err))
		}
		a.Explanation = json.RawMessage(x)
	}
	return s.answer(a, p, d.Rulebook.Revision, d.timers, start), nil
}

// answerError answers an error of a decision endpoint: a refusal (403, 429)
// goes to the decision log too.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, id *Identity, e *APIError) {
	if e.status == http.StatusForbidden || e.status == http.StatusTooManyRequests {
		s.refuse(w, r, id, e)
		return
	}
	writeError(w, r, e)
}
