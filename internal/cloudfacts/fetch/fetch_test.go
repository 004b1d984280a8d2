package fetch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch/fetchfake"
)

const (
	north, south     = "cn-north-4", "cn-south-1"
	northPj, southPj = "0605767a3300d5762fb7c0186d8d2b3b", "1715878b4411e6873fc8d1297e9e3c4c"
	hangzhou         = "cn-hangzhou"
)

var projects = map[string]string{north: northPj, south: southPj}

// sleeps records the waits Fetch asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func options(f *fetchfake.Server, pageSize int, sl *sleeps) fetch.Options {
	return fetch.Options{
		Endpoint: f.URL(), PageSize: pageSize, Transport: f.Transport(), Timeout: 5 * time.Second,
		Credentials: &fetch.Credentials{AccessKey: "FAKEAKFETCHFAKE00000", SecretKey: "fake-secret"},
		Backoff:     func(n int) time.Duration { return time.Duration(n) * time.Second },
		Sleep:       sl.sleep,
	}
}

func huaweiFake(t *testing.T, n int, faults ...fetchfake.Fault) *fetchfake.Server {
	return fetchfake.New(t, map[string]*fetchfake.Huawei{
		north: fetchfake.SampleHuawei(north, northPj, n),
		south: fetchfake.SampleHuawei(south, southPj, n),
	}, projects, nil, faults...)
}

func alibabaFake(t *testing.T, n int, faults ...fetchfake.Fault) *fetchfake.Server {
	return fetchfake.New(t, nil, nil, map[string]*fetchfake.Alibaba{hangzhou: fetchfake.SampleAlibaba(hangzhou, n)}, faults...)
}

var huaweiTargets = []fetch.Target{{Provider: fetch.Huawei, Region: north, Project: northPj}, {Provider: fetch.Huawei, Region: south, Project: southPj}}
var alibabaTargets = []fetch.Target{{Provider: fetch.Alibaba, Region: hangzhou}}

// Five of each, two per page: every list takes three pages (ECS and CBR stop
// at the count the response states; the marker lists at the short page).
var huaweiCalls = func() []string {
	var out []string
	for _, r := range []struct{ region, p string }{{north, "cn-north-4"}, {south, "cn-south-1"}} {
		for _, kind := range []string{"private", "shared"} {
			prefix := r.p + "-img-"
			if kind == "shared" {
				prefix = r.p + "-shared-"
			}
			out = append(out,
				r.region+" ListImages __imagetype="+kind+"&limit=2",
				r.region+" ListImages __imagetype="+kind+"&limit=2&marker="+prefix+"002",
				r.region+" ListImages __imagetype="+kind+"&limit=2&marker="+prefix+"004")
		}
		for _, off := range []string{"0", "2", "4"} {
			out = append(out, r.region+" ListBackups limit=2&offset="+off+"&own_type=all_granted")
		}
		for _, page := range []string{"1", "2", "3"} {
			out = append(out, r.region+" ListServersDetails limit=2&offset="+page)
		}
		out = append(out,
			r.region+" ListVolumes limit=2",
			r.region+" ListVolumes limit=2&marker="+r.p+"-vol-002",
			r.region+" ListVolumes limit=2&marker="+r.p+"-vol-004")
	}
	return out
}()

var huaweiNames = func() []string {
	var out []string
	for _, region := range []string{north, south} {
		for _, api := range []string{fetch.APIHuaweiPrivateImages, fetch.APIHuaweiSharedImages, fetch.APIHuaweiBackups, fetch.APIHuaweiServers, fetch.APIHuaweiVolumes} {
			for page := 1; page <= 3; page++ {
				out = append(out, fetch.Name(api, region, page))
			}
		}
	}
	return out
}()

const aliImageStatus = "&Status=Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

