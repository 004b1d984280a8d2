package evaluator

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// A Translator turns a document that is not a canonical request, such as a
// real API call, into the canonical requests it stands for. The evaluator
// knows nothing of what such a document says (URLs, RPC actions): it asks
// the translator, checks every canonical request against its schema as it
// checks any request, and decides them as one.
type Translator interface {
	// Recognizes reports whether doc is the translator's kind of document.
	// It is asked of every document, so it must be cheap.
	Recognizes(doc map[string]any) bool
	// Translate turns doc into canonical requests. A document it cannot read
	// is an *Error with code invalid_request whose field errors point into
	// doc (lines are located by the evaluator).
	Translate(doc map[string]any) (*Translation, error)
}

// Translation is what a foreign document stands for.
type Translation struct {
	// Provider, Operation and ProjectID describe the document as a whole:
	// what its decision names and what project the caller asks as ("" for
	// none). Operation is "" for a call that maps onto no operation.
	Provider  string
	Operation string
	ProjectID string
	// Call describes the document for the decision.
	Call Call
	// Parts are the canonical requests, one per resource the document acts
	// on; none for a call nothing governs (read-only) or one refused unknown.
	Parts []Part
	// Unknown, when set, is why the document is refused as unknown (REQ-003):
	// a write the translator does not know, and the calls it does.
	Unknown string
	// Remediation, when set, is what the caller should do about Unknown
	// (a plan value known only at apply: plan again once it is known).
	Remediation string
	// Redact replaces in doc, the document decoded afresh, the secrets it
	// carries (an Authorization header, a signature, a new server's
	// password), and reports whether there were any; with apply false it
	// only reports. imgadmit never needs them, and an audit log must not
	// keep them. It is asked only when the document is logged; nil means the
	// document carries none.
	Redact func(doc map[string]any, apply bool) bool
}

// Part is one canonical request of a translation.
type Part struct {
	// Request is the canonical request, checked against its pair's schema.
	Request map[string]any
	// Origins say where in the foreign document each value of Request came
	// from: a schema error is reported where the caller wrote the value,
	// not in a request the caller never wrote. They are read only when
	// Request fails its schema, so a translator appends them as it goes.
	Origins []Origin
}

// Origin says that the value at Path in a canonical request (and below it,
// unless a longer Path says otherwise) came from From in the foreign
// document: "/params/name" from "/call/body/name".
type Origin struct {
	Path, From string
	// Name names the value where From cannot (a parameter of a raw query
	// string, whose pointer is the whole string): the error message then
	// starts with it.
	Name string
}

// Call describes a real API call in a decision: which call, of which
// service, and whether it writes.
type Call struct {
	// Service is the cloud service the call goes to (ims, cbr, ecs, evs).
	Service string `json:"service,omitempty"`
	// Name is the API reference's name for the call (CreateWholeImage,
	// ModifyImageSharePermission); empty for a call the translator does not know.
	Name   string `json:"name,omitempty"`
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Action string `json:"action,omitempty"`
	// Access is "write" for a call that changes something, "read" for one
	// that only reads (allowed with no reasons: nothing governs it).
	Access string `json:"access"`
}

// Accesses of a call.
const (
	AccessRead  = "read"
	AccessWrite = "write"
)

// MaxCallParts is the most canonical requests one call may become: a
// decision of more would run past any deadline (the APIs' own batches stop
// at 1,000 servers, 100 instances).
const MaxCallParts = 1000

// parseTranslated turns a document the translator recognizes into a
// request: every part checked against its schema, its errors moved to where
// the caller wrote the value.
func (e *Evaluator) parseTranslated(raw []byte, f Format, doc map[string]any) (*Request, error) {
	t, err := e.translator.Translate(doc)
	if err != nil {
		if ee, ok := err.(*Error); ok && raw != nil {
			locateLines(raw, f, ee.Errors)
		}
		return nil, err
	}
	return e.requestOfTranslation(raw, f, doc, t)
}

// RequestOfTranslation checks a translation made outside the evaluator (a
// Terraform plan's resource change) as a translated document is checked:
// every part against its schema, its errors at the parts' origins (pointers
// into the foreign document, with no lines). The request it gives is
// decided with DecideRequest as one decision; it has no document of its own
// (Input is nil, Redacted gives raw back).
func (e *Evaluator) RequestOfTranslation(t *Translation) (*Request, error) {
	if t == nil {
		return nil, internalError("check translation", fmt.Errorf("no translation"))
	}
	return e.requestOfTranslation(nil, FormatJSON, nil, t)
}

