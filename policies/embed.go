// Package policies ships the Rego rulebook inside the binary. The files here
// are also the rulebook that stock `opa test policies` and `opa run` load.
package policies

import "embed"

// FS holds every .rego file of the rulebook (tests included; the evaluator
// skips *_test.rego).
//
//go:embed *.rego lib/*.rego rules/*.rego
var FS embed.FS
