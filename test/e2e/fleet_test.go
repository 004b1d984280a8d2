package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/imgadmit/imgadmit/internal/fleet/fleettest"
)

// TestFleet is docs/fleet.md run for real: the rulebook and the inventory
// built into a signed bundle by the pinned `opa build`, a bundle server and
// a log collector on loopback, two `imgadmit serve --config-file`
// instances. A new bundle reaches both; a tampered one is refused by both
// with the last good one serving; every decision arrives at the collector
// exactly once, in OPA's event shape.
func TestFleet(t *testing.T) {
	opa := os.Getenv("IMGADMIT_OPA")
	if opa == "" {
		t.Skip("IMGADMIT_OPA is not set (make test sets it to the OPA CLI built from go.mod)")
	}
	builtBinary(t)
	dir := t.TempDir()
	keys := fleettest.NewKeys(t)
	keyFile := filepath.Join(dir, "signing.pem")
	writeTestFile(t, keyFile, keys.Private)

	// The bundle's source: the rulebook under imgadmit/, the inventory as
	// data.inventory, roots in the manifest.
	src := filepath.Join(dir, "bundle")
	if err := os.CopyFS(filepath.Join(src, "imgadmit"), os.DirFS(filepath.Join(repo, "policies"))); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(src, "imgadmit", "embed.go"))
	writeTestFile(t, filepath.Join(src, "inventory", "data.json"), inventoryJSON(t))
	writeTestFile(t, filepath.Join(src, ".manifest"), `{"roots":["imgadmit","inventory"]}`)
	build := func(revision string) []byte {
		t.Helper()
		out := filepath.Join(dir, revision+".tar.gz")
		cmd := exec.Command(opa, "build", "--bundle", src, "--revision", revision,
			"--signing-key", keyFile, "--signing-alg", "RS256", "--output", out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("opa build: %v\n%s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	srv := fleettest.NewServer(t)
	srv.SetBundle("imgadmit", build("r1"))
	cfgFile := filepath.Join(dir, "opa-config.yaml")
	writeTestFile(t, cfgFile, fleetConfig(srv.URL, keys.Public))

	var sidecars []*served
	var logs []string
	for i := range 2 {
		logFile := filepath.Join(dir, fmt.Sprintf("decisions-%d.log", i))
		logs = append(logs, logFile)
		sidecars = append(sidecars, startServe(t, "--config-file", cfgFile, "--decision-log", logFile))
	}
	request, err := os.ReadFile(filepath.Join(repo, "fixtures", "requests", "CBR-001", "fires.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	// decide asks every sidecar and checks it answers with revision rev.
	decide := func(rev string) {
		t.Helper()
		for i, s := range sidecars {
			code, body := s.post("/v1/data/imgadmit/decision?provenance", "application/json", `{"input":`+string(request)+`}`)
			var a struct {
				DecisionID string `json:"decision_id"`
				Provenance struct {
					Bundles map[string]struct{ Revision string } `json:"bundles"`
				} `json:"provenance"`
				Result struct {
					Allowed bool `json:"allowed"`
					Reasons []struct {
						ID string `json:"id"`
					} `json:"reasons"`
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(body), &a); code != 200 || err != nil || a.Provenance.Bundles["imgadmit"].Revision != rev ||
				a.Result.Allowed || len(a.Result.Reasons) == 0 || a.Result.Reasons[0].ID != "CBR-001" {
				t.Fatalf("sidecar %d: %d %s; want CBR-001 denied with bundle %s", i, code, body, rev)
			}
			ids = append(ids, a.DecisionID)
		}
	}
	decide("r1")

	// A new bundle: both take it.
	writeTestFile(t, filepath.Join(src, "imgadmit", "fleet_marker.rego"), "package imgadmit.fleet\n\nrevision := \"r2\"\n")
	srv.SetBundle("imgadmit", build("r2"))
	for i, s := range sidecars {
		waitFor(t, fmt.Sprintf("sidecar %d to serve r2", i), func() bool { return bundleRevision(s) == "r2" })
	}
	decide("r2")

	// A tampered bundle: both refuse it, report it, and keep r2.
	srv.SetBundle("imgadmit", fleettest.TamperArchive(t, build("r3")))
	waitFor(t, "both sidecars to report the tampered bundle", func() bool {
		reported := map[any]bool{}
		for _, st := range srv.Statuses() {
			if strings.Contains(fmt.Sprint(st["bundles"]), "digest mismatch") {
				reported[st["labels"].(map[string]any)["id"]] = true
			}
		}
		return len(reported) == 2
	})
	decide("r2")

	for _, s := range sidecars {
		s.stop() // the decision-log plugin uploads what it holds on the way out
	}
	count := map[string]int{}
	for _, ev := range srv.Events() {
		id, _ := ev["decision_id"].(string)
		count[id]++
		for _, k := range []string{"labels", "decision_id", "bundles", "path", "input", "result", "requested_by", "timestamp", "metrics", "custom"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event %s has no %q: %v", id, k, ev)
			}
		}
	}
	for _, id := range ids {
		if count[id] != 1 {
			t.Errorf("decision %s arrived %d times", id, count[id])
		}
	}
	if len(srv.Events()) != len(ids) {
		t.Errorf("%d events for %d decisions", len(srv.Events()), len(ids))
	}
	// The file log has the same events, in the same shape.
	for i, f := range logs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), `"path":"imgadmit/decision"`); n != 3 {
			t.Errorf("decision log %d has %d decisions, want 3", i, n)
		}
	}
}

func bundleRevision(s *served) string {
	_, body := s.get("/health/ready")
	var r struct {
		Bundles map[string]struct{ Revision string } `json:"bundles"`
	}
	_ = json.Unmarshal([]byte(body), &r)
	return r.Bundles["imgadmit"].Revision
}

// fleetConfig is docs/fleet.md's configuration, for the servers at url.
func fleetConfig(url, publicKey string) string {
	indented := "      " + strings.ReplaceAll(strings.TrimSpace(publicKey), "\n", "\n      ")
	return `services:
  fleet:
    url: ` + url + `
bundles:
  imgadmit:
    service: fleet
    resource: /bundles/imgadmit
    polling: {min_delay_seconds: 1, max_delay_seconds: 2}
    signing: {keyid: fleet}
keys:
  fleet:
    algorithm: RS256
    key: |
` + indented + `
decision_logs:
  service: fleet
  resource: /logs
  reporting: {min_delay_seconds: 1, max_delay_seconds: 2}
status:
  service: fleet
labels:
  region: cn-north-4
`
}

// inventoryJSON is fixtures/inventory.yaml as JSON, as a bundle's data.json.
func inventoryJSON(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "fixtures", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
