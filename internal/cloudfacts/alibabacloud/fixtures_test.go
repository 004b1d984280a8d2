package alibabacloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

var update = flag.Bool("update", false, "rewrite fixtures/responses/alibabacloud from the SDK-built responses")

const fixtureDir = "../../../fixtures/responses/alibabacloud"

// fixtures are the responses of fixtures/responses/alibabacloud, for the
// docs' worked import: the Alibaba resources the request fixtures name
// (fixtures/requests/ECS-*), as the ECS API describes them.
func fixtures() map[string]any {
	released := image("m-bp1released00000001", "self", account, "Available", "s-bp1released0000001")
	return map[string]any{
		"describe-images.json": describeImages(region,
			image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"),
			released),
		"describe-snapshots.json": describeSnapshots(
			snapshot("s-bp1c0doj0taqyzzogwvd", "system", "accomplished", "image"),
			snapshot("s-bp1e8xzhkfkl3w5tmd2p", "data", "accomplished", "image"),
			snapshot("s-bp1unused0000000001", "data", "accomplished", "none")),
		"describe-instances.json": describeInstances(
			instance("i-bp1g6zv0ce8oghu7k2mz", "Stopped", "PostPaid", "2099-12-31T15:59Z", "financial"),
			instance("i-bp67acfmxazb4ph8ozrs", "Running", "PrePaid", "2027-06-30T16:00Z")),
		"describe-disks.json": describeDisks(
			disk("d-bp1c0doj0taqyzzogwvd", region, "i-bp1g6zv0ce8oghu7k2mz")),
	}
}

// TestFixtures: the committed responses are the SDK-built ones, and import
// into the inventory below.
func TestFixtures(t *testing.T) {
	var rs []facts.Response
	for name, v := range fixtures() {
		want, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		path := filepath.Join(fixtureDir, name)
		if *update {
			if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/cloudfacts/alibabacloud -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not the SDK-built response (run go test ./internal/cloudfacts/alibabacloud -update and review the diff)", path)
		}
		rs = append(rs, decoded(t, name, got))
	}
	inv := mustRead(t, rs...)
	want := `{"resources": {
		"images": {
			"m-bp1g7004ksh0oeuc9xkq": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
				"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"]},
			"m-bp1released00000001": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
				"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1released0000001"]}
		},
		"snapshots": {
			"s-bp1c0doj0taqyzzogwvd": {"disk_type": "system", "status": "accomplished", "image_ids": ["m-bp1g7004ksh0oeuc9xkq"]},
			"s-bp1e8xzhkfkl3w5tmd2p": {"disk_type": "data", "status": "accomplished", "image_ids": ["m-bp1g7004ksh0oeuc9xkq"]},
			"s-bp1unused0000000001": {"disk_type": "data", "status": "accomplished", "image_ids": []}
		},
		"servers": {
			"i-bp1g6zv0ce8oghu7k2mz": {"region": "cn-hangzhou", "status": "Stopped", "billing_method": "PostPaid",
				"expired_at": "2099-12-31T15:59Z", "payment_overdue_since": "2026-11-20T08:30:15Z"},
			"i-bp67acfmxazb4ph8ozrs": {"region": "cn-hangzhou", "status": "Running", "billing_method": "PrePaid",
				"expired_at": "2027-06-30T16:00Z", "payment_overdue_since": null}
		},
		"disks": {"d-bp1c0doj0taqyzzogwvd": {"region": "cn-hangzhou"}}}}`
	if !sameJSON(t, inv, want) {
		t.Errorf("inventory:\n%s\nwant:\n%s", indent(inv), want)
	}
}

// TestFixturesAreWhatTheSDKReads serves each fixture to the SDK's real ECS
// client (an httptest server reached through the client's endpoint
// override, as internal/calls/sdkfake does) and checks that what the client
// parsed is the response the fixture was built from: the JSON the tests
// read is the SDK's own wire shape.
func TestFixturesAreWhatTheSDKReads(t *testing.T) {
	calls := map[string]func(c *ecs.Client) (any, error){
		"describe-images.json": func(c *ecs.Client) (any, error) { return c.DescribeImages(ecs.CreateDescribeImagesRequest()) },
		"describe-snapshots.json": func(c *ecs.Client) (any, error) {
			return c.DescribeSnapshots(ecs.CreateDescribeSnapshotsRequest())
		},
		"describe-instances.json": func(c *ecs.Client) (any, error) {
			return c.DescribeInstances(ecs.CreateDescribeInstancesRequest())
		},
		"describe-disks.json": func(c *ecs.Client) (any, error) { return c.DescribeDisks(ecs.CreateDescribeDisksRequest()) },
	}
	for name, v := range fixtures() {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixtureDir, name))
			if err != nil {
				t.Fatal(err)
			}
			client := sdkClient(t, raw)
			parsed, err := calls[name](client)
			if err != nil {
				t.Fatalf("the SDK's client: %v", err)
			}
			got, _ := json.Marshal(parsed)
			want, _ := json.Marshal(v)
			if !bytes.Equal(got, want) {
				t.Errorf("the SDK parsed\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// clientMu serializes building ECS clients: the SDK's constructor fills a
// package map without a lock (see internal/calls/sdkfake).
var clientMu sync.Mutex

// sdkClient is the SDK's real ECS client, answered by a local server with
// body; it reaches nothing else.
func sdkClient(t *testing.T, body []byte) *ecs.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{Proxy: nil, DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, "tcp", addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	cfg := sdk.NewConfig().WithAutoRetry(false).WithMaxRetryTime(0).WithTimeout(10 * time.Second)
	cfg.Scheme = "HTTP"
	// Not an *http.Transport: the SDK rewrites the dialer and proxy of one.
	cfg.Transport = roundTripper{tr}
	clientMu.Lock()
	client, err := ecs.NewClientWithOptions(region, cfg, credentials.NewAccessKeyCredential("FAKEAKFACTSFAKE00000", "fake-secret"))
	clientMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	client.Domain = addr
	return client
}

type roundTripper struct{ tr *http.Transport }

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return r.tr.RoundTrip(req)
}
