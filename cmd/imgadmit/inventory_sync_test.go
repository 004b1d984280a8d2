package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch/fetchfake"
)

const (
	syncNorth, syncSouth     = "cn-north-4", "cn-south-1"
	syncNorthPj, syncSouthPj = "0605767a3300d5762fb7c0186d8d2b3b", "1715878b4411e6873fc8d1297e9e3c4c"
)

// syncEnv gives the SDKs dummy credentials from their environment variables
// (as a user would) and no CI, so the commands see what a user's shell has.
func syncEnv(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_AK", "FAKEAKSYNCFAKE000000")
	t.Setenv("HUAWEICLOUD_SDK_SK", "fake-sk")
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "")
	t.Setenv("HUAWEICLOUD_SDK_REGION", "")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "FAKEAKSYNCFAKE000000")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "fake-secret")
	t.Setenv("ALIBABA_CLOUD_REGION_ID", "")
	t.Setenv(envSyncEndpoint, "")
}

// withReader makes sync read responses with read for the test.
func withReader(t *testing.T, read func([]facts.Response) (map[string]any, error)) {
	old := readResponses
	readResponses = read
	t.Cleanup(func() { readResponses = old })
}

func huaweiSyncFake(t *testing.T, faults ...fetchfake.Fault) *fetchfake.Server {
	return fetchfake.New(t, map[string]*fetchfake.Huawei{
		syncNorth: fetchfake.SampleHuawei(syncNorth, syncNorthPj, 3),
		syncSouth: fetchfake.SampleHuawei(syncSouth, syncSouthPj, 3),
	}, map[string]string{syncNorth: syncNorthPj, syncSouth: syncSouthPj}, nil, faults...)
}

func huaweiSyncArgs(f *fetchfake.Server, extra ...string) []string {
	return append([]string{"inventory", "sync", "--provider", "huaweicloud", "--region", syncNorth, "--region", syncSouth,
		"--project", syncNorth + "=" + syncNorthPj, "--project", syncSouth + "=" + syncSouthPj,
		"--endpoint", f.URL(), "--page-size", "2"}, extra...)
}

// answered is the responses the fake answered, decoded and named as sync
// names them: what `inventory import` of the same bodies reads.
func answered(t *testing.T, f *fetchfake.Server, names []string, regionOf func(int) string) []facts.Response {
	t.Helper()
	bodies := f.Answers()
	if len(bodies) != len(names) {
		t.Fatalf("the fake answered %d pages, want %d", len(bodies), len(names))
	}
	var out []facts.Response
	for i, b := range bodies {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		out = append(out, facts.Response{Name: names[i], Doc: doc, Region: regionOf(i)})
	}
	return out
}

// huaweiSyncNames are the pages of three of each, two per page, per region.
func huaweiSyncNames() []string {
	var out []string
	for _, r := range []string{syncNorth, syncSouth} {
		for _, api := range []string{fetch.APIHuaweiPrivateImages, fetch.APIHuaweiSharedImages, fetch.APIHuaweiBackups, fetch.APIHuaweiServers, fetch.APIHuaweiVolumes} {
			out = append(out, fetch.Name(api, r, 1), fetch.Name(api, r, 2))
		}
	}
	return out
}

func decodeInventory(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var inv map[string]any
	if err := dec.Decode(&inv); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	return inv
}

// roundTrip is inv as written and read back.
func roundTrip(t *testing.T, inv map[string]any) map[string]any {
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	return decodeInventory(t, string(b))
}

