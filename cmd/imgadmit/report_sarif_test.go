package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRepoPathFromTheWorkspace: in GitHub Actions a step may run in a
// subdirectory; code scanning wants paths from the checkout's root.
func TestRepoPathFromTheWorkspace(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_WORKSPACE", filepath.Dir(filepath.Dir(wd)))
	if got := repoPath(filepath.Join("testdata", "allowed.json")); got != "cmd/imgadmit/testdata/allowed.json" {
		t.Errorf("repoPath = %q, want the path from the workspace", got)
	}
	if got := repoPath(filepath.Join("..", "..", "fixtures", "inventory.yaml")); got != "fixtures/inventory.yaml" {
		t.Errorf("repoPath = %q, want fixtures/inventory.yaml", got)
	}
}