// requestOfTranslation checks t, the translation of doc (raw, in format f,
// when there is one to locate lines in).
func (e *Evaluator) requestOfTranslation(raw []byte, f Format, doc map[string]any, t *Translation) (*Request, error) {
	if len(t.Parts) > MaxCallParts {
		errs := []FieldError{{Pointer: "/call", Message: fmt.Sprintf("the %s call acts on %d resources; imgadmit judges at most %d in one call: split it",
			t.Call.Label(), len(t.Parts), MaxCallParts)}}
		if raw != nil {
			locateLines(raw, f, errs)
		}
		return nil, invalidRequest("the call acts on too many resources", errs...)
	}
	req := &Request{Provider: t.Provider, Operation: t.Operation, ProjectID: t.ProjectID, doc: doc, translation: t}
	var errs []FieldError
	for _, p := range t.Parts {
		perrs := e.validator.validateRequest(p.Request)
		for _, fe := range perrs {
			o, found := origin(p.Origins, fe.Pointer)
			ptr, msg := fe.Pointer, fe.Message
			if found {
				ptr = o.From + fe.Pointer[len(o.Path):]
			}
			if o.Name != "" {
				msg = o.Name + ": " + msg
			}
			errs = append(errs, FieldError{Pointer: ptr, Message: msg})
		}
		if len(perrs) == 0 {
			req.parts = append(req.parts, newRequest(p.Request))
		}
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		errs = slices.Compact(errs)
		if raw != nil {
			locateLines(raw, f, errs)
		}
		return nil, invalidRequest(fmt.Sprintf("the %s call does not make a valid %s request", t.Call.Label(), t.Operation), errs...)
	}
	return req, nil
}

// origin is the origin of canonical pointer p: the one whose Path is p's
// longest prefix; the last one given wins a tie (a value set again).
func origin(origins []Origin, p string) (best Origin, found bool) {
	for _, o := range origins {
		if (p == o.Path || strings.HasPrefix(p, o.Path+"/") || o.Path == "") && (!found || len(o.Path) >= len(best.Path)) {
			best, found = o, true
		}
	}
	return best, found
}

// Label names the call for people: its API name, else its action, else its
// method and path.
func (c Call) Label() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Action != "":
		return c.Action
	}
	return strings.TrimSpace(c.Method + " " + c.Path)
}

// decideTranslated decides every part of a translated document and answers
// for the document with one decision: allowed only when every part is, with
// every part's reasons.
// All parts are decided with the same state, so a reload between two parts
// cannot split the call between two rulebooks.
func (e *Evaluator) decideTranslated(ctx context.Context, st *state, req *Request, opts DecideOptions) (*Decision, error) {
	t := req.translation
	call := t.Call
	d := &Decision{Provider: t.Provider, Operation: t.Operation, Call: &call, Allowed: true,
		Requests: make([]map[string]any, 0, len(req.parts))}
	if t.Unknown != "" {
		d.Allowed = false
		d.Reasons = []Reason{unknownCallReason(st, t.Unknown)}
		if t.Remediation != "" {
			d.Reasons[0].Remediation = t.Remediation
		}
	}
	if opts.Explain {
		d.Explanation = &Explanation{}
	}
	var facts sharedFacts
	for _, part := range req.parts {
		doc, err := part.document(opts.Project)
		if err != nil {
			return nil, err
		}
		// A part is converted without its request facts, which every part
		// of a call shares and which are converted once (a call of many
		// parts would otherwise convert them once a part); the decision
		// lists it without them too: they are the call document's.
		shown := doc
		res, hasFacts := doc["resources"]
		if hasFacts {
			shown = maps.Clone(doc)
			delete(shown, "resources")
		}
		input, err := ast.InterfaceToValue(shown)
		if err != nil {
			return nil, internalError("convert request", err)
		}
		if hasFacts {
			t, err := facts.term(res)
			if err != nil {
				return nil, internalError("convert request facts", err)
			}
			input.(ast.Object).Insert(keyResources, t)
		}
		pd, err := e.evaluate(ctx, st, input, opts)
		if err != nil {
			return nil, err
		}
		d.Requests = append(d.Requests, shown)
		d.Allowed = d.Allowed && pd.Allowed
		d.Reasons = append(d.Reasons, pd.Reasons...)
		if x := pd.Explanation; x != nil {
			d.Explanation.Trace = append(d.Explanation.Trace, x.Trace...)
			d.Explanation.traced = append(d.Explanation.traced, x.traced...)
		}
	}
	d.Reasons = mergeReasons(d.Reasons)
	return d, nil
}