// The inventory sync writes is the one the same responses make given
// directly, across pages and regions.
func TestInventorySyncWritesWhatTheResponsesMake(t *testing.T) {
	syncEnv(t)
	withReader(t, fetchfake.ReadIDs)
	f := huaweiSyncFake(t)
	code, out, errOut := runCLI(t, "", huaweiSyncArgs(f)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("progress off a terminal: %q", errOut)
	}
	names := huaweiSyncNames()
	want, err := fetchfake.ReadIDs(answered(t, f, names, func(i int) string { return []string{syncNorth, syncSouth}[i/10] }))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeInventory(t, out); !reflect.DeepEqual(got, roundTrip(t, want)) {
		t.Errorf("sync wrote %v\nwant %v", got, want)
	}
	if n := len(want["resources"].(map[string]any)["images"].(map[string]any)); n != 12 {
		t.Errorf("%d images, want 12 (3 private and 3 shared in each of two regions)", n)
	}
	if n := len(f.Calls()); n != 20 {
		t.Errorf("%d calls, want 20: %v", n, f.Calls())
	}
}

// With the real readers: whatever cloudfacts.Inventory makes of the
// responses, sync writes it (or fails with its error, exit 2).
func TestInventorySyncIsCloudfactsInventory(t *testing.T) {
	syncEnv(t)
	f := fetchfake.New(t, nil, nil, map[string]*fetchfake.Alibaba{"cn-hangzhou": fetchfake.SampleAlibaba("cn-hangzhou", 3)})
	code, out, errOut := runCLI(t, "", "inventory", "sync", "--provider", "alibabacloud", "--region", "cn-hangzhou", "--endpoint", f.URL(), "--page-size", "2")
	var names []string
	for _, api := range []string{fetch.APIAlibabaOwnImages, fetch.APIAlibabaSharedImages, fetch.APIAlibabaSnapshots, fetch.APIAlibabaInstances, fetch.APIAlibabaDisks} {
		names = append(names, fetch.Name(api, "cn-hangzhou", 1), fetch.Name(api, "cn-hangzhou", 2))
	}
	want, err := cloudfacts.Inventory(answered(t, f, names, func(int) string { return "cn-hangzhou" }))
	if err != nil {
		t.Fatalf("the real readers cannot read the fake's responses: %v (sync exited %d, said %q)", err, code, errOut)
	}
	if code != 0 || !reflect.DeepEqual(decodeInventory(t, out), roundTrip(t, want)) {
		t.Errorf("exit %d, wrote %s\nwant %v", code, out, want)
	}
}

// A throttled page is retried, and the inventory is the unthrottled one.
func TestInventorySyncAfterThrottling(t *testing.T) {
	syncEnv(t)
	clean := huaweiSyncFake(t)
	code, want, errOut := runCLI(t, "", huaweiSyncArgs(clean)...)
	if code != 0 || !strings.Contains(want, `"backups"`) {
		t.Fatalf("the unthrottled sync, with the real readers: exit %d %s\n%s", code, errOut, want)
	}
	f := huaweiSyncFake(t, fetchfake.HuaweiThrottled(syncSouth, "ListVolumes", 2))
	var waits []time.Duration
	syncSleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	t.Cleanup(func() { syncSleep = nil })
	code, got, errOut := runCLI(t, "", huaweiSyncArgs(f)...)
	if code != 0 || got != want {
		t.Errorf("exit %d %s; wrote\n%s\nwant\n%s", code, errOut, got, want)
	}
	if n := len(f.Calls()); n != 21 {
		t.Errorf("%d calls, want 20 and the retry", n)
	}
	// The default backoff: the first wait is at most half a second.
	if len(waits) != 1 || waits[0] <= 0 || waits[0] > 500*time.Millisecond {
		t.Errorf("waits %v, want one of at most 500ms", waits)
	}
}

