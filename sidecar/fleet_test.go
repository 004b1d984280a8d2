package sidecar

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/internal/fleet/fleettest"
)

// testRulebook is the test rulebook's files, for a bundle.
func testRulebook(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join("testdata", "policies")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".rego" {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out["imgadmit/"+filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func backupInventory(status string) map[string]any {
	return map[string]any{"resources": map[string]any{"backups": map[string]any{"bk-1": map[string]any{"status": status}}}}
}

// TestFleetBundles: a sidecar configured with OPA's configuration takes its
// rulebook and inventory from a signed bundle, waits for it before
// deciding, refuses a bundle imgadmit cannot serve (an invalid inventory)
// and a tampered one with the last good one serving, takes a new good one,
// refuses Data API writes below the bundle's root, reports the bundles in
// provenance, the decision log and /health/ready, and uploads every decision
// once in OPA's event shape.
func TestFleetBundles(t *testing.T) {
	srv := fleettest.NewServer(t)
	keys := fleettest.NewKeys(t)
	rulebook := testRulebook(t)
	mk := func(rev string, inv map[string]any) []byte {
		return fleettest.Build(t, fleettest.Bundle{Revision: rev, Roots: []string{"imgadmit", "inventory"},
			Modules: rulebook, Data: map[string]any{"inventory": inv}}, &keys)
	}
	srv.SetBundle("fleet", mk("r1", backupInventory("available")))
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) {
		cfg.Policies = "" // the embedded rulebook until the bundle's serves
		cfg.FleetConfig = fleettest.Config(srv.URL, []string{"fleet"}, &keys, map[string]string{"region": "cn-north-4"})
		cfg.ConfigFile = "fleet.json"
		cfg.DecisionLogWriter = nil
		cfg.DecisionLog = logFile
	})
	ct := map[string]string{"Content-Type": jsonCT}
	var ids []string
	decide := func(want string) {
		t.Helper()
		got := send(t, c, "POST", r.url+PathAdmit, ct, reqDelete)
		check(t, got, 200, ct, want)
		ids = append(ids, decisionID(t, got.body))
	}
	decDeleting := `{"allowed":false,"decision_id":"ID","provider":"huaweicloud","operation":"backup.delete","reasons":[{"id":"TEST-003","effect":"deny","category":"lifecycle","message":"backup bk-1 is being deleted","remediation":"Wait for the deletion to finish.","source":"sidecar tests"},{"id":"TEST-002","effect":"warn","category":"billing","message":"deleting backup bk-1 stops its billing","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":5}}`
	decide(decDelete)

	// Provenance names the bundle; the Data API does not write below it.
	prov := send(t, c, "POST", r.url+PathOPADecide+"?provenance", ct, `{"input":`+reqDelete+`}`)
	var answer struct {
		DecisionID string `json:"decision_id"`
		Provenance struct {
			Bundles map[string]struct{ Revision string }
		}
	}
	if err := json.Unmarshal([]byte(prov.body), &answer); err != nil || answer.Provenance.Bundles["fleet"].Revision != "r1" {
		t.Fatalf("provenance: %v %s", err, prov.body)
	}
	ids = append(ids, answer.DecisionID)
	check(t, send(t, c, "PUT", r.url+PathInventory, ct, `{}`), 400, ct,
		`{"code":"invalid_parameter","message":"path inventory is owned by bundle \"fleet\"","errors":[]}`)
	check(t, send(t, c, "DELETE", r.url+PathInventory+"/resources/backups/bk-1", nil, ""), 400, ct,
		`{"code":"invalid_parameter","message":"path inventory/resources/backups/bk-1 is owned by bundle \"fleet\"","errors":[]}`)

	// A bundle whose inventory fails its schema is refused; r1 serves.
	bad := backupInventory("available")
	bad["settings"] = map[string]any{"missing_facts": "shrug"}
	srv.SetBundle("fleet", mk("r2", bad))
	eventually(t, "r2 refused", func() bool {
		st := readyOf(t, c, r.url)
		return !st.Reloads[targetBundle].OK && strings.Contains(st.Reloads[targetBundle].Error, "missing_facts")
	})
	decide(decDelete)
	// A tampered bundle never reaches imgadmit's checks: OPA refuses it.
	srv.SetBundle("fleet", fleettest.TamperArchive(t, mk("r3", backupInventory("deleting"))))
	eventually(t, "a status report of r3's refusal", func() bool { return statusNames(srv, "digest mismatch") })
	decide(decDelete)

	srv.SetBundle("fleet", mk("r4", backupInventory("deleting")))
	eventually(t, "r4 to serve", func() bool { return readyOf(t, c, r.url).Bundles["fleet"].Revision == "r4" })
	decide(decDeleting)

	if err := r.wait(t); err != nil {
		t.Fatal(err)
	}
	// Every decision answered is uploaded exactly once, in OPA's shape,
	// with the bundle revision it was made with; the file has the same.
	events := srv.Events()
	got := map[string]int{}
	bundlesOf := map[string]string{}
	for _, ev := range events {
		id, _ := ev["decision_id"].(string)
		got[id]++
		b, _ := json.Marshal(ev["bundles"])
		bundlesOf[id] = string(b)
		labels, _ := ev["labels"].(map[string]any)
		custom, _ := ev["custom"].(map[string]any)
		if ev["path"] != decisionPath || labels["region"] != "cn-north-4" || labels["id"] == nil || ev["timestamp"] == nil ||
			ev["input"] == nil || ev["result"] == nil || ev["metrics"] == nil || custom["endpoint"] == nil || custom["revision"] == nil {
			t.Errorf("event not in OPA's shape with imgadmit's additions: %v", ev)
		}
	}
	if len(events) != len(ids) {
		t.Errorf("%d events uploaded for %d decisions", len(events), len(ids))
	}
	for i, id := range ids {
		if got[id] != 1 {
			t.Errorf("decision %d (%s) uploaded %d times", i, id, got[id])
		}
	}
	wantRev := []string{"r1", "r1", "r1", "r1", "r4"}
	for i, id := range ids {
		if want := `{"fleet":{"revision":"` + wantRev[i] + `"}}`; bundlesOf[id] != want {
			t.Errorf("event %d (%s): bundles %s, want %s", i, id, bundlesOf[id], want)
		}
	}
	for i, line := range readLines(t, logFile, "decision") {
		var rec Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.DecisionID != ids[i] || rec.Bundles["fleet"].Revision != wantRev[i] || rec.Labels["region"] != "cn-north-4" {
			t.Errorf("line %d: %s; want decision %s with bundle revision %s", i, line, ids[i], wantRev[i])
		}
	}
}

func readyOf(t *testing.T, c *http.Client, url string) readyBody {
	t.Helper()
	got := send(t, c, "GET", url+PathReady, nil, "")
	var st readyBody
	if err := json.Unmarshal([]byte(got.body), &st); err != nil {
		t.Fatalf("%s: %v", got.body, err)
	}
	return st
}

func statusNames(srv *fleettest.Server, msg string) bool {
	for _, st := range srv.Statuses() {
		if strings.Contains(fmt.Sprint(st["bundles"]), msg) {
			return true
		}
	}
	return false
}

// readLines is the lines of a decision log file of one event kind.
func readLines(t *testing.T, file, event string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(line, `{"event":"`+event+`"`) {
			out = append(out, line)
		}
	}
	return out
}

