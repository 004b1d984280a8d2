//go:build race

package e2e

// raceEnabled: the race detector slows the test's own goroutines (the load
// driver) 5-10x; the short soak and fault runs scale their counts down.
const raceEnabled = true
