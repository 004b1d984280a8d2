package alibabacloud_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/alibabacloud"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// TestProblems: a recognized response that cannot be read is an
// invalid_inventory error naming the response and a pointer into it, never
// a panic and never a fact guessed.
func TestProblems(t *testing.T) {
	// edit builds an SDK response, then changes its JSON (what the SDK's
	// models cannot say: a wrong type, a missing key).
	edit := func(v any, change func(doc map[string]any)) func(t *testing.T) facts.Response {
		return func(t *testing.T) facts.Response {
			r := response(t, "page.json", v)
			change(r.Doc)
			return r
		}
	}
	sdk := func(v any) func(t *testing.T) facts.Response {
		return func(t *testing.T) facts.Response { return response(t, "page.json", v) }
	}
	firstImage := func(doc map[string]any) map[string]any {
		return doc["Images"].(map[string]any)["Image"].([]any)[0].(map[string]any)
	}
	firstInstance := func(doc map[string]any) map[string]any {
		return doc["Instances"].(map[string]any)["Instance"].([]any)[0].(map[string]any)
	}
	img := image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd")
	running := instance("i-bp67acfmxazb4ph8ozrs", "Running", "PostPaid", "2099-12-31T15:59Z")

	tests := []struct {
		name     string
		response func(t *testing.T) facts.Response
		// want: each problem as "pointer: message" (the message's start).
		want []string
	}{
		{"the list is not an array", edit(describeImages(region, img), func(doc map[string]any) {
			doc["Images"].(map[string]any)["Image"] = map[string]any{"ImageId": "m-1"}
		}), []string{"/Images/Image: Image is an object, not an array"}},
		{"the wrapper is an array", edit(describeImages(region, img), func(doc map[string]any) {
			doc["Images"] = []any{}
		}), []string{"/Images: Images is an array, not an object with Image"}},
		{"the wrapper has no list", edit(describeSnapshots(), func(doc map[string]any) {
			doc["Snapshots"] = map[string]any{}
		}), []string{"/Snapshots: Snapshots has no Snapshot list"}},
		{"the wrapper is null", edit(describeDisks(), func(doc map[string]any) {
			doc["Disks"] = nil
		}), []string{"/Disks: Disks is null, not an object with Disk"}},
		{"an item is not an object", edit(describeImages(region, img, img), func(doc map[string]any) {
			doc["Images"].(map[string]any)["Image"].([]any)[1] = "m-bp1g7004ksh0oeuc9xkq"
		}), []string{"/Images/Image/1: Image is a string, not an object"}},
		{"an id is missing", edit(describeInstances(running), func(doc map[string]any) {
			delete(firstInstance(doc), "InstanceId")
		}), []string{"/Instances/Instance/0/InstanceId: InstanceId is missing"}},
		{"an id is empty (the SDK's zero value)", sdk(describeDisks(ecs.Disk{RegionId: region})),
			[]string{"/Disks/Disk/0/DiskId: DiskId is missing"}},
		{"an id is not an id", sdk(describeSnapshots(snapshot("s-bp1c0doj0taqyzzogwvd ", "system", "accomplished", "none"))),
			[]string{`/Snapshots/Snapshot/0/SnapshotId: SnapshotId "s-bp1c0doj0taqyzzogwvd " is not an id`}},
		{"an id is a number", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["ImageId"] = json.Number("12")
		}), []string{"/Images/Image/0/ImageId: ImageId is a number, not a string"}},
		{"a status Alibaba may add", sdk(describeInstances(instance("i-bp67acfmxazb4ph8ozrs", "Expired", "PostPaid", ""))),
			[]string{`/Instances/Instance/0/Status: Status "Expired" is not an instance status imgadmit knows`}},
		{"an image owner alias imgadmit does not know", sdk(describeImages(region, image("m-bp1g7004ksh0oeuc9xkq", "community", other, "Available"))),
			[]string{`/Images/Image/0/ImageOwnerAlias: ImageOwnerAlias "community" is not an image owner alias imgadmit knows`}},
		{"a charge type imgadmit does not know", sdk(describeInstances(instance("i-bp67acfmxazb4ph8ozrs", "Running", "Spot", ""))),
			[]string{`/Instances/Instance/0/InstanceChargeType: InstanceChargeType "Spot" is not a charge type imgadmit knows`}},
		{"a source disk type imgadmit does not know", sdk(describeSnapshots(snapshot("s-bp1c0doj0taqyzzogwvd", "root", "accomplished", "none"))),
			[]string{`/Snapshots/Snapshot/0/SourceDiskType: SourceDiskType "root" is not a source disk type imgadmit knows`}},
		{"a snapshot status imgadmit does not know", sdk(describeSnapshots(snapshot("s-bp1c0doj0taqyzzogwvd", "system", "copying", "none"))),
			[]string{`/Snapshots/Snapshot/0/Status: Status "copying" is not a snapshot status imgadmit knows`}},
		{"an image status imgadmit does not know", sdk(describeImages(region, image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Importing"))),
			[]string{`/Images/Image/0/Status: Status "Importing" is not an image status imgadmit knows`}},
		{"a time that is not one", sdk(describeInstances(instance("i-bp67acfmxazb4ph8ozrs", "Running", "PrePaid", "2026-13-01T16:00Z"))),
			[]string{`/Instances/Instance/0/ExpiredTime: ExpiredTime "2026-13-01T16:00Z" is not a time`}},
		{"a time in another form", sdk(describeInstances(instance("i-bp67acfmxazb4ph8ozrs", "Running", "PrePaid", "2026/12/01 16:00"))),
			[]string{`/Instances/Instance/0/ExpiredTime: ExpiredTime "2026/12/01 16:00" is not a time`}},
		{"a region that is not one", sdk(describeImages("CN_Hangzhou", img)),
			[]string{`/RegionId: RegionId "CN_Hangzhou" is not a region id`}},
		{"an item's region of the wrong type", edit(describeInstances(running), func(doc map[string]any) {
			firstInstance(doc)["RegionId"] = []any{"cn-hangzhou"}
		}), []string{"/Instances/Instance/0/RegionId: RegionId is an array, not a string"}},
		{"a boolean that is a string", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["IsCopied"] = "false"
		}), []string{"/Images/Image/0/IsCopied: IsCopied is a string, not a boolean"}},
		{"an owner that is not a whole number", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["ImageOwnerId"] = json.Number("1.5e15")
		}), []string{"/Images/Image/0/ImageOwnerId: ImageOwnerId is 1.5e15, not an account id"}},
		{"an owner that is a string", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["ImageOwnerId"] = "1234567890123456"
		}), []string{`/Images/Image/0/ImageOwnerId: ImageOwnerId is "1234567890123456", not an account id`}},
		{"a mapping that is not an object", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["DiskDeviceMappings"].(map[string]any)["DiskDeviceMapping"] = []any{"s-1"}
		}), []string{"/Images/Image/0/DiskDeviceMappings/DiskDeviceMapping/0: DiskDeviceMapping is a string, not an object"}},
		{"mappings that are not a list", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["DiskDeviceMappings"] = "s-1"
		}), []string{"/Images/Image/0/DiskDeviceMappings: DiskDeviceMappings is a string, not an object with DiskDeviceMapping"}},
		{"a mapping's snapshot id of the wrong type", edit(describeImages(region, img), func(doc map[string]any) {
			firstImage(doc)["DiskDeviceMappings"].(map[string]any)["DiskDeviceMapping"].([]any)[0].(map[string]any)["SnapshotId"] = true
		}), []string{"/Images/Image/0/DiskDeviceMappings/DiskDeviceMapping/0/SnapshotId: SnapshotId is a boolean, not a string"}},
		{"locks that are not a list", edit(describeInstances(running), func(doc map[string]any) {
			firstInstance(doc)["OperationLocks"] = map[string]any{"LockReason": "financial"}
		}), []string{"/Instances/Instance/0/OperationLocks/LockReason: LockReason is a string, not an array"}},
		{"a lock that is not an object", edit(describeInstances(running), func(doc map[string]any) {
			firstInstance(doc)["OperationLocks"] = map[string]any{"LockReason": []any{"financial"}}
		}), []string{"/Instances/Instance/0/OperationLocks/LockReason/0: LockReason is a string, not an object"}},
		{"a lock reason of the wrong type", edit(describeInstances(running), func(doc map[string]any) {
			firstInstance(doc)["OperationLocks"] = map[string]any{"LockReason": []any{map[string]any{"LockReason": json.Number("1")}}}
		}), []string{"/Instances/Instance/0/OperationLocks/LockReason/0/LockReason: LockReason is a number, not a string"}},
		{"a RequestId that is not a string", edit(describeDisks(), func(doc map[string]any) {
			doc["RequestId"] = json.Number("7")
		}), []string{"/RequestId: RequestId is a number, not the request's id"}},
		{"one resource said two ways on one page", sdk(describeInstances(running,
			instance("i-bp67acfmxazb4ph8ozrs", "Stopped", "PostPaid", "2099-12-31T15:59Z"))),
			[]string{`/Instances/Instance/1/Status: server i-bp67acfmxazb4ph8ozrs: status is "Stopped" here but "Running" in page.json /Instances/Instance/0/Status`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.response(t)
			inv, err := read(t, r)
			var e *evaluator.Error
			if !errors.As(err, &e) {
				t.Fatalf("read made %s, want problems %q", indent(inv), tt.want)
			}
			if e.Code != evaluator.CodeInvalidInventory || e.File != "page.json" {
				t.Errorf("error code %s, file %q; want invalid_inventory in page.json", e.Code, e.File)
			}
			var got []string
			for _, fe := range e.Errors {
				got = append(got, fe.Pointer+": "+fe.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d:\n%s\nwant it to start with:\n%s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestTwoResponsesDisagree: a resource two responses say different things
// about is a problem naming both.
func TestTwoResponsesDisagree(t *testing.T) {
	a := response(t, "DescribeImages cn-hangzhou page 1", describeImages(region,
		image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd")))
	b := response(t, "DescribeImages cn-beijing page 1", describeImages("cn-beijing",
		image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd")))
	_, err := read(t, a, b)
	var e *evaluator.Error
	if !errors.As(err, &e) {
		t.Fatalf("read: %v, want an invalid_inventory error", err)
	}
	want := `/RegionId: image m-bp1g7004ksh0oeuc9xkq: region is "cn-beijing" here but "cn-hangzhou" in DescribeImages cn-hangzhou page 1 /RegionId; two responses disagree about one resource`
	if e.File != "DescribeImages cn-beijing page 1" || len(e.Errors) != 1 || e.Errors[0].Pointer+": "+e.Errors[0].Message != want {
		t.Errorf("problems in %q: %+v\nwant in DescribeImages cn-beijing page 1: %s", e.File, e.Errors, want)
	}
}

// TestNeverPanics reads every response in the tests with each value in turn
// replaced by values of every other type: a reader reports, never panics.
func TestNeverPanics(t *testing.T) {
	docs := []facts.Response{
		response(t, "images", describeImages(region, image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd"))),
		response(t, "snapshots", describeSnapshots(snapshot("s-bp1c0doj0taqyzzogwvd", "system", "accomplished", "image"))),
		response(t, "instances", describeInstances(instance("i-bp1g6zv0ce8oghu7k2mz", "Stopped", "PrePaid", "2026-11-01T16:00Z", "financial"))),
		response(t, "disks", describeDisks(disk("d-bp1c0doj0taqyzzogwvd", region, ""))),
	}
	others := []any{nil, "x", "", json.Number("1"), 1.5, true, []any{}, []any{"x"}, map[string]any{}, map[string]any{"x": []any{nil}}}
	shapes := alibabacloud.ShapesAt(clock)
	n := 0
	for _, d := range docs {
		var walk func(v any, replace func(any))
		doc := d.Doc
		try := func() {
			n++
			set := facts.NewSet()
			for _, s := range shapes {
				if s.Recognizes(doc) {
					s.Read(facts.Response{Name: d.Name, Doc: doc}, set)
				}
			}
			if _, err := set.Inventory(); err != nil {
				var e *evaluator.Error
				if !errors.As(err, &e) {
					t.Fatalf("%s: %v is not an *evaluator.Error", d.Name, err)
				}
			}
		}
		walk = func(v any, replace func(any)) {
			for _, o := range others {
				replace(o)
				try()
			}
			replace(v)
			switch v := v.(type) {
			case map[string]any:
				for k, c := range v {
					walk(c, func(x any) { v[k] = x })
				}
			case []any:
				for i, c := range v {
					walk(c, func(x any) { v[i] = x })
				}
			}
		}
		for k, c := range doc {
			walk(c, func(x any) { doc[k] = x })
		}
	}
	if n < 1000 {
		t.Fatalf("only %d variants tried", n)
	}
}
