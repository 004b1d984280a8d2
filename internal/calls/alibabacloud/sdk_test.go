package alibabacloud_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

// account is the account every test call is made as (its project_id).
const account = "1234567890123456"

// now is when the test calls are decided (fixtures' time).
var now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// inventory is what the test evaluator knows about the resources the calls
// name, as the clouds write it.
const inventory = `{"resources": {
  "images": {
    "m-web": {"image_type": "system", "visibility": "self", "region": "cn-hangzhou", "status": "Available",
              "source_instance_id": "i-src", "snapshot_ids": ["s-sys"]},
    "m-old": {"image_type": "system", "visibility": "self", "region": "cn-hangzhou", "status": "Available",
              "source_instance_id": "i-expired", "snapshot_ids": ["s-gone"]},
    "m-beijing": {"image_type": "system", "visibility": "self", "region": "cn-beijing", "status": "Available",
                  "source_instance_id": null, "snapshot_ids": []}
  },
  "servers": {
    "i-src": {"status": "Running", "region": "cn-hangzhou", "billing_method": "PostPaid",
              "expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null},
    "i-expired": {"status": "Stopped", "region": "cn-hangzhou", "billing_method": "PrePaid",
                  "expired_at": "2026-10-01T00:00Z", "payment_overdue_since": null},
    "i-1": {"status": "Stopped", "region": "cn-hangzhou"},
    "i-2": {"status": "Stopped", "region": "cn-hangzhou"}
  },
  "snapshots": {
    "s-sys": {"disk_type": "system", "image_ids": ["m-web"], "status": "accomplished"},
    "s-free": {"disk_type": "system", "image_ids": [], "status": "accomplished"},
    "s-data": {"disk_type": "data", "image_ids": [], "status": "accomplished"}
  }
}}`

var newEvaluator = sync.OnceValues(func() (*evaluator.Evaluator, error) {
	inv, err := evaluator.ParseInventory([]byte(inventory), evaluator.FormatJSON)
	if err != nil {
		return nil, err
	}
	return evaluator.New(context.Background(), evaluator.Options{Inventory: inv, Translator: calls.Translator})
})

func testEvaluator(t *testing.T) *evaluator.Evaluator {
	t.Helper()
	e, err := newEvaluator()
	if err != nil {
		t.Fatalf("evaluator: %v", err)
	}
	return e
}

// decode reads a JSON document as the evaluator does (numbers exact).
func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad JSON in the test: %v\n%s", err, s)
	}
	return v
}

// request is the canonical request a test call becomes, with the test
// account and region, and params written as JSON.
func request(operation, params string) string {
	return `{"provider": "alibabacloud", "operation": "` + operation + `", "region": "cn-hangzhou", "project_id": "` + account + `", "params": ` + params + `}`
}

// reasonIDs are a decision's reasons as "ID effect", in the decision's order.
func reasonIDs(d *evaluator.Decision) []string {
	out := []string{}
	for _, r := range d.Reasons {
		out = append(out, r.ID+" "+r.Effect)
	}
	return out
}

