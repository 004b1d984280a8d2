package fleet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/server"
	opaversion "github.com/open-policy-agent/opa/v1/version"

	"github.com/imgadmit/imgadmit/internal/fleet"
	"github.com/imgadmit/imgadmit/internal/fleet/fleettest"
)

const policy = "package imgadmit\n\ndefault decision := {}\n"

// checker records the snapshots it is shown and refuses those whose
// revision is in refuse.
type checker struct {
	mu      sync.Mutex
	seen    []string // revisions checked, in order
	applied []string // revisions that serve, in order
	last    *fleet.Snapshot
	refuse  map[string]bool
}

func (c *checker) check(_ context.Context, s *fleet.Snapshot) (func(bool), error) {
	rev := s.Bundles["main"].Revision
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, rev)
	if c.refuse[rev] {
		return nil, fmt.Errorf("revision %s refused", rev)
	}
	return func(committed bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if committed {
			c.applied = append(c.applied, rev)
			c.last = s
		}
	}, nil
}

func (c *checker) state() (seen, applied []string, last *fleet.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...), append([]string(nil), c.applied...), c.last
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func start(t *testing.T, cfg []byte, c *checker) *fleet.Fleet {
	t.Helper()
	f, err := fleet.New(fleet.Options{Config: cfg, ID: "sidecar-1", Version: "v-test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Check: c.check})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.Stop(ctx)
	})
	return f
}

// TestBundleActivationIsGated: a signed bundle is shown to the check with
// its policies and the inventory it owns, and serves once the check takes
// it; a bundle the check refuses, and a tampered one (refused by OPA before
// any check), leave the last good one serving, and the status report says
// why.
func TestBundleActivationIsGated(t *testing.T) {
	srv := fleettest.NewServer(t)
	keys := fleettest.NewKeys(t)
	inv := map[string]any{"resources": map[string]any{"images": map[string]any{"img-1": map[string]any{"status": "active"}}}}
	mk := func(rev string) fleettest.Bundle {
		return fleettest.Bundle{Revision: rev, Roots: []string{"imgadmit", "inventory"},
			Modules: map[string]string{"imgadmit/main.rego": policy}, Data: map[string]any{"inventory": inv}}
	}
	srv.SetBundle("main", fleettest.Build(t, mk("r1"), &keys))
	c := &checker{refuse: map[string]bool{"r2-bad": true}}
	f := start(t, fleettest.Config(srv.URL, []string{"main"}, &keys, map[string]string{"region": "cn-north-4"}), c)

	eventually(t, "r1 to serve", func() bool { return f.Ready() && f.Bundles()["main"].Revision == "r1" })
	_, applied, last := c.state()
	wantInv, _ := json.Marshal(inv)
	if fmt.Sprint(applied) != "[r1]" || last.InventoryOwner != "main" || string(last.Inventory) != string(wantInv) ||
		len(last.Modules) != 1 || string(last.Modules["main/imgadmit/main.rego"]) != policy {
		t.Fatalf("applied %v, snapshot %+v (inventory %s)", applied, last, last.Inventory)
	}

	srv.SetBundle("main", fleettest.Build(t, mk("r2-bad"), &keys))
	eventually(t, "r2-bad to be checked", func() bool { seen, _, _ := c.state(); return strings.Contains(fmt.Sprint(seen), "r2-bad") })
	eventually(t, "a status report of the refusal", func() bool { return statusSays(srv, "main", "revision r2-bad refused") })
	if got := f.Bundles()["main"].Revision; got != "r1" {
		t.Fatalf("after a refused bundle, %s serves, not r1", got)
	}

	srv.SetBundle("main", fleettest.Tamper(t, mk("r3-tampered"), keys))
	eventually(t, "a status report of the bad signature", func() bool { return statusSays(srv, "main", "digest mismatch") })
	seen, applied, _ := c.state()
	if strings.Contains(fmt.Sprint(seen), "r3-tampered") || fmt.Sprint(applied) != "[r1]" || f.Bundles()["main"].Revision != "r1" {
		t.Fatalf("a tampered bundle reached the check or serves: seen %v, applied %v", seen, applied)
	}

	srv.SetBundle("main", fleettest.Build(t, mk("r4"), &keys))
	eventually(t, "r4 to serve", func() bool { return f.Bundles()["main"].Revision == "r4" })
}

