package alibabacloud_test

// Test responses are built with the SDK's own response types
// (alibaba-cloud-sdk-go v1.63.107 services/ecs) and serialized by
// encoding/json with the SDK's JSON tags, which is the wire shape the SDK
// reads (TestFixturesAreWhatTheSDKReads serves them to the SDK's real client
// to prove it). No attribute is added by hand: every one the readers read
// has a field in the SDK's models.

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/alibabacloud"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// seen is when the tests' imports run: the date a financial lock is first seen.
var seen = time.Date(2026, 11, 20, 8, 30, 15, 500, time.UTC)

func clock() time.Time { return seen }

const (
	region  = "cn-hangzhou"
	account = 1234567890123456 // the caller's Alibaba account (ImageOwnerId of its own images)
	other   = 9876543210987654 // another account
)

// response serializes an SDK response value as the SDK's JSON tags have it
// and decodes it as the readers get it (numbers as json.Number).
func response(t testing.TB, name string, v any) facts.Response {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	return decoded(t, name, raw)
}

func decoded(t testing.TB, name string, raw []byte) facts.Response {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return facts.Response{Name: name, Doc: doc}
}

// read reads responses together as cloudfacts.Inventory does, with the
// tests' clock: each response must be exactly one Alibaba shape.
func read(t testing.TB, rs ...facts.Response) (map[string]any, error) {
	t.Helper()
	shapes := alibabacloud.ShapesAt(clock)
	set := facts.NewSet()
	for _, r := range rs {
		var found *facts.Shape
		for i := range shapes {
			if shapes[i].Recognizes(r.Doc) {
				if found != nil {
					t.Fatalf("%s is both %s and %s", r.Name, found.Name, shapes[i].Name)
				}
				found = &shapes[i]
			}
		}
		if found == nil {
			t.Fatalf("%s: no Alibaba shape recognizes it", r.Name)
		}
		found.Read(r, set)
	}
	return set.Inventory()
}

// mustRead is read for responses that must make a valid inventory: one that
// evaluator.ParseInventory accepts (schemas/inventory.json + facts.json).
func mustRead(t testing.TB, rs ...facts.Response) map[string]any {
	t.Helper()
	inv, err := read(t, rs...)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evaluator.ParseInventory(raw, evaluator.FormatJSON); err != nil {
		t.Fatalf("the inventory read does not pass the inventory schema: %v\n%s", err, raw)
	}
	return inv
}

// sameJSON reports whether got and want (JSON text) are the same document.
func sameJSON(t testing.TB, got any, want string) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var gv, wv any
	if err := json.Unmarshal(g, &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wv); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	return reflect.DeepEqual(gv, wv)
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// SDK response builders.

func describeImages(regionID string, images ...ecs.Image) *ecs.DescribeImagesResponse {
	return &ecs.DescribeImagesResponse{RequestId: "5B0D1F3E-7C1A-4A0E-9E3B-1D2C3B4A5F60", RegionId: regionID,
		TotalCount: len(images), PageNumber: 1, PageSize: 100, Images: ecs.Images{Image: images}}
}

func describeSnapshots(snapshots ...ecs.Snapshot) *ecs.DescribeSnapshotsResponse {
	return &ecs.DescribeSnapshotsResponse{RequestId: "6C1E2F4A-8D2B-4B1F-AF4C-2E3D4C5B6A71",
		TotalCount: len(snapshots), PageNumber: 1, PageSize: 100,
		Snapshots: ecs.SnapshotsInDescribeSnapshots{Snapshot: snapshots}}
}

func describeInstances(instances ...ecs.Instance) *ecs.DescribeInstancesResponse {
	return &ecs.DescribeInstancesResponse{RequestId: "7D2F3A5B-9E3C-4C2A-B05D-3F4E5D6C7B82",
		TotalCount: len(instances), PageNumber: 1, PageSize: 100,
		Instances: ecs.InstancesInDescribeInstances{Instance: instances}}
}

func describeDisks(disks ...ecs.Disk) *ecs.DescribeDisksResponse {
	return &ecs.DescribeDisksResponse{RequestId: "8E3A4B6C-AF4D-4D3B-816E-4A5F6E7D8C93",
		TotalCount: len(disks), PageNumber: 1, PageSize: 100,
		Disks: ecs.DisksInDescribeDisks{Disk: disks}}
}

// image is a custom image as DescribeImages has it; mappings name its
// snapshots, the system disk's first.
func image(id, alias string, owner int64, status string, snapshots ...string) ecs.Image {
	img := ecs.Image{ImageId: id, ImageName: "web-2026-11", ImageOwnerAlias: alias, ImageOwnerId: owner,
		Status: status, Usage: "instance", Architecture: "x86_64", OSType: "linux", Platform: "Aliyun",
		IsSupportCloudinit: true, IsSupportIoOptimized: true, CreationTime: "2026-11-02T03:04:05Z", Progress: "100%"}
	for i, s := range snapshots {
		typ, dev := "system", "/dev/xvda"
		if i > 0 {
			typ, dev = "data", "/dev/xvdb"
		}
		img.DiskDeviceMappings.DiskDeviceMapping = append(img.DiskDeviceMappings.DiskDeviceMapping,
			ecs.DiskDeviceMapping{Type: typ, SnapshotId: s, Size: "40", Device: dev, Format: "qcow2"})
	}
	return img
}

func snapshot(id, diskType, status, usage string) ecs.Snapshot {
	return ecs.Snapshot{SnapshotId: id, SnapshotName: "auto-" + id, SourceDiskType: diskType, Status: status,
		Usage: usage, SourceDiskId: "d-bp1" + id[5:], SourceDiskSize: "40", Category: "standard",
		CreationTime: "2026-11-01T02:00:00Z", Progress: "100%", Available: true}
}

func instance(id, status, charge, expired string, locks ...string) ecs.Instance {
	in := ecs.Instance{InstanceId: id, InstanceName: "web-" + id[2:6], RegionId: region, ZoneId: region + "-h",
		Status: status, InstanceChargeType: charge, ExpiredTime: expired, InstanceType: "ecs.g7.large",
		ImageId: "m-bp1g7004ksh0oeuc9xkq", CreationTime: "2026-10-01T01:00Z", StartTime: "2026-10-01T01:01Z"}
	for _, l := range locks {
		in.OperationLocks.LockReason = append(in.OperationLocks.LockReason, ecs.LockReason{LockReason: l})
	}
	return in
}

func disk(id, regionID, instanceID string) ecs.Disk {
	return ecs.Disk{DiskId: id, RegionId: regionID, ZoneId: regionID + "-h", InstanceId: instanceID, Type: "system",
		Category: "cloud_essd", Size: 40, Status: "In_use", Device: "/dev/xvda", DiskChargeType: "PostPaid"}
}
