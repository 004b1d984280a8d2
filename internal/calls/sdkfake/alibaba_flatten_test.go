package sdkfake_test

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	e "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

// How the SDK flattens the fields that matter of each ECS request the translators cover:
// lists numbered from 1, structs dotted, Boolean/Integer/Float as the strings they are,
// empty values not sent. The package comment lists these; this test keeps it true.
func TestAlibabaFlattening(t *testing.T) {
	cases := []struct {
		name   string
		send   func(c *e.Client)
		action string
		query  string
	}{
		{"CreateImage tags and features", func(c *e.Client) {
			r := e.CreateCreateImageRequest()
			r.InstanceId = "i-1"
			r.ImageName = "n"
			r.Tag = &[]e.CreateImageTag{{Key: "k", Value: "v"}}
			r.Features = e.CreateImageFeatures{ImdsSupport: "v2"}
			r.ResourceOwnerId = requests.NewInteger(7)
			c.CreateImage(r)
		}, "CreateImage", "Features.ImdsSupport=v2&ImageName=n&InstanceId=i-1&RegionId=cn-hangzhou&ResourceOwnerId=7&Tag.1.Key=k&Tag.1.Value=v"},
		{"ExportImage", func(c *e.Client) {
			r := e.CreateExportImageRequest()
			r.ImageId = "m-1"
			r.OSSBucket = "b"
			r.OSSPrefix = "p/"
			r.ImageFormat = "qcow2"
			c.ExportImage(r)
		}, "ExportImage", "ImageFormat=qcow2&ImageId=m-1&OSSBucket=b&OSSPrefix=p%2F&RegionId=cn-hangzhou"},
		{"CopyImage encrypted", func(c *e.Client) {
			r := e.CreateCopyImageRequest()
			r.ImageId = "m-1"
			r.DestinationRegionId = "cn-beijing"
			r.DestinationImageName = "n"
			r.Encrypted = requests.NewBoolean(true)
			r.KMSKeyId = "key"
			c.CopyImage(r)
		}, "CopyImage", "DestinationImageName=n&DestinationRegionId=cn-beijing&Encrypted=true&ImageId=m-1&KMSKeyId=key&RegionId=cn-hangzhou"},
		{"RunInstances", func(c *e.Client) {
			r := e.CreateRunInstancesRequest()
			r.ImageId = "m-1"
			r.InstanceType = "ecs.g7.large"
			r.Amount = requests.NewInteger(2)
			r.DryRun = requests.NewBoolean(false)
			r.SystemDiskCategory = "cloud_essd"
			r.SystemDiskSize = "40"
			r.SystemDisk = e.RunInstancesSystemDisk{Encrypted: "true"}
			r.DataDisk = &[]e.RunInstancesDataDisk{{SnapshotId: "s-1", Size: "100", DeleteWithInstance: "false"}}
			r.SecurityGroupIds = &[]string{"sg-1", "sg-2"}
			r.HostNames = &[]string{"h1", "h2"}
			r.SpotPriceLimit = requests.NewFloat(0.5)
			c.RunInstances(r)
		}, "RunInstances", "Amount=2&DataDisk.1.DeleteWithInstance=false&DataDisk.1.Size=100&DataDisk.1.SnapshotId=s-1&DryRun=false" +
			"&HostNames.1=h1&HostNames.2=h2&ImageId=m-1&InstanceType=ecs.g7.large&RegionId=cn-hangzhou" +
			"&SecurityGroupIds.1=sg-1&SecurityGroupIds.2=sg-2&SpotPriceLimit=0.500000" +
			"&SystemDisk.Category=cloud_essd&SystemDisk.Encrypted=true&SystemDisk.Size=40"},
		{"CreateInstance", func(c *e.Client) {
			r := e.CreateCreateInstanceRequest()
			r.ImageId = "m-1"
			r.InstanceType = "t"
			r.SystemDiskSize = requests.NewInteger(40)
			r.DataDisk = &[]e.CreateInstanceDataDisk{{SnapshotId: "s-1"}}
			c.CreateInstance(r)
		}, "CreateInstance", "DataDisk.1.SnapshotId=s-1&ImageId=m-1&InstanceType=t&RegionId=cn-hangzhou&SystemDisk.Size=40"},
		{"StartInstance", func(c *e.Client) {
			r := e.CreateStartInstanceRequest()
			r.InstanceId = "i-1"
			r.InitLocalDisk = requests.NewBoolean(false)
			c.StartInstance(r)
		}, "StartInstance", "InitLocalDisk=false&InstanceId=i-1&RegionId=cn-hangzhou"},
		{"StartInstances, an empty id keeps its number", func(c *e.Client) {
			r := e.CreateStartInstancesRequest()
			r.InstanceId = &[]string{"", "i-2"}
			c.StartInstances(r)
		}, "StartInstances", "InstanceId.2=i-2&RegionId=cn-hangzhou"},
		{"ReplaceSystemDisk", func(c *e.Client) {
			r := e.CreateReplaceSystemDiskRequest()
			r.InstanceId = "i-1"
			r.ImageId = "m-1"
			r.SystemDiskSize = requests.NewInteger(50)
			r.PasswordInherit = requests.NewBoolean(true)
			c.ReplaceSystemDisk(r)
		}, "ReplaceSystemDisk", "ImageId=m-1&InstanceId=i-1&PasswordInherit=true&RegionId=cn-hangzhou&SystemDisk.Size=50"},
		{"DeleteInstance", func(c *e.Client) {
			r := e.CreateDeleteInstanceRequest()
			r.InstanceId = "i-1"
			r.Force = requests.NewBoolean(true)
			c.DeleteInstance(r)
		}, "DeleteInstance", "Force=true&InstanceId=i-1&RegionId=cn-hangzhou"},
		{"DeleteInstances", func(c *e.Client) {
			r := e.CreateDeleteInstancesRequest()
			r.InstanceId = &[]string{"i-1", "i-2"}
			r.Force = requests.NewBoolean(false)
			c.DeleteInstances(r)
		}, "DeleteInstances", "Force=false&InstanceId.1=i-1&InstanceId.2=i-2&RegionId=cn-hangzhou"},
		{"DeleteDisk", func(c *e.Client) {
			r := e.CreateDeleteDiskRequest()
			r.DiskId = "d-1"
			c.DeleteDisk(r)
		}, "DeleteDisk", "DiskId=d-1&RegionId=cn-hangzhou"},
		{"DeleteSnapshot", func(c *e.Client) {
			r := e.CreateDeleteSnapshotRequest()
			r.SnapshotId = "s-1"
			r.Force = requests.NewBoolean(false)
			c.DeleteSnapshot(r)
		}, "DeleteSnapshot", "Force=false&RegionId=cn-hangzhou&SnapshotId=s-1"},
		{"ModifyImageSharePermission removes, not public", func(c *e.Client) {
			r := e.CreateModifyImageSharePermissionRequest()
			r.ImageId = "m-1"
			r.RemoveAccount = &[]string{"1"}
			r.IsPublic = requests.NewBoolean(false)
			c.ModifyImageSharePermission(r)
		}, "ModifyImageSharePermission", "ImageId=m-1&IsPublic=false&RegionId=cn-hangzhou&RemoveAccount.1=1"},
	}
	a := sdkfake.NewAlibaba(t, aliRegion)
	for _, c := range cases {
		got := a.Capture(func() { c.send(a.ECS()) })
		call := got.QueryDoc["call"].(map[string]any)
		if call["action"] != c.action || call["query"] != c.query {
			t.Errorf("%s: sent %v %v\n want %s %s", c.name, call["action"], call["query"], c.action, c.query)
		}
	}
}
