package alibabacloud_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// BenchmarkRead imports 100,000 resources (25,000 each of images,
// snapshots, instances and disks, one SDK-built response per kind, every
// image naming two of the snapshots, every tenth instance locked for
// payment): read, cross-reference, inventory; and the same from the JSON
// bytes. One op is the whole import.
func BenchmarkRead(b *testing.B) {
	const n = 25000
	var (
		images    []ecs.Image
		snapshots []ecs.Snapshot
		instances []ecs.Instance
		disks     []ecs.Disk
	)
	for i := range n {
		sys, data := fmt.Sprintf("s-bp1%016d", 2*i), fmt.Sprintf("s-bp1%016d", 2*i+1)
		images = append(images, image(fmt.Sprintf("m-bp1%016d", i), "self", account, "Available", sys, data))
		snapshots = append(snapshots, snapshot(sys, "system", "accomplished", "image"))
		locks := []string(nil)
		if i%10 == 0 {
			locks = []string{"financial"}
		}
		instances = append(instances, instance(fmt.Sprintf("i-bp1%016d", i), "Running", "PrePaid", "2027-06-30T16:00Z", locks...))
		disks = append(disks, disk(fmt.Sprintf("d-bp1%016d", i), region, ""))
	}
	var raws [][]byte
	for _, v := range []any{describeImages(region, images...), describeSnapshots(snapshots...),
		describeInstances(instances...), describeDisks(disks...)} {
		raw, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	check := func(b *testing.B, rs []facts.Response) {
		inv, err := read(b, rs...)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(inv["resources"].(map[string]any)["images"].(map[string]any)); got != n {
			b.Fatalf("%d images", got)
		}
	}
	decodeAll := func(b *testing.B) []facts.Response {
		var rs []facts.Response
		for i, raw := range raws {
			rs = append(rs, decoded(b, fmt.Sprint("page ", i), raw))
		}
		return rs
	}
	// The reader alone, on responses already decoded (the readers do not
	// change them).
	b.Run("read", func(b *testing.B) {
		rs := decodeAll(b)
		for b.Loop() {
			check(b, rs)
		}
	})
	// The whole import from bytes: most of it is encoding/json decoding
	// the SDK's responses, every attribute of every item.
	b.Run("decode+read", func(b *testing.B) {
		for b.Loop() {
			check(b, decodeAll(b))
		}
	})
}
