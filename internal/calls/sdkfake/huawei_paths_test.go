package sdkfake_test

import (
	"testing"

	cbrm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	imsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"

	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

// What the SDK sends for each call the translators cover, called with an empty body
// struct: the method and path, and the fields the SDK sends even when nobody set them
// (those without omitempty). The package comment lists these; this test keeps it true.
func TestHuaweiPathsAndAlwaysSentFields(t *testing.T) {
	const p = hwProject
	cases := []struct {
		name        string
		send        func(h *sdkfake.Huawei)
		method, uri string
		raw         string // "" when no body
		contentType string
	}{
		{"IMS CreateWholeImage", func(h *sdkfake.Huawei) {
			h.IMS().CreateWholeImage(&imsm.CreateWholeImageRequest{Body: &imsm.CreateWholeImageRequestBody{}})
		}, "POST", "/v1/cloudimages/wholeimages/action", `{"instance_id":"","name":""}`, ""},
		{"IMS CreateImage", func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{}})
		}, "POST", "/v2/cloudimages/action", `{}`, ""},
		{"IMS CreateImageInSafeMode", func(h *sdkfake.Huawei) {
			h.IMS().CreateImageInSafeMode(&imsm.CreateImageInSafeModeRequest{Body: &imsm.CreateImageRequestBody{}})
		}, "POST", "/v2.1/cloudimages/action", `{}`, ""},
		{"IMS CreateDataImage", func(h *sdkfake.Huawei) {
			h.IMS().CreateDataImage(&imsm.CreateDataImageRequest{Body: &imsm.CreateDataImageRequestBody{}})
		}, "POST", "/v1/cloudimages/dataimages/action", `{"image_url":"","min_disk":0,"name":""}`, ""},
		{"IMS CreateDataImageInSafeMode", func(h *sdkfake.Huawei) {
			h.IMS().CreateDataImageInSafeMode(&imsm.CreateDataImageInSafeModeRequest{Body: &imsm.CreateDataImageRequestBody{}})
		}, "POST", "/v2.1/cloudimages/dataimages/action", `{"image_url":"","min_disk":0,"name":""}`, ""},
		{"IMS ImportImageQuick", func(h *sdkfake.Huawei) {
			h.IMS().ImportImageQuick(&imsm.ImportImageQuickRequest{Body: &imsm.QuickImportImageByFileRequestBody{}})
		}, "POST", "/v2/cloudimages/quickimport/action", `{"name":"","os_version":"","image_url":"","min_disk":0}`, ""},
		{"IMS ImportImageQuickInSafeMode", func(h *sdkfake.Huawei) {
			h.IMS().ImportImageQuickInSafeMode(&imsm.ImportImageQuickInSafeModeRequest{Body: &imsm.QuickImportImageByFileRequestBody{}})
		}, "POST", "/v2.1/cloudimages/quickimport/action", `{"name":"","os_version":"","image_url":"","min_disk":0}`, ""},
		{"IMS ExportImage", func(h *sdkfake.Huawei) {
			h.IMS().ExportImage(&imsm.ExportImageRequest{ImageId: "img-1", Body: &imsm.ExportImageRequestBody{}})
		}, "POST", "/v1/cloudimages/img-1/file", `{"bucket_url":"","file_format":""}`, ""},
		{"IMS ExportImageInSafeMode", func(h *sdkfake.Huawei) {
			h.IMS().ExportImageInSafeMode(&imsm.ExportImageInSafeModeRequest{ImageId: "img-1", Body: &imsm.ExportImageRequestBody{}})
		}, "POST", "/v2.1/cloudimages/img-1/file", `{"bucket_url":"","file_format":""}`, ""},
		{"IMS CopyImageInRegion", func(h *sdkfake.Huawei) {
			h.IMS().CopyImageInRegion(&imsm.CopyImageInRegionRequest{ImageId: "img-1", Body: &imsm.CopyImageInRegionRequestBody{}})
		}, "POST", "/v1/cloudimages/img-1/copy", `{"name":""}`, ""},
		{"IMS CopyImageInRegionInSafeMode", func(h *sdkfake.Huawei) {
			h.IMS().CopyImageInRegionInSafeMode(&imsm.CopyImageInRegionInSafeModeRequest{ImageId: "img-1", Body: &imsm.CopyImageInRegionRequestBody{}})
		}, "POST", "/v2.1/cloudimages/img-1/copy", `{"name":""}`, ""},
		{"IMS CopyImageCrossRegion", func(h *sdkfake.Huawei) {
			h.IMS().CopyImageCrossRegion(&imsm.CopyImageCrossRegionRequest{ImageId: "img-1", Body: &imsm.CopyImageCrossRegionRequestBody{}})
		}, "POST", "/v1/cloudimages/img-1/cross_region_copy", `{"agency_name":"","name":"","project_name":"","region":""}`, ""},
		{"IMS BatchAddMembers", func(h *sdkfake.Huawei) {
			h.IMS().BatchAddMembers(&imsm.BatchAddMembersRequest{Body: &imsm.BatchAddMembersRequestBody{}})
		}, "POST", "/v1/cloudimages/members", `{"images":null,"projects":null}`, ""},
		{"IMS GlanceAddImageMember", func(h *sdkfake.Huawei) {
			h.IMS().GlanceAddImageMember(&imsm.GlanceAddImageMemberRequest{ImageId: "img-1", Body: &imsm.GlanceAddImageMemberRequestBody{}})
		}, "POST", "/v2/images/img-1/members", `{"member":""}`, ""},
		{"IMS GlanceDeleteImage", func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-1", Body: &imsm.GlanceDeleteImageRequestBody{}})
		}, "DELETE", "/v2/images/img-1", `{}`, ""},
		{"IMS GlanceDeleteImage, nil body", func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-1"})
		}, "DELETE", "/v2/images/img-1", "", "application/json;charset=UTF-8"},
		{"CBR CreateCheckpoint", func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{}})
		}, "POST", "/v3/" + p + "/checkpoints", `{"checkpoint":null}`, ""},
		{"CBR DeleteBackup", func(h *sdkfake.Huawei) {
			h.CBR().DeleteBackup(&cbrm.DeleteBackupRequest{BackupId: "bk-1"})
		}, "DELETE", "/v3/" + p + "/backups/bk-1", "", "application/json"},
		{"CBR RestoreBackup", func(h *sdkfake.Huawei) {
			h.CBR().RestoreBackup(&cbrm.RestoreBackupRequest{BackupId: "bk-1", Body: &cbrm.BackupRestoreReq{}})
		}, "POST", "/v3/" + p + "/backups/bk-1/restore", `{"restore":null}`, ""},
		{"ECS CreateServers", func(h *sdkfake.Huawei) {
			h.ECS().CreateServers(&ecsm.CreateServersRequest{Body: &ecsm.CreateServersRequestBody{Server: &ecsm.PrePaidServer{}}})
		}, "POST", "/v1.1/" + p + "/cloudservers", `{"server":{"imageRef":"","flavorRef":"","name":"","vpcid":"","nics":null,"root_volume":null}}`, ""},
		{"ECS CreatePostPaidServers", func(h *sdkfake.Huawei) {
			h.ECS().CreatePostPaidServers(&ecsm.CreatePostPaidServersRequest{Body: &ecsm.CreatePostPaidServersRequestBody{Server: &ecsm.PostPaidServer{}}})
		}, "POST", "/v1/" + p + "/cloudservers", `{"server":{"flavorRef":"","imageRef":"","name":"","nics":null,"root_volume":null,"vpcid":""}}`, ""},
		{"ECS BatchStartServers", func(h *sdkfake.Huawei) {
			h.ECS().BatchStartServers(&ecsm.BatchStartServersRequest{Body: &ecsm.BatchStartServersRequestBody{}})
		}, "POST", "/v1/" + p + "/cloudservers/action", `{"os-start":null}`, ""},
		{"ECS ChangeServerOsWithCloudInit", func(h *sdkfake.Huawei) {
			h.ECS().ChangeServerOsWithCloudInit(&ecsm.ChangeServerOsWithCloudInitRequest{ServerId: "srv-1",
				Body: &ecsm.ChangeServerOsWithCloudInitRequestBody{OsChange: &ecsm.ChangeServerOsWithCloudInitOption{}}})
		}, "POST", "/v2/" + p + "/cloudservers/srv-1/changeos", `{"os-change":{"imageid":""}}`, ""},
		{"ECS ChangeServerOsWithoutCloudInit", func(h *sdkfake.Huawei) {
			h.ECS().ChangeServerOsWithoutCloudInit(&ecsm.ChangeServerOsWithoutCloudInitRequest{ServerId: "srv-1",
				Body: &ecsm.ChangeServerOsWithoutCloudInitRequestBody{OsChange: &ecsm.ChangeServerOsWithoutCloudInitOption{}}})
		}, "POST", "/v1/" + p + "/cloudservers/srv-1/changeos", `{"os-change":{"imageid":""}}`, ""},
		{"ECS DeleteServers", func(h *sdkfake.Huawei) {
			h.ECS().DeleteServers(&ecsm.DeleteServersRequest{Body: &ecsm.DeleteServersRequestBody{}})
		}, "POST", "/v1/" + p + "/cloudservers/delete", `{"servers":null}`, ""},
		{"ECS NovaCreateServers", func(h *sdkfake.Huawei) {
			h.ECS().NovaCreateServers(&ecsm.NovaCreateServersRequest{Body: &ecsm.NovaCreateServersRequestBody{Server: &ecsm.NovaCreateServersOption{}}})
		}, "POST", "/v2.1/" + p + "/servers", `{"server":{"flavorRef":"","name":"","networks":null}}`, ""},
		{"ECS NovaDeleteServer", func(h *sdkfake.Huawei) {
			h.ECS().NovaDeleteServer(&ecsm.NovaDeleteServerRequest{ServerId: "srv-1"})
		}, "DELETE", "/v2.1/" + p + "/servers/srv-1", "", "application/json"},
		{"EVS CreateVolume", func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{}}})
		}, "POST", "/v2.1/" + p + "/cloudvolumes", `{"volume":{"availability_zone":"","size":0,"volume_type":""}}`, ""},
		{"EVS DeleteVolume", func(h *sdkfake.Huawei) {
			h.EVS().DeleteVolume(&evsm.DeleteVolumeRequest{VolumeId: "vol-1"})
		}, "DELETE", "/v2/" + p + "/cloudvolumes/vol-1", "", "application/json"},
	}
	h := sdkfake.NewHuawei(t, hwRegion, hwProject)
	for _, c := range cases {
		got := h.Capture(func() { c.send(h) })
		raw := c.raw
		if raw != "" {
			raw += "\n" // the SDK's json.Encoder ends every body with a newline
		}
		ct := c.contentType
		if ct == "" {
			ct = "application/json;charset=UTF-8"
		}
		if got.Method != c.method || got.URI != c.uri || string(got.Raw) != raw || got.Header.Get("Content-Type") != ct {
			t.Errorf("%s: sent %s %s (Content-Type %s) %q\n                  want %s %s (Content-Type %s) %q",
				c.name, got.Method, got.URI, got.Header.Get("Content-Type"), got.Raw, c.method, c.uri, ct, raw)
		}
	}
}
