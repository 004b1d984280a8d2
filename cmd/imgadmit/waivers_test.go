package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestWaiversGolden runs imgadmit waivers over testdata's inventory (an
// active waiver, one expiring within 14 days, an expired one, an active one
// naming two backups that only the log matches), its requests
// and decision logs, and compares exit code, stdout and stderr with
// testdata/golden/<name>.txt.
func TestWaiversGolden(t *testing.T) {
	td := "testdata/"
	inv := []string{"--data", td + "waivers-inventory.yaml"}
	log := []string{"--decision-log", td + "waivers-decisions.log"}
	args := func(parts ...[]string) []string {
		out := []string{"waivers"}
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	at := func(now string) []string { return []string{"--now=" + now} }
	cases := []struct {
		name string
		args []string
		code int
	}{
		// Nothing to match against: the states alone; one is expired (1).
		{"waivers-states", args(at("2026-11-24T00:00:00Z"), inv), 1},
		// The requests match the first waiver only.
		{"waivers-requests", args(at("2026-11-24T00:00:00Z"), inv, []string{td + "waivers"}), 1},
		// The log matches the other three (the expired one under its earlier
		// expiry too: a renewed waiver keeps its matches).
		{"waivers-requests-and-log", args(at("2026-11-24T00:00:00Z"), inv, log, []string{td + "waivers"}), 1},
		{"waivers-json", args(at("2026-11-24T00:00:00Z"), inv, log, []string{"--format", "json", td + "waivers"}), 1},
		// Earlier, every waiver is active and matched: 0.
		{"waivers-all-active-and-matched", args(at("2026-10-01T00:00:00Z"), inv, log, []string{td + "waivers"}), 0},
		{"waivers-none", args(at("2026-11-24T00:00:00Z")), 0},
		// Bad input: exit 2, naming the file and line or pointer.
		{"waivers-bad-log-line", args(inv, []string{"--decision-log", td + "waivers-bad.log"}), 2},
		{"waivers-bad-log-result", args(inv, []string{"--decision-log", td + "waivers-bad-result.log"}), 2},
		{"waivers-missing-log", args(inv, []string{"--decision-log", td + "nonexistent.log"}), 2},
		{"waivers-req-refused", args([]string{"--data", td + "waivers-req-inventory.yaml"}), 2},
		{"waivers-bad-expiry", args([]string{"--data", td + "waivers-no-expiry-inventory.yaml"}), 2},
		{"waivers-invalid-request", args(inv, []string{td + "invalid.json"}), 2},
		{"waivers-bad-format", args(inv, []string{"--format", "table"}), 2},
		// imgadmit rules --data: each rule's effect under the settings
		// (IMS-FE-009 dryrun, IMS-IMG-003 warn) and its active waivers
		// (CBR-004: two of three, the other expired; IMS-FE-006: one).
		{"rules-settings", []string{"rules", "--now=2026-11-24T00:00:00Z", "--data", td + "waivers-inventory.yaml"}, 0},
		{"rules-settings-json", []string{"rules", "--now=2026-11-24T00:00:00Z", "--format", "json", "--data", td + "waivers-inventory.yaml"}, 0},
		{"rules-settings-refused", []string{"rules", "--data", td + "waivers-req-inventory.yaml"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkCommandGolden(t, tc.name, "", tc.args, tc.code)
		})
	}
}

// TestWaiverStates: a waiver is expired from its expiry on (as the
// rulebook's time.now_ns() < expiry), expiring up to 14 days before it.
func TestWaiverStates(t *testing.T) {
	expires := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	inv := map[string]any{"settings": map[string]any{"waivers": []any{map[string]any{
		"rule": "CBR-004", "expires": expires.Format(time.RFC3339), "reason": "r", "approved_by": "a"}}}}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{expires.Add(time.Second), waiverExpired},
		{expires, waiverExpired},
		{expires.Add(-time.Second), waiverExpiring},
		{expires.Add(-expiringWithin), waiverExpiring},
		{expires.Add(-expiringWithin - time.Second), waiverActive},
	} {
		got, err := inventoryWaivers(inv, tc.now)
		if err != nil || len(got) != 1 || got[0].State != tc.want {
			t.Errorf("at %s: %+v, %v; want state %s", tc.now.Format(time.RFC3339), got, err, tc.want)
		}
	}
}

