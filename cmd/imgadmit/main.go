// Command imgadmit is a policy-as-code admission checker for cloud image,
// backup and snapshot operations. main only wires the commands; the work is
// done in package evaluator (and sidecar, for serve).
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	if p, ok := gcPercent(os.Getenv); ok {
		debug.SetGCPercent(p)
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// defaultGCPercent is the GC target imgadmit runs with unless GOGC says
// otherwise. A decision allocates about 37 kB (51 kB through the sidecar)
// over a live heap of about 7 MB, so at Go's default of 100 the collector
// runs every ~110 decisions and takes a fifth of the CPU; at 200 it runs half
// as often and the sidecar's resident memory stays within 64 MiB under load
// (docs/performance.md has both figures).
const defaultGCPercent = 200

// gcPercent is the GC percent to set: defaultGCPercent, unless the operator
// chose one with GOGC or bounded memory with GOMEMLIMIT (a limit is tuned
// together with GOGC, so imgadmit leaves both alone then).
func gcPercent(getenv func(string) string) (int, bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return defaultGCPercent, true
}
