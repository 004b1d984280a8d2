// Command imgadmit is a policy-as-code admission checker for cloud image,
// backup and snapshot operations. main only wires the commands; the work is
// done in package evaluator (and sidecar, for serve).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