// TestInventoryWaivers: each waiver is read whole, with its place in
// settings.waivers as its index (a decision shows the same number).
func TestInventoryWaivers(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	inv := map[string]any{"settings": map[string]any{"waivers": []any{
		map[string]any{"rule": "CBR-004", "resources": []any{"bk-1"}, "expires": "2027-01-31T00:00:00Z", "reason": "r0", "approved_by": "a"},
		map[string]any{"rule": "IMS-FE-006", "projects": []any{"p-web"}, "expires": "2026-11-01T00:00:00Z", "reason": "r1", "approved_by": "b"},
	}}}
	got, err := inventoryWaivers(inv, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []waiverStatus{
		{Waiver: evaluator.Waiver{Index: 0, Rule: "CBR-004", Resources: []string{"bk-1"}, Expires: "2027-01-31T00:00:00Z", Reason: "r0", ApprovedBy: "a"},
			State: waiverActive, expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{Waiver: evaluator.Waiver{Index: 1, Rule: "IMS-FE-006", Projects: []string{"p-web"}, Expires: "2026-11-01T00:00:00Z", Reason: "r1", ApprovedBy: "b"},
			State: waiverExpired, expires: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestMatchDecisionLog reads testdata's decision log against its inventory:
// six decisions; a decision counts once on a row however many of its
// reasons the waiver waived (d-5 shows bk-2's twice, d-6 a call's two parts
// on bk-3 and bk-4 under the one waiver naming both).
func TestMatchDecisionLog(t *testing.T) {
	inv, err := evaluator.ReadInventory([]string{"testdata/waivers-inventory.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := inventoryWaivers(inv, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for i := range statuses {
		statuses[i].Matched = &waiverMatches{Requests: []string{}}
	}
	n, err := matchDecisionLog(statuses, "testdata/waivers-decisions.log")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		logged int
		last   string
	}
	var got []row
	for _, s := range statuses {
		got = append(got, row{s.Matched.LoggedDecisions, s.Matched.LastLogged})
	}
	want := []row{
		{0, ""},
		{1, "2026-11-02T08:00:00Z"},
		{3, "2026-10-20T08:00:00.5Z"},
		{1, "2026-11-03T08:00:00Z"},
	}
	if n != 6 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d decisions, rows %+v; want 6, %+v", n, got, want)
	}
}

// TestUnreadableWaiverIsInternal: the evaluator validates the waivers, so
// one that cannot be read afterwards (an expiry that is not a time, a
// waiver of a rule the rulebook does not have) is an internal error (3),
// never bad input (2) nor skipped.
func TestUnreadableWaiverIsInternal(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	waivers := func(w map[string]any) map[string]any {
		return map[string]any{"settings": map[string]any{"waivers": []any{w}}}
	}
	badExpiry := waivers(map[string]any{"rule": "CBR-004", "expires": "soon", "reason": "r", "approved_by": "a"})
	unknownRule := waivers(map[string]any{"rule": "XYZ-001", "expires": "2027-01-31T00:00:00Z", "reason": "r", "approved_by": "a"})
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"bad expiry", func() error { _, err := inventoryWaivers(badExpiry, now); return err }(),
			`inventory /settings/waivers/0, validated, cannot be read: parsing time "soon" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "soon" as "2006"`},
		{"unknown rule", func() error {
			_, err := rulesUnderSettings([]evaluator.Rule{{ID: "CBR-004", Effect: evaluator.EffectDeny}}, unknownRule, now)
			return err
		}(), "inventory /settings/waivers/0: rule XYZ-001 is not in the rulebook, yet the inventory was taken"},
	} {
		coder, ok := tc.err.(interface{ ExitCode() int })
		if !ok || coder.ExitCode() != exitInternal || tc.err.Error() != tc.want {
			t.Errorf("%s: %v; want exit %d, %q", tc.name, tc.err, exitInternal, tc.want)
		}
	}
}
