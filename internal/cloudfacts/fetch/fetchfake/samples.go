package fetchfake

import (
	"fmt"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"

	aliecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	imsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"
)

// SampleHuawei is n resources of each list in region, as the SDK models hold
// them, with realistic values (REAL-SHAPES §2.2): full-ECS private images made
// from CBR backups (__whole_image "true", added by hand: the models lack
// it), shared data images, server backups, servers and their volumes.
// Ids start with the region, so two regions' samples never collide.
func SampleHuawei(region, project string, n int) *Huawei {
	h := &Huawei{Images: map[string][]imsmodel.ImageInfo{}, ImageExtra: map[string]map[string]any{}}
	types, status, env, vis := imsmodel.GetImageInfoImagetypeEnum(), imsmodel.GetImageInfoStatusEnum(),
		imsmodel.GetImageInfoVirtualEnvTypeEnum(), imsmodel.GetImageInfoVisibilityEnum()
	yes, no := true, false
	for i := 1; i <= n; i++ {
		backup := fmt.Sprintf("%s-bk-%03d", region, i)
		server := fmt.Sprintf("%s-srv-%03d", region, i)
		img := fmt.Sprintf("%s-img-%03d", region, i)
		h.Images["private"] = append(h.Images["private"], imsmodel.ImageInfo{
			Id: img, Name: "web-" + img, Owner: project, Imagetype: types.PRIVATE, Status: status.ACTIVE,
			VirtualEnvType: env.FUSION_COMPUTE, Visibility: vis.PRIVATE, BackupId: &backup,
			CreatedAt: "2026-11-01T08:00:00Z", UpdatedAt: "2026-11-01T08:10:00Z", Tags: []string{},
		})
		h.ImageExtra[img] = map[string]any{"__whole_image": "true"}
		shared := fmt.Sprintf("%s-shared-%03d", region, i)
		h.Images["shared"] = append(h.Images["shared"], imsmodel.ImageInfo{
			Id: shared, Name: "data-" + shared, Owner: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", Imagetype: types.SHARED,
			Status: status.ACTIVE, VirtualEnvType: env.DATA_IMAGE, Visibility: vis.SHARED, Tags: []string{},
		})
		h.ImageExtra[shared] = map[string]any{"__whole_image": "false"}
		mode := cbrmodel.GetBackupExtendInfoSupportedRestoreModeEnum().BACKUP
		h.Backups = append(h.Backups, cbrmodel.BackupResp{
			Id: backup, ProjectId: project, ProviderId: "0daac4c5-6707-4851-97ba-169e36266b66",
			ResourceType: "OS::Nova::Server", ResourceId: server, ImageType: "backup",
			Status: cbrmodel.GetBackupRespStatusEnum().AVAILABLE,
			ExtendInfo: &cbrmodel.BackupExtendInfo{AutoTrigger: &no, ContainSystemDisk: &yes, SupportedRestoreMode: &mode,
				OsImagesData: &[]cbrmodel.ImageData{{ImageId: &img}}},
		})
		state := "ACTIVE"
		if i%2 == 0 {
			state = "SHUTOFF"
		}
		h.Servers = append(h.Servers, ecsmodel.ServerDetail{
			Id: server, Name: "web-" + server, Status: state, TenantId: project,
			OSEXTAZavailabilityZone: region + "a",
			Metadata:                map[string]string{"charging_mode": "0", "metering.image_id": img},
		})
		h.Volumes = append(h.Volumes, evsmodel.VolumeDetail{
			Id: fmt.Sprintf("%s-vol-%03d", region, i), Name: "sys-" + server, Status: "in-use", Size: 40,
			AvailabilityZone: region + "a", VolumeType: "SSD", Bootable: "true",
			Attachments: []evsmodel.Attachment{{ServerId: server, Device: "/dev/vda"}},
		})
	}
	return h
}