// A page refused mid-way: exit 4, the error names provider, region, API and
// page, and nothing is written.
func TestInventorySyncErrorMidway(t *testing.T) {
	syncEnv(t)
	withReader(t, fetchfake.ReadIDs)
	f := huaweiSyncFake(t, fetchfake.Fault{Region: syncSouth, API: "ListBackups", Call: 2, Status: 403,
		Body: `{"error_code":"BackupService.9900","error_msg":"Access denied."}`})
	out := filepath.Join(t.TempDir(), "inventory.json")
	code, stdout, errOut := runCLI(t, "", huaweiSyncArgs(f, "-o", out)...)
	if code != exitUnavailable {
		t.Errorf("exit %d, want %d", code, exitUnavailable)
	}
	if want := "huaweicloud cn-south-1 CBR ListBackups page 2: "; !strings.Contains(errOut, want) || !strings.Contains(errOut, "BackupService.9900") {
		t.Errorf("stderr %q, want it to name %q and the cloud's error code", errOut, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) || stdout != "" {
		t.Errorf("something was written: %v %q", err, stdout)
	}
}

func TestInventorySyncOutputFile(t *testing.T) {
	syncEnv(t)
	withReader(t, fetchfake.ReadIDs)
	f := huaweiSyncFake(t)
	out := filepath.Join(t.TempDir(), "inventory.json")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := runCLI(t, "", huaweiSyncArgs(f, "-o", out)...)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	inv := decodeInventory(t, string(b))
	if _, ok := inv["resources"].(map[string]any)["servers"].(map[string]any)["cn-south-1-srv-003"]; !ok {
		t.Errorf("file %s", b)
	}
}

// An inventory the schema refuses is not written: exit 2.
func TestInventorySyncValidates(t *testing.T) {
	syncEnv(t)
	withReader(t, func([]facts.Response) (map[string]any, error) {
		return map[string]any{"resources": map[string]any{"images": map[string]any{"img-1": map[string]any{"image_type": "bogus"}}}}, nil
	})
	f := huaweiSyncFake(t)
	code, out, errOut := runCLI(t, "", huaweiSyncArgs(f)...)
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "/resources/images/img-1/image_type") {
		t.Errorf("exit %d, wrote %q, said %q", code, out, errOut)
	}
}

func TestInventorySyncUsage(t *testing.T) {
	syncEnv(t)
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no provider, both credentials", nil, []string{"--region", "r"}, "--provider huaweicloud or alibabacloud is needed"},
		{"unknown provider", nil, []string{"--provider", "aws", "--region", "r"}, `--provider "aws"`},
		{"no region", nil, []string{"--provider", "huaweicloud"}, "--region is needed (or HUAWEICLOUD_SDK_REGION)"},
		{"project for alibaba", nil, []string{"--provider", "alibabacloud", "--region", "cn-hangzhou", "--project", "x"}, "Alibaba has none"},
		{"project of another region", nil, []string{"--provider", "huaweicloud", "--region", "a", "--region", "b", "--project", "c=1"}, "c is not a --region"},
		{"project without a region, two regions", nil, []string{"--provider", "huaweicloud", "--region", "a", "--region", "b", "--project", "1"}, "want REGION=PROJECT_ID"},
		{"region twice", nil, []string{"--provider", "huaweicloud", "--region", "a", "--region", "a"}, "given twice"},
		{"page size", nil, []string{"--provider", "huaweicloud", "--region", "a", "--page-size", "500"}, "--page-size 500: want 1 to 100"},
		{"arguments", nil, []string{"--provider", "huaweicloud", "--region", "a", "extra"}, "takes no arguments"},
		{"unknown flag", nil, []string{"--bogus"}, "inventory sync: flag provided but not defined: -bogus"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"inventory", "sync"}, c.args...)...)
			if code != exitInvalid || out != "" || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, c.want)
			}
		})
	}
}

