package sidecar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestDecisionLog: one line per decision answered, on both endpoints, with
// the request as sent and the decision as answered; errors are not decisions.
func TestDecisionLog(t *testing.T) {
	h := newHarness(t, nil)
	pretty := "{\n  \"provider\": \"huaweicloud\",\n  \"operation\": \"backup.export\",\n  \"params\": {\"backup_id\": \"bk-1\"}\n}"
	answers := []reply{
		h.post(PathAdmit, pretty),
		h.post(PathOPADecide, `{"input":`+reqDelete+`}`),
		h.post(PathAdmit, `{"provider":"huaweicloud"}`),                                     // 400
		h.do("POST", PathAdmit, map[string]string{"Content-Type": "text/plain"}, reqExport), // 415
	}
	lines := h.dlog.lines()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), h.dlog.String())
	}
	host := strings.TrimPrefix(h.ts.URL, "http://")
	host = host[:strings.LastIndexByte(host, ':')]
	for i, want := range []struct {
		path, input, result string
	}{
		{PathAdmit, reqExport, answers[0].body},
		{PathOPADecide, reqDelete, answers[1].body},
	} {
		var rec Record
		dec := json.NewDecoder(strings.NewReader(lines[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, lines[i])
		}
		result, _ := json.Marshal(rec.Result)
		answered := strings.TrimSpace(want.result)
		if want.path == PathOPADecide {
			var r struct{ Result json.RawMessage }
			if err := json.Unmarshal([]byte(want.result), &r); err != nil {
				t.Fatal(err)
			}
			answered = string(r.Result)
		}
		ts, err := time.Parse(time.RFC3339Nano, rec.Timestamp)
		var d evaluator.Decision
		if err := json.Unmarshal(rec.Result, &d); err != nil {
			t.Fatalf("line %d: result: %v", i, err)
		}
		if rec.DecisionID != d.DecisionID || rec.DecisionID != decisionID(t, want.result) ||
			rec.Endpoint != want.path || rec.Path != decisionPath || rec.Labels["id"] == "" || rec.Metrics[timerQueryEval] <= 0 || !strings.HasPrefix(rec.RemoteAddr, host+":") ||
			string(rec.Input) != want.input || string(result) != answered ||
			rec.Revision != h.s.eval.Load().Revision() || rec.LatencyNS <= 0 || rec.Error != "" ||
			err != nil || time.Since(ts) > time.Minute || ts.Location() != time.UTC {
			t.Errorf("line %d: %s\nwant path %s, input %s, result %s", i, lines[i], want.path, want.input, answered)
		}
	}
}

