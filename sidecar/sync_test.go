package sidecar

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch/fetchfake"
)

const (
	syncRegion  = "cn-north-4"
	syncProject = "0605767a3300d5762fb7c0186d8d2b3b"
)

// fakeSync is serve --sync against a fake of the Huawei APIs: the real SDK
// clients, fetch, and fetchfake.ReadIDs in place of the response readers.
func fakeSync(t *testing.T, faults ...fetchfake.Fault) SyncFunc {
	data := fetchfake.SampleHuawei(syncRegion, syncProject, 3)
	// bk-1 is the backup the test rulebook's requests name: available in the cloud.
	data.Backups = append(data.Backups, cbrmodel.BackupResp{Id: "bk-1", ResourceType: "OS::Nova::Server",
		Status: cbrmodel.GetBackupRespStatusEnum().AVAILABLE})
	f := fetchfake.New(t, map[string]*fetchfake.Huawei{syncRegion: data}, map[string]string{syncRegion: syncProject}, nil, faults...)
	targets := []fetch.Target{{Provider: fetch.Huawei, Region: syncRegion, Project: syncProject}}
	opts := fetch.Options{Endpoint: f.URL(), Transport: f.Transport(), PageSize: 2,
		Credentials: &fetch.Credentials{AccessKey: "FAKEAKSIDECARSYNC000", SecretKey: "fake"},
		Sleep:       func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	return func(ctx context.Context) (map[string]any, error) {
		responses, err := fetch.Fetch(ctx, targets, opts)
		if err != nil {
			return nil, err
		}
		return fetchfake.ReadIDs(responses)
	}
}

func (h *harness) readySync() syncStatus {
	h.t.Helper()
	got := h.do("GET", PathReady, nil, "")
	var body readyBody
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || body.Sync == nil {
		h.t.Fatalf("ready: %d %s", got.status, got.body)
	}
	return *body.Sync
}

func (h *harness) metricsHave(want ...string) {
	h.t.Helper()
	m := h.do("GET", PathMetrics, nil, "").body
	for _, w := range want {
		if !strings.Contains(m, w+"\n") {
			h.t.Errorf("metrics lack %s", w)
		}
	}
}

// TestSync: a sync's resources go over the files'; a sync that fails
// mid-way keeps the last good inventory, and /health/ready and /metrics say
// so; a reload of the files keeps the synced resources over them.
func TestSync(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.json")
	// bk-1 being deleted (TEST-003 denies its deletion), and a file-only backup.
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting","resource_type":"server"},"bk-file":{"status":"available"}}}}`)
	// ECS has two pages per sync: the second sync's second page (call 4) is refused.
	sync := fakeSync(t, fetchfake.Fault{Region: syncRegion, API: "ListServersDetails", Call: 4, Status: 403,
		Body: `{"error":{"code":"Ecs.0319","message":"Policy doesn't allow ecs:cloudServers:list to be performed."}}`})
	h := newHarness(t, func(c *Config) { c.DataFiles = []string{inv}; c.Sync = sync; c.SyncInterval = time.Hour })
	ct := map[string]string{"Content-Type": jsonCT}
	denied := `{"allowed":false,"decision_id":"ID","provider":"huaweicloud","operation":"backup.delete","reasons":[` +
		`{"id":"TEST-003","effect":"deny","category":"lifecycle","message":"backup bk-1 is being deleted","remediation":"Wait for the deletion to finish.","source":"sidecar tests"},` +
		`{"id":"TEST-002","effect":"warn","category":"billing","message":"deleting backup bk-1 stops its billing","source":"sidecar tests"}],"rulebook":{"revision":"REV","rules":5}}`

	check(t, h.post(PathAdmit, reqDelete), 200, ct, denied)
	if st := h.readySync(); st.Time != "" || st.OK || st.Interval != "1h0m0s" {
		t.Errorf("sync status before the first: %+v", st)
	}
	h.metricsHave(`imgadmit_syncs_total{result="success"} 0`, `imgadmit_syncs_total{result="failure"} 0`)

	// The first sync: bk-1 is available in the cloud, and the cloud wins.
	if err := h.s.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	check(t, h.post(PathAdmit, reqDelete), 200, ct, decDelete)
	good := h.s.eval.Load().InventoryRevision()
	st := h.readySync()
	// 3 private + 3 shared images, 4 backups, 3 servers, 3 volumes.
	if !st.OK || st.Resources != 16 || st.Error != "" || st.LastSuccess != st.Time {
		t.Errorf("after a good sync: %+v", st)
	}
	// The file's facts the cloud has no say on stay: bk-1's resource_type, bk-file.
	backups := h.s.syncInv["resources"].(map[string]any)["backups"].(map[string]any)
	if _, ok := backups["bk-file"]; ok {
		t.Errorf("the synced inventory holds a file's backup")
	}
	h.metricsHave(`imgadmit_syncs_total{result="success"} 1`, `imgadmit_sync_last_success 1`, `imgadmit_sync_resources 16`)
	if !strings.Contains(h.dlog.String(), `"event":"inventory","time":`) || !strings.Contains(h.dlog.String(), `"source":"sync","requested_by":"--sync"`) {
		t.Errorf("no inventory event for the sync in the decision log:\n%s", h.dlog.String())
	}
	ready := h.do("GET", PathReady, nil, "").body
	if !strings.Contains(ready, `"inventory":{"source":"sync"`) {
		t.Errorf("ready %s", ready)
	}

	// The second sync fails mid-way: the last good inventory keeps serving.
	err := h.s.SyncNow(context.Background())
	if err == nil || !strings.Contains(err.Error(), "huaweicloud cn-north-4 ECS ListServersDetails page 2: ") {
		t.Fatalf("error %v", err)
	}
	if rev := h.s.eval.Load().InventoryRevision(); rev != good {
		t.Errorf("a failed sync changed the inventory")
	}
	check(t, h.post(PathAdmit, reqDelete), 200, ct, decDelete)
	failed := h.readySync()
	if failed.OK || !strings.Contains(failed.Error, "ECS ListServersDetails page 2") || !strings.Contains(failed.Error, "Ecs.0319") ||
		failed.Resources != 16 || failed.LastSuccess != st.LastSuccess || failed.Time == st.Time {
		t.Errorf("after a failed sync: %+v (the good one: %+v)", failed, st)
	}
	h.metricsHave(`imgadmit_syncs_total{result="success"} 1`, `imgadmit_syncs_total{result="failure"} 1`,
		`imgadmit_sync_last_success 0`, `imgadmit_sync_resources 16`, `imgadmit_sync_duration_seconds_count{result="failure"} 1`)
	if !strings.Contains(h.logbuf.String(), "sync failed; the last good inventory keeps serving") {
		t.Errorf("server log:\n%s", h.logbuf.String())
	}

	// A reload of the files keeps the last good sync over them.
	writeFile(t, inv, `{"resources":{"backups":{"bk-1":{"status":"deleting"},"bk-2":{"status":"deleting"}}}}`)
	if err := h.s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	check(t, h.post(PathAdmit, reqDelete), 200, ct, decDelete)
	if _, ok := h.s.fileInv.Resource("backups", "bk-2"); !ok {
		t.Errorf("the reloaded files are not the files' inventory")
	}

	// The third sync succeeds again.
	if err := h.s.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := h.readySync(); !st.OK || st.Error != "" {
		t.Errorf("after a good sync again: %+v", st)
	}
	h.metricsHave(`imgadmit_syncs_total{result="success"} 2`, `imgadmit_sync_last_success 1`)
}

func TestOverlay(t *testing.T) {
	base := map[string]any{"settings": map[string]any{"missing_facts": "warn"},
		"resources": map[string]any{"backups": map[string]any{"bk-1": map[string]any{"status": "deleting", "resource_type": "server"}}}}
	over := map[string]any{"resources": map[string]any{"backups": map[string]any{"bk-1": map[string]any{"status": "available"}},
		"servers": map[string]any{"s-1": map[string]any{"region": "r"}}}}
	got, _ := json.Marshal(overlay(base, over))
	want := `{"resources":{"backups":{"bk-1":{"resource_type":"server","status":"available"}},"servers":{"s-1":{"region":"r"}}},"settings":{"missing_facts":"warn"}}`
	if string(got) != want {
		t.Errorf("overlay = %s\nwant %s", got, want)
	}
	if b, _ := json.Marshal(base); !strings.Contains(string(b), `"status":"deleting"`) {
		t.Errorf("overlay changed its base: %s", b)
	}
	if overlay(nil, nil) != nil || len(overlay(nil, over)) != 1 {
		t.Errorf("overlay of nothing")
	}
}

// The loop syncs at once, then an interval after each sync, and stops with
// its context.
func TestSyncLoop(t *testing.T) {
	var n atomic.Int32
	h := newHarness(t, func(c *Config) {
		c.SyncInterval = 5 * time.Millisecond
		c.Sync = func(context.Context) (map[string]any, error) {
			n.Add(1)
			return map[string]any{"resources": map[string]any{}}, nil
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	h.s.startSyncer(ctx, done)
	eventually(t, "three syncs", func() bool { return n.Load() >= 3 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sync loop did not stop")
	}
}

// TestSyncKeepsFirstSeen: an overdue payment is dated when a sync first saw
// it; later syncs, and the first sync after a restart (the --data file an
// earlier sync wrote), keep that date, so ECS-IMG-005's fifteen days pass.
func TestSyncKeepsFirstSeen(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.json")
	writeFile(t, inv, `{"resources":{"servers":{"i-1":{"payment_overdue_since":"2026-11-01T00:00:00Z"}}}}`)
	dates := []string{"2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"}
	calls := 0
	sync := func(context.Context) (map[string]any, error) {
		d := dates[min(calls, len(dates)-1)]
		calls++
		return map[string]any{"resources": map[string]any{"servers": map[string]any{
			"i-1": map[string]any{"payment_overdue_since": d, "status": "Stopped"},
			"i-2": map[string]any{"payment_overdue_since": d},
		}}}, nil
	}
	h := newHarness(t, func(c *Config) { c.DataFiles = []string{inv}; c.Sync = sync; c.SyncInterval = time.Hour })
	since := func(id string) any {
		return servingFact(t, h, "servers", id, "payment_overdue_since")
	}
	for i := range 2 {
		if err := h.s.SyncNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := since("i-1"); got != "2026-11-01T00:00:00Z" {
			t.Errorf("sync %d: i-1 overdue since %v, want the file's earlier date", i+1, got)
		}
		if got := since("i-2"); got != "2026-11-20T00:00:00Z" {
			t.Errorf("sync %d: i-2 overdue since %v, want the first sync's date", i+1, got)
		}
	}
}

// TestPutKeepsFirstSeen: an inventory PUT (a DescribeInstances response
// read anew, say) keeps an overdue payment's first date too.
func TestPutKeepsFirstSeen(t *testing.T) {
	h := newHarness(t, nil)
	ct := map[string]string{"Content-Type": jsonCT}
	for _, d := range []string{"2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z"} {
		if got := h.do("PUT", PathInventory, ct, `{"resources":{"servers":{"i-1":{"payment_overdue_since":"`+d+`"}}}}`); got.status != 204 {
			t.Fatalf("PUT: %d %s", got.status, got.body)
		}
	}
	since := func() any {
		return servingFact(t, h, "servers", "i-1", "payment_overdue_since")
	}
	if got := since(); got != "2026-11-01T00:00:00Z" {
		t.Errorf("after a PUT: overdue since %v, want the first date", got)
	}
	// A change below the root keeps it too.
	patch := map[string]string{"Content-Type": "application/json-patch+json"}
	if got := h.do("PATCH", PathInventory+"/resources/servers/i-1", patch,
		`[{"op":"replace","path":"/payment_overdue_since","value":"2026-11-25T00:00:00Z"}]`); got.status != 204 {
		t.Fatalf("PATCH: %d %s", got.status, got.body)
	}
	if got := since(); got != "2026-11-01T00:00:00Z" {
		t.Errorf("after a PATCH: overdue since %v, want the first date", got)
	}
}

// servingFact is a fact of the inventory the server decides with now.
func servingFact(t *testing.T, h *harness, kind, id, field string) any {
	t.Helper()
	inv, _ := h.s.eval.Load().InventorySnapshot()
	v, _, err := inv.Value([]string{"resources", kind, id, field})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
