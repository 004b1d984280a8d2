package e2e

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// now is the time the fixtures' decisions are made at.
const now = "--now=2026-11-24T00:00:00Z"

// runBinary runs the built binary with a deadline (a hang is a failure) and
// returns its exit code and outputs.
func runBinary(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, builtBinary(t), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("imgadmit %s: still running after 60 s", strings.Join(args, " "))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestBinaryEndToEnd runs the built binary as a pipeline would and checks
// exit codes and outputs.
func TestBinaryEndToEnd(t *testing.T) {
	fixtures := filepath.Join(repo, "fixtures")
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
			name: "real API calls, both providers",
			args: []string{"eval", "--data", filepath.Join(fixtures, "inventory.yaml"), now, filepath.Join(fixtures, "calls")},
			// The call fixtures include malformed calls: the worst outcome is 2.
			code: 2,
			stdoutHas: []string{
				"DENIED huaweicloud CreateWholeImage (image.create)", "deny IMS-FE-002",
				"DENIED huaweicloud BatchStartServers (server.start, 2 requests)", "deny IMS-FE-006",
				"ALLOWED huaweicloud GET /v2/cloudimages (read-only: nothing to judge)",
				"DENIED alibabacloud CreateImage (image.create)", "deny ECS-IMG-001",
				"ALLOWED alibabacloud StartInstances (server.start, 2 requests)",
				"DENIED alibabacloud StopInstance (a write imgadmit does not know)", "deny REQ-003",
				"DENIED huaweicloud BatchStopServers (refused: imgadmit cannot judge this use of it)",
				"ALLOWED huaweicloud CreateVolume (disk.create of nothing a rule governs)",
				"INVALID the ModifyImageSharePermission call cannot be read", "/call/params/AddAccount.3",
			},
		},
		{
			name:      "a call on stdin, its facts in the call document",
			args:      []string{"eval", now, "-"},
			stdin:     `{"provider":"alibabacloud","call":{"action":"DeleteSnapshot","query":"RegionId=cn-hangzhou&SnapshotId=s-1&Force=true"},"resources":{"snapshots":{"s-1":{"image_ids":["m-1"]}}}}`,
			code:      1,
			stdoutHas: []string{"-: DENIED alibabacloud DeleteSnapshot (snapshot.delete)", "deny ECS-SNAP-001"},
		},
		{
			name:      "validate says what a call became",
			args:      []string{"validate", filepath.Join(fixtures, "calls", "huaweicloud", "ecs-batch-start-servers.json")},
			code:      0,
			stdoutHas: []string{"ecs-batch-start-servers.json: valid (BatchStartServers: 2 server.start requests)"},
		},
		{
			name:      "calls lists the calls imgadmit reads",
			args:      []string{"calls"},
			code:      0,
			stdoutHas: []string{"CreateWholeImage", "POST /v1/cloudimages/wholeimages/action", "ModifyImageSharePermission", "image.share", "51 calls."},
		},
		{
			name: "inventory import of both clouds' responses",
			args: []string{"inventory", "import", "--region", "cn-north-4",
				filepath.Join(fixtures, "responses", "huaweicloud", "cbr-list-backups.json"),
				filepath.Join(fixtures, "responses", "alibabacloud", "describe-snapshots.json"),
				filepath.Join(fixtures, "responses", "alibabacloud", "describe-images.json")},
			code:      0,
			stdoutHas: []string{`"bk-inventory-used"`, `"OS::Nova::Server"`, `"s-bp1c0doj0taqyzzogwvd"`, `"disk_type": "system"`},
		},
		{
			name: "a Terraform plan, in SARIF for code scanning",
			args: []string{"eval", now, "--region", "cn-north-4", "--project-id", "0605767a3300d5762fb7c0186d8d2b3b", "--format", "sarif",
				filepath.Join(fixtures, "terraform", "huaweicloud", "delete.json")},
			code:      1,
			stdoutHas: []string{`"version": "2.1.0"`, `"fullyQualifiedName": "huaweicloud_`, `"ruleId": "REQ-002"`, `delete.json"`},
		},
		{
			name: "a Terraform plan, per resource change in JSON",
			args: []string{"eval", now, "--region", "cn-hangzhou", "--project-id", "1234567890123456", "--format", "json", "--verbose",
				filepath.Join(fixtures, "terraform", "alibabacloud", "delete.json")},
			code:      1,
			stdoutHas: []string{`"address": "alicloud_image.web"`, `"action": "delete"`, `"operation": "snapshot.delete"`},
			stderrHas: []string{"alicloud_image_share_permission.partner (delete): left alone"},
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
			args:      []string{"eval", "--data", "testdata/no-such-inventory.yaml", filepath.Join(fixtures, "requests", "IMS-FE-002", "fires-used-and-error.json")},
			code:      2,
			stderrHas: []string{"testdata/no-such-inventory.yaml: read inventory:", "no such file or directory"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, []byte(tc.stdin), tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdoutHas {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.stdoutNone {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

// TestOnlyRegularFilesAreRead: a FIFO, a device or a socket named like a
// request is that input's error, reported at once (not a hang waiting for a
// writer, not an out-of-memory read of /dev/zero), and the other inputs are
// still decided. The built binary runs, so a hang fails the test by its
// deadline rather than hanging the suite.
func TestOnlyRegularFilesAreRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sock := filepath.Join(dir, "socket.json")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"provider":"huaweicloud","operation":"backup.export","region":"cn-north-4","params":{"backup_id":"bk-1"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, _ := runBinary(t, nil, "eval", fifo, "/dev/zero", sock, dir, good)
	if time.Since(start) > 20*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	// The directory holds the FIFO, the socket and the good file too, so each
	// is an input twice: named, and found in the directory; each refused
	// (or decided) both times.
	for want, n := range map[string]int{
		fifo + ": INVALID cannot read: not a regular file (a named pipe)":         2,
		"/dev/zero: INVALID cannot read: not a regular file (a character device)": 1,
		sock + ": INVALID cannot read: ":                                          2,
		good + ": DENIED huaweicloud backup.export":                               2,
	} {
		if got := strings.Count(out, want); got != n {
			t.Errorf("output has %q %d times, want %d:\n%s", want, got, n, out)
		}
	}
	if code != 2 {
		t.Errorf("exit %d, want 2 (invalid)", code)
	}
}