// TestFailClosed: an evaluation past its deadline is a 200 deny with REQ-004,
// logged and counted like any decision.
func TestFailClosed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.EvalTimeout = 50 * time.Millisecond })
	got := h.post(PathAdmit, reqSlow)
	check(t, got, 200, map[string]string{"Content-Type": jsonCT}, `{"allowed":false,"decision_id":"ID","provider":"huaweicloud","operation":"backup.expire","reasons":[`+
		`{"id":"REQ-004","effect":"deny","category":"constraint","message":"the decision could not be made (evaluation stopped: context deadline exceeded); the request is refused",`+
		`"remediation":"Retry the request; if it keeps failing, check the server log and the rulebook revision.","source":"imgadmit: fail closed on evaluation errors (SPEC, The sidecar)"}],`+
		`"rulebook":{"revision":"REV","rules":5}}`)
	got = h.post(PathOPADecide, `{"input":`+reqSlow+`}`)
	if !strings.Contains(got.body, `"id":"REQ-004"`) || got.status != 200 {
		t.Errorf("OPA endpoint: %d %s", got.status, got.body)
	}
	// The deadline is per evaluation: the next request is decided normally.
	check(t, h.post(PathAdmit, reqExport), 200, map[string]string{"Content-Type": jsonCT}, decExport)

	lines := h.dlog.lines()
	if len(lines) != 3 {
		t.Fatalf("%d decision log lines, want 3", len(lines))
	}
	var rec struct {
		Error  string
		Result evaluator.Decision
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Error != "evaluation stopped: context deadline exceeded" || rec.Result.Reasons[0].ID != evaluator.FailClosedID {
		t.Errorf("fail-closed line: %s", lines[0])
	}
	if !strings.Contains(h.logbuf.String(), `"msg":"evaluation failed; the request is refused (fail closed)"`) {
		t.Errorf("server log lacks the failure:\n%s", h.logbuf.String())
	}
	m := h.do("GET", PathMetrics, nil, "").body
	for _, want := range []string{
		`imgadmit_decisions_total{outcome="fail_closed"} 2`,
		`imgadmit_decisions_total{outcome="deny"} 1`,
		`imgadmit_decision_reasons_total{effect="deny",rule_id="REQ-004"} 2`,
		`imgadmit_http_requests_total{endpoint="/v1/admit",outcome="fail_closed"} 1`,
		`imgadmit_http_requests_total{endpoint="/v1/data/imgadmit/decision",outcome="fail_closed"} 1`,
	} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDecisionLogFailures: a full disk or a closed file never drops a
// decision silently: the answer still goes out, the line goes to the server
// log, and the error is counted.
func TestDecisionLogFailures(t *testing.T) {
	closed, err := os.CreateTemp(t.TempDir(), "closed")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	cases := []struct {
		name string
		mod  func(*Config)
		skip bool
	}{
		{"full disk", func(c *Config) { c.DecisionLogWriter = nil; c.DecisionLog = "/dev/full" }, !exists("/dev/full")},
		{"closed file", func(c *Config) { c.DecisionLogWriter = closed }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("no /dev/full here")
			}
			h := newHarness(t, tc.mod)
			got := h.post(PathAdmit, reqExport)
			check(t, got, 200, map[string]string{"Content-Type": jsonCT}, decExport)
			id := decisionID(t, got.body)
			var logged struct {
				Level, Msg, Err string
				DecisionID      string `json:"decision_id"`
				Decision        Record `json:"line"`
			}
			for _, l := range strings.Split(strings.TrimSpace(h.logbuf.String()), "\n") {
				if strings.Contains(l, "decision log write failed") {
					if err := json.Unmarshal([]byte(l), &logged); err != nil {
						t.Fatal(err)
					}
				}
			}
			if logged.Level != "ERROR" || logged.DecisionID != id || logged.Decision.DecisionID != id ||
				string(logged.Decision.Input) != reqExport || logged.Err == "" {
				t.Errorf("server log:\n%s", h.logbuf.String())
			}
			m := h.do("GET", PathMetrics, nil, "").body
			if !strings.Contains(m, "imgadmit_decision_log_errors_total 1\n") || !strings.Contains(m, "imgadmit_decision_log_lines_total 0\n") {
				t.Errorf("metrics:\n%s", grepLines(m, "imgadmit_decision_log"))
			}
		})
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestDecisionLogFile: lines are appended to the file, which only its owner
// can read, and SIGHUP's reopen follows a rotation.
func TestDecisionLogFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "decisions.log")
	h := newHarness(t, func(c *Config) { c.DecisionLogWriter = nil; c.DecisionLog = path })
	h.post(PathAdmit, reqExport)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := h.s.dlog.reopen(); err != nil {
		t.Fatal(err)
	}
	h.post(PathAdmit, reqDelete)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	// After Close, a decision is still answered; its line goes to the server log.
	check(t, h.post(PathAdmit, reqExpire), 200, map[string]string{"Content-Type": jsonCT}, decExpire)
	if !strings.Contains(h.logbuf.String(), `"err":"decision log is closed"`) {
		t.Errorf("server log:\n%s", h.logbuf.String())
	}
	for _, f := range []struct{ name, op string }{{path + ".1", "backup.export"}, {path, "backup.delete"}} {
		b, err := os.ReadFile(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n != 1 || !bytes.Contains(b, []byte(`"operation":"`+f.op+`"`)) {
			t.Errorf("%s: %d lines: %s", f.name, n, b)
		}
		fi, _ := os.Stat(f.name)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f.name, fi.Mode().Perm())
		}
	}
}

