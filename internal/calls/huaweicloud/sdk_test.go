package huaweicloud_test

import (
	"slices"
	"strings"
	"testing"

	cbrm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	imsm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/sdkfake"
)

// sdkCase is one SDK call: the model value the SDK sends, the canonical
// requests the call becomes (their params, each a whole request with the
// call's provider, region, project and operation), and the decision.
type sdkCase struct {
	name    string
	send    func(h *sdkfake.Huawei)
	facts   string // the document's resources, when it has some
	call    string // the decision's call: "service Name"
	op      string
	params  []string
	allowed bool
	reasons []string // "effect id", in the decision's order
	unknown string   // for a refused call: a piece of its REQ-003 message
}

// TestSDKCalls: every call the translator knows, as the official SDK sends
// it (sdkfake), translated and decided with testdata/inventory.json.
func TestSDKCalls(t *testing.T) {
	imageTypes := imsm.GetCreateImageRequestBodyTypeEnum()
	cases := []sdkCase{
		// IMS image.create
		{name: "CreateWholeImage from a CBR backup already used", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateWholeImage(&imsm.CreateWholeImageRequest{Body: &imsm.CreateWholeImageRequestBody{
				Name: "web-2026-11", BackupId: ptr("bk-used"), WholeImageType: ptr("CBR"),
				ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "prod"}}}})
		}, call: "ims CreateWholeImage", op: "image.create",
			params:  []string{`{"name":"web-2026-11","image_type":"full_ecs","source":{"type":"cbr_backup","id":"bk-used"},"agree_disclaimer":true,"image_tags":[{"key":"env","value":"prod"}]}`},
			reasons: []string{"deny IMS-FE-002", "note IMS-FE-014", "note IMS-FE-018"}},
		{name: "CreateWholeImage from a CBR backup, legacy tags", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateWholeImage(&imsm.CreateWholeImageRequest{Body: &imsm.CreateWholeImageRequestBody{
				Name: "web-2026-11", BackupId: ptr("bk-ok"), WholeImageType: ptr("CBR"), Description: ptr("web tier"),
				Tags: &[]string{"env.prod"}, EnterpriseProjectId: ptr("0"), MinRam: ptr(int32(1024)), MaxRam: ptr(int32(8192))}})
		}, call: "ims CreateWholeImage", op: "image.create",
			params:  []string{`{"name":"web-2026-11","image_type":"full_ecs","source":{"type":"cbr_backup","id":"bk-ok"},"agree_disclaimer":true,"description":"web tier","image_tags":[{"key":"env","value":"prod"}],"enterprise_project_id":"0","min_ram":1024,"max_ram":8192}`},
			allowed: true, reasons: []string{"note IMS-FE-014", "note IMS-FE-018"}},
		{name: "CreateWholeImage from a backup without whole_image_type is CSBS", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateWholeImage(&imsm.CreateWholeImageRequest{Body: &imsm.CreateWholeImageRequestBody{
				Name: "web-2026-11", BackupId: ptr("csbs-1"), ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "dev"}}}})
		}, call: "ims CreateWholeImage", op: "image.create",
			params:  []string{`{"name":"web-2026-11","image_type":"full_ecs","source":{"type":"csbs_backup","id":"csbs-1"},"agree_disclaimer":true,"image_tags":[{"key":"env","value":"dev"}]}`},
			allowed: true, reasons: []string{}},
		{name: "CreateWholeImage from a server", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateWholeImage(&imsm.CreateWholeImageRequest{Body: &imsm.CreateWholeImageRequestBody{
				Name: "web-2026-11", InstanceId: "srv-1", VaultId: ptr("vault-1"), Tags: &[]string{"env.staging"}}})
		}, call: "ims CreateWholeImage", op: "image.create",
			params:  []string{`{"name":"web-2026-11","image_type":"full_ecs","source":{"type":"server","id":"srv-1"},"agree_disclaimer":true,"vault_id":"vault-1","image_tags":[{"key":"env","value":"staging"}]}`},
			reasons: []string{"deny IMS-IMG-003", "note IMS-FE-017"}},
		{name: "CreateImage from a server with its data disks", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{
				Name: ptr("web-sys"), InstanceId: ptr("srv-1"), ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "prod"}},
				DataImages: &[]imsm.CreateDataImage{
					{Name: "web-data-1", VolumeId: "vol-1", Tags: &[]string{"env.prod"}},
					{Name: "web-data-2", VolumeId: "vol-2", Description: ptr("logs")}}}})
		}, call: "ims CreateImage", op: "image.create",
			params: []string{
				`{"name":"web-sys","image_type":"system","source":{"type":"server","id":"srv-1"},"agree_disclaimer":true,"image_tags":[{"key":"env","value":"prod"}]}`,
				`{"name":"web-data-1","image_type":"data","source":{"type":"disk","id":"vol-1"},"agree_disclaimer":true,"image_tags":[{"key":"env","value":"prod"}]}`,
				`{"name":"web-data-2","image_type":"data","source":{"type":"disk","id":"vol-2"},"agree_disclaimer":true,"description":"logs"}`,
			},
			reasons: []string{"deny IMS-IMG-003", "note IMS-IMG-010", "note IMS-IMG-010", "note IMS-IMG-010"}},
		{name: "CreateImage data images only", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{
				EnterpriseProjectId: ptr("eps-1"),
				DataImages:          &[]imsm.CreateDataImage{{Name: "web-data-1", VolumeId: "vol-1", Tags: &[]string{"env.dev"}}}}})
		}, call: "ims CreateImage", op: "image.create",
			params:  []string{`{"name":"web-data-1","image_type":"data","source":{"type":"disk","id":"vol-1"},"agree_disclaimer":true,"enterprise_project_id":"eps-1","image_tags":[{"key":"env","value":"dev"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateImage from a file", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{
				Name: ptr("web-file"), ImageUrl: ptr("images:web.qcow2"), MinDisk: ptr(int32(40)), OsVersion: ptr("Ubuntu 22.04 server 64bit"),
				IsQuickImport: ptr(true), Architecture: ptr(imsm.GetCreateImageRequestBodyArchitectureEnum().ARM), CmkId: ptr("cmk-1"),
				ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "prod"}}}})
		}, call: "ims CreateImage", op: "image.create",
			params:  []string{`{"name":"web-file","image_type":"system","source":{"type":"file","id":"images:web.qcow2"},"agree_disclaimer":true,"min_disk":40,"os_version":"Ubuntu 22.04 server 64bit","architecture":"arm","cmk_id":"cmk-1","image_tags":[{"key":"env","value":"prod"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateImage of type IsoImage is an ISO image", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{
				Name: ptr("installer"), ImageUrl: ptr("images:os.iso"), MinDisk: ptr(int32(40)), OsVersion: ptr("CentOS 7.9 64bit"),
				Type: ptr(imageTypes.ISO_IMAGE), ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "dev"}}}})
		}, call: "ims CreateImage", op: "image.create",
			params:  []string{`{"name":"installer","image_type":"iso","source":{"type":"iso_file","id":"images:os.iso"},"agree_disclaimer":true,"min_disk":40,"os_version":"CentOS 7.9 64bit","image_tags":[{"key":"env","value":"dev"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateImage from a data disk with an OS", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImage(&imsm.CreateImageRequest{Body: &imsm.CreateImageRequestBody{
				Name: ptr("from-disk"), VolumeId: ptr("vol-2"), OsVersion: ptr("CentOS 7.9 64bit"),
				ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "dev"}}}})
		}, call: "ims CreateImage", op: "image.create",
			params:  []string{`{"name":"from-disk","image_type":"system","source":{"type":"disk","id":"vol-2"},"agree_disclaimer":true,"os_version":"CentOS 7.9 64bit","image_tags":[{"key":"env","value":"dev"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateImageInSafeMode from a server", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateImageInSafeMode(&imsm.CreateImageInSafeModeRequest{Body: &imsm.CreateImageRequestBody{
				Name: ptr("web-sys"), InstanceId: ptr("srv-1"), MaxRam: ptr(int32(0)),
				ImageTags: &[]imsm.TagKeyValue{{Key: "env", Value: "prod"}}}})
		}, call: "ims CreateImageInSafeMode", op: "image.create",
			params:  []string{`{"name":"web-sys","image_type":"system","source":{"type":"server","id":"srv-1"},"agree_disclaimer":true,"max_ram":0,"image_tags":[{"key":"env","value":"prod"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateDataImage from a file", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateDataImage(&imsm.CreateDataImageRequest{Body: &imsm.CreateDataImageRequestBody{
				Name: "data-file", ImageUrl: "images:data.qcow2", MinDisk: 100,
				OsType:    ptr(imsm.GetCreateDataImageRequestBodyOsTypeEnum().LINUX),
				ImageTags: &[]imsm.ImageTag{{Key: ptr("env"), Value: ptr("prod")}}}})
		}, call: "ims CreateDataImage", op: "image.create",
			params:  []string{`{"name":"data-file","image_type":"data","source":{"type":"file","id":"images:data.qcow2"},"agree_disclaimer":true,"min_disk":100,"image_tags":[{"key":"env","value":"prod"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "CreateDataImageInSafeMode from a file, too large", send: func(h *sdkfake.Huawei) {
			h.IMS().CreateDataImageInSafeMode(&imsm.CreateDataImageInSafeModeRequest{Body: &imsm.CreateDataImageRequestBody{
				Name: "data-file", ImageUrl: "images:data.qcow2", MinDisk: 2048, Tags: &[]string{"env.prod"}}})
		}, call: "ims CreateDataImageInSafeMode", op: "image.create",
			params:  []string{`{"name":"data-file","image_type":"data","source":{"type":"file","id":"images:data.qcow2"},"agree_disclaimer":true,"min_disk":2048,"image_tags":[{"key":"env","value":"prod"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "ImportImageQuick of a system image", send: func(h *sdkfake.Huawei) {
			h.IMS().ImportImageQuick(&imsm.ImportImageQuickRequest{Body: &imsm.QuickImportImageByFileRequestBody{
				Name: "quick", OsVersion: "Ubuntu 22.04 server 64bit", ImageUrl: "images:web.zvhd2", MinDisk: 40,
				Type: ptr(imsm.GetQuickImportImageByFileRequestBodyTypeEnum().ECS), ImageTags: &[]imsm.ResourceTag{{Key: "env", Value: "prod"}}}})
		}, call: "ims ImportImageQuick", op: "image.create",
			params:  []string{`{"name":"quick","image_type":"system","source":{"type":"file","id":"images:web.zvhd2"},"agree_disclaimer":true,"min_disk":40,"os_version":"Ubuntu 22.04 server 64bit","image_tags":[{"key":"env","value":"prod"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},
		{name: "ImportImageQuickInSafeMode of a data image: the SDK's empty os_version is absent", send: func(h *sdkfake.Huawei) {
			h.IMS().ImportImageQuickInSafeMode(&imsm.ImportImageQuickInSafeModeRequest{Body: &imsm.QuickImportImageByFileRequestBody{
				Name: "quick-data", ImageUrl: "images:data.zvhd2", MinDisk: 100,
				Type: ptr(imsm.GetQuickImportImageByFileRequestBodyTypeEnum().DATA_IMAGE), Tags: &[]string{"env.dev"}}})
		}, call: "ims ImportImageQuickInSafeMode", op: "image.create",
			params:  []string{`{"name":"quick-data","image_type":"data","source":{"type":"file","id":"images:data.zvhd2"},"agree_disclaimer":true,"min_disk":100,"image_tags":[{"key":"env","value":"dev"}]}`},
			allowed: true, reasons: []string{"note IMS-IMG-010"}},

		// IMS image.share
		{name: "BatchAddMembers: one share per image, domains count as members", send: func(h *sdkfake.Huawei) {
			h.IMS().BatchAddMembers(&imsm.BatchAddMembersRequest{Body: &imsm.BatchAddMembersRequestBody{
				Images: []string{"img-sys", "img-data"}, Projects: []string{"p-2"}, Domains: &[]string{"d-3"}}})
		}, call: "ims BatchAddMembers", op: "image.share",
			params: []string{
				`{"image_id":"img-sys","members":["p-2","d-3"]}`,
				`{"image_id":"img-data","members":["p-2","d-3"]}`,
			},
			allowed: true, reasons: []string{}},
		{name: "GlanceAddImageMember", send: func(h *sdkfake.Huawei) {
			h.IMS().GlanceAddImageMember(&imsm.GlanceAddImageMemberRequest{ImageId: "img-full",
				Body: &imsm.GlanceAddImageMemberRequestBody{Member: "p-2"}})
		}, call: "ims GlanceAddImageMember", op: "image.share",
			params:  []string{`{"image_id":"img-full","members":["p-2"]}`},
			allowed: true, reasons: []string{}},

		// IMS image.export
		{name: "ExportImage quick: the SDK's empty file_format", send: func(h *sdkfake.Huawei) {
			h.IMS().ExportImage(&imsm.ExportImageRequest{ImageId: "img-sys", Body: &imsm.ExportImageRequestBody{
				BucketUrl: "exports:web.zvhd2", IsQuickExport: ptr(true)}})
		}, call: "ims ExportImage", op: "image.export",
			params:  []string{`{"image_id":"img-sys","bucket_url":"exports:web.zvhd2","file_format":"","is_quick_export":true}`},
			allowed: true, reasons: []string{}},
		{name: "ExportImageInSafeMode of a full-ECS image", send: func(h *sdkfake.Huawei) {
			h.IMS().ExportImageInSafeMode(&imsm.ExportImageInSafeModeRequest{ImageId: "img-full", Body: &imsm.ExportImageRequestBody{
				BucketUrl: "exports:web.qcow2", FileFormat: imsm.GetExportImageRequestBodyFileFormatEnum().QCOW2}})
		}, call: "ims ExportImageInSafeMode", op: "image.export",
			params:  []string{`{"image_id":"img-full","bucket_url":"exports:web.qcow2","file_format":"qcow2"}`},
			reasons: []string{"deny IMS-FE-009"}},

		// IMS image.replicate
		{name: "CopyImageInRegion of a full-ECS image", send: func(h *sdkfake.Huawei) {
			h.IMS().CopyImageInRegion(&imsm.CopyImageInRegionRequest{ImageId: "img-full", Body: &imsm.CopyImageInRegionRequestBody{
				Name: "copy", CmkId: ptr("cmk-1"), EnterpriseProjectId: ptr("eps-1")}})
		}, call: "ims CopyImageInRegion", op: "image.replicate",
			params:  []string{`{"image_id":"img-full","name":"copy","cmk_id":"cmk-1","enterprise_project_id":"eps-1"}`},
			reasons: []string{"deny IMS-FE-010"}},
		{name: "CopyImageInRegionInSafeMode", send: func(h *sdkfake.Huawei) {
			h.IMS().CopyImageInRegionInSafeMode(&imsm.CopyImageInRegionInSafeModeRequest{ImageId: "img-sys",
				Body: &imsm.CopyImageInRegionRequestBody{Name: "copy", Description: ptr("a copy")}})
		}, call: "ims CopyImageInRegionInSafeMode", op: "image.replicate",
			params:  []string{`{"image_id":"img-sys","name":"copy","description":"a copy"}`},
			allowed: true, reasons: []string{}},
		{name: "CopyImageCrossRegion: the SDK's empty agency_name is absent", send: func(h *sdkfake.Huawei) {
			h.IMS().CopyImageCrossRegion(&imsm.CopyImageCrossRegionRequest{ImageId: "img-full", Body: &imsm.CopyImageCrossRegionRequestBody{
				Name: "copy", Region: "cn-east-3", ProjectName: "cn-east-3", VaultId: ptr("vault-2")}})
		}, call: "ims CopyImageCrossRegion", op: "image.replicate",
			params:  []string{`{"image_id":"img-full","destination_region":"cn-east-3","name":"copy","project_name":"cn-east-3","vault_id":"vault-2"}`},
			allowed: true, reasons: []string{}},

		// IMS image.delete
		{name: "GlanceDeleteImage keeping the backup", send: func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-full",
				Body: &imsm.GlanceDeleteImageRequestBody{DeleteBackup: ptr(false)}})
		}, call: "ims GlanceDeleteImage", op: "image.delete",
			params:  []string{`{"image_id":"img-full","delete_backup":false}`},
			allowed: true, reasons: []string{"warn IMS-FE-015"}},
		{name: "GlanceDeleteImage with the backup", send: func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-full",
				Body: &imsm.GlanceDeleteImageRequestBody{DeleteBackup: ptr(true)}})
		}, call: "ims GlanceDeleteImage", op: "image.delete",
			params:  []string{`{"image_id":"img-full","delete_backup":true}`},
			allowed: true, reasons: []string{}},
		{name: "GlanceDeleteImage with no body keeps the backup", send: func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-full"})
		}, call: "ims GlanceDeleteImage", op: "image.delete",
			params:  []string{`{"image_id":"img-full","delete_backup":false}`},
			allowed: true, reasons: []string{"warn IMS-FE-015"}},
		{name: "GlanceDeleteImage empty body", send: func(h *sdkfake.Huawei) {
			h.IMS().GlanceDeleteImage(&imsm.GlanceDeleteImageRequest{ImageId: "img-sys", Body: &imsm.GlanceDeleteImageRequestBody{}})
		}, call: "ims GlanceDeleteImage", op: "image.delete",
			params:  []string{`{"image_id":"img-sys","delete_backup":false}`},
			allowed: true, reasons: []string{}},

		// IMS known writes with no operation
		{name: "BatchDeleteMembers", send: func(h *sdkfake.Huawei) {
			h.IMS().BatchDeleteMembers(&imsm.BatchDeleteMembersRequest{Body: &imsm.BatchAddMembersRequestBody{
				Images: []string{"img-sys"}, Projects: []string{"p-2"}}})
		}, call: "ims BatchDeleteMembers", reasons: []string{"deny REQ-003"},
			unknown: "BatchDeleteMembers (DELETE /v1/cloudimages/members) maps onto no imgadmit operation"},
		{name: "BatchUpdateMembers", send: func(h *sdkfake.Huawei) {
			h.IMS().BatchUpdateMembers(&imsm.BatchUpdateMembersRequest{Body: &imsm.BatchUpdateMembersRequestBody{
				Images: []string{"img-sys"}, ProjectId: project, Status: imsm.GetBatchUpdateMembersRequestBodyStatusEnum().ACCEPTED}})
		}, call: "ims BatchUpdateMembers", reasons: []string{"deny REQ-003"},
			unknown: "BatchUpdateMembers (PUT /v1/cloudimages/members) maps onto no imgadmit operation"},

		// CBR
		{name: "CreateCheckpoint of a server given by id only", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{
				VaultId: "vault-1", Parameters: &cbrm.CheckpointParam{Resources: &[]string{"srv-2"}, Incremental: ptr(true), Name: ptr("manual")}}}})
		}, call: "cbr CreateCheckpoint", op: "backup.create",
			params:  []string{`{"resource_type":"server","resource_id":"srv-2","vault_id":"vault-1","name":"manual","incremental":true}`},
			allowed: true, reasons: []string{"warn CBR-005", "note CBR-006"}},
		{name: "CreateCheckpoint of an id only is read as a server (CBR-005 warns: not known optimized)", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{
				VaultId: "vault-1", Parameters: &cbrm.CheckpointParam{Resources: &[]string{"vol-9"}}}}})
		}, call: "cbr CreateCheckpoint", op: "backup.create",
			params:  []string{`{"resource_type":"server","resource_id":"vol-9","vault_id":"vault-1"}`},
			allowed: true, reasons: []string{"warn CBR-005", "note CBR-006"}},
		{name: "CreateCheckpoint of an id only: the translator still says server, the rulebook's facts (a disk here) decide", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{
				VaultId: "vault-1", Parameters: &cbrm.CheckpointParam{Resources: &[]string{"vol-9"}}}}})
		}, facts: `{"disks":{"vol-9":{"backup_ids":[]}}}`, call: "cbr CreateCheckpoint", op: "backup.create",
			params:  []string{`{"resource_type":"server","resource_id":"vol-9","vault_id":"vault-1"}`},
			allowed: true, reasons: []string{"note CBR-006"}},
		{name: "CreateCheckpoint with resource_details: an SFS Turbo makes no request", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{
				VaultId: "vault-1", Parameters: &cbrm.CheckpointParam{Description: ptr("nightly"), ResourceDetails: &[]cbrm.Resource{
					{Id: "srv-1", Type: "OS::Nova::Server", Name: ptr("web")},
					{Id: "vol-2", Type: "OS::Cinder::Volume"},
					{Id: "sfs-1", Type: "OS::Sfs::Turbo"}}}}}})
		}, call: "cbr CreateCheckpoint", op: "backup.create",
			params: []string{
				`{"resource_type":"server","resource_id":"srv-1","vault_id":"vault-1","description":"nightly"}`,
				`{"resource_type":"disk","resource_id":"vol-2","vault_id":"vault-1","description":"nightly"}`,
			},
			allowed: true, reasons: []string{"note CBR-006", "note CBR-006"}},
		{name: "CreateCheckpoint of ungoverned resources only", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{
				VaultId: "vault-1", Parameters: &cbrm.CheckpointParam{Resources: &[]string{"sfs-1"},
					ResourceDetails: &[]cbrm.Resource{{Id: "sfs-1", Type: "OS::Sfs::Turbo"}}}}}})
		}, call: "cbr CreateCheckpoint", reasons: []string{"deny REQ-003"},
			unknown: "CreateCheckpoint backs up only resources imgadmit does not govern: sfs-1 (OS::Sfs::Turbo)"},
		{name: "CreateCheckpoint of a whole vault", send: func(h *sdkfake.Huawei) {
			h.CBR().CreateCheckpoint(&cbrm.CreateCheckpointRequest{Body: &cbrm.VaultBackupReq{Checkpoint: &cbrm.VaultBackup{VaultId: "vault-1"}}})
		}, call: "cbr CreateCheckpoint", reasons: []string{"deny REQ-003"},
			unknown: "CreateCheckpoint names no resource (checkpoint.parameters.resources, resource_details): it backs up every resource in vault vault-1"},
		{name: "DeleteBackup of a backup with an image", send: func(h *sdkfake.Huawei) {
			h.CBR().DeleteBackup(&cbrm.DeleteBackupRequest{BackupId: "bk-used"})
		}, call: "cbr DeleteBackup", op: "backup.delete",
			params:  []string{`{"backup_id":"bk-used"}`},
			reasons: []string{"deny CBR-001"}},
		{name: "RestoreBackup to its own server", send: func(h *sdkfake.Huawei) {
			h.CBR().RestoreBackup(&cbrm.RestoreBackupRequest{BackupId: "bk-ok", Body: &cbrm.BackupRestoreReq{Restore: &cbrm.BackupRestore{
				ServerId: ptr("srv-1"), PowerOn: ptr(true), Mappings: &[]cbrm.BackupRestoreServerMapping{{BackupId: "vbk-1", VolumeId: "vol-1"}}}}})
		}, call: "cbr RestoreBackup", op: "backup.restore",
			params:  []string{`{"backup_id":"bk-ok","server_id":"srv-1","power_on":true}`},
			allowed: true, reasons: []string{}},
		{name: "RestoreBackup of a disk backup still being made, to another disk", send: func(h *sdkfake.Huawei) {
			h.CBR().RestoreBackup(&cbrm.RestoreBackupRequest{BackupId: "bk-disk", Body: &cbrm.BackupRestoreReq{Restore: &cbrm.BackupRestore{
				VolumeId: ptr("vol-2")}}})
		}, call: "cbr RestoreBackup", op: "backup.restore",
			params:  []string{`{"backup_id":"bk-disk","disk_id":"vol-2"}`},
			reasons: []string{"deny CBR-003", "deny CBR-009"}},

		// ECS server.create
		{name: "CreateServers prePaid, two from an ISO image", send: func(h *sdkfake.Huawei) {
			h.ECS().CreateServers(&ecsm.CreateServersRequest{Body: &ecsm.CreateServersRequestBody{Server: &ecsm.PrePaidServer{
				ImageRef: "img-iso", FlavorRef: "s6.large.2", Name: "installer", Vpcid: "vpc-1", Count: ptr(int32(2)),
				AdminPass: ptr("secret-Passw0rd"), UserData: ptr("IyEvYmluL3NoCg=="),
				Nics:       []ecsm.PrePaidServerNic{{SubnetId: ptr("subnet-1")}},
				RootVolume: &ecsm.PrePaidServerRootVolume{Volumetype: ecsm.GetPrePaidServerRootVolumeVolumetypeEnum().SSD},
				Extendparam: &ecsm.PrePaidServerExtendParam{ChargingMode: ptr(ecsm.GetPrePaidServerExtendParamChargingModeEnum().PRE_PAID),
					PeriodType: ptr(ecsm.GetPrePaidServerExtendParamPeriodTypeEnum().MONTH), PeriodNum: ptr(int32(1))}}}})
		}, call: "ecs CreateServers", op: "server.create",
			params: []string{
				`{"image_id":"img-iso","name":"installer","billing_method":"subscription","temporary":true}`,
				`{"image_id":"img-iso","name":"installer","billing_method":"subscription","temporary":true}`,
			},
			allowed: true, reasons: []string{}},
		{name: "CreateServers postPaid from a data image", send: func(h *sdkfake.Huawei) {
			h.ECS().CreateServers(&ecsm.CreateServersRequest{Body: &ecsm.CreateServersRequestBody{Server: &ecsm.PrePaidServer{
				ImageRef: "img-data", FlavorRef: "s6.large.2", Name: "web", Vpcid: "vpc-1",
				Extendparam: &ecsm.PrePaidServerExtendParam{ChargingMode: ptr(ecsm.GetPrePaidServerExtendParamChargingModeEnum().POST_PAID)}}}})
		}, call: "ecs CreateServers", op: "server.create",
			params:  []string{`{"image_id":"img-data","name":"web","billing_method":"pay_as_you_go","temporary":true}`},
			reasons: []string{"deny IMS-IMG-004"}},
		{name: "CreatePostPaidServers: chargingMode is a number", send: func(h *sdkfake.Huawei) {
			h.ECS().CreatePostPaidServers(&ecsm.CreatePostPaidServersRequest{Body: &ecsm.CreatePostPaidServersRequestBody{Server: &ecsm.PostPaidServer{
				ImageRef: "img-sys", FlavorRef: "s6.large.2", Name: "web", Vpcid: "vpc-1",
				Extendparam: &ecsm.PostPaidServerExtendParam{ChargingMode: ptr(int32(0))}}}})
		}, call: "ecs CreatePostPaidServers", op: "server.create",
			params:  []string{`{"image_id":"img-sys","name":"web","billing_method":"pay_as_you_go","temporary":true}`},
			allowed: true, reasons: []string{}},
		{name: "CreatePostPaidServers with a data disk from an image", send: func(h *sdkfake.Huawei) {
			h.ECS().CreatePostPaidServers(&ecsm.CreatePostPaidServersRequest{Body: &ecsm.CreatePostPaidServersRequestBody{Server: &ecsm.PostPaidServer{
				ImageRef: "img-sys", FlavorRef: "s6.large.2", Name: "web", Vpcid: "vpc-1",
				DataVolumes: &[]ecsm.PostPaidServerDataVolume{{Size: 100, DataImageId: ptr("img-data")}}}}})
		}, call: "ecs CreatePostPaidServers", reasons: []string{"deny REQ-003"},
			unknown: "the server's data volume 0 is made from image img-data (data_volumes[0].data_image_id)"},
		{name: "NovaCreateServers, two", send: func(h *sdkfake.Huawei) {
			h.ECS().NovaCreateServers(&ecsm.NovaCreateServersRequest{Body: &ecsm.NovaCreateServersRequestBody{Server: &ecsm.NovaCreateServersOption{
				ImageRef: ptr("img-sys"), FlavorRef: "s6.large.2", Name: "web", MinCount: ptr(int32(2)),
				Networks: []ecsm.NovaServerNetwork{{Uuid: ptr("net-1")}}, KeyName: ptr("kp-1")}}})
		}, call: "ecs NovaCreateServers", op: "server.create",
			params: []string{
				`{"image_id":"img-sys","name":"web","billing_method":"pay_as_you_go","temporary":true}`,
				`{"image_id":"img-sys","name":"web","billing_method":"pay_as_you_go","temporary":true}`,
			},
			allowed: true, reasons: []string{}},
		{name: "NovaCreateServers booting from an image block device", send: func(h *sdkfake.Huawei) {
			h.ECS().NovaCreateServers(&ecsm.NovaCreateServersRequest{Body: &ecsm.NovaCreateServersRequestBody{Server: &ecsm.NovaCreateServersOption{
				FlavorRef: "s6.large.2", Name: "web", Networks: []ecsm.NovaServerNetwork{{Uuid: ptr("net-1")}},
				BlockDeviceMappingV2: &[]ecsm.NovaServerBlockDeviceMapping{{SourceType: ecsm.GetNovaServerBlockDeviceMappingSourceTypeEnum().IMAGE,
					Uuid: ptr("img-data"), BootIndex: ptr("0"), VolumeSize: ptr(int32(40))}}}}})
		}, call: "ecs NovaCreateServers", op: "server.create",
			params:  []string{`{"image_id":"img-data","name":"web","billing_method":"pay_as_you_go","temporary":true}`},
			reasons: []string{"deny IMS-IMG-004"}},

		// ECS server.start
		{name: "BatchStartServers: one start per server", send: func(h *sdkfake.Huawei) {
			h.ECS().BatchStartServers(&ecsm.BatchStartServersRequest{Body: &ecsm.BatchStartServersRequestBody{
				OsStart: &ecsm.BatchStartServersOption{Servers: []ecsm.ServerId{{Id: "srv-1"}, {Id: "srv-2"}}}}})
		}, call: "ecs BatchStartServers", op: "server.start",
			params:  []string{`{"server_id":"srv-1"}`, `{"server_id":"srv-2"}`},
			reasons: []string{"deny IMS-FE-006"}},
		{name: "BatchStopServers shares the path: no operation", send: func(h *sdkfake.Huawei) {
			h.ECS().BatchStopServers(&ecsm.BatchStopServersRequest{Body: &ecsm.BatchStopServersRequestBody{
				OsStop: &ecsm.BatchStopServersOption{Servers: []ecsm.ServerId{{Id: "srv-1"}}}}})
		}, call: "ecs BatchStopServers", reasons: []string{"deny REQ-003"},
			unknown: `BatchStopServers (POST /v1/{project_id}/cloudservers/action with "os-stop") maps onto no imgadmit operation`},
		{name: "BatchRebootServers shares the path: no operation", send: func(h *sdkfake.Huawei) {
			h.ECS().BatchRebootServers(&ecsm.BatchRebootServersRequest{Body: &ecsm.BatchRebootServersRequestBody{
				Reboot: &ecsm.BatchRebootSeversOption{Servers: []ecsm.ServerId{{Id: "srv-1"}}, Type: ecsm.GetBatchRebootSeversOptionTypeEnum().SOFT}}})
		}, call: "ecs BatchRebootServers", reasons: []string{"deny REQ-003"},
			unknown: `BatchRebootServers (POST /v1/{project_id}/cloudservers/action with "reboot") maps onto no imgadmit operation`},
		{name: "NovaAssociateSecurityGroup shares the Nova action path: no operation", send: func(h *sdkfake.Huawei) {
			h.ECS().NovaAssociateSecurityGroup(&ecsm.NovaAssociateSecurityGroupRequest{ServerId: "srv-1",
				Body: &ecsm.NovaAssociateSecurityGroupRequestBody{AddSecurityGroup: &ecsm.NovaAddSecurityGroupOption{Name: "sg-1"}}})
		}, call: "ecs NovaAssociateSecurityGroup", reasons: []string{"deny REQ-003"},
			unknown: `NovaAssociateSecurityGroup (POST /v2.1/{project_id}/servers/{server_id}/action with "addSecurityGroup")`},

		// ECS server.change_os
		{name: "ChangeServerOsWithCloudInit to a full-ECS image: no password copied", send: func(h *sdkfake.Huawei) {
			h.ECS().ChangeServerOsWithCloudInit(&ecsm.ChangeServerOsWithCloudInitRequest{ServerId: "srv-1",
				Body: &ecsm.ChangeServerOsWithCloudInitRequestBody{OsChange: &ecsm.ChangeServerOsWithCloudInitOption{
					Imageid: "img-full", Adminpass: ptr("secret-Passw0rd"), Mode: ptr("withStopServer")}}})
		}, call: "ecs ChangeServerOsWithCloudInit", op: "server.change_os",
			params:  []string{`{"server_id":"srv-1","image_id":"img-full"}`},
			allowed: true, reasons: []string{"warn IMS-FE-013"}},
		{name: "ChangeServerOsWithoutCloudInit to an ISO image", send: func(h *sdkfake.Huawei) {
			h.ECS().ChangeServerOsWithoutCloudInit(&ecsm.ChangeServerOsWithoutCloudInitRequest{ServerId: "srv-1",
				Body: &ecsm.ChangeServerOsWithoutCloudInitRequestBody{OsChange: &ecsm.ChangeServerOsWithoutCloudInitOption{
					Imageid: "img-iso", Keyname: ptr("kp-1"), Userid: ptr("u-1")}}})
		}, call: "ecs ChangeServerOsWithoutCloudInit", op: "server.change_os",
			params:  []string{`{"server_id":"srv-1","image_id":"img-iso"}`},
			reasons: []string{"deny IMS-IMG-006"}},

		// ECS server.delete
		{name: "DeleteServers: one delete per server", send: func(h *sdkfake.Huawei) {
			h.ECS().DeleteServers(&ecsm.DeleteServersRequest{Body: &ecsm.DeleteServersRequestBody{
				Servers: []ecsm.ServerId{{Id: "srv-1"}, {Id: "srv-2"}}, DeleteVolume: ptr(true), DeletePublicip: ptr(true)}})
		}, call: "ecs DeleteServers", op: "server.delete",
			params:  []string{`{"server_id":"srv-1"}`, `{"server_id":"srv-2"}`},
			allowed: true, reasons: []string{"note CBR-007", "note IMS-IMG-011", "note IMS-IMG-011"}},
		{name: "NovaDeleteServer", send: func(h *sdkfake.Huawei) {
			h.ECS().NovaDeleteServer(&ecsm.NovaDeleteServerRequest{ServerId: "srv-1"})
		}, call: "ecs NovaDeleteServer", op: "server.delete",
			params:  []string{`{"server_id":"srv-1"}`},
			allowed: true, reasons: []string{"note IMS-IMG-011"}},

		// EVS
		{name: "CreateVolume from a system image", send: func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{
				AvailabilityZone: "cn-north-4a", ImageRef: ptr("img-sys"), Size: 40, VolumeType: evsm.GetCreateVolumeOptionVolumeTypeEnum().SSD}}})
		}, call: "evs CreateVolume", op: "disk.create",
			params:  []string{`{"image_id":"img-sys"}`},
			reasons: []string{"deny IMS-IMG-005"}},
		{name: "CreateVolume, three from a data image", send: func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{
				AvailabilityZone: "cn-north-4a", ImageRef: ptr("img-data"), Size: 100, Count: ptr(int32(3)),
				VolumeType: evsm.GetCreateVolumeOptionVolumeTypeEnum().SSD}}})
		}, call: "evs CreateVolume", op: "disk.create",
			params:  []string{`{"image_id":"img-data"}`, `{"image_id":"img-data"}`, `{"image_id":"img-data"}`},
			allowed: true, reasons: []string{}},
		{name: "CreateVolume from a backup", send: func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{
				AvailabilityZone: "cn-north-4a", BackupId: ptr("bk-disk"), VolumeType: evsm.GetCreateVolumeOptionVolumeTypeEnum().SSD}}})
		}, call: "evs CreateVolume", op: "disk.create",
			params:  []string{`{"backup_id":"bk-disk"}`},
			allowed: true, reasons: []string{}},
		{name: "CreateVolume from a snapshot: nothing to judge", send: func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{
				AvailabilityZone: "cn-north-4a", SnapshotId: ptr("snap-1"), Size: 100, VolumeType: evsm.GetCreateVolumeOptionVolumeTypeEnum().SSD}}})
		}, call: "evs CreateVolume", op: "disk.create", params: []string{},
			allowed: true, reasons: []string{}},
		{name: "CreateVolume empty: nothing to judge", send: func(h *sdkfake.Huawei) {
			h.EVS().CreateVolume(&evsm.CreateVolumeRequest{Body: &evsm.CreateVolumeRequestBody{Volume: &evsm.CreateVolumeOption{
				AvailabilityZone: "cn-north-4a", Size: 100, VolumeType: evsm.GetCreateVolumeOptionVolumeTypeEnum().SSD}}})
		}, call: "evs CreateVolume", op: "disk.create", params: []string{},
			allowed: true, reasons: []string{}},
		{name: "DeleteVolume", send: func(h *sdkfake.Huawei) {
			h.EVS().DeleteVolume(&evsm.DeleteVolumeRequest{VolumeId: "vol-1"})
		}, call: "evs DeleteVolume", op: "disk.delete",
			params:  []string{`{"disk_id":"vol-1"}`},
			allowed: true, reasons: []string{"note CBR-007", "note IMS-IMG-011"}},

		// Reads
		{name: "ListImages is a read", send: func(h *sdkfake.Huawei) {
			h.IMS().ListImages(&imsm.ListImagesRequest{Limit: ptr(int32(10)), Name: ptr("web 1/a")})
		}, call: "ims ", allowed: true, reasons: []string{}},
		{name: "ShowBackup is a read", send: func(h *sdkfake.Huawei) {
			h.CBR().ShowBackup(&cbrm.ShowBackupRequest{BackupId: "bk-1"})
		}, call: "cbr ", allowed: true, reasons: []string{}},
	}
	h := sdkfake.NewHuawei(t, region, project)
	for _, tc := range cases {
		sent := h.Capture(func() { tc.send(h) })
		t.Run(tc.name, func(t *testing.T) {
			doc := sent.Doc
			if tc.facts != "" {
				doc["resources"] = decode(t, tc.facts)
			}
			parts, d, err := judge(t, doc)
			if err != nil {
				t.Fatalf("%s\n%s", err, show(doc))
			}
			want := make([]map[string]any, len(tc.params))
			for i, p := range tc.params {
				want[i] = map[string]any{"provider": "huaweicloud", "operation": tc.op, "region": region, "project_id": project, "params": decode(t, p)}
				if tc.facts != "" {
					want[i]["resources"] = decode(t, tc.facts)
				}
			}
			if !equalJSON(t, parts, show(want)) {
				t.Errorf("requests:\n got %s\nwant %s", show(parts), show(want))
			}
			access := evaluator.AccessWrite
			if sent.Method == "GET" {
				access = evaluator.AccessRead
			}
			wantCall := evaluator.Call{Method: sent.Method, Path: strings.SplitN(sent.URI, "?", 2)[0], Access: access}
			wantCall.Service, wantCall.Name, _ = strings.Cut(tc.call, " ")
			if *d.Call != wantCall {
				t.Errorf("call: got %+v, want %+v", *d.Call, wantCall)
			}
			if d.Operation != tc.op || d.Allowed != tc.allowed || !slices.Equal(reasonIDs(d), tc.reasons) {
				t.Errorf("decision: got %s allowed=%v %#v\nwant %s allowed=%v %#v\n%s", d.Operation, d.Allowed, reasonIDs(d), tc.op, tc.allowed, tc.reasons, show(d.Reasons))
			}
			if tc.unknown != "" {
				if len(d.Reasons) == 0 || !strings.Contains(d.Reasons[0].Message, tc.unknown) {
					t.Errorf("REQ-003 message: got %q, want it to say %q", show(d.Reasons), tc.unknown)
				}
			}
		})
	}
}
