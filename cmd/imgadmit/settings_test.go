package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalRefusesBadSettings: an inventory whose waivers or enforcement are
// wrong (SPEC.md, "Waivers and enforcement") is refused before any request
// is decided: exit 2, nothing on stdout, and on stderr the file and each
// problem's pointer. The schema checks the shapes (with lines); the
// evaluator holds the rule ids to the rulebook.
func TestEvalRefusesBadSettings(t *testing.T) {
	const waiver = "    expires: 2027-01-31T00:00:00Z\n    reason: ticket 4711\n    approved_by: cloud-platform-team\n"
	cases := []struct {
		name, inventory, stderr string
	}{
		{"waiver without expiry",
			"settings:\n  waivers:\n  - rule: CBR-004\n    reason: ticket 4711\n    approved_by: cloud-platform-team\n",
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/waivers/0/expires (line 3): missing required property \"expires\"\n"},
		{"waiver without reason and approver",
			"settings:\n  waivers:\n  - rule: CBR-004\n    expires: 2027-01-31T00:00:00Z\n",
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/waivers/0/approved_by (line 3): missing required property \"approved_by\"\n" +
				"  /settings/waivers/0/reason (line 3): missing required property \"reason\"\n"},
		{"expiry that is not a time",
			"settings:\n  waivers:\n  - rule: CBR-004\n    expires: end of January\n    reason: ticket 4711\n    approved_by: cloud-platform-team\n",
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/waivers/0/expires (line 4): does not match the expected format: when the waiver stops matching: an RFC 3339 time (2027-01-31T00:00:00Z)\n"},
		{"expiry on a day that does not exist",
			"settings:\n  waivers:\n  - rule: CBR-004\n    expires: 2027-02-30T00:00:00Z\n    reason: ticket 4711\n    approved_by: cloud-platform-team\n",
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/waivers/0/expires (line 4): does not match the expected format: when the waiver stops matching: an RFC 3339 time (2027-01-31T00:00:00Z)\n"},
		{"waiver of an unknown rule",
			"settings:\n  waivers:\n  - rule: CBR-099\n" + waiver,
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/waivers/0/rule: waiver names rule \"CBR-099\", which the rulebook does not have (imgadmit rules lists them)\n"},
		{"waiver of something that is not a rule id",
			"settings:\n  waivers:\n  - rule: cbr-004\n" + waiver,
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/waivers/0/rule (line 3): does not match the expected format: the rule id whose deny is waived (IMS-FE-011)\n"},
		{"waiver of a REQ id",
			"settings:\n  waivers:\n  - rule: CBR-004\n" + waiver + "  - rule: REQ-002\n" + waiver,
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/waivers/1/rule: waiver REQ-002: REQ-001..004 cannot be waived (they say the request or the evaluation is incomplete, not that a rule refuses it)\n"},
		{"waiver of a rule that never denies",
			"settings:\n  waivers:\n  - rule: CBR-005\n" + waiver,
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/waivers/0/rule: waiver of CBR-005: rule CBR-005 warns, it never denies; a waiver waives a deny\n"},
		{"enforcement other than deny, warn, dryrun",
			"settings:\n  enforcement:\n    CBR-004: audit\n",
			"imgadmit: INV: the inventory does not match its schema\n" +
				"  /settings/enforcement/CBR-004 (line 3): value must be one of \"deny\", \"warn\", \"dryrun\", but got \"audit\"\n"},
		{"enforcement of a REQ id",
			"settings:\n  enforcement:\n    REQ-001: dryrun\n",
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/enforcement/REQ-001: enforcement REQ-001: REQ-001..004 cannot be relaxed (they say the request or the evaluation is incomplete, not that a rule refuses it)\n"},
		{"enforcement of an unknown rule",
			"settings:\n  enforcement:\n    IMS-FE-099: warn\n",
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/enforcement/IMS-FE-099: enforcement names rule \"IMS-FE-099\", which the rulebook does not have (imgadmit rules lists them)\n"},
		{"enforcement of a warn and a note rule",
			"settings:\n  enforcement:\n    IMS-FE-014: warn\n    CBR-005: dryrun\n    CBR-004: dryrun\n",
			"imgadmit: INV: the inventory's settings do not fit the rulebook\n" +
				"  /settings/enforcement/CBR-005: enforcement CBR-005: rule CBR-005 warns, it never denies; only a deny can be relaxed\n" +
				"  /settings/enforcement/IMS-FE-014: enforcement IMS-FE-014: rule IMS-FE-014 notes, it never denies; only a deny can be relaxed\n"},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := filepath.Join(dir, fmt.Sprintf("inventory-%d.yaml", i))
			if err := os.WriteFile(inv, []byte(tc.inventory), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, "", "eval", now, "--data", inv, "testdata/allowed.json")
			stderr = strings.ReplaceAll(stderr, inv, "INV")
			if code != exitInvalid || stdout != "" || stderr != tc.stderr {
				t.Errorf("exit %d\n--- stdout\n%s--- stderr\n%s--- want exit %d, no stdout, stderr\n%s", code, stdout, stderr, exitInvalid, tc.stderr)
			}
		})
	}
}

// TestEvalNamesEveryDataFile: the settings are held to the rulebook once the
// --data files are merged, so an error there names them all.
func TestEvalNamesEveryDataFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(a, []byte("settings:\n  missing_facts: deny\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("settings:\n  enforcement:\n    REQ-002: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "eval", now, "--data", a, "--data", b, "testdata/allowed.json")
	want := "imgadmit: " + a + ", " + b + ": the inventory's settings do not fit the rulebook\n" +
		"  /settings/enforcement/REQ-002: enforcement REQ-002: REQ-001..004 cannot be relaxed (they say the request or the evaluation is incomplete, not that a rule refuses it)\n"
	if code != exitInvalid || stdout != "" || stderr != want {
		t.Errorf("exit %d\n--- stdout\n%s--- stderr\n%s--- want\n%s", code, stdout, stderr, want)
	}
}