// TestInventoryPut: PUT replaces the inventory for the decisions after it; a
// bad one is refused and the previous one keeps serving.
func TestInventoryPut(t *testing.T) {
	h := newHarness(t, nil)
	ct := map[string]string{"Content-Type": jsonCT}
	deleting := `{"resources":{"backups":{"bk-1":{"status":"deleting"}}}}`
	denied := `{"allowed":false,"decision_id":"ID","provider":"huaweicloud","operation":"backup.delete","reasons":[` +
		`{"id":"TEST-003","effect":"deny","category":"lifecycle","message":"backup bk-1 is being deleted","remediation":"Wait for the deletion to finish.","source":"sidecar tests"},` +
		`{"id":"TEST-002","effect":"warn","category":"billing","message":"deleting backup bk-1 stops its billing","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":5}}`

	check(t, h.post(PathAdmit, reqDelete), 200, ct, decDelete)
	check(t, h.do("PUT", PathInventory, ct, deleting), 204, map[string]string{"Content-Type": ""}, "")
	check(t, h.post(PathAdmit, reqDelete), 200, ct, denied)
	check(t, h.do("GET", PathReady, nil, ""), 200, ct,
		`{"status":"ready","revision":"REV","rules":5,"inventory":{"source":"http","updated":"TIME"}}`)
	check(t, h.do("PUT", PathInventory, ct, `{"resources":{"backups":{"bk-1":{"status":"gone"}}}}`), 400, ct,
		`{"code":"invalid_inventory","message":"the inventory does not match its schema","errors":[{"pointer":"/resources/backups/bk-1/status","message":"does not match the expected format: a CBR backup status: available, protecting, deleting, restoring, error, waiting_protect, waiting_delete, waiting_restore, or the console's creating (= protecting) (any case), but got \"gone\"","line":1}]}`)
	check(t, h.post(PathAdmit, reqDelete), 200, ct, denied)
	check(t, h.do("PUT", PathInventory, ct, `{}`), 204, nil, "")
	check(t, h.post(PathAdmit, reqDelete), 200, ct, decDelete)
	m := h.do("GET", PathMetrics, nil, "").body
	for _, want := range []string{`imgadmit_inventory_updates_total{result="success"} 2`, `imgadmit_inventory_updates_total{result="failure"} 1`} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestInventoryPutResponse: a cloud's list response PUT as the inventory
// makes the inventory it says (CBR's ListBackups: bk-1 being deleted), and
// a response that cannot be read keeps the last good inventory.
func TestInventoryPutResponse(t *testing.T) {
	h := newHarness(t, nil)
	ct := map[string]string{"Content-Type": jsonCT}
	listBackups := `{"backups":[{"id":"bk-1","resource_type":"OS::Nova::Server","resource_id":"srv-1","status":"deleting",
	  "extend_info":{"auto_trigger":false,"contain_system_disk":true,"os_images_data":[]}}],"count":1}`
	check(t, h.do("PUT", PathInventory, ct, listBackups), 204, map[string]string{"Content-Type": ""}, "")
	if got := h.post(PathAdmit, reqDelete); !strings.Contains(got.body, `"id":"TEST-003"`) {
		t.Errorf("the response's facts do not decide: %s", got.body)
	}
	bad := h.do("PUT", PathInventory, ct, `{"backups":[{"id":"bk-1","status":7}],"count":1}`)
	if bad.status != 400 || !strings.Contains(bad.body, `"code":"invalid_inventory"`) || !strings.Contains(bad.body, `"/backups/0/status"`) {
		t.Errorf("a response that cannot be read: %d %s", bad.status, bad.body)
	}
	if got := h.post(PathAdmit, reqDelete); !strings.Contains(got.body, `"id":"TEST-003"`) {
		t.Errorf("the last good inventory is gone: %s", got.body)
	}
}

// TestInventoryPutIsAtomic: while PUTs swap between two inventories in which
// bk-a and bk-b always agree, no decision sees them disagree (TEST-004).
func TestInventoryPutIsAtomic(t *testing.T) {
	h := newHarness(t, nil)
	ct := map[string]string{"Content-Type": jsonCT}
	inv := func(status string) string {
		var b strings.Builder
		b.WriteString(`{"resources":{"backups":{"bk-a":{"status":"` + status + `"}`)
		for i := range 200 { // enough keys that a torn copy would show
			fmt.Fprintf(&b, `,"bk-%d":{"status":"%s"}`, i, status)
		}
		b.WriteString(`,"bk-b":{"status":"` + status + `"}}}}`)
		return b.String()
	}
	a, b := inv("available"), inv("error")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 100)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := send(t, h.ts.Client(), "POST", h.ts.URL+PathAdmit, ct, reqDelete)
				if got.status != 200 || strings.Contains(got.body, "TEST-004") {
					select {
					case errs <- got.body:
					default:
					}
				}
			}
		}()
	}
	for i := range 40 {
		body := a
		if i%2 == 1 {
			body = b
		}
		if got := h.do("PUT", PathInventory, ct, body); got.status != 204 {
			t.Fatalf("PUT: %d %s", got.status, got.body)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a decision saw a torn inventory: %s", e)
	}
}

