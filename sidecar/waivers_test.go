package sidecar

import (
	"testing"
)

// TestPutInventoryRefusesBadSettings: a PUT (or PATCH) of an inventory whose
// waivers or enforcement are wrong is a 400 invalid_inventory with each
// problem's pointer, and the last good inventory keeps deciding: its
// waiver still waives. It runs on the shipped rulebook (the test rulebook
// applies no settings): CBR-004 and CBR-001 deny, CBR-005 warns, CBR-006
// notes. Times in answers read TIME (norm).
func TestPutInventoryRefusesBadSettings(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Policies = "" })
	ct := map[string]string{"Content-Type": jsonCT}
	patchCT := map[string]string{"Content-Type": "application/json-patch+json"}
	const (
		waiver = `"expires":"2099-01-01T00:00:00Z","reason":"ticket 4711","approved_by":"cloud-platform-team"`
		good   = `{"settings":{"waivers":[{"rule":"CBR-004",` + waiver + `}],"enforcement":{"CBR-001":"dryrun"}}}`
		// good as GET reads it: keys sorted, times normalized.
		goodGot = `{"settings":{"enforcement":{"CBR-001":"dryrun"},"waivers":[{"approved_by":"cloud-platform-team","expires":"TIME","reason":"ticket 4711","rule":"CBR-004"}]}}`
		// CBR-004's deny under good's waiver.
		waived = `{"allowed":true,"decision_id":"ID","provider":"huaweicloud","operation":"backup.export","reasons":[{"id":"CBR-004","effect":"waived","category":"constraint",` +
			`"message":"backup bk-1 cannot be exported; CBR backups do not support exporting to a local PC",` +
			`"remediation":"To take the data to a local PC, create a system disk or data disk image from the server or disk and export that image instead (full-ECS images cannot be exported either).",` +
			`"source":"Huawei Cloud IMS FAQ, What Are the Differences Between Images and Backups?: Table 1",` +
			`"waiver":{"index":0,"rule":"CBR-004","expires":"TIME","reason":"ticket 4711","approved_by":"cloud-platform-team"}}],"rulebook":{"revision":"REV","rules":54}}`
		rfc3339 = `does not match the expected format: when the waiver stops matching: an RFC 3339 time (TIME)`
		schema  = `{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[`
		book    = `{"code":"invalid_inventory","message":"the inventory's settings do not fit the rulebook","errors":[`
	)
	if got := h.do("PUT", PathInventory, ct, good); got.status != 204 {
		t.Fatalf("PUT the good inventory: %d %s", got.status, got.body)
	}
	check(t, h.post(PathAdmit, reqExport), 200, nil, waived)
	rev := h.s.eval.Load().InventoryRevision()

	cases := []struct {
		name, method string
		header       map[string]string
		body, want   string
	}{
		{"waiver without expiry", "PUT", ct,
			`{"settings":{"waivers":[{"rule":"CBR-004","reason":"ticket 4711","approved_by":"cloud-platform-team"}]}}`,
			schema + `{"pointer":"/settings/waivers/0/expires","message":"missing required property \"expires\"","line":1}]}`},
		{"expiry that is not a time", "PUT", ct,
			`{"settings":{"waivers":[{"rule":"CBR-004","expires":"2099-01-01","reason":"ticket 4711","approved_by":"cloud-platform-team"}]}}`,
			schema + `{"pointer":"/settings/waivers/0/expires","message":"` + rfc3339 + `","line":1}]}`},
		{"waiver of an unknown rule", "PUT", ct,
			`{"settings":{"waivers":[{"rule":"CBR-004",` + waiver + `},{"rule":"CBR-099",` + waiver + `}]}}`,
			book + `{"pointer":"/settings/waivers/1/rule","message":"waiver names rule \"CBR-099\", which the rulebook does not have (imgadmit rules lists them)"}]}`},
		{"waiver of a REQ id", "PUT", ct,
			`{"settings":{"waivers":[{"rule":"REQ-002",` + waiver + `}]}}`,
			book + `{"pointer":"/settings/waivers/0/rule","message":"waiver REQ-002: REQ-001..004 cannot be waived (they say the request or the evaluation is incomplete, not that a rule refuses it)"}]}`},
		{"enforcement other than deny, warn, dryrun", "PUT", ct,
			`{"settings":{"enforcement":{"CBR-004":"off"}}}`,
			schema + `{"pointer":"/settings/enforcement/CBR-004","message":"value must be one of \"deny\", \"warn\", \"dryrun\", but got \"off\"","line":1}]}`},
		{"enforcement of a warn and a note rule", "PUT", ct,
			`{"settings":{"enforcement":{"CBR-006":"warn","CBR-005":"dryrun","CBR-004":"warn"}}}`,
			book + `{"pointer":"/settings/enforcement/CBR-005","message":"enforcement CBR-005: rule CBR-005 warns, it never denies; only a deny can be relaxed"},` +
				`{"pointer":"/settings/enforcement/CBR-006","message":"enforcement CBR-006: rule CBR-006 notes, it never denies; only a deny can be relaxed"}]}`},
		{"enforcement of a REQ id", "PUT", ct,
			`{"settings":{"enforcement":{"REQ-003":"dryrun"}}}`,
			book + `{"pointer":"/settings/enforcement/REQ-003","message":"enforcement REQ-003: REQ-001..004 cannot be relaxed (they say the request or the evaluation is incomplete, not that a rule refuses it)"}]}`},
		{"a patch that adds a REQ waiver", "PATCH", patchCT,
			`[{"op":"add","path":"/settings/waivers/-","value":{"rule":"REQ-004",` + waiver + `}}]`,
			book + `{"pointer":"/settings/waivers/1/rule","message":"waiver REQ-004: REQ-001..004 cannot be waived (they say the request or the evaluation is incomplete, not that a rule refuses it)"}]}`},
		{"a patch that sets a bad expiry", "PATCH", patchCT,
			`[{"op":"replace","path":"/settings/waivers/0/expires","value":"tomorrow"}]`,
			schema + `{"pointer":"/settings/waivers/0/expires","message":"` + rfc3339 + `"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, h.do(tc.method, PathInventory, tc.header, tc.body), 400, map[string]string{"Content-Type": jsonCT}, tc.want)
			// The last good inventory is kept, and decides as before.
			if got := h.s.eval.Load().InventoryRevision(); got != rev {
				t.Errorf("inventory revision %s after a refused %s, want %s", got, tc.method, rev)
			}
			check(t, h.do("GET", PathInventory, nil, ""), 200, nil, `{"result":`+goodGot+`}`)
			check(t, h.post(PathAdmit, reqExport), 200, nil, waived)
		})
	}
}