// TestSDKCalls sends each call with the official SDK, captures what it
// sent as a call document (params and query forms alike), translates it,
// and decides it.
func TestSDKCalls(t *testing.T) {
	cases := []struct {
		name string
		send func(c *aliecs.Client)
		// requests are the canonical requests, whole, as a JSON array.
		requests string
		allowed  bool
		reasons  []string
	}{
		{
			name: "CreateImage from an instance",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.InstanceId = "i-src"
				r.ImageName = "web-2026-11"
				r.Description = "web tier golden image"
				r.Architecture = "x86_64"
				r.Tag = &[]aliecs.CreateImageTag{{Key: "env", Value: "prod"}, {Key: "team", Value: ""}}
				r.ClientToken = "token-1"
				c.CreateImage(r)
			},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "web-2026-11",
				"source": {"type": "server", "id": "i-src"}, "description": "web tier golden image", "architecture": "x86_64",
				"tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": ""}]}`) + `]`,
			allowed: true,
			reasons: []string{"ECS-IMG-002 note"},
		},
		{
			// The SDK sends SnapshotId and DiskDeviceMapping.1.SnapshotId
			// together; the mapping is the source, as in the API. The data
			// mapping is a data disk of the image, which no rule judges.
			name: "CreateImage from a system and a data disk snapshot",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.SnapshotId = "s-free"
				r.ImageName = "web-2026-11"
				r.DiskDeviceMapping = &[]aliecs.CreateImageDiskDeviceMapping{
					{SnapshotId: "s-free", DiskType: "system", Size: "40", Device: "/dev/xvda"},
					{SnapshotId: "s-data", DiskType: "data", Size: "100", Device: "/dev/xvdb"},
				}
				c.CreateImage(r)
			},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "web-2026-11",
				"source": {"type": "snapshot", "id": "s-free"}}`) + `]`,
			allowed: true,
			reasons: []string{},
		},
		{
			// REAL-SHAPES finding 5: the API takes a data disk snapshot as
			// the system disk (with Platform and Architecture); ECS-IMG-001
			// denies it.
			name: "CreateImage with a data disk snapshot as the system disk",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.ImageName = "from-data"
				r.Platform = "CentOS"
				r.Architecture = "x86_64"
				r.BootMode = "UEFI"
				r.DiskDeviceMapping = &[]aliecs.CreateImageDiskDeviceMapping{{SnapshotId: "s-data", DiskType: "system"}}
				c.CreateImage(r)
			},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "from-data",
				"source": {"type": "snapshot", "id": "s-data"}, "platform": "CentOS", "architecture": "x86_64", "boot_mode": "UEFI"}`) + `]`,
			allowed: false,
			reasons: []string{"ECS-IMG-001 deny"},
		},
		{
			// A mapping with no DiskType is typed by its snapshot: the one
			// untyped mapping beside data mappings is the system disk.
			name: "CreateImage whose system mapping leaves DiskType unset",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.ImageName = "untyped"
				r.ResourceGroupId = "rg-1"
				r.DiskDeviceMapping = &[]aliecs.CreateImageDiskDeviceMapping{
					{SnapshotId: "s-data", DiskType: "data"},
					{SnapshotId: "s-free"},
				}
				c.CreateImage(r)
			},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "untyped",
				"source": {"type": "snapshot", "id": "s-free"}, "resource_group_id": "rg-1"}`) + `]`,
			allowed: true,
			reasons: []string{},
		},
		{
			name: "CreateImage from a data disk snapshot (SnapshotId)",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.SnapshotId = "s-data"
				r.ImageName = "from-data"
				c.CreateImage(r)
			},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "from-data",
				"source": {"type": "snapshot", "id": "s-data"}}`) + `]`,
			allowed: false,
			reasons: []string{"ECS-IMG-001 deny"},
		},
		{
			// Force=false is a string on the wire; delete_snapshots has no
			// API counterpart, so the snapshots are kept (ECS-IMG-003).
			name: "DeleteImage with Force=false",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteImageRequest()
				r.ImageId = "m-web"
				r.Force = requests.NewBoolean(false)
				c.DeleteImage(r)
			},
			requests: `[` + request("image.delete", `{"image_id": "m-web", "force": false}`) + `]`,
			allowed:  true,
			reasons:  []string{"ECS-IMG-003 warn"},
		},
		{
			name: "ModifyImageSharePermission adds two accounts",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateModifyImageSharePermissionRequest()
				r.ImageId = "m-web"
				r.AddAccount = &[]string{"2234567890123456", "3234567890123456"}
				r.RemoveAccount = &[]string{"4234567890123456"}
				c.ModifyImageSharePermission(r)
			},
			requests: `[` + request("image.share", `{"image_id": "m-web", "members": ["2234567890123456", "3234567890123456"]}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "ModifyImageSharePermission only removes an account",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateModifyImageSharePermissionRequest()
				r.ImageId = "m-web"
				r.RemoveAccount = &[]string{"4234567890123456"}
				c.ModifyImageSharePermission(r)
			},
			requests: `[]`,
			allowed:  false,
			reasons:  []string{"REQ-003 deny"},
		},
		{
			name: "ModifyImageSharePermission publishes a community image",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateModifyImageSharePermissionRequest()
				r.ImageId = "m-web"
				r.IsPublic = requests.NewBoolean(true)
				r.AddAccount = &[]string{"2234567890123456"}
				c.ModifyImageSharePermission(r)
			},
			requests: `[]`,
			allowed:  false,
			reasons:  []string{"REQ-003 deny"},
		},
		{
			name: "ExportImage",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateExportImageRequest()
				r.ImageId = "m-web"
				r.OSSBucket = "exports-bucket"
				r.OSSPrefix = "web"
				r.ImageFormat = "qcow2"
				r.RoleName = "AliyunECSImageExportDefaultRole"
				c.ExportImage(r)
			},
			requests: `[` + request("image.export", `{"image_id": "m-web", "bucket_url": "exports-bucket", "oss_prefix": "web", "file_format": "qcow2"}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "CopyImage to another region, encrypted",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCopyImageRequest()
				r.ImageId = "m-web"
				r.DestinationRegionId = "cn-beijing"
				r.DestinationImageName = "web-copy"
				r.DestinationDescription = "a copy of web"
				r.Encrypted = requests.NewBoolean(true)
				r.KMSKeyId = "key-1"
				r.Tag = &[]aliecs.CopyImageTag{{Key: "env", Value: "prod"}}
				c.CopyImage(r)
			},
			requests: `[` + request("image.replicate", `{"image_id": "m-web", "destination_region": "cn-beijing", "name": "web-copy",
				"description": "a copy of web", "encrypted": true, "kms_key_id": "key-1"}`) + `]`,
			allowed: true,
			reasons: []string{},
		},
		{
			// Three instances are three requests; the password, key pair and
			// user data stay out of them.
			name: "RunInstances, three subscription instances",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateRunInstancesRequest()
				r.ImageId = "m-web"
				r.InstanceName = "web-[1,2]"
				r.InstanceType = "ecs.g7.large"
				r.InstanceChargeType = "PrePaid"
				r.Amount = requests.NewInteger(3)
				r.Password = "Secret-Passw0rd"
				r.KeyPairName = "kp"
				r.UserData = "IyEvYmluL3No"
				c.RunInstances(r)
			},
			requests: `[` + strings.Repeat(request("server.create", `{"image_id": "m-web", "name": "web-[1,2]", "billing_method": "subscription"}`)+`,`, 2) +
				request("server.create", `{"image_id": "m-web", "name": "web-[1,2]", "billing_method": "subscription"}`) + `]`,
			allowed: true,
			reasons: []string{"ECS-IMG-006 note"},
		},
		{
			name: "RunInstances from an image whose source instance expired",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateRunInstancesRequest()
				r.ImageId = "m-old"
				r.InstanceChargeType = "PostPaid"
				c.RunInstances(r)
			},
			requests: `[` + request("server.create", `{"image_id": "m-old", "billing_method": "pay_as_you_go"}`) + `]`,
			allowed:  false,
			reasons:  []string{"ECS-IMG-005 deny", "ECS-IMG-006 note"},
		},
		{
			name: "RunInstances from an image family",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateRunInstancesRequest()
				r.ImageFamily = "web-family"
				c.RunInstances(r)
			},
			requests: `[]`,
			allowed:  false,
			reasons:  []string{"REQ-003 deny"},
		},
		{
			// No InstanceChargeType: the API's default, PostPaid, as the
			// image's source instance was.
			name: "CreateInstance, pay-as-you-go by default",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateInstanceRequest()
				r.ImageId = "m-web"
				r.InstanceName = "web-1"
				r.InstanceType = "ecs.g7.large"
				c.CreateInstance(r)
			},
			requests: `[` + request("server.create", `{"image_id": "m-web", "name": "web-1", "billing_method": "pay_as_you_go"}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "StartInstance",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateStartInstanceRequest()
				r.InstanceId = "i-1"
				c.StartInstance(r)
			},
			requests: `[` + request("server.start", `{"server_id": "i-1"}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "StartInstances, one request each",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateStartInstancesRequest()
				r.InstanceId = &[]string{"i-1", "i-2"}
				c.StartInstances(r)
			},
			requests: `[` + request("server.start", `{"server_id": "i-1"}`) + `,` + request("server.start", `{"server_id": "i-2"}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "ReplaceSystemDisk with an image of another region",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateReplaceSystemDiskRequest()
				r.InstanceId = "i-1"
				r.ImageId = "m-beijing"
				r.Password = "Secret-Passw0rd"
				r.KeyPairName = "kp"
				c.ReplaceSystemDisk(r)
			},
			requests: `[` + request("server.change_os", `{"server_id": "i-1", "image_id": "m-beijing"}`) + `]`,
			allowed:  false,
			reasons:  []string{"ECS-IMG-004 deny"},
		},
		{
			name: "DeleteInstance, forced",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteInstanceRequest()
				r.InstanceId = "i-1"
				r.Force = requests.NewBoolean(true)
				r.TerminateSubscription = requests.NewBoolean(false)
				c.DeleteInstance(r)
			},
			requests: `[` + request("server.delete", `{"server_id": "i-1"}`) + `]`,
			allowed:  true,
			reasons:  []string{"ECS-IMG-007 note"},
		},
		{
			name: "DeleteInstances, one request each",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteInstancesRequest()
				r.InstanceId = &[]string{"i-1", "i-2"}
				c.DeleteInstances(r)
			},
			requests: `[` + request("server.delete", `{"server_id": "i-1"}`) + `,` + request("server.delete", `{"server_id": "i-2"}`) + `]`,
			allowed:  true,
			reasons:  []string{"ECS-IMG-007 note", "ECS-IMG-007 note"}, // one for each instance
		},
		{
			name: "DeleteDisk",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteDiskRequest()
				r.DiskId = "d-1"
				c.DeleteDisk(r)
			},
			requests: `[` + request("disk.delete", `{"disk_id": "d-1"}`) + `]`,
			allowed:  true,
			reasons:  []string{},
		},
		{
			name: "DeleteSnapshot of a snapshot an image uses",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteSnapshotRequest()
				r.SnapshotId = "s-sys"
				r.Force = requests.NewBoolean(true)
				c.DeleteSnapshot(r)
			},
			requests: `[` + request("snapshot.delete", `{"snapshot_id": "s-sys", "force": true}`) + `]`,
			allowed:  false,
			reasons:  []string{"ECS-SNAP-001 deny"},
		},
	}
	e := testEvaluator(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := sdkfake.NewAlibaba(t, "cn-hangzhou")
			sent := a.Capture(func() { tc.send(a.ECS()) })
			want := decode(t, tc.requests).([]any)
			for form, doc := range map[string]map[string]any{"params": sent.Doc, "query": sent.QueryDoc} {
				doc["project_id"] = account
				tr, err := calls.Translator.Translate(doc)
				if err != nil {
					t.Fatalf("%s form: %v", form, err)
				}
				got := make([]any, len(tr.Parts))
				for i, p := range tr.Parts {
					got[i] = p.Request
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s form, requests:\n got %s\nwant %s", form, show(got), show(want))
				}
				raw, err := json.Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				d, err := e.Decide(context.Background(), raw, evaluator.FormatJSON, evaluator.DecideOptions{Now: now})
				if err != nil {
					t.Fatalf("%s form, decide: %v", form, err)
				}
				if d.Allowed != tc.allowed || !reflect.DeepEqual(reasonIDs(d), tc.reasons) {
					t.Errorf("%s form, decision: allowed %v, reasons %q; want %v, %q", form, d.Allowed, reasonIDs(d), tc.allowed, tc.reasons)
				}
				if d.Call == nil || d.Call.Service != "ecs" || d.Call.Action != doc["call"].(map[string]any)["action"] || d.Call.Access != evaluator.AccessWrite {
					t.Errorf("%s form, decision call: %+v", form, d.Call)
				}
			}
		})
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
