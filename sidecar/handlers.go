package sidecar

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Error codes of the HTTP API beyond the evaluator's.
const (
	CodeUnauthorized         = "unauthorized"
	CodeForbidden            = "forbidden"
	CodeTooManyRequests      = "too_many_requests"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeRequestTooLarge      = "request_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeNotReady             = "not_ready"
)

// Paths of the API.
const (
	PathAdmit      = "/v1/admit"
	PathOPADecide  = "/v1/data/imgadmit/decision"
	PathInventory  = "/v1/data/inventory"
	PathRules      = "/v1/rules"
	PathHealth     = "/health"
	PathReady      = "/health/ready"
	PathMetrics    = "/metrics"
	endpointOther  = "other" // the metrics label of every unknown path
	inputPointer   = "/input"
	headerAllow    = "Allow"
	contentTypeKey = "Content-Type"
	jsonType       = "application/json"
)

// APIError is the body of every answer that is not a decision or a document:
// {"code", "message", "errors"}.
type APIError struct {
	Code    string                 `json:"code"`
	Message string                 `json:"message"`
	Errors  []evaluator.FieldError `json:"errors"`

	status int
}

func apiErrorf(status int, code, format string, args ...any) *APIError {
	return &APIError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// handler answers one request of a route; id is who asks (nil on an open
// route when the caller showed no valid token).
type handler func(w http.ResponseWriter, r *http.Request, id *Identity)

// route is one path: its handlers by method, the role they need (none: any
// valid token), whether they are open to anyone, and whether they need a
// loaded rulebook.
type route struct {
	methods map[string]handler
	allow   string // the Allow header of a 405
	role    string // RoleDecide, RoleInventory, or "" for any identity
	open    bool   // no token needed (/health, /health/ready)
	ready   bool   // 503 until the rulebook is loaded
}

func (s *Server) routes() http.Handler {
	metricsHandler := s.metrics.handler()
	table := map[string]*route{
		PathAdmit:     {methods: map[string]handler{http.MethodPost: s.handleAdmit}, role: RoleDecide, ready: true},
		PathOPADecide: {methods: map[string]handler{http.MethodPost: s.handleOPADecision}, role: RoleDecide, ready: true},
		PathInventory: {methods: map[string]handler{http.MethodPut: s.handlePutInventory}, role: RoleInventory, ready: true},
		PathRules:     {methods: map[string]handler{http.MethodGet: s.handleRules}, ready: true},
		PathHealth:    {methods: map[string]handler{http.MethodGet: s.handleHealth}, open: true},
		PathReady:     {methods: map[string]handler{http.MethodGet: s.handleReady}, open: true},
		PathMetrics: {methods: map[string]handler{http.MethodGet: func(w http.ResponseWriter, r *http.Request, _ *Identity) {
			metricsHandler.ServeHTTP(w, r)
		}}},
	}
	for _, rt := range table {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut} {
			if rt.methods[m] != nil || (m == http.MethodHead && rt.methods[http.MethodGet] != nil) {
				allow = append(allow, m)
			}
		}
		rt.allow = strings.Join(allow, ", ")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &responseWriter{ResponseWriter: w, outcome: outcomeOK}
		rt := table[r.URL.Path]
		endpoint := endpointOther
		if rt != nil {
			endpoint = r.URL.Path
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { // net/http's own way to abort a response
					panic(p)
				}
				s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rw.wroteHeader {
					writeError(rw, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "internal error; see the server log"))
				}
				rw.outcome = evaluator.CodeInternal
			}
			s.metrics.observe(endpoint, rw.outcome, time.Since(start))
		}()
		id := s.identify(r)
		if (rt == nil || !rt.open) && id == nil {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="imgadmit"`)
			s.refuse(rw, r, nil, apiErrorf(http.StatusUnauthorized, CodeUnauthorized, "a valid bearer token is required: Authorization: Bearer <token>"))
			return
		}
		if rt == nil {
			writeError(rw, r, apiErrorf(http.StatusNotFound, CodeNotFound, "no endpoint at %s; the endpoints are %s", r.URL.Path,
				strings.Join([]string{PathAdmit, PathOPADecide, PathInventory, PathRules, PathHealth, PathReady, PathMetrics}, ", ")))
			return
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		h := rt.methods[method]
		if h == nil {
			rw.Header().Set(headerAllow, rt.allow)
			writeError(rw, r, apiErrorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s does not take %s; it takes %s", r.URL.Path, r.Method, rt.allow))
			return
		}
		if rt.role != "" && !id.has(rt.role) {
			s.refuse(rw, r, id, apiErrorf(http.StatusForbidden, CodeForbidden, "identity %q does not have the role %s that %s %s needs", id.Name, rt.role, r.Method, r.URL.Path))
			return
		}
		if rt.ready && s.eval.Load() == nil {
			rw.Header().Set("Retry-After", "1")
			writeError(rw, r, apiErrorf(http.StatusServiceUnavailable, CodeNotReady, "the rulebook is still loading"))
			return
		}
		h(rw, r, id)
	})
}

// identify is the identity r's bearer token belongs to: nil when the
// sidecar takes tokens and r has no valid one, the anonymous identity when
// it takes none.
func (s *Server) identify(r *http.Request) *Identity {
	ids := s.ids.Load()
	if ids == nil {
		return anonymousIdentity
	}
	return ids.authenticate(r)
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

// responseWriter remembers the outcome for the metrics.
type responseWriter struct {
	http.ResponseWriter
	wroteHeader bool
	outcome     string
}

func (w *responseWriter) WriteHeader(code int) {
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func setOutcome(w http.ResponseWriter, outcome string) {
	if rw, ok := w.(*responseWriter); ok {
		rw.outcome = outcome
	}
}

// writeJSON writes v as the answer; ?pretty=true indents it, as OPA does.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if wantPretty(r) {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		// Every value written here is built from JSON; failing is a bug.
		panic(fmt.Sprintf("encode answer: %v", err))
	}
	writeBody(w, status, buf.Bytes())
}

// writeEncoded writes an answer already encoded as compact JSON, ending in a
// newline, as writeJSON would have written it.
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

func wantPretty(r *http.Request) bool {
	if r.URL.RawQuery == "" {
		return false
	}
	pretty, _ := strconv.ParseBool(r.URL.Query().Get("pretty"))
	return pretty
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

// readBody reads a JSON body of at most --max-body bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *APIError) {
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "Content-Encoding %q is not supported: send the body uncompressed", ce)
	}
	ct := r.Header.Get(contentTypeKey)
	if ct == "" {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be JSON: send Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != jsonType && !strings.HasSuffix(mt, "+json")) {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be JSON, not %q: send Content-Type: application/json", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be UTF-8 JSON, not charset %q", cs)
	}
	tooLarge := apiErrorf(http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the body is larger than the limit of %d bytes (--max-body)", s.cfg.MaxBody)
	if r.ContentLength > s.cfg.MaxBody {
		return nil, tooLarge
	}
	// Sized from Content-Length when the client sent one (the limit was
	// checked above), rather than grown from 512 bytes by doubling.
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 0)+bytes.MinRead))
	_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "could not read the body: %v", err)
	}
	return body, nil
}

func (s *Server) handleAdmit(w http.ResponseWriter, r *http.Request, id *Identity) {
	start := time.Now()
	body, aerr := s.readBody(w, r)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	d, aerr := s.decide(w, r, id, PathAdmit, body, start)
	if aerr != nil {
		s.answerError(w, r, id, aerr)
		return
	}
	writeEncoded(w, r, http.StatusOK, append(d.encoded, '\n'))
}

// opaAnswer is OPA's DataResponseV1 for a decision,
// {"decision_id": ..., "result": decision}, built around the decision's JSON
// (encoded once, for this answer and the decision log).
func opaAnswer(d *decided) []byte {
	b := make([]byte, 0, len(d.encoded)+len(d.DecisionID)+32)
	b = append(b, `{"decision_id":`...)
	b = appendJSONString(b, d.DecisionID)
	b = append(b, `,"result":`...)
	b = append(b, d.encoded...)
	return append(b, "}\n"...)
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

func (s *Server) handleOPADecision(w http.ResponseWriter, r *http.Request, id *Identity) {
	start := time.Now()
	body, aerr := s.readBody(w, r)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	input, lineOffset, aerr := inputMember(body)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	d, aerr := s.decide(w, r, id, PathOPADecide, input, start)
	if aerr != nil {
		// Pointers and lines are the evaluator's, within input: make them
		// point into the body the client sent.
		for i := range aerr.Errors {
			aerr.Errors[i].Pointer = inputPointer + aerr.Errors[i].Pointer
			if aerr.Errors[i].Line > 0 {
				aerr.Errors[i].Line += lineOffset
			}
		}
		if len(aerr.Errors) == 0 && aerr.Code == evaluator.CodeInvalidRequest {
			aerr.Message = "input: " + aerr.Message
		}
		s.answerError(w, r, id, aerr)
		return
	}
	writeEncoded(w, r, http.StatusOK, opaAnswer(d))
}

// inputMember finds the input member of an OPA Data API request body, and
// how many lines precede it. Other members are ignored, as OPA does (its
// clients may send metadata beside input); input twice is refused, since two
// parsers could disagree on which one counts.
//
// A valid body is scanned in place (scanInputMember); anything else, or a
// key written with escapes, goes through encoding/json's tokenizer, which
// says what is wrong and where.
func inputMember(body []byte) ([]byte, int, *APIError) {
	if json.Valid(body) {
		if input, line, ok := scanInputMember(body); ok {
			return input, line, nil
		}
	}
	return inputMemberTokens(body)
}

// scanInputMember is inputMember for a body that is valid JSON: ok is false
// when the body is not an object, has no input or two, or has a key with an
// escape in it, so that the tokenizer's answer (and error) is given instead.
func scanInputMember(body []byte) (input []byte, line int, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, 0, false
	}
	i++
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			return input, line, input != nil
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		// A key: valid JSON puts a string here.
		end := bytes.IndexByte(body[i+1:], '"') + i + 1
		key := body[i+1 : end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, 0, false
		}
		i = skipSpace(body, end+1) + 1 // past the colon
		i = skipSpace(body, i)
		vend := skipValue(body, i)
		if string(key) == "input" {
			if input != nil {
				return nil, 0, false
			}
			input, line = body[i:vend], bytes.Count(body[:i], []byte{'\n'})
		}
		i = vend
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i]; b is valid.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 { // the end of the enclosing object: a scalar ended here
				return i
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// inputMemberTokens is inputMember by encoding/json's tokenizer.
func inputMemberTokens(body []byte) ([]byte, int, *APIError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	malformed := func(err error) *APIError {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		line := bytes.Count(body[:min(int(off), len(body))], []byte{'\n'}) + 1
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: the body ends early at line %d", line)
		}
		return apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON at line %d: %s", line, strings.TrimPrefix(err.Error(), "json: "))
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, 0, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body must be a JSON object {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: "", Message: "the body must be an object with an input member"}}}
	}
	var input []byte
	line := 0
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, 0, malformed(err)
		}
		key, _ := kt.(string)
		after := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, malformed(err)
		}
		if key != "input" {
			continue
		}
		if input != nil {
			return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
				Message: "malformed request",
				Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: `duplicate key "input"`}}}
		}
		input = raw
		start := after + bytes.IndexFunc(body[after:], func(r rune) bool { return !strings.ContainsRune(" \t\r\n:", r) })
		line = bytes.Count(body[:start], []byte{'\n'})
	}
	if _, err := dec.Token(); err != nil {
		return nil, 0, malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: unexpected data after the body's object")
	}
	if input == nil {
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body has no input: send {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: `missing required property "input"`}}}
	}
	return input, line, nil
}

// decided is a decision and its JSON, encoded once for the answer and the
// decision log line.
type decided struct {
	*evaluator.Decision
	encoded []byte // compact JSON, as json.Marshal writes it
}

// decide decides raw for identity id within the evaluation deadline, logs
// the decision and counts it. An invalid request is an *APIError (400), and
// so is a project the identity may not ask as (403) and a request there is
// no room to decide (429); an evaluation that fails or runs past its
// deadline is a fail-closed decision, answered and logged like any other.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, id *Identity, path string, raw []byte, start time.Time) (*decided, *APIError) {
	release, ok := s.gate.enter(r.Context())
	if !ok {
		return nil, apiErrorf(http.StatusTooManyRequests, CodeTooManyRequests,
			"more requests are being decided than the server takes at once (--max-in-flight, --max-queued); retry shortly")
	}
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	if s.testHookDecide != nil {
		s.testHookDecide()
	}
	e := s.eval.Load()
	doc, err := e.Validate(raw, evaluator.FormatJSON)
	if err != nil {
		return nil, fromEvaluator(err)
	}
	project, named, aerr := bindProject(id, doc)
	if aerr != nil {
		return nil, aerr
	}
	// The deadline runs from here, not from the client's connection: a client
	// that hangs up does not turn a decision into a failure in the log.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.EvalTimeout)
	defer cancel()
	d, err := decideSafely(ctx, e, doc, project)
	release()
	released = true
	outcome := outcomeAllow
	switch {
	case err != nil:
		s.log.Error("evaluation failed; the request is refused (fail closed)", "path", path, "err", err.Error())
		d = e.FailClosed(doc, err)
		outcome = outcomeFailClosed
	case !d.Allowed:
		outcome = outcomeDeny
	}
	rec := newRecord(path, r.RemoteAddr, raw, s.cfg.DecisionLogMaxInput, d, start, time.Now(), err)
	rec.RequestedBy, rec.ProjectID = id.Name, cmp.Or(project, named)
	dj := encodeDecision(d)
	if werr := s.dlog.write(rec, dj); werr != nil && s.cfg.DecisionLogRequired {
		// No admission without its audit line: the decision is refused, and
		// the refusal is logged if the log takes it (else the server log has
		// both lines).
		cause := fmt.Errorf("its decision log line could not be written (--decision-log-required): %w", werr)
		d = e.FailClosed(doc, cause)
		outcome = outcomeFailClosed
		dj = encodeDecision(d)
		rec = newRecord(path, r.RemoteAddr, raw, s.cfg.DecisionLogMaxInput, d, start, time.Now(), cause)
		rec.RequestedBy, rec.ProjectID = id.Name, cmp.Or(project, named)
		_ = s.dlog.write(rec, dj)
	}
	s.metrics.decided(d, outcome)
	setOutcome(w, outcome)
	return &decided{Decision: d, encoded: dj}, nil
}

func encodeDecision(d *evaluator.Decision) []byte {
	dj, err := json.Marshal(d)
	if err != nil {
		// A Decision is strings, bools and ints; failing is a bug.
		panic(fmt.Sprintf("encode decision: %v", err))
	}
	return dj
}

// bindProject holds a validated request to its identity's projects: a
// project_id the identity may not ask as is a 403 that says which identity and
// which project; a request that names none is decided as the identity's one
// project for its provider (project), when it has exactly one. named is the
// project the request names.
func bindProject(id *Identity, doc any) (project, named string, aerr *APIError) {
	obj, _ := doc.(map[string]any)
	provider, _ := obj["provider"].(string)
	named, _ = obj["project_id"].(string)
	project, ok := id.projectFor(provider, named)
	if !ok {
		return "", named, apiErrorf(http.StatusForbidden, CodeForbidden, "identity %q may not ask as project %q of %s; it may ask as: %s",
			id.Name, named, provider, orNone(id.projects[provider]))
	}
	return project, named, nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "no project of this provider"
	}
	return strings.Join(list, ", ")
}

// decideSafely turns a panic in the evaluation into an error, so a bug fails
// closed like any other evaluation failure instead of dropping the request.
func decideSafely(ctx context.Context, e *evaluator.Evaluator, doc any, project string) (d *evaluator.Decision, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("evaluation panicked: %v", p)
		}
	}()
	return e.DecideAs(ctx, doc, project, evaluator.DecideOptions{})
}

func (s *Server) handlePutInventory(w http.ResponseWriter, r *http.Request, id *Identity) {
	body, aerr := s.readBody(w, r)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	release, ok := s.gate.enter(r.Context())
	if !ok {
		s.refuse(w, r, id, apiErrorf(http.StatusTooManyRequests, CodeTooManyRequests,
			"more requests are being decided than the server takes at once (--max-in-flight, --max-queued); retry shortly"))
		return
	}
	e := s.eval.Load()
	before := e.InventoryRevision()
	inv, err := e.ParseInventory(body, evaluator.FormatJSON)
	if err == nil {
		// The body is whole: a client that hangs up now does not leave the
		// change half made, nor turn it into a failure.
		err = e.SetInventory(context.WithoutCancel(r.Context()), inv)
	}
	release()
	if err != nil {
		s.metrics.invUpdates.WithLabelValues(resultFailure).Inc()
		if evaluator.CodeOf(err) == evaluator.CodeInvalidInventory {
			writeError(w, r, fromEvaluator(err))
			return
		}
		s.log.Error("inventory update failed; the previous inventory keeps serving", "err", err.Error())
		writeError(w, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "the inventory could not be applied: %v", err))
		return
	}
	s.metrics.invUpdates.WithLabelValues(resultSuccess).Inc()
	s.setInventoryStatus("http")
	s.tuneMemory()
	sum := sha256.Sum256(body)
	_ = s.dlog.writeEvent(inventoryEvent{
		Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "http",
		RemoteAddr: r.RemoteAddr, RequestedBy: id.Name, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(body)),
		PreviousRevision: before, Revision: e.InventoryRevision(),
	})
	s.log.Info("inventory replaced", "source", "http", "requested_by", id.Name, "remote_addr", r.RemoteAddr, "bytes", len(body), "revision", e.InventoryRevision())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request, _ *Identity) {
	e := s.eval.Load()
	writeJSON(w, r, http.StatusOK, struct {
		Revision string           `json:"revision"`
		Rules    []evaluator.Rule `json:"rules"`
	}{e.Revision(), e.Rules()})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *Identity) {
	writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// readyBody is /health/ready's answer.
type readyBody struct {
	Status    string                  `json:"status"`
	Revision  string                  `json:"revision,omitempty"`
	Rules     int                     `json:"rules,omitempty"`
	Inventory *inventoryStatus        `json:"inventory,omitempty"`
	Reloads   map[string]reloadStatus `json:"reloads,omitempty"`
}

type inventoryStatus struct {
	Source  string   `json:"source"`
	Files   []string `json:"files,omitempty"`
	Updated string   `json:"updated"`
}

// handleReady answers readiness to anyone; the details (revisions, files,
// reload errors) only to a caller with a valid token when the sidecar takes
// tokens: file paths and error messages are not for everyone who can reach
// the port.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request, id *Identity) {
	e := s.eval.Load()
	if e == nil {
		setOutcome(w, CodeNotReady)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, r, http.StatusServiceUnavailable, readyBody{Status: "loading"})
		return
	}
	if id == nil {
		writeJSON(w, r, http.StatusOK, readyBody{Status: "ready"})
		return
	}
	s.statusMu.Lock()
	body := readyBody{
		Status:   "ready",
		Revision: e.Revision(),
		Rules:    len(e.Rules()),
		Inventory: &inventoryStatus{
			Source:  s.status.inventorySource,
			Files:   s.cfg.DataFiles,
			Updated: s.status.inventoryTime.Format(time.RFC3339Nano),
		},
	}
	if len(s.status.reloads) > 0 {
		body.Reloads = make(map[string]reloadStatus, len(s.status.reloads))
		for k, v := range s.status.reloads {
			body.Reloads[k] = v
		}
	}
	s.statusMu.Unlock()
	writeJSON(w, r, http.StatusOK, body)
}