var alibabaCalls = []string{
	"cn-hangzhou DescribeImages ImageOwnerAlias=self&PageNumber=1&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeImages ImageOwnerAlias=self&PageNumber=2&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeImages ImageOwnerAlias=self&PageNumber=3&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeImages ImageOwnerAlias=others&PageNumber=1&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeImages ImageOwnerAlias=others&PageNumber=2&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeImages ImageOwnerAlias=others&PageNumber=3&PageSize=2" + aliImageStatus,
	"cn-hangzhou DescribeSnapshots MaxResults=2",
	"cn-hangzhou DescribeSnapshots MaxResults=2&NextToken=tok-2",
	"cn-hangzhou DescribeSnapshots MaxResults=2&NextToken=tok-4",
	"cn-hangzhou DescribeInstances MaxResults=2",
	"cn-hangzhou DescribeInstances MaxResults=2&NextToken=tok-2",
	"cn-hangzhou DescribeInstances MaxResults=2&NextToken=tok-4",
	"cn-hangzhou DescribeDisks MaxResults=2",
	"cn-hangzhou DescribeDisks MaxResults=2&NextToken=tok-2",
	"cn-hangzhou DescribeDisks MaxResults=2&NextToken=tok-4",
}

var alibabaNames = func() []string {
	var out []string
	for _, api := range []string{fetch.APIAlibabaOwnImages, fetch.APIAlibabaSharedImages, fetch.APIAlibabaSnapshots, fetch.APIAlibabaInstances, fetch.APIAlibabaDisks} {
		for page := 1; page <= 3; page++ {
			out = append(out, fetch.Name(api, hangzhou, page))
		}
	}
	return out
}()

func names(rs []facts.Response) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// direct is the responses the fake answered, decoded, named as given, with
// their region: what `inventory import` of those bodies reads.
func direct(t *testing.T, f *fetchfake.Server, names []string, region func(int) string) []facts.Response {
	t.Helper()
	bodies := f.Answers()
	if len(bodies) != len(names) {
		t.Fatalf("the fake answered %d pages, want %d", len(bodies), len(names))
	}
	out := make([]facts.Response, len(bodies))
	for i, b := range bodies {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		out[i] = facts.Response{Name: names[i], Doc: doc, Region: region(i)}
	}
	return out
}

// repeated is calls with calls[i] asked for again extra[i] more times.
func repeated(calls []string, extra map[int]int) []string {
	var out []string
	for i, c := range calls {
		for range 1 + extra[i] {
			out = append(out, c)
		}
	}
	return out
}

func equalLists(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %d: %s\nwant %d: %s", what, len(got), strings.Join(got, "\n     "), len(want), strings.Join(want, "\n     "))
	}
}

// sameInventory asserts that cloudfacts.Inventory reads both response sets
// the same way (an inventory, or the same error): whatever the readers make
// of them, sync and import agree.
func sameInventory(t *testing.T, got, want []facts.Response) {
	t.Helper()
	gi, gerr := cloudfacts.Inventory(got)
	wi, werr := cloudfacts.Inventory(want)
	if !reflect.DeepEqual(gi, wi) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Errorf("cloudfacts.Inventory of the fetched pages = %v, %v;\nof the same responses given directly = %v, %v", gi, gerr, wi, werr)
	}
}

func TestHuaweiEveryPageInOrderOnce(t *testing.T) {
	f := huaweiFake(t, 5)
	var sl sleeps
	got, err := fetch.Fetch(context.Background(), huaweiTargets, options(f, 2, &sl))
	if err != nil {
		t.Fatal(err)
	}
	equalLists(t, "calls", f.Calls(), huaweiCalls)
	equalLists(t, "responses", names(got), huaweiNames)
	want := direct(t, f, huaweiNames, func(i int) string { return []string{north, south}[i/15] })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the responses fetched are not the bodies the fake sent")
	}
	sameInventory(t, got, want)
	// The raw body keeps what the typed SDK model drops.
	img := got[0].Doc["images"].([]any)[0].(map[string]any)
	if img["__whole_image"] != "true" || img["id"] != "cn-north-4-img-001" {
		t.Errorf("first image %v: want cn-north-4-img-001 with __whole_image \"true\"", img)
	}
	if len(sl.d) != 0 {
		t.Errorf("waited %v without throttling", sl.d)
	}
}