// statusSays reports whether a status report names bundle's error with msg.
func statusSays(srv *fleettest.Server, bundle, msg string) bool {
	for _, st := range srv.Statuses() {
		b, _ := st["bundles"].(map[string]any)
		entry, _ := b[bundle].(map[string]any)
		if m, _ := entry["message"].(string); strings.Contains(m, msg) {
			return true
		}
		if errs, _ := entry["errors"].([]any); strings.Contains(fmt.Sprint(errs), msg) {
			return true
		}
	}
	return false
}

// TestNotReadyUntilEveryBundleActivates: with a bundle the server does not
// have, the fleet is not ready, and nothing was checked.
func TestNotReadyUntilEveryBundleActivates(t *testing.T) {
	srv := fleettest.NewServer(t)
	c := &checker{}
	f := start(t, fleettest.Config(srv.URL, []string{"main"}, nil, nil), c)
	time.Sleep(300 * time.Millisecond)
	if seen, _, _ := c.state(); f.Ready() || len(seen) != 0 {
		t.Fatalf("ready %v with no bundle served; checked %v", f.Ready(), seen)
	}
	srv.SetBundle("main", fleettest.Build(t, fleettest.Bundle{Revision: "r1", Roots: []string{"imgadmit"}, Modules: map[string]string{"imgadmit/main.rego": policy}}, nil))
	eventually(t, "ready", f.Ready)
	if _, _, last := c.state(); last.InventoryOwner != "" || last.Inventory != nil {
		t.Fatalf("a bundle rooted at imgadmit owns the inventory: %+v", last)
	}
}

// TestDiscoveryWaits: a configuration that takes its plugins from a
// discovery bundle is not ready while discovery has no bundle, and is once
// the discovery bundle has configured the bundle plugin and that has
// activated its bundle.
func TestDiscoveryWaits(t *testing.T) {
	srv := fleettest.NewServer(t)
	srv.SetBundle("main", fleettest.Build(t, fleettest.Bundle{Revision: "r1", Roots: []string{"imgadmit"}, Modules: map[string]string{"imgadmit/main.rego": policy}}, nil))
	cfg := `{"services":{"fleet":{"url":"` + srv.URL + `"}},"discovery":{"service":"fleet","resource":"/bundles/discovery","polling":{"min_delay_seconds":1,"max_delay_seconds":2}}}`
	c := &checker{}
	f := start(t, []byte(cfg), c)
	eventually(t, "discovery to ask for its bundle", func() bool { return srv.Asked("discovery") > 0 })
	if seen, _, _ := c.state(); !f.Bundled() || f.Ready() || len(seen) != 0 || srv.Asked("main") != 0 {
		t.Fatalf("bundled %v, ready %v, checked %v, main asked %d times, before discovery had a bundle", f.Bundled(), f.Ready(), seen, srv.Asked("main"))
	}
	srv.SetBundle("discovery", fleettest.Build(t, fleettest.Bundle{Revision: "d1", Roots: []string{""}, Data: map[string]any{
		"bundles": map[string]any{"main": map[string]any{"service": "fleet", "resource": "/bundles/main",
			"polling": map[string]any{"min_delay_seconds": 1, "max_delay_seconds": 2}}},
	}}, nil))
	eventually(t, "ready", f.Ready)
	if _, applied, _ := c.state(); fmt.Sprint(applied) != "[r1]" || f.Bundles()["main"].Revision != "r1" {
		t.Fatalf("ready with %v applied, %v serving; want main r1", applied, f.Bundles())
	}
}

