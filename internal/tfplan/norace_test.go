//go:build !race

package tfplan

const raceFactor = 1