var keyResources = ast.StringTerm("resources")

// sharedFacts converts the request facts of a call's parts once: they are
// the call document's, the same value in every part (a translator that gave
// a part facts of its own would get them converted for that part).
type sharedFacts struct {
	of   any
	conv *ast.Term
}

func (f *sharedFacts) term(res any) (*ast.Term, error) {
	if f.conv != nil && sameValue(f.of, res) {
		return f.conv, nil
	}
	v, err := ast.InterfaceToValue(res)
	if err != nil {
		return nil, err
	}
	f.of, f.conv = res, ast.NewTerm(v)
	return f.conv, nil
}

// sameValue reports whether a and b are the same map (not equal ones: the
// same one), which is what the parts of one call share.
func sameValue(a, b any) bool {
	ma, ok1 := a.(map[string]any)
	mb, ok2 := b.(map[string]any)
	return ok1 && ok2 && reflect.ValueOf(ma).UnsafePointer() == reflect.ValueOf(mb).UnsafePointer()
}

// unknownCallReason is REQ-003 for a call the translator does not know, with
// the rule's own category, remediation and source.
func unknownCallReason(st *state, msg string) Reason {
	r := Reason{ID: "REQ-003", Effect: EffectDeny, Category: "constraint", Message: msg,
		Remediation: "Use one of the listed calls, or ask imgadmit with a canonical request.",
		Source:      "imgadmit request-level rules: operations (CATALOGUE.md, Request-level rules)"}
	for _, rule := range st.book.rules {
		if rule.ID == r.ID {
			r.Category, r.Source = rule.Category, rule.Source
		}
	}
	return r
}

// effectRank orders reasons as the router does: deny, warn, note, waived,
// dryrun; an unknown effect first (it refuses).
func effectRank(effect string) int {
	switch effect {
	case EffectDeny:
		return 0
	case EffectWarn:
		return 1
	case EffectNote:
		return 2
	case EffectWaived:
		return 3
	case EffectDryrun:
		return 4
	}
	return -1
}

// mergeReasons sorts the reasons of several parts as the router sorts one
// part's (effect, id, message), then by every other member, the waiver
// last, so that a reason two parts both gave is two neighbours, and drops
// the second.
func mergeReasons(rs []Reason) []Reason {
	slices.SortFunc(rs, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(effectRank(a.Effect), effectRank(b.Effect)),
			strings.Compare(a.ID, b.ID), strings.Compare(a.Message, b.Message),
			strings.Compare(a.Remediation, b.Remediation), strings.Compare(a.Source, b.Source),
			strings.Compare(a.Category, b.Category), strings.Compare(a.Enforcement, b.Enforcement),
			compareWaivers(a.Waiver, b.Waiver))
	})
	return slices.CompactFunc(rs, sameReason)
}

// sameReason reports whether two parts gave the same reason: the same
// members, and the same waiver (by value: each part reads its own).
func sameReason(a, b Reason) bool {
	wa, wb := a.Waiver, b.Waiver
	a.Waiver, b.Waiver = nil, nil
	return a == b && compareWaivers(wa, wb) == 0
}

// compareWaivers orders two reasons' waivers, none first: by position in
// settings.waivers, which the parts of one call read alike and which
// decides the rest of the waiver, then by the request's resources and
// projects it shows, which differ from part to part.
func compareWaivers(a, b *Waiver) int {
	switch {
	case a == b:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Or(cmp.Compare(a.Index, b.Index),
		slices.Compare(a.Resources, b.Resources), slices.Compare(a.Projects, b.Projects))
}

// Call is the call a translated request was read from and how many
// canonical requests it became; nil for a canonical request.
func (r *Request) Call() (call *Call, requests int) {
	if r.translation == nil {
		return nil, 0
	}
	c := r.translation.Call
	return &c, len(r.parts)
}

// Redacted is raw, the JSON document the request was read from, as a log may
// keep it: with the secrets a translator finds in it replaced. It is raw
// itself when there are none (every canonical request). What cannot be
// redacted is not logged at all.
func (r *Request) Redacted(raw []byte) []byte {
	t := r.translation
	if t == nil || t.Redact == nil || !t.Redact(r.doc, false) {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return []byte(`"(not logged: the document carries secrets and is not a JSON object)"`)
	}
	t.Redact(doc, true)
	out, err := json.Marshal(doc)
	if err != nil {
		return []byte(`"(not logged: the document carries secrets and cannot be re-encoded)"`)
	}
	return out
}
