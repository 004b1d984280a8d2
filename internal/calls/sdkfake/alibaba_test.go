package sdkfake_test

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

const aliRegion = "cn-hangzhou"

// Each case calls one ECS method with a request value and asserts both whole documents:
// the params form and the query form (the business parameters as the SDK encoded them).
func TestAlibabaCapture(t *testing.T) {
	cases := []struct {
		name  string
		send  func(c *aliecs.Client)
		doc   string // the params form
		query string // the query form
	}{
		{
			name: "CreateImage with DiskDeviceMapping",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.SnapshotId = "s-1"
				r.ImageName = "web-2026-11"
				r.DiskDeviceMapping = &[]aliecs.CreateImageDiskDeviceMapping{{SnapshotId: "s-1", DiskType: "system"}}
				c.CreateImage(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"CreateImage","params":{"RegionId":"cn-hangzhou",
				"SnapshotId":"s-1","ImageName":"web-2026-11",
				"DiskDeviceMapping.1.SnapshotId":"s-1","DiskDeviceMapping.1.DiskType":"system"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"CreateImage","query":
				"DiskDeviceMapping.1.DiskType=system&DiskDeviceMapping.1.SnapshotId=s-1&ImageName=web-2026-11&RegionId=cn-hangzhou&SnapshotId=s-1"}}`,
		},
		{
			name: "CreateImage text is form-encoded (space as +)",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateCreateImageRequest()
				r.InstanceId = "i-1"
				r.ImageName = "web 2026/11"
				r.Description = "nightly: a&b"
				c.CreateImage(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"CreateImage","params":{"RegionId":"cn-hangzhou",
				"InstanceId":"i-1","ImageName":"web 2026/11","Description":"nightly: a&b"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"CreateImage","query":
				"Description=nightly%3A+a%26b&ImageName=web+2026%2F11&InstanceId=i-1&RegionId=cn-hangzhou"}}`,
		},
		{
			name: "ModifyImageSharePermission adds two accounts",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateModifyImageSharePermissionRequest()
				r.ImageId = "m-1"
				r.AddAccount = &[]string{"1234567890", "2345678901"}
				c.ModifyImageSharePermission(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"ModifyImageSharePermission","params":{"RegionId":"cn-hangzhou",
				"ImageId":"m-1","AddAccount.1":"1234567890","AddAccount.2":"2345678901"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"ModifyImageSharePermission","query":
				"AddAccount.1=1234567890&AddAccount.2=2345678901&ImageId=m-1&RegionId=cn-hangzhou"}}`,
		},
		{
			name: "DeleteImage with Force false sends Force=false",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteImageRequest()
				r.ImageId = "m-1"
				r.Force = requests.NewBoolean(false)
				c.DeleteImage(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"DeleteImage","params":{"RegionId":"cn-hangzhou",
				"ImageId":"m-1","Force":"false"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"DeleteImage","query":
				"Force=false&ImageId=m-1&RegionId=cn-hangzhou"}}`,
		},
		{
			name: "DeleteImage with Force unset sends no Force",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteImageRequest()
				r.ImageId = "m-1"
				c.DeleteImage(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"DeleteImage","params":{"RegionId":"cn-hangzhou",
				"ImageId":"m-1"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"DeleteImage","query":"ImageId=m-1&RegionId=cn-hangzhou"}}`,
		},
		{
			name: "StartInstances numbers the instances",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateStartInstancesRequest()
				r.InstanceId = &[]string{"i-1", "i-2", "i-3"}
				c.StartInstances(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"StartInstances","params":{"RegionId":"cn-hangzhou",
				"InstanceId.1":"i-1","InstanceId.2":"i-2","InstanceId.3":"i-3"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"StartInstances","query":
				"InstanceId.1=i-1&InstanceId.2=i-2&InstanceId.3=i-3&RegionId=cn-hangzhou"}}`,
		},
		{
			name: "a request's own RegionId overrides the client's",
			send: func(c *aliecs.Client) {
				r := aliecs.CreateDeleteSnapshotRequest()
				r.RegionId = "cn-beijing"
				r.SnapshotId = "s-1"
				c.DeleteSnapshot(r)
			},
			doc: `{"provider":"alibabacloud","call":{"action":"DeleteSnapshot","params":{"RegionId":"cn-beijing",
				"SnapshotId":"s-1"}}}`,
			query: `{"provider":"alibabacloud","call":{"action":"DeleteSnapshot","query":"RegionId=cn-beijing&SnapshotId=s-1"}}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := sdkfake.NewAlibaba(t, aliRegion)
			got := a.Capture(func() { c.send(a.ECS()) })
			assertDoc(t, "params document", got.Doc, c.doc)
			assertDoc(t, "query document", got.QueryDoc, c.query)
			// Every ECS RPC call is a POST with all its parameters in the query string and an
			// empty form body.
			if got.Method != "POST" || len(got.Raw) != 0 {
				t.Errorf("sent %s with body %q, want POST with an empty body", got.Method, got.Raw)
			}
		})
	}
}
