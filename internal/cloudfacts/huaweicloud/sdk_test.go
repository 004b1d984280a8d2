package huaweicloud_test

// Test inputs are built with the Huawei SDK's own response models and
// serialized by them (json.Marshal, which calls the models' enum
// MarshalJSON): model.ListImagesResponse, GlanceShowImageResponse,
// cbr ListBackupsResponse/ShowBackupResponse, ecs
// ListServersDetailsResponse/ShowServerResponse, evs
// ListVolumesResponse/ShowVolumeResponse. Added by hand, because the models
// lack it: only IMS __whole_image (REAL-SHAPES finding 4). Enum values the
// models' enums lack (virtual_env_type IsoImage, ListImages __imagetype
// market) are made with the enums' own UnmarshalJSON.

import (
	"bytes"
	"encoding/json"
	"testing"

	cbr "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	ecs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ecs/v2/model"
	evs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/evs/v2/model"
	ims "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

const (
	project      = "0605767a3300d5762fb7c0186d8d2b3b"
	otherProject = "4229d7a45436489f8c3dc2b1d35d4987"
)

func ptr[T any](v T) *T { return &v }

// enum makes an SDK enum value from its wire spelling, with the enum's own
// UnmarshalJSON (the only way to a value its Enum() table lacks).
func enum[T any](tb testing.TB, s string) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
		tb.Fatalf("enum %q: %v", s, err)
	}
	return v
}

// doc is v as the SDK model serializes it, decoded as imgadmit decodes a
// response (numbers as json.Number).
func doc(tb testing.TB, v any) map[string]any {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("decode %T: %v", v, err)
	}
	return m
}

// img is an IMS image as ListImages returns it.
type img struct {
	id, imagetype, env, status, owner, backupID string
	whole                                       any // __whole_image, added by hand; nil: absent
}

func (i img) model(tb testing.TB) ims.ImageInfo {
	m := ims.ImageInfo{
		Id: i.id, Name: "img-" + i.id, Owner: i.owner,
		ImageSize: "0", ContainerFormat: "bare", CreatedAt: "2026-11-01T08:00:00Z", UpdatedAt: "2026-11-01T08:30:00Z",
		ActiveAt: "2026-11-01T08:30:00Z", MinDisk: 40, Self: "/v2/images/" + i.id, Tags: []string{},
		Imagetype:       enum[ims.ImageInfoImagetype](tb, i.imagetype),
		VirtualEnvType:  enum[ims.ImageInfoVirtualEnvType](tb, i.env),
		Status:          enum[ims.ImageInfoStatus](tb, i.status),
		Visibility:      ims.GetImageInfoVisibilityEnum().PRIVATE,
		OsType:          ims.GetImageInfoOsTypeEnum().LINUX,
		Isregistered:    ims.GetImageInfoIsregisteredEnum().TRUE,
		ImageSourceType: ims.GetImageInfoImageSourceTypeEnum().UDS,
	}
	if i.imagetype == "gold" {
		m.Visibility = ims.GetImageInfoVisibilityEnum().PUBLIC
	}
	if i.backupID != "" {
		m.BackupId = ptr(i.backupID)
	}
	return m
}

// listImages is a ListImages response of imgs, __whole_image added by hand.
func listImages(tb testing.TB, imgs ...img) map[string]any {
	tb.Helper()
	models := make([]ims.ImageInfo, len(imgs))
	for n, i := range imgs {
		models[n] = i.model(tb)
	}
	d := doc(tb, ims.ListImagesResponse{Images: &models})
	for n, i := range imgs {
		if i.whole != nil {
			d["images"].([]any)[n].(map[string]any)["__whole_image"] = i.whole
		}
	}
	return d
}

// showImage is a GlanceShowImage response of i.
func showImage(tb testing.TB, i img) map[string]any {
	tb.Helper()
	m := ims.GlanceShowImageResponse{
		Id: ptr(i.id), Name: ptr("img-" + i.id), Owner: ptr(i.owner),
		Imagetype:      ptr(enum[ims.GlanceShowImageResponseImagetype](tb, i.imagetype)),
		VirtualEnvType: ptr(enum[ims.GlanceShowImageResponseVirtualEnvType](tb, i.env)),
		Status:         ptr(enum[ims.GlanceShowImageResponseStatus](tb, i.status)),
		Visibility:     ptr(ims.GetGlanceShowImageResponseVisibilityEnum().PRIVATE),
		MinDisk:        ptr(int32(40)),
	}
	if i.backupID != "" {
		m.BackupId = ptr(i.backupID)
	}
	d := doc(tb, m)
	if i.whole != nil {
		d["__whole_image"] = i.whole
	}
	return d
}

// bk is a CBR backup.
type bk struct {
	id, resourceType, resourceID, status, projectID, restoreMode string
	systemDisk, autoTrigger                                      *bool
	imageIDs                                                     []string
	noExtend                                                     bool
}

