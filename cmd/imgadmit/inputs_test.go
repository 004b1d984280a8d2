package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMaxInput: an input larger than --max-input is that input's error, on
// standard input as from a file.
func TestMaxInput(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	body := `{"provider":"huaweicloud","operation":"backup.export","region":"cn-north-4","params":{"backup_id":"bk-1"}}`
	if err := os.WriteFile(big, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "", "eval", "--max-input", "50", big)
	if code != exitInvalid || !strings.Contains(out, fmt.Sprintf("%s: INVALID cannot read: %d bytes, larger than --max-input 50", big, len(body))) {
		t.Errorf("a file over --max-input: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, body, "eval", "--max-input", "50", "-")
	if code != exitInvalid || !strings.Contains(out, "-: INVALID cannot read: larger than --max-input 50 bytes") {
		t.Errorf("standard input over --max-input: %d\n%s", code, out)
	}
	if code, _, _ = runCLI(t, body, "eval", "--max-input", "200", "-"); code != exitDenied {
		t.Errorf("under --max-input: exit %d", code)
	}
	if code, _, errOut := runCLI(t, "", "validate", "--max-input", "0", big); code != exitInvalid || !strings.Contains(errOut, "--max-input 0") {
		t.Errorf("--max-input 0: %d %s", code, errOut)
	}
}

// TestTextOutputEscapesTheTerminal: a file name, a key or a message cannot
// print a line of its own (a fake ALLOWED) or send the terminal an escape
// sequence (retitle the window, clear the screen).
func TestTextOutputEscapesTheTerminal(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "x\nok.json: ALLOWED huaweicloud backup.export\x1b]0;pwned\x07\u202e.json")
	req := `{"provider":"huaweicloud","operation":"backup.export","region":"cn-north-4","params":{"backup_id":"bk-1","x\u001b[2J\ny":1}}`
	if err := os.WriteFile(name, []byte(req), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"eval", "validate"} {
		_, out, _ := runCLI(t, "", cmd, dir)
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%s printed a control or format character: %q", cmd, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "ok.json") {
				t.Errorf("%s printed a line of the file name's making: %q", cmd, line)
			}
		}
		for _, want := range []string{`x\n`, `\x1b]0;pwned\a`, `\u202e.json`, `/params/x\x1b[2J\ny`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks the escaped %s:\n%s", cmd, want, out)
			}
		}
	}
}

// TestNowOutsideTheRulebooksRange: --now is a time the rulebook can compare.
func TestNowOutsideTheRulebooksRange(t *testing.T) {
	for _, now := range []string{"0001-01-01T00:00:00Z", "1000-06-01T00:00:00Z", "2300-01-01T00:00:00Z"} {
		code, _, errOut := runCLI(t, "", "eval", "--now", now, "testdata/allowed.json")
		if code != exitInvalid || !strings.Contains(errOut, "the rulebook compares times between 1678 and 2262") {
			t.Errorf("--now %s: %d %q", now, code, errOut)
		}
	}
	if code, _, _ := runCLI(t, "", "eval", "--now", "2262-01-01T00:00:00Z", "testdata/allowed.json"); code != exitAllowed {
		t.Errorf("--now in 2262: exit %d", code)
	}
}