// The environment names the provider, region and project when the flags do not.
func TestSyncFromEnvironment(t *testing.T) {
	syncEnv(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
	t.Setenv("HUAWEICLOUD_SDK_REGION", syncNorth)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", syncNorthPj)
	withReader(t, fetchfake.ReadIDs)
	f := huaweiSyncFake(t)
	t.Setenv(envSyncEndpoint, f.URL())
	code, _, errOut := runCLI(t, "", "inventory", "sync")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if calls := f.Calls(); len(calls) != 5 || !strings.HasPrefix(calls[0], syncNorth+" ListImages") {
		t.Errorf("calls %v, want one page of each list in %s", calls, syncNorth)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, false)
	tg := fetch.Target{Provider: "huaweicloud", Region: syncNorth}
	p.report(fetch.Progress{Target: tg, API: fetch.APIHuaweiBackups, Page: 1, Items: 2, Total: 2})
	p.report(fetch.Progress{Target: tg, API: fetch.APIHuaweiBackups, Page: 2, Retry: 1, Wait: 1500 * time.Millisecond, Err: fmt.Errorf("429 APIGW.0308")})
	p.report(fetch.Progress{Target: tg, API: fetch.APIHuaweiBackups, Page: 2, Items: 1, Total: 3, Done: true})
	p.summary(syncResult{pages: 2, inv: map[string]any{"resources": map[string]any{"backups": map[string]any{"a": map[string]any{}, "b": map[string]any{}, "c": map[string]any{}}}}}, 1234*time.Millisecond, "")
	want := "\r\x1b[Khuaweicloud cn-north-4 CBR ListBackups: 2 so far (page 1)" +
		"\r\x1b[Khuaweicloud cn-north-4 CBR ListBackups page 2: 429 APIGW.0308; retry 1 in 1.5s" +
		"\r\x1b[Khuaweicloud cn-north-4 CBR ListBackups: 3 in 2 pages\n" +
		"3 resources (3 backups) from 2 pages in 1.234s, written to standard output\n"
	if b.String() != want {
		t.Errorf("progress\n%q\nwant\n%q", b.String(), want)
	}
	var q bytes.Buffer
	quiet := newProgress(&q, true)
	quiet.report(fetch.Progress{Target: tg, API: fetch.APIHuaweiBackups, Page: 1, Done: true})
	quiet.summary(syncResult{}, time.Second, "")
	if q.Len() != 0 {
		t.Errorf("quiet progress wrote %q", q.String())
	}
}

// No credentials: nothing can be called, a usage error.
func TestInventorySyncWithoutCredentials(t *testing.T) {
	syncEnv(t)
	t.Setenv("HUAWEICLOUD_SDK_AK", "")
	t.Setenv("HUAWEICLOUD_SDK_SK", "")
	f := huaweiSyncFake(t)
	code, out, errOut := runCLI(t, "", huaweiSyncArgs(f)...)
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "huaweicloud cn-north-4: ims client: credentials from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)") {
		t.Errorf("exit %d, wrote %q, said %q", code, out, errOut)
	}
	if len(f.Calls()) != 0 {
		t.Errorf("calls %v", f.Calls())
	}
}

func TestServeSyncUsage(t *testing.T) {
	syncEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--region", "cn-north-4"}, "--region is a flag of --sync"},
		{[]string{"--sync-interval", "1m"}, "--sync-interval is a flag of --sync"},
		{[]string{"--sync"}, "--provider huaweicloud or alibabacloud is needed"},
		{[]string{"--sync", "--provider", "huaweicloud", "--region", "r", "--sync-interval", "0s"}, "--sync-interval must be positive"},
	} {
		code, _, errOut := runCLI(t, "", append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != exitInvalid || !strings.Contains(errOut, c.want) {
			t.Errorf("serve %v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// With the real Huawei readers: sync of two regions writes the inventory
// cloudfacts.Inventory makes of the same pages, every region from its own.
func TestInventorySyncHuaweiIsCloudfactsInventory(t *testing.T) {
	syncEnv(t)
	f := huaweiSyncFake(t)
	code, out, errOut := runCLI(t, "", huaweiSyncArgs(f)...)
	want, err := cloudfacts.Inventory(answered(t, f, huaweiSyncNames(), func(i int) string { return []string{syncNorth, syncSouth}[i/10] }))
	if err != nil {
		t.Fatalf("the real readers cannot read the fake's responses: %v (sync exited %d, said %q)", err, code, errOut)
	}
	if code != 0 || !reflect.DeepEqual(decodeInventory(t, out), roundTrip(t, want)) {
		t.Errorf("exit %d, wrote %s\nwant %v", code, out, want)
	}
}
