// Package huaweicloud translates Huawei Cloud IMS, CBR, ECS and EVS REST
// calls into canonical requests.
package huaweicloud

import (
	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// Translate reads d's call: method, path, headers, host and body.
func Translate(d *calldoc.Document) (*evaluator.Translation, error) {
	return d.Unknown(evaluator.Call{Access: evaluator.AccessWrite}, "not yet translated", nil)
}

// Calls lists the calls the translator knows.
func Calls() []calldoc.Known { return nil }
