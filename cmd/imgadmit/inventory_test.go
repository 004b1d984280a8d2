package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// responses are the Huawei response fixtures (SDK-built).
func responses(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "responses", "huaweicloud", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no response fixtures: %v", err)
	}
	return files
}

func TestInventoryImport(t *testing.T) {
	files := responses(t)
	code, stdout, stderr := runCLI(t, "", append([]string{"inventory", "import", "--region", "cn-north-4"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var inv struct {
		Resources map[string]map[string]map[string]any `json:"resources"`
	}
	if err := json.Unmarshal([]byte(stdout), &inv); err != nil {
		t.Fatalf("not an inventory: %v\n%s", err, stdout)
	}
	bk := inv.Resources["backups"]["bk-inventory-used"]
	if bk["image_id"] != "img-inventory-north" || bk["resource_type"] != "OS::Nova::Server" || bk["status"] != "available" {
		t.Errorf("backup facts %v", bk)
	}
	if srv := inv.Resources["servers"]["srv-web-1"]; srv["region"] != "cn-north-4" {
		t.Errorf("server facts %v: the region comes from --region", srv)
	}

	// -o writes the same inventory to a file.
	out := filepath.Join(t.TempDir(), "inventory.json")
	if code, _, stderr := runCLI(t, "", append([]string{"inventory", "import", "--region", "cn-north-4", "-o", out}, files...)...); code != 0 {
		t.Fatalf("-o: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != stdout {
		t.Errorf("-o wrote %q (%v), want what standard output gets", b, err)
	}
}

func TestInventoryImportRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-page.json")
	if err := os.WriteFile(bad, []byte(`{"backups": [{"id": "bk-1", "resource_type": "OS::Nova::Server", "status": 7}], "count": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no file", []string{"inventory", "import"}, "needs at least one RESPONSE"},
		{"an imgadmit inventory", []string{"inventory", "import", filepath.Join("testdata", "inventory.yaml")}, "not a response imgadmit reads"},
		{"a response with a value of the wrong type", []string{"inventory", "import", bad}, "/backups/0/status"},
		{"a file that is not there", []string{"inventory", "import", filepath.Join(dir, "none.json")}, "none.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			if code != exitInvalid || stdout != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, tc.stderr)
			}
		})
	}
}

// TestEvalWithResponsesAsData: --data takes the clouds' responses as it takes
// an inventory, and with request facts ignored they alone decide.
func TestEvalWithResponsesAsData(t *testing.T) {
	args := []string{"eval", "--trust-request-facts=false", "--region", "cn-north-4", "--now", "2026-11-24T00:00:00Z"}
	for _, f := range responses(t) {
		args = append(args, "--data", f)
	}
	req := `{"provider":"huaweicloud","operation":"backup.delete","region":"cn-north-4","params":{"backup_id":"bk-inventory-used"},
	  "resources":{"backups":{"bk-inventory-used":{"image_id":null}}}}`
	code, stdout, stderr := runCLI(t, req, append(args, "-")...)
	if code != exitDenied || !strings.Contains(stdout, "deny CBR-001") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
}