// TestLogUploadsOPAEvents: a decision handed to Log arrives at the
// collector once, in OPA's event shape, with the labels and the custom
// members, even after the collector failed an upload.
func TestLogUploadsOPAEvents(t *testing.T) {
	srv := fleettest.NewServer(t)
	f := start(t, fleettest.Config(srv.URL, nil, nil, map[string]string{"region": "cn-north-4"}), &checker{})
	if !f.Ready() || !f.DecisionLogs() || f.Bundled() {
		t.Fatalf("ready %v, decision logs %v, bundled %v", f.Ready(), f.DecisionLogs(), f.Bundled())
	}
	srv.FailLogs(true)
	for i := range 3 {
		var input, result any = json.RawMessage(`{"provider":"huaweicloud"}`), json.RawMessage(`{"allowed":true}`)
		err := f.Log(context.Background(), func(masks bool) (*server.Info, error) {
			if masks {
				t.Error("masks without a mask policy")
			}
			return &server.Info{DecisionID: fmt.Sprintf("d-%d", i), Path: "imgadmit/decision",
				Timestamp: time.Date(2026, 11, 30, 0, 0, i, 0, time.UTC), Input: &input, Results: &result, RemoteAddr: "image-pipeline",
				Custom: map[string]any{"endpoint": "/v1/admit"}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2500 * time.Millisecond) // at least one upload fails
	srv.FailLogs(false)
	eventually(t, "three events", func() bool { return len(srv.Events()) >= 3 })
	time.Sleep(2500 * time.Millisecond) // and no more arrive
	events := srv.Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3: %v", len(events), events)
	}
	for i, ev := range events {
		labels, _ := ev["labels"].(map[string]any)
		want := map[string]any{"id": "sidecar-1", "version": opaversion.Version, "imgadmit_version": "v-test", "region": "cn-north-4"}
		if fmt.Sprint(labels) != fmt.Sprint(want) || ev["decision_id"] != fmt.Sprintf("d-%d", i) || ev["path"] != "imgadmit/decision" ||
			ev["requested_by"] != "image-pipeline" || fmt.Sprint(ev["input"]) != "map[provider:huaweicloud]" ||
			fmt.Sprint(ev["result"]) != "map[allowed:true]" || fmt.Sprint(ev["custom"]) != "map[endpoint:/v1/admit]" ||
			ev["timestamp"] != fmt.Sprintf("2026-11-30T00:00:0%dZ", i) {
			t.Errorf("event %d: %v", i, ev)
		}
	}
}

// TestConfigErrors: a configuration OPA refuses is an error from New.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, cfg, want string }{
		{"bundle of an unknown service", `{"bundles":{"b":{"service":"nope","resource":"/b"}}}`, "nope"},
		{"signing key not configured", `{"services":{"s":{"url":"http://127.0.0.1:1"}},"bundles":{"b":{"service":"s","resource":"/b","signing":{"keyid":"missing"}}}}`, "missing"},
		{"decision logs to an unknown service", `{"decision_logs":{"service":"nope"}}`, "nope"},
		{"not an object", `[1]`, "config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fleet.New(fleet.Options{Config: []byte(tc.cfg), Check: (&checker{}).check})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestPersistedBundleServesAfterRestart: with persist: true, a restarted
// sidecar activates the last bundle from disk (through the same check)
// while the bundle server is away.
func TestPersistedBundleServesAfterRestart(t *testing.T) {
	srv := fleettest.NewServer(t)
	srv.SetBundle("main", fleettest.Build(t, fleettest.Bundle{Revision: "r1", Roots: []string{"imgadmit"},
		Modules: map[string]string{"imgadmit/main.rego": policy}}, nil))
	var cfg map[string]any
	if err := json.Unmarshal(fleettest.Config(srv.URL, []string{"main"}, nil, nil), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["persistence_directory"] = t.TempDir()
	cfg["bundles"].(map[string]any)["main"].(map[string]any)["persist"] = true
	raw, _ := json.Marshal(cfg)

	first := &checker{}
	f, err := fleet.New(fleet.Options{Config: raw, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Check: first.check})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "r1 to serve", func() bool { return f.Bundles()["main"].Revision == "r1" })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	f.Stop(ctx)
	cancel()

	srv.Close() // the bundle server is away

	second := &checker{}
	g := start(t, raw, second)
	eventually(t, "r1 from disk", func() bool { return g.Ready() && g.Bundles()["main"].Revision == "r1" })
	if _, applied, _ := second.state(); fmt.Sprint(applied) != "[r1]" {
		t.Fatalf("the persisted bundle did not pass the check: applied %v", applied)
	}
}
