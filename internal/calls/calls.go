// Package calls reads real API calls, as the official SDKs send them, into
// the canonical requests the evaluator decides (SPEC, "Real API calls"). A
// document with a call member is a call document; the provider it names
// picks the translator (huaweicloud: REST method, path and body; alibabacloud:
// an ECS RPC action and its parameters). The evaluator asks Translator for
// every document it is given.
package calls

import (
	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/alibabacloud"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
	"github.com/imgadmit/imgadmit/internal/calls/huaweicloud"
)

// Translator is the evaluator's translator of call documents.
var Translator evaluator.Translator = translator{}

type translator struct{}

// Recognizes: a document with a call member is a call document, whatever
// else it has (a document with both call and operation is refused by
// Translate, not read as a canonical request with an extra member).
func (translator) Recognizes(doc map[string]any) bool {
	_, ok := doc["call"]
	return ok
}

func (translator) Translate(doc map[string]any) (*evaluator.Translation, error) {
	d := calldoc.Read(doc)
	if d.Call == nil {
		if _, ok := doc["call"]; ok && !d.Failed() {
			d.Add("/call", "call must be an object")
		}
		return nil, d.Err(evaluator.Call{})
	}
	switch d.Provider {
	case "huaweicloud":
		return huaweicloud.Translate(d)
	case "alibabacloud":
		return alibabacloud.Translate(d)
	}
	// An unknown or missing provider: Read has said so.
	return nil, d.Err(evaluator.Call{})
}
