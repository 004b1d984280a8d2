package evaluator

import (
	"context"
	"errors"
	"fmt"
)

// What the sidecar needs beyond Decide: a request decoded and validated
// before it is decided (so that the caller's identity can be held to the
// project it names, and a failed evaluation can still name the request it
// refuses), the inventory decoder for PUT /v1/data/inventory, so the HTTP
// body goes through the same decoder and schema as a --data file, and the
// decoder of the identities file.

// DecideAs decides a request that Validate returned, as project: a request
// that names no project_id is decided as if it named project (empty: as it
// is). It is how a caller whose project is known from its credential asks;
// the caller has checked any project_id the request names. A project that is
// not a valid id is an internal error (the caller's identities are checked
// when they are loaded).
func (e *Evaluator) DecideAs(ctx context.Context, doc any, project string, opts DecideOptions) (*Decision, error) {
	if project != "" {
		obj, ok := doc.(map[string]any)
		if !ok || !IsID(project) {
			return nil, internalError("decide as project", fmt.Errorf("project %q for a request %T", project, doc))
		}
		if _, named := obj["project_id"]; !named {
			obj["project_id"] = project
		}
	}
	return e.decide(ctx, doc, opts)
}

// ParseIdentities decodes the sidecar's identities file (JSON or YAML) and
// checks it against schemas/identities.json. Every error has code
// invalid_identities; schema errors carry pointers and lines.
func ParseIdentities(raw []byte, f Format) (map[string]any, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	doc, err := decode(raw, f)
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			ee.Code = CodeInvalidIdentities
		}
		return nil, err
	}
	if errs := v.validateIdentities(doc); len(errs) > 0 {
		locateLines(raw, f, errs)
		return nil, &Error{Code: CodeInvalidIdentities, Message: "the identities file does not match its schema", Errors: errs}
	}
	return doc.(map[string]any), nil
}

// ParseInventory decodes an inventory document written in format f and checks
// it against the inventory schema, like one --data file. Every error has code
// invalid_inventory; schema errors carry pointers and lines.
func (e *Evaluator) ParseInventory(raw []byte, f Format) (map[string]any, error) {
	doc, err := decode(raw, f)
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			ee.Code = CodeInvalidInventory
		}
		return nil, err
	}
	if errs := e.validator.validateInventory(doc); len(errs) > 0 {
		locateLines(raw, f, errs)
		return nil, &Error{Code: CodeInvalidInventory, Message: "the inventory does not match its schema", Errors: errs}
	}
	inv, ok := doc.(map[string]any)
	if !ok {
		// The schema requires an object; this is a schema change, not input.
		return nil, &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("the inventory must be a JSON object, but got %T", doc)}
	}
	return inv, nil
}
