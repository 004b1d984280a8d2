package evaluator

import (
	"context"
	"errors"
	"fmt"
)

// What the sidecar needs beyond Decide: the decoded request alongside the
// decision (so a failed evaluation can still name the request it refuses),
// and the inventory decoder for PUT /v1/data/inventory, so the HTTP body goes
// through the same decoder and schema as a --data file.

// DecideDoc is Decide that also returns the decoded request. The request is
// decoded and validated once; doc is nil exactly when the request is invalid.
// A caller that must answer with a decision passes doc and the error to
// FailClosed when the evaluation itself fails.
func (e *Evaluator) DecideDoc(ctx context.Context, raw []byte, f Format, opts DecideOptions) (any, *Decision, error) {
	doc, err := e.Validate(raw, f)
	if err != nil {
		return nil, nil, err
	}
	d, err := e.decide(ctx, doc, opts)
	return doc, d, err
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
