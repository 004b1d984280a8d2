package main

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestCompletionProtocol drives urfave/cli's completion protocol as the bash
// and zsh scripts do: the command line so far, then --generate-bash-completion.
// urfave/cli reads the word being completed from os.Args, so the test sets it
// (main passes os.Args to run).
func TestCompletionProtocol(t *testing.T) {
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	for _, tc := range []struct {
		line      string // what the user typed before <TAB>
		want, not []string
	}{
		{"", []string{"eval", "validate", "rules", "waivers", "calls", "serve", "inventory", "completion"}, nil},
		{"eval --", []string{"--data", "--format", "--fail-on", "--lenient", "--now", "--policies", "--help"}, []string{"-f", "eval"}},
		{"eval --f", []string{"--format", "--fail-on"}, []string{"--data", "text"}},
		{"eval -", []string{"--format", "-f", "--data", "-d"}, nil},
		{"eval --format", formats, []string{"--data", "markdown"}},
		{"eval -f", formats, []string{"--data"}},
		{"rules --format", []string{"text", "json", "markdown"}, []string{"junit"}},
		{"calls -f", []string{"text", "json", "markdown"}, []string{"junit"}},
		{"waivers --format", []string{"text", "json"}, []string{"markdown", "junit"}},
		{"waivers --", []string{"--data", "--now", "--decision-log", "--format"}, nil},
		{"inventory", []string{"import", "sync"}, []string{"eval", "--region"}},
		{"inventory import --", []string{"--region", "--output", "--max-input"}, []string{"--provider"}},
		{"inventory sync --", []string{"--provider", "--region", "--output"}, nil},
		{"completion", []string{"bash", "zsh", "fish"}, nil},
	} {
		t.Run(tc.line, func(t *testing.T) {
			args := append(strings.Fields(tc.line), "--generate-bash-completion")
			os.Args = append([]string{"imgadmit"}, args...)
			code, stdout, stderr := runCLI(t, "", args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			words := strings.Fields(stdout)
			for _, w := range tc.want {
				if !slices.Contains(words, w) {
					t.Errorf("%q not offered; got %q", w, words)
				}
			}
			for _, w := range tc.not {
				if slices.Contains(words, w) {
					t.Errorf("%q offered; got %q", w, words)
				}
			}
		})
	}
}
