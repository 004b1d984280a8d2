package sidecar

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

func (s *Server) handleAdmit(w http.ResponseWriter, r *http.Request, id *Identity) {
	p, aerr := parseParams(r, paramsAdmit)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	s.answerDecision(w, r, id, PathAdmit, p)
}

func (s *Server) handleOPADecision(w http.ResponseWriter, r *http.Request, id *Identity) {
	p, aerr := parseParams(r, paramsOPAPost)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	s.answerDecision(w, r, id, PathOPADecide, p)
}

// handleOPADecisionGet answers GET /v1/data/imgadmit/decision?input=JSON as
// OPA does: the input is the query parameter's value (URL-encoded JSON),
// answered as the POST with {"input": ...} is.
func (s *Server) handleOPADecisionGet(w http.ResponseWriter, r *http.Request, id *Identity) {
	start := time.Now()
	p, aerr := parseParams(r, paramsOPAGet)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	switch len(p.input) {
	case 0:
		writeError(w, r, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: "the query has no input: send ?input=<request as URL-encoded JSON>",
			Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: `missing required parameter "input"`}}})
		return
	case 1:
	default:
		writeError(w, r, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: "malformed request", Errors: []evaluator.FieldError{{Pointer: inputPointer, Message: `the parameter "input" is given more than once`}}})
		return
	}
	d, aerr := s.decide(w, r, id, PathOPADecide, []byte(p.input[0]), p.explains(), start)
	if aerr != nil {
		underInput(aerr, 0)
		s.answerError(w, r, id, aerr)
		return
	}
	s.writeOPAAnswer(w, r, d, p, start)
}

// answerDecision answers a decision endpoint: on /v1/admit the body is the
// request; on OPA's endpoint it is {"input": request}, and the answer is
// OPA's {"decision_id", "result"}.
func (s *Server) answerDecision(w http.ResponseWriter, r *http.Request, id *Identity, path string, p params) {
	start := time.Now()
	body, aerr := s.readBody(w, r, evaluator.CodeInvalidRequest)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	opa := path == PathOPADecide
	request, lineOffset := body, 0
	if opa {
		if request, lineOffset, aerr = inputMember(body); aerr != nil {
			writeError(w, r, aerr)
			return
		}
	}
	d, aerr := s.decide(w, r, id, path, request, p.explains(), start)
	if aerr != nil {
		if opa {
			underInput(aerr, lineOffset)
		}
		s.answerError(w, r, id, aerr)
		return
	}
	if opa {
		s.writeOPAAnswer(w, r, d, p, start)
		return
	}
	writeEncoded(w, r, http.StatusOK, d.encoded)
}

// writeOPAAnswer answers a decision with OPA's DataResponseV1.
func (s *Server) writeOPAAnswer(w http.ResponseWriter, r *http.Request, d *decided, p params, start time.Time) {
	answer, aerr := s.opaAnswer(r, d, p, start)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	writeEncoded(w, r, http.StatusOK, answer)
}

// underInput makes an error about the request, whose pointers and lines are
// within the input member, point into the body the client sent.
func underInput(aerr *APIError, lineOffset int) {
	for i := range aerr.Errors {
		aerr.Errors[i].Pointer = inputPointer + aerr.Errors[i].Pointer
		if aerr.Errors[i].Line > 0 {
			aerr.Errors[i].Line += lineOffset
		}
	}
	if len(aerr.Errors) == 0 && aerr.Code == evaluator.CodeInvalidRequest {
		aerr.Message = "input: " + aerr.Message
	}
}

// decided is a decision and its JSON, encoded once for the answer and the
// decision log line.
type decided struct {
	*evaluator.Decision
	encoded []byte // as encode writes it
	timers  timers // the request's reading and evaluation, by OPA's names
}

// decide decides raw for identity id within the evaluation deadline (with
// its trace kept when explain: the answer is to carry an explanation), logs
// the decision and counts it. An invalid request is an *APIError (400), and
// so is a project the identity may not ask as (403) and a request there is
// no room to decide (429); an evaluation that fails or runs past its
// deadline is a fail-closed decision, answered and logged like any other.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, id *Identity, path string, raw []byte, explain bool, start time.Time) (*decided, *APIError) {
	release, ok := s.gate.enter(r.Context())
	if !ok {
		return nil, busy()
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
	parseStart := time.Now()
	req, err := e.ParseRequest(raw, evaluator.FormatJSON)
	parsed := time.Since(parseStart)
	if err != nil {
		return nil, fromEvaluator(err)
	}
	project, aerr := bindProject(id, req)
	if aerr != nil {
		return nil, aerr
	}
	// The deadline runs from here, not from the client's connection: a client
	// that hangs up does not turn a decision into a failure in the log.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.EvalTimeout)
	defer cancel()
	evalStart := time.Now()
	// An explained decision is decided, logged and counted as any other;
	// only its answer carries the explanation.
	d, err := decideSafely(ctx, e, req, evaluator.DecideOptions{Project: project, Explain: explain})
	evaluated := time.Since(evalStart)
	release()
	released = true
	outcome := outcomeAllow
	switch {
	case err != nil:
		s.log.Error("evaluation failed; the request is refused (fail closed)", "path", path, "err", err.Error())
		d = e.FailClosed(req, err)
		outcome = outcomeFailClosed
	case !d.Allowed:
		outcome = outcomeDeny
	}
	// The decision is encoded once, for its answer and its log line.
	encoded := encodeDecision(d)
	t := timers{timerInputParse: parsed.Nanoseconds(), timerQueryEval: evaluated.Nanoseconds()}
	logDecision := func(cause error) error {
		rec := newRecord(path, r.RemoteAddr, req.Redacted(raw), s.cfg.DecisionLogMaxInput, d, encoded, start, time.Now(), cause)
		rec.RequestedBy, rec.ProjectID = id.Name, project
		return s.logDecision(ctx, rec, t)
	}
	if werr := logDecision(err); werr != nil && s.cfg.DecisionLogRequired {
		// No admission without its audit line: the decision is refused, and
		// the refusal is logged if the log takes it (else the server log has
		// both lines).
		cause := fmt.Errorf("its decision log line could not be written (--decision-log-required): %w", werr)
		d = e.FailClosed(req, cause)
		outcome = outcomeFailClosed
		encoded = encodeDecision(d)
		_ = logDecision(cause)
	}
	s.metrics.decided(d, outcome)
	setOutcome(w, outcome)
	return &decided{Decision: d, encoded: encoded, timers: t}, nil
}

// bindProject holds a parsed request to its identity's projects: a
// project_id the identity may not ask as is a 403 that says which identity and
// which project; a request that names none is decided as the identity's one
// project for its provider (project), when it has exactly one.
func bindProject(id *Identity, req *evaluator.Request) (project string, aerr *APIError) {
	project, ok := id.projectFor(req.Provider, req.ProjectID)
	if !ok {
		return "", apiErrorf(http.StatusForbidden, CodeForbidden, "identity %q may not ask as project %q of %s; it may ask as: %s",
			id.Name, req.ProjectID, req.Provider, orNone(id.projects[req.Provider]))
	}
	return project, nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "no project of this provider"
	}
	return strings.Join(list, ", ")
}

// decideSafely turns a panic in the evaluation into an error, so a bug fails
// closed like any other evaluation failure instead of dropping the request.
func decideSafely(ctx context.Context, e *evaluator.Evaluator, req *evaluator.Request, opts evaluator.DecideOptions) (d *evaluator.Decision, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("evaluation panicked: %v", p)
		}
	}()
	return e.DecideRequest(ctx, req, opts)
}
