package evaluator

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. A request that is not a decision is one of these.
const (
	// CodeInvalidRequest: the request could not be decoded or fails its schema.
	CodeInvalidRequest = "invalid_request"
	// CodeInvalidInventory: an inventory file could not be decoded or fails its schema.
	CodeInvalidInventory = "invalid_inventory"
	// CodeInvalidIdentities: the sidecar's identities file could not be decoded or fails its schema.
	CodeInvalidIdentities = "invalid_identities"
	// CodeInvalidRulebook: the rulebook does not parse or compile.
	CodeInvalidRulebook = "invalid_rulebook"
	// CodeInternal: evaluation failed (or was cut off); the request is not admitted.
	CodeInternal = "internal"
)

// Error is every error the evaluator returns: a code a caller can switch on, a
// message for people, and for invalid input every problem with where it is.
type Error struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []FieldError `json:"errors,omitempty"`
	// File names the file the input came from, when there was one.
	File string `json:"file,omitempty"`
	err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	for _, fe := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(fe.String())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.err }

// String renders a field error as "pointer (line N): message".
func (fe FieldError) String() string {
	where := fe.Pointer
	if where == "" {
		where = "/"
	}
	if fe.Line > 0 {
		where = fmt.Sprintf("%s (line %d)", where, fe.Line)
	}
	return where + ": " + fe.Message
}

// CodeOf is the code of err: its *Error's code, or internal for anything else.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

func invalidRequest(msg string, errs ...FieldError) *Error {
	return &Error{Code: CodeInvalidRequest, Message: msg, Errors: errs}
}

func internalError(msg string, err error) *Error {
	return &Error{Code: CodeInternal, Message: fmt.Sprintf("%s: %v", msg, err), err: err}
}
