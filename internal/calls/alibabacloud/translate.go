// Package alibabacloud translates Alibaba Cloud ECS RPC calls (API version
// 2014-05-26) into canonical requests.
package alibabacloud

import (
	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// Translate reads d's call: action and params, or a raw query.
func Translate(d *calldoc.Document) (*evaluator.Translation, error) {
	return d.Unknown(evaluator.Call{Access: evaluator.AccessWrite}, "not yet translated", nil)
}

// Calls lists the calls the translator knows.
func Calls() []calldoc.Known { return nil }