func (b bk) model(tb testing.TB) cbr.BackupResp {
	m := cbr.BackupResp{
		Id: b.id, Name: "backup-" + b.id, CheckpointId: "c-" + b.id, ProjectId: b.projectID,
		ResourceType: b.resourceType, ResourceId: b.resourceID, ResourceName: "res", ResourceSize: 40,
		ResourceAz: "cn-north-4a", ImageType: "backup", VaultId: "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		Status: enum[cbr.BackupRespStatus](tb, b.status), ProtectedAt: "2026-11-01T08:00:00Z",
		ProviderId: "0daac4c5-6707-4851-97ba-169e36266b66",
	}
	if b.projectID == "" {
		m.ProjectId = project
	}
	if !b.noExtend {
		ext := &cbr.BackupExtendInfo{AutoTrigger: b.autoTrigger, ContainSystemDisk: b.systemDisk, SupportLld: ptr(true)}
		if b.restoreMode != "" {
			ext.SupportedRestoreMode = ptr(enum[cbr.BackupExtendInfoSupportedRestoreMode](tb, b.restoreMode))
		}
		if b.imageIDs != nil {
			data := make([]cbr.ImageData, len(b.imageIDs))
			for n, id := range b.imageIDs {
				data[n] = cbr.ImageData{ImageId: ptr(id)}
			}
			ext.OsImagesData = &data
		}
		m.ExtendInfo = ext
	}
	return m
}

func listBackups(tb testing.TB, bs ...bk) map[string]any {
	tb.Helper()
	models := make([]cbr.BackupResp, len(bs))
	for n, b := range bs {
		models[n] = b.model(tb)
	}
	return doc(tb, cbr.ListBackupsResponse{Backups: &models, Count: ptr(int32(len(bs)))})
}

func showBackup(tb testing.TB, b bk) map[string]any {
	tb.Helper()
	m := b.model(tb)
	return doc(tb, cbr.ShowBackupResponse{Backup: &m})
}

// srv is an ECS server.
type srv struct {
	id, status, chargingMode string
	volumes                  []string
}

func (s srv) model() ecs.ServerDetail {
	md := map[string]string{"os_type": "Linux", "metering.image_id": "img-base"}
	if s.chargingMode != "" {
		md["charging_mode"] = s.chargingMode
	}
	vols := make([]ecs.ServerExtendVolumeAttachment, len(s.volumes))
	for n, v := range s.volumes {
		vols[n] = ecs.ServerExtendVolumeAttachment{Id: v, DeleteOnTermination: "false", Device: "/dev/vda"}
	}
	return ecs.ServerDetail{
		Id: s.id, Name: "srv-" + s.id, Status: s.status, TenantId: project,
		OSEXTAZavailabilityZone: "cn-north-4a", OSEXTSTSvmState: "active",
		Image: &ecs.ServerImage{Id: "img-base"}, Metadata: md, OsExtendedVolumesvolumesAttached: vols,
		Created: "2026-11-01T08:00:00Z", Updated: "2026-11-01T08:00:00Z",
	}
}

func listServers(tb testing.TB, ss ...srv) map[string]any {
	tb.Helper()
	models := make([]ecs.ServerDetail, len(ss))
	for n, s := range ss {
		models[n] = s.model()
	}
	return doc(tb, ecs.ListServersDetailsResponse{Servers: &models, Count: ptr(int32(len(ss)))})
}

func showServer(tb testing.TB, s srv) map[string]any {
	tb.Helper()
	m := s.model()
	return doc(tb, ecs.ShowServerResponse{Server: &m})
}

func volume(id, server string) evs.VolumeDetail {
	v := evs.VolumeDetail{
		Id: id, Name: "vol-" + id, Status: "in-use", AvailabilityZone: "cn-north-4a",
		VolumeType: "SSD", Size: 40, Bootable: "false", CreatedAt: "2026-11-01T08:00:00Z",
		OsVolTenantAttrtenantId: project, Shareable: "false",
	}
	if server != "" {
		v.Attachments = []evs.Attachment{{Id: id, ServerId: server, VolumeId: id, Device: "/dev/vdb"}}
	}
	return v
}

func listVolumes(tb testing.TB, vs ...evs.VolumeDetail) map[string]any {
	tb.Helper()
	vs = append([]evs.VolumeDetail{}, vs...) // [] for none, as the API sends
	return doc(tb, evs.ListVolumesResponse{Volumes: &vs, Count: ptr(int32(len(vs)))})
}

func showVolume(tb testing.TB, v evs.VolumeDetail) map[string]any {
	tb.Helper()
	return doc(tb, evs.ShowVolumeResponse{Volume: &v})
}

// resp is a response in the region cn-north-4 (as --region says).
func resp(name string, d map[string]any) facts.Response {
	return facts.Response{Name: name, Doc: d, Region: "cn-north-4"}
}
