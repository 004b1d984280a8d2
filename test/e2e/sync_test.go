package e2e

import (
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/fetch/fetchfake"
)

// TestServeSync: the built binary, serve --sync against a local fake of the
// Alibaba ECS API (the official SDK's client pointed at it), syncs the
// inventory at once, and decides from what the cloud said with request
// facts ignored: a snapshot an image uses cannot be deleted (ECS-SNAP-001).
func TestServeSync(t *testing.T) {
	f := fetchfake.New(t, nil, nil, map[string]*fetchfake.Alibaba{"cn-hangzhou": fetchfake.SampleAlibaba("cn-hangzhou", 2)})
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "test-ak")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-sk")
	s := startServe(t, "--trust-request-facts=false", "--sync", "--provider", "alibabacloud", "--region", "cn-hangzhou",
		"--endpoint", f.URL(), "--sync-interval", "1h")
	defer s.stop()
	waitFor(t, "the first sync in /health/ready", func() bool {
		_, body := s.get("/health/ready")
		return strings.Contains(body, `"sync":{`) && strings.Contains(body, `"ok":true`)
	})
	code, body := s.post(admitPath, "application/json",
		`{"provider":"alibabacloud","project_id":"1234567890","call":{"action":"DeleteSnapshot","params":{"RegionId":"cn-hangzhou","SnapshotId":"s-cn-hangzhou-001"}},
		  "resources":{"snapshots":{"s-cn-hangzhou-001":{"image_ids":[]}}}}`)
	if code != 200 || !strings.Contains(body, `"allowed":false`) || !strings.Contains(body, `"ECS-SNAP-001"`) {
		t.Errorf("a snapshot the synced image uses: %d %s", code, body)
	}
	if m := s.metric(`imgadmit_syncs_total{result="success"}`); m < 1 {
		t.Errorf("syncs_total success %v", m)
	}
}
