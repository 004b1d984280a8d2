// Package huaweicloud reads Huawei Cloud IMS, CBR, ECS and EVS describe and
// list responses into inventory facts.
package huaweicloud

import "github.com/imgadmit/imgadmit/internal/cloudfacts/facts"

// Shapes are the Huawei responses this package reads.
func Shapes() []facts.Shape { return nil }