// TestRequestFacts runs the real rulebook: the inventory's facts win over the
// request's, and --trust-request-facts=false ignores the request's.
func TestRequestFacts(t *testing.T) {
	dir := t.TempDir()
	invFile := filepath.Join(dir, "inventory.json")
	writeFile(t, invFile, `{"resources":{"backups":{"bk-7f3a":{"resource_type":"disk"}}}}`)
	req := func(resourceType string) string {
		return `{"provider":"huaweicloud","operation":"image.create","region":"cn-north-4","params":{"name":"web","image_type":"full_ecs",` +
			`"source":{"type":"cbr_backup","id":"bk-7f3a"},"agree_disclaimer":true},` +
			`"resources":{"backups":{"bk-7f3a":{"resource_type":"` + resourceType + `"}}}}`
	}
	no := false
	cases := []struct {
		name string
		mod  func(*Config)
		req  string
		fe1  bool   // IMS-FE-001 denies
		miss string // a REQ-002 message that must be there, if any
	}{
		{"request facts are used", func(c *Config) {}, req("disk"), true, ""},
		{"the inventory wins over the request", func(c *Config) { c.DataFiles = []string{invFile} }, req("server"), true, ""},
		{"request facts ignored", func(c *Config) { c.TrustRequestFacts = &no }, req("disk"), false,
			`nothing is known about backup bk-7f3a (fact \"resource_type\" is needed by IMS-FE-001)`},
		{"request facts ignored, inventory used", func(c *Config) { c.TrustRequestFacts = &no; c.DataFiles = []string{invFile} }, req("server"), true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Policies = ""; tc.mod(c) })
			got := h.post(PathAdmit, tc.req)
			if got.status != 200 || !strings.Contains(got.body, `"allowed":false`) {
				t.Fatalf("%d %s", got.status, got.body)
			}
			if has := strings.Contains(got.body, `"id":"IMS-FE-001","effect":"deny"`); has != tc.fe1 {
				t.Errorf("IMS-FE-001 denies: %v, want %v: %s", has, tc.fe1, got.body)
			}
			if tc.miss != "" && !strings.Contains(got.body, tc.miss) {
				t.Errorf("no %s in %s", tc.miss, got.body)
			}
		})
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
