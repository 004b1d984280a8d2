//go:build race

package tfplan

// raceFactor stretches time limits under the race detector.
const raceFactor = 10