func TestAlibabaEveryPageInOrderOnce(t *testing.T) {
	f := alibabaFake(t, 5)
	var sl sleeps
	got, err := fetch.Fetch(context.Background(), alibabaTargets, options(f, 2, &sl))
	if err != nil {
		t.Fatal(err)
	}
	equalLists(t, "calls", f.Calls(), alibabaCalls)
	equalLists(t, "responses", names(got), alibabaNames)
	want := direct(t, f, alibabaNames, func(int) string { return hangzhou })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the responses fetched are not the bodies the fake sent")
	}
	sameInventory(t, got, want)
	if exp := got[9].Doc["Instances"].(map[string]any)["Instance"].([]any)[0].(map[string]any)["ExpiredTime"]; exp != "2099-12-31T15:59Z" {
		t.Errorf("ExpiredTime %v, want the cloud's own 2099-12-31T15:59Z", exp)
	}
}

// A page exactly as long as the page size, and the last: the count the
// response states ends CBR and ECS without asking for an empty page; the
// marker lists ask once more and get an empty page.
func TestExactPages(t *testing.T) {
	f := huaweiFake(t, 4)
	var sl sleeps
	got, err := fetch.Fetch(context.Background(), huaweiTargets[:1], options(f, 2, &sl))
	if err != nil {
		t.Fatal(err)
	}
	var counts []string
	per := map[string]int{}
	for _, c := range f.Calls() {
		per[strings.Fields(c)[1]]++
	}
	for _, api := range []string{"ListImages", "ListBackups", "ListServersDetails", "ListVolumes"} {
		counts = append(counts, fmt.Sprintf("%s %d", api, per[api]))
	}
	equalLists(t, "calls per API", counts, []string{"ListImages 6", "ListBackups 2", "ListServersDetails 2", "ListVolumes 3"})
	if len(got) != 13 {
		t.Errorf("%d responses, want 13", len(got))
	}
}

// Throttled answers are retried after a backoff, and the result is the
// unthrottled one: the same pages, the same responses.
func TestThrottledRetryGivesTheSameResult(t *testing.T) {
	t.Run("huaweicloud", func(t *testing.T) {
		clean := huaweiFake(t, 5)
		var sl0 sleeps
		want, err := fetch.Fetch(context.Background(), huaweiTargets, options(clean, 2, &sl0))
		if err != nil {
			t.Fatal(err)
		}
		f := huaweiFake(t, 5,
			fetchfake.HuaweiThrottled(north, "ListBackups", 2),
			fetchfake.HuaweiThrottled(north, "ListBackups", 3),
			fetchfake.Fault{Region: south, API: "ListImages", Call: 1, Status: 503, Body: `{"error_code":"IMS.0001","error_msg":"service unavailable"}`})
		var sl sleeps
		got, err := fetch.Fetch(context.Background(), huaweiTargets, options(f, 2, &sl))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after throttling: %v\nwant %v", names(got), names(want))
		}
		// The throttled page is asked for again, with the same parameters.
		calls := f.Calls()
		// north ListBackups page 2 (the 8th call) twice more, south's first ListImages (the 16th) once more.
		wantCalls := repeated(huaweiCalls, map[int]int{7: 2, 15: 1})
		equalLists(t, "calls", calls, wantCalls)
		if !reflect.DeepEqual(sl.d, []time.Duration{time.Second, 2 * time.Second, time.Second}) {
			t.Errorf("waits %v, want the backoff's 1s, 2s (two throttles in a row) and 1s", sl.d)
		}
	})
	t.Run("alibabacloud", func(t *testing.T) {
		clean := alibabaFake(t, 5)
		var sl0 sleeps
		want, err := fetch.Fetch(context.Background(), alibabaTargets, options(clean, 2, &sl0))
		if err != nil {
			t.Fatal(err)
		}
		f := alibabaFake(t, 5, fetchfake.AlibabaThrottled(hangzhou, "DescribeInstances", 2),
			fetchfake.Fault{Region: hangzhou, API: "DescribeImages", Call: 1, Status: 503,
				Body: `{"RequestId":"x","Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server."}`})
		var sl sleeps
		got, err := fetch.Fetch(context.Background(), alibabaTargets, options(f, 2, &sl))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after throttling: %v\nwant %v", names(got), names(want))
		}
		wantCalls := repeated(alibabaCalls, map[int]int{0: 1, 10: 1})
		equalLists(t, "calls", f.Calls(), wantCalls)
		if len(sl.d) != 2 {
			t.Errorf("waits %v, want two", sl.d)
		}
	})
}

