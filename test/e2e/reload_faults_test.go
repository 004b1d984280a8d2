package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/loadgen"
)

// Rulebooks that must not load: each is added as rules/zz_fault.rego.
var brokenRulebooks = []struct{ name, src string }{
	{"parse error", "package imgadmit.rules\n\nreasons contains r if {\n"},
	{"http.send", "package imgadmit.rules\n\nleak := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:1/\"})\n"},
	{"opa.runtime", "package imgadmit.rules\n\nenv := opa.runtime().env\n"},
	{"net.lookup_ip_addr", "package imgadmit.rules\n\nips := net.lookup_ip_addr(\"example.com\")\n"},
	{"unsafe variable", "package imgadmit.rules\n\nreasons contains r if {\n\tr := nope\n}\n"},
	{"deny without remediation", "package imgadmit.rules\n\nimport data.imgadmit.lib.reason\n\n# METADATA\n# title: t\n# custom:\n#   id: FAULT-001\n#   effect: deny\n#   category: constraint\n#   source: s\nreasons contains r if {\n\tinput.operation == \"backup.export\"\n\tr := reason.from(rego.metadata.rule(), \"x\")\n}\n"},
	{"duplicate rule id", "package imgadmit.rules\n\nimport data.imgadmit.lib.reason\n\n# METADATA\n# title: t\n# custom:\n#   id: IMS-FE-001\n#   effect: note\n#   category: constraint\n#   source: s\nreasons contains r if {\n\tinput.operation == \"backup.export\"\n\tr := reason.from(rego.metadata.rule(), \"x\")\n}\n"},
}

// Inventories that must not load.
var brokenInventories = []struct{ name, src string }{
	{"schema error", `{"settings":{"missing_facts":"maybe"}}`},
	{"malformed", `{"resources": {"backups": {`},
	{"duplicate key", `{"resources": {}, "resources": {"backups": {}}}`},
	{"unknown member", `{"resourcez": {}}`},
	{"empty", ``},
	{"wrong type", `{"resources": {"backups": []}}`},
	{"request smuggled as inventory", e2eDenied},
}

// inventoryWith is a good inventory in which backup bk-7f3a is of kind.
func inventoryWith(kind string) string {
	return `{"resources":{"backups":{"bk-7f3a":{"resource_type":"` + kind + `","status":"available","includes_system_disk":true,"image_id":null,"shared":false}}}}`
}

// TestReloadFaults: under load, the rulebook and the inventory are replaced
// IMGADMIT_RELOAD_CYCLES times (100 in `make soak`), alternating good and
// broken ones (good/good, broken/good, good/broken, broken/broken). No
// request fails; every decision carries a revision that was loaded good;
// /health/ready reports each broken attempt with its error while the last
// good rulebook and inventory keep deciding; the reload metrics count them.
func TestReloadFaults(t *testing.T) {
	short := 20
	if raceEnabled {
		short = 12
	}
	cycles := knob(t, "IMGADMIT_RELOAD_CYCLES", short)
	dir := t.TempDir()
	pol := copyRulebook(t, dir)
	router := filepath.Join(pol, "imgadmit.rego")
	routerSrc, err := os.ReadFile(router)
	if err != nil {
		t.Fatal(err)
	}
	fault := filepath.Join(pol, "rules", "zz_fault.rego")
	inv := filepath.Join(dir, "inventory.json")
	write := func(path, s string) {
		t.Helper()
		// Write and rename, as config management does.
		if err := os.WriteFile(path+".tmp", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	kind := "disk"
	write(inv, inventoryWith(kind))
	logFile := filepath.Join(dir, "decisions.log")
	s := startServe(t, "--policies", pol, "--data", inv, "--decision-log", logFile)

	good := map[string]bool{s.ready().Revision: true}
	revision := s.ready().Revision
	l := startLoad(t, s, requestMix(t), loadgen.Load{Workers: 2})

	var badRulebooks, badInventories int
	start := time.Now()
	for i := range cycles {
		goodRulebook, goodInventory := i%2 == 0, i%4 < 2
		var rbFault, invFault string
		if goodRulebook {
			if err := os.Remove(fault); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			// A new comment: a new revision.
			write(router, string(routerSrc)+fmt.Sprintf("\n# reload cycle %d\n", i))
		} else {
			b := brokenRulebooks[badRulebooks%len(brokenRulebooks)]
			rbFault = b.name
			write(fault, b.src)
			badRulebooks++
		}
		if goodInventory {
			kind = map[string]string{"disk": "server", "server": "disk"}[kind]
			write(inv, inventoryWith(kind))
		} else {
			b := brokenInventories[badInventories%len(brokenInventories)]
			invFault = b.name
			write(inv, b.src)
			badInventories++
		}
		r := s.reload(fmt.Sprintf("reload %d", i))
		rb, iv := r.Reloads["rulebook"], r.Reloads["inventory"]
		if rb.OK != goodRulebook || (rb.Error == "") != goodRulebook || iv.OK != goodInventory || (iv.Error == "") != goodInventory || r.Status != "ready" {
			t.Fatalf("cycle %d (rulebook fault %q, inventory fault %q): ready %+v", i, rbFault, invFault, r)
		}
		if goodRulebook {
			if r.Revision == revision || good[r.Revision] {
				t.Fatalf("cycle %d: a changed rulebook kept revision %s", i, r.Revision)
			}
			revision = r.Revision
			good[revision] = true
		} else if r.Revision != revision {
			t.Fatalf("cycle %d: broken rulebook (%s): serving %s, want the last good %s", i, rbFault, r.Revision, revision)
		}
		if rbFault == "http.send" || rbFault == "opa.runtime" || rbFault == "net.lookup_ip_addr" {
			if !strings.Contains(rb.Error, "undefined function "+rbFault) {
				t.Errorf("cycle %d: %s refused for %q, want undefined function", i, rbFault, rb.Error)
			}
		}
		// The last good rulebook and inventory decide.
		d, err := s.decide(call{admitPath, e2eDenied})
		if err != nil || d.Rulebook.Revision != revision || d.has("IMS-FE-001", "deny") != (kind == "disk") {
			t.Fatalf("cycle %d: probe %+v %v; want revision %s and IMS-FE-001 iff the backup is a disk backup (%s)", i, d, err, revision, kind)
		}
		l.add(d)
	}
	elapsed := time.Since(start)
	l.halt()

	l.reportErrors("request under reloads")
	for id, rev := range l.answered {
		if !good[rev] {
			t.Errorf("decision %s by revision %s, which never loaded good", id, rev)
		}
	}
	goodRulebooks, goodInventories := cycles-badRulebooks, cycles-badInventories
	for series, want := range map[string]int{
		`imgadmit_reloads_total{result="success",target="rulebook"}`:  goodRulebooks,
		`imgadmit_reloads_total{result="failure",target="rulebook"}`:  badRulebooks,
		`imgadmit_reloads_total{result="success",target="inventory"}`: goodInventories,
		`imgadmit_reloads_total{result="failure",target="inventory"}`: badInventories,
	} {
		if got := s.metric(series); int(got) != want {
			t.Errorf("%s %v, want %d", series, got, want)
		}
	}
	s.stop()
	lines := decisionLines(checkDecisionLog(t, logFile, l.answered))
	t.Logf("%d reloads in %v (%d broken rulebooks, %d broken inventories); %d decisions under load, %d errors, %d revisions served, %d log lines",
		cycles, elapsed.Round(time.Millisecond), badRulebooks, badInventories, len(l.answered), len(l.errs), len(good), lines)
}
