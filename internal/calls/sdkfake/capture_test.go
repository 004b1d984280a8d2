package sdkfake_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

// fatalRecorder is a testing.TB whose Fatalf records the message and stops the goroutine,
// as the real one does; everything else (Cleanup, Helper, ...) goes to the real test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A capture is of exactly one call: none, or more than one, fails the test.
func TestCaptureWantsExactlyOneCall(t *testing.T) {
	deleteBackup := func(h *sdkfake.Huawei) {
		h.CBR().DeleteBackup(&cbrmodel.DeleteBackupRequest{BackupId: "bk-1"})
	}
	deleteImage := func(a *sdkfake.Alibaba) {
		r := aliecs.CreateDeleteImageRequest()
		r.ImageId = "m-1"
		a.ECS().DeleteImage(r)
	}
	cases := []struct {
		name    string
		capture func(tb testing.TB)
		want    string
	}{
		{"huawei, no call", func(tb testing.TB) {
			sdkfake.NewHuawei(tb, hwRegion, hwProject).Capture(func() {})
		}, "sdkfake: send made 0 HTTP calls, want exactly 1: []"},
		{"huawei, two calls", func(tb testing.TB) {
			h := sdkfake.NewHuawei(tb, hwRegion, hwProject)
			h.Capture(func() { deleteBackup(h); deleteBackup(h) })
		}, "sdkfake: send made 2 HTTP calls, want exactly 1: " +
			"[DELETE /v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-1 DELETE /v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-1]"},
		{"alibaba, no call", func(tb testing.TB) {
			sdkfake.NewAlibaba(tb, aliRegion).Capture(func() {})
		}, "sdkfake: send made 0 HTTP calls, want exactly 1: []"},
		{"alibaba, two calls", func(tb testing.TB) {
			a := sdkfake.NewAlibaba(tb, aliRegion)
			a.Capture(func() { deleteImage(a); deleteImage(a) })
		}, "sdkfake: send made 2 HTTP calls, want exactly 1: [POST /?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rec := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				c.capture(rec)
			}()
			<-done
			if !strings.HasPrefix(rec.msg, c.want) {
				t.Errorf("failure %q, want one starting %q", rec.msg, c.want)
			}
		})
	}
}

// A call made outside any capture does not leak into the next one.
func TestCaptureSeesOnlyItsOwnCall(t *testing.T) {
	h := sdkfake.NewHuawei(t, hwRegion, hwProject)
	h.CBR().DeleteBackup(&cbrmodel.DeleteBackupRequest{BackupId: "before"})
	got := h.Capture(func() { h.CBR().DeleteBackup(&cbrmodel.DeleteBackupRequest{BackupId: "mine"}) })
	if want := "/v3/" + hwProject + "/backups/mine"; got.URI != want {
		t.Errorf("captured %s, want %s", got.URI, want)
	}
}
