package evaluator

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// FailClosedID is the reason id of a decision that could not be made: the
// evaluation failed or ran past its deadline. It is a request-level id beside
// REQ-001..003, and like them it is never renamed.
const FailClosedID = "REQ-004"

// FailClosed is the decision for a request whose evaluation failed: refused,
// with a reason that says why, carrying the revision that was in use. Callers
// that must answer with a decision (the sidecar) use it; the CLI reports the
// error and exits 3 instead.
func (e *Evaluator) FailClosed(req *Request, err error) *Decision {
	d := &Decision{
		Allowed:    false,
		DecisionID: uuid.NewString(),
		Reasons: []Reason{{
			ID:          FailClosedID,
			Effect:      EffectDeny,
			Category:    "constraint",
			Message:     fmt.Sprintf("the decision could not be made (%s); the request is refused", failureCause(err)),
			Remediation: "Retry the request; if it keeps failing, check the server log and the rulebook revision.",
			Source:      "imgadmit: fail closed on evaluation errors (SPEC, The sidecar)",
		}},
	}
	if req != nil {
		d.Provider, d.Operation = req.Provider, req.Operation
	}
	st := e.state.Load()
	d.Rulebook = Rulebook{Revision: st.book.revision, Rules: len(st.book.rules)}
	return d
}

func failureCause(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
