// Package alibabacloud reads Alibaba Cloud ECS describe responses into
// inventory facts.
package alibabacloud

import "github.com/imgadmit/imgadmit/internal/cloudfacts/facts"

// Shapes are the Alibaba responses this package reads.
func Shapes() []facts.Shape { return nil }