// Retries are bounded: past MaxRetries the page is an error naming it.
func TestRetriesAreBounded(t *testing.T) {
	f := alibabaFake(t, 5,
		fetchfake.AlibabaThrottled(hangzhou, "DescribeDisks", 2),
		fetchfake.AlibabaThrottled(hangzhou, "DescribeDisks", 3),
		fetchfake.AlibabaThrottled(hangzhou, "DescribeDisks", 4))
	var sl sleeps
	o := options(f, 2, &sl)
	o.MaxRetries = 2
	got, err := fetch.Fetch(context.Background(), alibabaTargets, o)
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a *fetch.Error", err)
	}
	if fe.Target.Provider != fetch.Alibaba || fe.Target.Region != hangzhou || fe.API != fetch.APIAlibabaDisks || fe.Page != 2 || fe.Retries != 2 {
		t.Errorf("error %+v, want alibabacloud cn-hangzhou DescribeDisks page 2 after 2 retries", fe)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "alibabacloud cn-hangzhou ECS DescribeDisks page 2: ") || !strings.Contains(msg, "Throttling.User") || !strings.HasSuffix(msg, "(after 2 retries)") {
		t.Errorf("message %q", msg)
	}
	// Every page before the failed one is kept.
	if len(got) != 13 || got[12].Name != fetch.Name(fetch.APIAlibabaDisks, hangzhou, 1) {
		t.Errorf("kept %v", names(got))
	}
}

// An error that is not throttling stops that list at once, names it, and the
// other lists and regions are still fetched.
func TestErrorMidway(t *testing.T) {
	f := huaweiFake(t, 5, fetchfake.Fault{Region: north, API: "ListServersDetails", Call: 2, Status: 403,
		Body: `{"error":{"code":"Ecs.0319","message":"Policy doesn't allow ecs:cloudServers:list to be performed."}}`})
	var sl sleeps
	got, err := fetch.Fetch(context.Background(), huaweiTargets, options(f, 2, &sl))
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a *fetch.Error", err)
	}
	if fe.Target.Provider != fetch.Huawei || fe.Target.Region != north || fe.API != fetch.APIHuaweiServers || fe.Page != 2 || fe.Retries != 0 {
		t.Errorf("error %+v", fe)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "huaweicloud cn-north-4 ECS ListServersDetails page 2: ") || !strings.Contains(msg, "Ecs.0319") {
		t.Errorf("message %q", msg)
	}
	var wantNames []string
	for _, n := range huaweiNames {
		if n != fetch.Name(fetch.APIHuaweiServers, north, 2) && n != fetch.Name(fetch.APIHuaweiServers, north, 3) {
			wantNames = append(wantNames, n)
		}
	}
	equalLists(t, "responses", names(got), wantNames)
	if len(sl.d) != 0 {
		t.Errorf("a refusal was retried: %v", sl.d)
	}
}

// Cancelling the context stops the fetch, even while it waits to retry.
func TestCancelDuringBackoff(t *testing.T) {
	f := huaweiFake(t, 5, fetchfake.HuaweiThrottled(north, "ListImages", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := options(f, 2, nil)
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	_, err := fetch.Fetch(ctx, huaweiTargets, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d calls after cancelling, want 1: %v", n, f.Calls())
	}
}

func TestBackoff(t *testing.T) {
	for n := 1; n <= 12; n++ {
		limit := 30 * time.Second
		if n < 7 {
			limit = min(500*time.Millisecond<<(n-1), limit)
		}
		for range 50 {
			if d := fetch.Backoff(n); d <= 0 || d > limit {
				t.Fatalf("Backoff(%d) = %v, want (0, %v]", n, d, limit)
			}
		}
	}
}

func TestUnknownProvider(t *testing.T) {
	_, err := fetch.Fetch(context.Background(), []fetch.Target{{Provider: "aws", Region: "us-east-1"}}, fetch.Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown provider "aws"`) {
		t.Errorf("error %v", err)
	}
}