// SampleAlibaba is n resources of each list in region, as the SDK models hold
// them (REAL-SHAPES §2.3): own images with their system snapshot, shared
// images, snapshots, instances (PostPaid with the 2099 sentinel, PrePaid
// with a real expiry) and disks.
func SampleAlibaba(region string, n int) *Alibaba {
	a := &Alibaba{Images: map[string][]aliecs.Image{}}
	for i := 1; i <= n; i++ {
		snap := fmt.Sprintf("s-%s-%03d", region, i)
		inst := fmt.Sprintf("i-%s-%03d", region, i)
		disk := fmt.Sprintf("d-%s-%03d", region, i)
		a.Images["self"] = append(a.Images["self"], aliecs.Image{
			ImageId: fmt.Sprintf("m-%s-%03d", region, i), ImageName: "web", ImageOwnerAlias: "self", ImageOwnerId: 1234567890,
			Status: "Available", Usage: "none", IsSupportCloudinit: true,
			DiskDeviceMappings: aliecs.DiskDeviceMappingsInDescribeImageFromFamily{DiskDeviceMapping: []aliecs.DiskDeviceMapping{
				{Type: "system", SnapshotId: snap, Size: "40", Device: "/dev/xvda"}}},
		})
		a.Images["others"] = append(a.Images["others"], aliecs.Image{
			ImageId: fmt.Sprintf("m-%s-shared-%03d", region, i), ImageName: "base", ImageOwnerAlias: "others",
			ImageOwnerId: 2345678901, Status: "Available", Usage: "instance",
		})
		a.Snapshots = append(a.Snapshots, aliecs.Snapshot{
			SnapshotId: snap, SourceDiskId: disk, SourceDiskType: "system", Status: "accomplished", Usage: "image", RegionId: region,
		})
		charge, expires := "PostPaid", "2099-12-31T15:59Z"
		if i%2 == 0 {
			charge, expires = "PrePaid", "2026-12-31T16:00Z"
		}
		a.Instances = append(a.Instances, aliecs.Instance{
			InstanceId: inst, RegionId: region, Status: "Running", InstanceChargeType: charge, ExpiredTime: expires,
			OperationLocks: aliecs.OperationLocksInDescribeInstances{LockReason: []aliecs.LockReason{}},
		})
		a.Disks = append(a.Disks, aliecs.Disk{DiskId: disk, InstanceId: inst, Type: "system", Status: "In_use", RegionId: region})
	}
	return a
}

// ReadIDs stands in for cloudfacts.Inventory in tests of what is done with
// an inventory (while the provider readers are stubs, and so that such tests
// do not depend on them): every resource a page lists, by kind and id, with
// its region where the inventory schema has one. A page it does not know is
// an error naming it. A backup keeps its CBR status, as the cloud says it.
func ReadIDs(responses []facts.Response) (map[string]any, error) {
	lists := []struct {
		path       []string
		kind, id   string
		withRegion bool
	}{
		{[]string{"images"}, "images", "id", true},
		{[]string{"backups"}, "backups", "id", false},
		{[]string{"servers"}, "servers", "id", true},
		{[]string{"volumes"}, "disks", "id", true},
		{[]string{"Images", "Image"}, "images", "ImageId", true},
		{[]string{"Snapshots", "Snapshot"}, "snapshots", "SnapshotId", false},
		{[]string{"Instances", "Instance"}, "servers", "InstanceId", true},
		{[]string{"Disks", "Disk"}, "disks", "DiskId", true},
	}
	resources := map[string]any{}
	for _, r := range responses {
		known := false
		for _, l := range lists {
			var v any = r.Doc
			for _, k := range l.path {
				m, _ := v.(map[string]any)
				v = m[k]
			}
			items, ok := v.([]any)
			if !ok {
				continue
			}
			known = true
			byID, _ := resources[l.kind].(map[string]any)
			if byID == nil {
				byID = map[string]any{}
				resources[l.kind] = byID
			}
			for _, it := range items {
				obj, _ := it.(map[string]any)
				id, _ := obj[l.id].(string)
				res := map[string]any{}
				if l.withRegion && r.Region != "" {
					res["region"] = r.Region
				}
				if st, ok := obj["status"].(string); ok && l.kind == "backups" {
					res["status"] = st
				}
				byID[id] = res
			}
		}
		if !known {
			return nil, fmt.Errorf("%s: not a page ReadIDs knows", r.Name)
		}
	}
	return map[string]any{"resources": resources}, nil
}