// TestFleetSourcesAndReadiness: decisions wait (503) until every bundle has
// been activated; a bundle that claims what another source gives (the
// inventory beside --data, the rulebook beside --policies) is refused with
// a message saying so, and the sidecar stays not ready.
func TestFleetSourcesAndReadiness(t *testing.T) {
	for _, tc := range []struct {
		name  string
		roots []string
		mod   func(*Config)
		want  string
	}{
		{"inventory beside --data", []string{"inventory"}, func(c *Config) {
			c.Policies = ""
			c.DataFiles = []string{filepath.Join(t.TempDir(), "inv.json")}
			writeFile(t, c.DataFiles[0], `{}`)
		}, "bundle fleet owns data.inventory, and serve also takes the inventory from --data or --sync: give one source"},
		{"rulebook beside --policies", []string{"imgadmit"}, nil,
			"the bundles carry policies, and serve also takes the rulebook from --policies testdata/policies: give one source"},
		{"data imgadmit does not read", []string{"config"}, nil,
			"the bundles carry data.config, which imgadmit does not read (the rulebook decides with data.inventory alone)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fleettest.NewServer(t)
			b := fleettest.Bundle{Revision: "r1", Roots: tc.roots, Data: map[string]any{}}
			switch tc.roots[0] {
			case "imgadmit":
				b.Modules = testRulebook(t)
			case "config":
				b.Data["config"] = map[string]any{"threshold": 3}
			default:
				b.Data["inventory"] = backupInventory("available")
			}
			srv.SetBundle("fleet", fleettest.Build(t, b, nil))
			h := newHarness(t, func(c *Config) {
				c.FleetConfig = fleettest.Config(srv.URL, []string{"fleet"}, nil, nil)
				if tc.mod != nil {
					tc.mod(c)
				}
			})
			ct := map[string]string{"Content-Type": jsonCT}
			check(t, h.post(PathAdmit, reqDelete), 503, ct,
				`{"code":"not_ready","message":"the bundles of --config-file have not all been activated yet","errors":[]}`)
			if err := h.s.startFleet(t.Context()); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the refusal", func() bool {
				h.s.statusMu.Lock()
				defer h.s.statusMu.Unlock()
				st := h.s.status.reloads[targetBundle]
				return strings.Contains(st.Error, tc.want)
			})
			if h.s.bundlesReady() || h.post(PathAdmit, reqDelete).status != 503 {
				t.Fatal("ready after its only bundle was refused")
			}
		})
	}
}

