package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// builtBinary builds cmd/imgadmit once per test run and returns its path:
// the end-to-end tests run what users run, not the in-process run().
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "imgadmit-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "imgadmit")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build imgadmit: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestBinaryEndToEnd runs the built binary as a pipeline would and checks
// exit codes and outputs.
func TestBinaryEndToEnd(t *testing.T) {
	bin := builtBinary(t)
	fixtures := filepath.Join("..", "..", "fixtures")
	cases := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdoutHas  []string
		stderrHas  []string
		stdoutNone []string
	}{
		{
			name: "demo over the shipped fixtures",
			args: []string{"eval", "--data", filepath.Join(fixtures, "inventory.yaml"), now, filepath.Join(fixtures, "requests")},
			// The fixtures include invalid requests (REQ-001, REQ-003): the worst outcome is 2.
			code:      2,
			stdoutHas: []string{"ALLOWED", "DENIED", "INVALID", "IMS-FE-001", "CBR-004", "ECS-SNAP-001", "allowed,", "denied,"},
			// Not a terminal: no colour escapes.
			stdoutNone: []string{"\x1b["},
		},
		{
			name:      "the foundation scenario: used disk backup in error",
			args:      []string{"eval", "--data", filepath.Join(fixtures, "inventory.yaml"), now, filepath.Join(fixtures, "requests", "IMS-FE-002", "fires-used-and-error.json")},
			code:      1,
			stdoutHas: []string{"DENIED", "deny IMS-FE-001", "deny IMS-FE-002", "deny IMS-FE-003", "fix: "},
		},
		{
			name:      "stdin JSON, allowed",
			args:      []string{"eval", now, "-"},
			stdin:     `{"provider":"huaweicloud","operation":"server.start","params":{"server_id":"s"},"resources":{"servers":{"s":{"status":"active","image_creation_in_progress":false}}}}`,
			code:      0,
			stdoutHas: []string{"-: ALLOWED huaweicloud server.start", "1 request: 1 allowed, 0 denied"},
		},
		{
			name:      "rules lists the rulebook",
			args:      []string{"rules"},
			code:      0,
			stdoutHas: []string{"IMS-FE-001", "CBR-007", "ECS-IMG-005", "warn→deny", "REQ-003"},
		},
		{
			name:      "usage error",
			args:      []string{"eval", "--fail-on", "sometimes", "x.json"},
			code:      2,
			stderrHas: []string{`--fail-on "sometimes": want deny or warn`},
		},
		{
			name:      "unreadable inventory",
			args:      []string{"eval", "--data", "testdata/no-such-inventory.yaml", "testdata/allowed.json"},
			code:      2,
			stderrHas: []string{"testdata/no-such-inventory.yaml: read inventory:", "no such file or directory"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Stdin = strings.NewReader(tc.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, s := range tc.stdoutHas {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.stdoutNone {
				if strings.Contains(stdout.String(), s) {
					t.Errorf("stdout has %q", s)
				}
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}
