package evaluator

import (
	"fmt"
	"maps"
)

// Request is a request that has been decoded and checked against the schema
// of its provider/operation pair: the only thing Decide takes. Parsing and
// deciding are two steps so that a caller can act on what the request names
// before it is decided (the sidecar holds ProjectID to the caller's
// credential) and can still name the request when its evaluation fails.
type Request struct {
	Provider  string
	Operation string
	// ProjectID is the project the request names; empty when it names none.
	ProjectID string
	doc       map[string]any
	// translation and parts are set for a document a Translator read (a
	// real API call): what it was, and the canonical requests it stands for.
	translation *Translation
	parts       []*Request
}

// ParseRequest decodes a request written in format f and checks it against
// its schema. An invalid request is an *Error with code invalid_request whose
// field errors carry JSON pointers and lines.
func (e *Evaluator) ParseRequest(raw []byte, f Format) (*Request, error) {
	doc, err := decode(raw, f)
	if err != nil {
		return nil, err
	}
	if obj, ok := doc.(map[string]any); ok && e.translator != nil && e.translator.Recognizes(obj) {
		return e.parseTranslated(raw, f, obj)
	}
	if errs := e.validator.validateRequest(doc); len(errs) > 0 {
		locateLines(raw, f, errs)
		return nil, invalidRequest("the request does not match its schema", errs...)
	}
	return newRequest(doc), nil
}

// RequestOf checks a request that is already decoded (JSON numbers as
// json.Number), as ParseRequest does; its errors carry no lines.
func (e *Evaluator) RequestOf(doc any) (*Request, error) {
	if obj, ok := doc.(map[string]any); ok && e.translator != nil && e.translator.Recognizes(obj) {
		return e.parseTranslated(nil, FormatJSON, obj)
	}
	if errs := e.validator.validateRequest(doc); len(errs) > 0 {
		return nil, invalidRequest("the request does not match its schema", errs...)
	}
	return newRequest(doc), nil
}

// newRequest reads the envelope of a document that passed its schema, which
// requires an object with string provider, operation and project_id.
func newRequest(doc any) *Request {
	obj := doc.(map[string]any)
	r := &Request{doc: obj}
	r.Provider, _ = obj["provider"].(string)
	r.Operation, _ = obj["operation"].(string)
	r.ProjectID, _ = obj["project_id"].(string)
	return r
}

// Input is the document the rulebook sees as input: the request as written.
// It is the caller's to read, not to change.
func (r *Request) Input() map[string]any { return r.doc }

// document is what the rulebook sees as input: the request as written, or,
// when it names no project and project is given, the request as project.
func (r *Request) document(project string) (map[string]any, error) {
	if project == "" || r.ProjectID != "" {
		return r.doc, nil
	}
	if !IsID(project) {
		// The caller's projects are checked when they are loaded; this is a bug.
		return nil, internalError("decide as project", fmt.Errorf("project %q is not an id", project))
	}
	doc := maps.Clone(r.doc)
	doc["project_id"] = project
	return doc, nil
}