// TestFleetMasksAndDropsEvents: OPA's mask and drop policies, shipped in a
// bundle of their own beside the --policies rulebook, apply to the events
// uploaded: a masked member is gone from the
// input and named under erased, a dropped decision is not uploaded (the
// file log keeps every decision whole).
func TestFleetMasksAndDropsEvents(t *testing.T) {
	srv := fleettest.NewServer(t)
	// A bundle of the mask and drop policies alone, beside the rulebook of
	// --policies: it is not a rulebook, and leaves the rulebook as it is.
	srv.SetBundle("logpolicy", fleettest.Build(t, fleettest.Bundle{Revision: "m1", Roots: []string{"system/log"},
		Modules: map[string]string{"system/log/log.rego": "package system.log\n\nmask contains \"/input/params/backup_id\"\n\ndrop if input.input.operation == \"backup.expire\"\n"}}, nil))
	logFile := filepath.Join(t.TempDir(), "decisions.log")
	c := &http.Client{}
	r := startRun(t, c, "http", func(cfg *Config) {
		cfg.FleetConfig = fleettest.Config(srv.URL, []string{"logpolicy"}, nil, nil)
		cfg.DecisionLogWriter = nil
		cfg.DecisionLog = logFile
	})
	ct := map[string]string{"Content-Type": jsonCT}
	check(t, send(t, c, "POST", r.url+PathAdmit, ct, reqDelete), 200, ct, decDelete)
	check(t, send(t, c, "POST", r.url+PathAdmit, ct, reqExpire), 200, ct, decExpire)
	if err := r.wait(t); err != nil {
		t.Fatal(err)
	}
	events := srv.Events()
	if len(events) != 1 {
		t.Fatalf("%d events uploaded, want 1 (the expiry dropped): %v", len(events), events)
	}
	ev := events[0]
	if fmt.Sprint(ev["input"]) != "map[operation:backup.delete params:map[] provider:huaweicloud]" || fmt.Sprint(ev["erased"]) != "[/input/params/backup_id]" {
		t.Fatalf("event not masked: input %v, erased %v", ev["input"], ev["erased"])
	}
	if lines := readLines(t, logFile, "decision"); len(lines) != 2 || !strings.Contains(lines[0], `"backup_id":"bk-1"`) {
		t.Fatalf("the file log should keep both decisions whole: %v", lines)
	}
}
