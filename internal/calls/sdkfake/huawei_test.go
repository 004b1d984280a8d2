package sdkfake_test

import (
	"testing"

	cbrmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	imsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

const (
	hwRegion  = "cn-north-4"
	hwProject = "0605767a3300d5762fb7c0186d8d2b3b"
)

// Each case calls one SDK method with a model value and asserts the whole call document
// the SDK's request became, and, where the SDK's own serialization matters, the body bytes.
func TestHuaweiCapture(t *testing.T) {
	cases := []struct {
		name   string
		region string // default hwRegion
		opts   []sdkfake.Option
		send   func(h *sdkfake.Huawei)
		doc    string // the whole call document
		raw    string // when set, the body exactly as sent
	}{
		{
			name: "IMS CreateWholeImage from a CBR backup",
			send: func(h *sdkfake.Huawei) {
				h.IMS().CreateWholeImage(&imsmodel.CreateWholeImageRequest{Body: &imsmodel.CreateWholeImageRequestBody{
					Name: "img1", BackupId: ptr("bk-1"), WholeImageType: ptr("CBR"),
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v1/cloudimages/wholeimages/action","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"instance_id":"","name":"img1","backup_id":"bk-1","whole_image_type":"CBR"}}}`,
			// instance_id has no omitempty: the SDK always sends it, empty here.
			raw: `{"instance_id":"","name":"img1","backup_id":"bk-1","whole_image_type":"CBR"}` + "\n",
		},
		{
			name: "IMS ExportImage quick export",
			send: func(h *sdkfake.Huawei) {
				h.IMS().ExportImage(&imsmodel.ExportImageRequest{ImageId: "img-1", Body: &imsmodel.ExportImageRequestBody{
					BucketUrl: "b:f", IsQuickExport: ptr(true),
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v1/cloudimages/img-1/file","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"bucket_url":"b:f","file_format":"","is_quick_export":true}}}`,
			// file_format is an enum struct without omitempty: an unset one goes as "".
			raw: `{"bucket_url":"b:f","file_format":"","is_quick_export":true}` + "\n",
		},
		{
			name: "IMS GlanceDeleteImage with delete_backup",
			send: func(h *sdkfake.Huawei) {
				h.IMS().GlanceDeleteImage(&imsmodel.GlanceDeleteImageRequest{ImageId: "img-1",
					Body: &imsmodel.GlanceDeleteImageRequestBody{DeleteBackup: ptr(true)}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"DELETE",
				"path":"/v2/images/img-1","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"delete_backup":true}}}`,
			raw: `{"delete_backup":true}` + "\n",
		},
		{
			// The SDK substitutes path parameters as they are; Go's URL then escapes what a
			// path cannot hold, but not "/": an id can add path segments.
			name: "IMS GlanceDeleteImage with an id that is not a plain segment",
			send: func(h *sdkfake.Huawei) {
				h.IMS().GlanceDeleteImage(&imsmodel.GlanceDeleteImageRequest{ImageId: "img 1/x?y"})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"DELETE",
				"path":"/v2/images/img%201/x%3Fy","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"}}}`,
		},
		{
			name: "IMS BatchAddMembers",
			send: func(h *sdkfake.Huawei) {
				h.IMS().BatchAddMembers(&imsmodel.BatchAddMembersRequest{Body: &imsmodel.BatchAddMembersRequestBody{
					Images: []string{"img-1"}, Projects: []string{"p-2", "p-3"},
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v1/cloudimages/members","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"images":["img-1"],"projects":["p-2","p-3"]}}}`,
		},
		{
			name: "IMS ListImages sends a sorted query string, space as %20",
			send: func(h *sdkfake.Huawei) {
				h.IMS().ListImages(&imsmodel.ListImagesRequest{
					Imagetype: ptr(imsmodel.GetListImagesRequestImagetypeEnum().PRIVATE), Limit: ptr(int32(10)), Name: ptr("web 1/a"),
				})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"GET",
				"path":"/v2/cloudimages?__imagetype=private&limit=10&name=web%201%2Fa","host":"ims.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"}}}`,
		},
		{
			name: "CBR CreateCheckpoint",
			send: func(h *sdkfake.Huawei) {
				h.CBR().CreateCheckpoint(&cbrmodel.CreateCheckpointRequest{Body: &cbrmodel.VaultBackupReq{
					Checkpoint: &cbrmodel.VaultBackup{VaultId: "v-1", Parameters: &cbrmodel.CheckpointParam{
						Resources: &[]string{"srv-1"}, Incremental: ptr(false), Name: ptr("manual"),
					}},
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v3/0605767a3300d5762fb7c0186d8d2b3b/checkpoints","host":"cbr.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"checkpoint":{"parameters":{"incremental":false,"name":"manual","resources":["srv-1"]},"vault_id":"v-1"}}}}`,
		},
		{
			name: "CBR DeleteBackup has the project in the path and no body",
			send: func(h *sdkfake.Huawei) {
				h.CBR().DeleteBackup(&cbrmodel.DeleteBackupRequest{BackupId: "bk-1"})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"DELETE",
				"path":"/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-1","host":"cbr.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"}}}`,
		},
		{
			name: "CBR RestoreBackup",
			send: func(h *sdkfake.Huawei) {
				h.CBR().RestoreBackup(&cbrmodel.RestoreBackupRequest{BackupId: "bk-1", Body: &cbrmodel.BackupRestoreReq{
					Restore: &cbrmodel.BackupRestore{ServerId: ptr("srv-1"), PowerOn: ptr(true),
						Mappings: &[]cbrmodel.BackupRestoreServerMapping{{BackupId: "vbk-1", VolumeId: "vol-1"}}},
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-1/restore","host":"cbr.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"restore":{"mappings":[{"backup_id":"vbk-1","volume_id":"vol-1"}],"power_on":true,"server_id":"srv-1"}}}}`,
		},
		{
			name: "ECS BatchStartServers",
			send: func(h *sdkfake.Huawei) {
				h.ECS().BatchStartServers(&ecsmodel.BatchStartServersRequest{Body: &ecsmodel.BatchStartServersRequestBody{
					OsStart: &ecsmodel.BatchStartServersOption{Servers: []ecsmodel.ServerId{{Id: "srv-1"}, {Id: "srv-2"}}},
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v1/0605767a3300d5762fb7c0186d8d2b3b/cloudservers/action","host":"ecs.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"os-start":{"servers":[{"id":"srv-1"},{"id":"srv-2"}]}}}}`,
		},
		{
			name: "ECS ChangeServerOsWithCloudInit",
			send: func(h *sdkfake.Huawei) {
				h.ECS().ChangeServerOsWithCloudInit(&ecsmodel.ChangeServerOsWithCloudInitRequest{ServerId: "srv-1",
					Body: &ecsmodel.ChangeServerOsWithCloudInitRequestBody{OsChange: &ecsmodel.ChangeServerOsWithCloudInitOption{
						Imageid: "img-1", Keyname: ptr("kp-1"),
					}}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v2/0605767a3300d5762fb7c0186d8d2b3b/cloudservers/srv-1/changeos","host":"ecs.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"os-change":{"keyname":"kp-1","imageid":"img-1"}}}}`,
		},
		{
			name: "EVS CreateVolume is v2.1",
			send: func(h *sdkfake.Huawei) {
				h.EVS().CreateVolume(&evsmodel.CreateVolumeRequest{Body: &evsmodel.CreateVolumeRequestBody{
					Volume: &evsmodel.CreateVolumeOption{AvailabilityZone: "cn-north-4a", ImageRef: ptr("img-1"), Size: 40,
						VolumeType: evsmodel.GetCreateVolumeOptionVolumeTypeEnum().SSD},
				}})
			},
			doc: `{"provider":"huaweicloud","region":"cn-north-4","call":{"method":"POST",
				"path":"/v2.1/0605767a3300d5762fb7c0186d8d2b3b/cloudvolumes","host":"evs.cn-north-4.myhuaweicloud.com",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"},
				"body":{"volume":{"availability_zone":"cn-north-4a","imageRef":"img-1","size":40,"volume_type":"SSD"}}}}`,
			raw: `{"volume":{"availability_zone":"cn-north-4a","imageRef":"img-1","size":40,"volume_type":"SSD"}}` + "\n",
		},
		{
			name:   "WithoutHost leaves the host out, even for a region the SDK does not know",
			region: "xx-test-1",
			opts:   []sdkfake.Option{sdkfake.WithoutHost()},
			send: func(h *sdkfake.Huawei) {
				h.CBR().DeleteBackup(&cbrmodel.DeleteBackupRequest{BackupId: "bk-1"})
			},
			doc: `{"provider":"huaweicloud","region":"xx-test-1","call":{"method":"DELETE",
				"path":"/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-1",
				"headers":{"X-Project-Id":"0605767a3300d5762fb7c0186d8d2b3b"}}}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			region := c.region
			if region == "" {
				region = hwRegion
			}
			h := sdkfake.NewHuawei(t, region, hwProject, c.opts...)
			got := h.Capture(func() { c.send(h) })
			assertDoc(t, "document", got.Doc, c.doc)
			if c.raw != "" && string(got.Raw) != c.raw {
				t.Errorf("body bytes:\n got %q\nwant %q", got.Raw, c.raw)
			}
			if got.QueryDoc != nil {
				t.Errorf("QueryDoc = %v, want nil for Huawei", got.QueryDoc)
			}
		})
	}
}
