package tfplan

import (
	"regexp"
	"slices"
	"strconv"

	"github.com/imgadmit/imgadmit/evaluator"
)

// resourceType says what the changes of one governed resource type stand
// for (REAL-SHAPES §3.2, §3.3). A nil func, or one that gives no op, maps
// the action onto nothing: the change is skipped, with skip[action] (or
// why) as the reason.
type resourceType struct {
	provider string
	create   func(*change) []*op
	delete   func(*change) []*op
	update   func(*change) []*op
	skip     map[string]string
}

// Types lists the governed resource types, sorted.
func Types() []string {
	out := make([]string, 0, len(resourceTypes))
	for k := range resourceTypes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var resourceTypes = map[string]*resourceType{}

func init() {
	hw := func(name string, rt *resourceType) {
		rt.provider = "huaweicloud"
		resourceTypes[name] = rt
	}
	ali := func(name string, rt *resourceType) {
		rt.provider = "alibabacloud"
		resourceTypes[name] = rt
	}
	// IMS images: create → image.create, delete → image.delete; an update
	// (name, description, tags, ...) is PATCH /v2/cloudimages/{id}: no op.
	hw("huaweicloud_ims_cbr_whole_image", &resourceType{
		create: imsCreate("full_ecs", "cbr_backup", "backup_id", wholeImageCall, "vault_id"),
		delete: imsDelete("full_ecs", true)})
	hw("huaweicloud_ims_ecs_whole_image", &resourceType{
		create: imsCreate("full_ecs", "server", "instance_id", wholeImageCall, "vault_id"),
		delete: imsDelete("full_ecs", true)})
	hw("huaweicloud_ims_ecs_system_image", &resourceType{
		create: imsCreate("system", "server", "instance_id", createImageCall),
		delete: imsDelete("system", false)})
	hw("huaweicloud_ims_obs_system_image", &resourceType{
		create: imsCreate("system", "file", "image_url", createImageCall, "min_disk", "os_version", "cmk_id", "architecture"),
		delete: imsDelete("system", false)})
	hw("huaweicloud_ims_quickimport_system_image", &resourceType{
		create: imsCreate("system", "file", "image_url", quickImportCall, "min_disk", "os_version", "architecture"),
		delete: imsDelete("system", false)})
	hw("huaweicloud_ims_evs_system_image", &resourceType{
		create: imsCreate("system", "disk", "volume_id", createImageCall, "os_version"),
		delete: imsDelete("system", false)})
	hw("huaweicloud_ims_evs_data_image", &resourceType{
		create: imsCreate("data", "disk", "volume_id", createImageCall),
		delete: imsDelete("data", false)})
	hw("huaweicloud_ims_obs_data_image", &resourceType{
		create: imsCreate("data", "file", "image_url", dataImageCall, "min_disk", "cmk_id"),
		delete: imsDelete("data", false)})
	hw("huaweicloud_ims_quickimport_data_image", &resourceType{
		create: imsCreate("data", "file", "image_url", quickImportCall, "min_disk"),
		delete: imsDelete("data", false)})
	hw("huaweicloud_ims_obs_iso_image", &resourceType{
		create: imsCreate("iso", "iso_file", "image_url", createImageCall, "min_disk", "os_version", "architecture"),
		delete: imsDelete("iso", false)})
	hw("huaweicloud_images_image", &resourceType{create: imagesImageCreate, delete: imagesImageDelete})
	hw("huaweicloud_images_image_copy", &resourceType{create: imageCopyCreate, delete: imageCopyDelete})
	hw("huaweicloud_images_image_share", &resourceType{create: imageShareCreate, update: imageShareUpdate,
		skip: map[string]string{ActionDelete: "delete of huaweicloud_images_image_share unshares the image (DELETE /v1/cloudimages/members): no operation stands for it"}})
	hw("huaweicloud_ims_image_export", &resourceType{create: imsExport,
		skip: map[string]string{ActionDelete: "delete of huaweicloud_ims_image_export calls nothing (an export is a one-time action)"}})
	hw("huaweicloud_cbr_checkpoint", &resourceType{create: checkpointCreate, delete: checkpointDelete})
	hw("huaweicloud_cbr_restore", &resourceType{create: cbrRestore,
		skip: map[string]string{ActionDelete: "delete of huaweicloud_cbr_restore calls nothing (a restore is a one-time action)"}})
	hw("huaweicloud_compute_instance", &resourceType{create: hwServerCreate, delete: hwServerDelete, update: hwServerUpdate})
	hw("huaweicloud_evs_volume", &resourceType{create: evsCreate, delete: evsDelete})

	ali("alicloud_image", &resourceType{create: aliImageCreate, delete: aliImageDelete})
	ali("alicloud_image_copy", &resourceType{create: aliImageCopyCreate, delete: aliImageCopyDelete})
	ali("alicloud_image_share_permission", &resourceType{create: aliImageShare,
		skip: map[string]string{ActionDelete: "delete of alicloud_image_share_permission unshares the image (RemoveAccount): no operation stands for it"}})
	ali("alicloud_image_export", &resourceType{create: aliImageExport,
		skip: map[string]string{ActionDelete: "delete of alicloud_image_export deletes the exported OSS object: no operation stands for it"}})
	snapshot := &resourceType{delete: aliSnapshotDelete,
		skip: map[string]string{ActionCreate: "create of a snapshot (CreateSnapshot): no operation stands for it"}}
	ali("alicloud_ecs_snapshot", snapshot)
	ali("alicloud_snapshot", &resourceType{delete: snapshot.delete, skip: snapshot.skip})
	ali("alicloud_instance", &resourceType{create: aliServerCreate, delete: aliServerDelete, update: aliServerUpdate})
	ali("alicloud_ecs_disk", &resourceType{delete: aliDiskDelete,
		skip: map[string]string{ActionCreate: "create of alicloud_ecs_disk (CreateDisk): Alibaba has no disk.create operation"}})
}

// Huawei calls (REAL-SHAPES §1.1), as decisions name them.
var (
	wholeImageCall  = evaluator.Call{Service: "ims", Name: "CreateWholeImage", Method: "POST", Path: "/v1/cloudimages/wholeimages/action"}
	createImageCall = evaluator.Call{Service: "ims", Name: "CreateImage", Method: "POST", Path: "/v2/cloudimages/action"}
	dataImageCall   = evaluator.Call{Service: "ims", Name: "CreateDataImage", Method: "POST", Path: "/v1/cloudimages/dataimages/action"}
	quickImportCall = evaluator.Call{Service: "ims", Name: "ImportImageQuick", Method: "POST", Path: "/v2/cloudimages/quickimport/action"}
	deleteImageCall = evaluator.Call{Service: "ims", Name: "GlanceDeleteImage", Method: "DELETE", Path: "/v2/images/{image_id}"}
	copyInRegion    = evaluator.Call{Service: "ims", Name: "CopyImageInRegion", Method: "POST", Path: "/v1/cloudimages/{image_id}/copy"}
	copyCrossRegion = evaluator.Call{Service: "ims", Name: "CopyImageCrossRegion", Method: "POST", Path: "/v1/cloudimages/{image_id}/cross_region_copy"}
	addMembersCall  = evaluator.Call{Service: "ims", Name: "BatchAddMembers", Method: "POST", Path: "/v1/cloudimages/members"}
	exportCall      = evaluator.Call{Service: "ims", Name: "ExportImage", Method: "POST", Path: "/v1/cloudimages/{image_id}/file"}
	checkpointCall  = evaluator.Call{Service: "cbr", Name: "CreateCheckpoint", Method: "POST", Path: "/v3/{project_id}/checkpoints"}
	deleteBackup    = evaluator.Call{Service: "cbr", Name: "DeleteBackup", Method: "DELETE", Path: "/v3/{project_id}/backups/{backup_id}"}
	restoreCall     = evaluator.Call{Service: "cbr", Name: "RestoreBackup", Method: "POST", Path: "/v3/{project_id}/backups/{backup_id}/restore"}
	createServers   = evaluator.Call{Service: "ecs", Name: "CreateServers", Method: "POST", Path: "/v1.1/{project_id}/cloudservers"}
	deleteServers   = evaluator.Call{Service: "ecs", Name: "DeleteServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/delete"}
	changeOS        = evaluator.Call{Service: "ecs", Name: "ChangeServerOsWithCloudInit", Method: "POST", Path: "/v2/{project_id}/cloudservers/{server_id}/changeos"}
	startServers    = evaluator.Call{Service: "ecs", Name: "BatchStartServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/action"}
	createVolume    = evaluator.Call{Service: "evs", Name: "CreateVolume", Method: "POST", Path: "/v2.1/{project_id}/cloudvolumes"}
	deleteVolume    = evaluator.Call{Service: "evs", Name: "DeleteVolume", Method: "DELETE", Path: "/v2/{project_id}/cloudvolumes/{volume_id}"}
)

// newImage starts an image.create part from after: image_type (the
// resource type says it), source {type, id of after[srcKey]} (required),
// name, and agree_disclaimer, which calling the API is.
func (c *change) newImage(imageType, srcType, srcKey string) *part {
	p := c.newPart("after")
	p.set("image_type", imageType, c.ptr+"/type")
	c.source(p, srcType, srcKey)
	p.set("agree_disclaimer", true, c.ptr+"/type")
	return p
}

// source sets params.source {srcType, after[srcKey]}, required.
func (c *change) source(p *part, srcType, srcKey string) {
	if id, ok := c.str(c.after, "after", srcKey); ok {
		p.set("source", map[string]any{"type": srcType, "id": id}, c.at("after", srcKey))
		p.origins = append(p.origins, evaluator.Origin{Path: "/params/source/type", From: c.ptr + "/type"})
		return
	}
	c.missing("after", srcKey, true)
}

// imageCommon copies what every IMS image create takes.
func (c *change) imageCommon(p *part) {
	c.copyStr(p, "name", "after", "name", true)
	c.copyStr(p, "description", "after", "description", false)
	c.copyTags(p, "image_tags", "after", "tags")
	c.copyStr(p, "enterprise_project_id", "after", "enterprise_project_id", false)
	c.copyNumber(p, "max_ram", "after", "max_ram")
	c.copyNumber(p, "min_ram", "after", "min_ram")
}

// copyExtra copies the named attributes, as params of the same name
// (kms_key_id is cmk_id).
func (c *change) copyExtra(p *part, attrs ...string) {
	for _, a := range attrs {
		switch a {
		case "min_disk":
			c.copyNumber(p, a, "after", a)
		case "cmk_id":
			if _, ok := c.copyStr(p, a, "after", a, false); !ok {
				c.copyStr(p, a, "after", "kms_key_id", false)
			}
		default:
			c.copyStr(p, a, "after", a, false)
		}
	}
}

func imsCreate(imageType, srcType, srcKey string, call evaluator.Call, extra ...string) func(*change) []*op {
	return func(c *change) []*op {
		p := c.newImage(imageType, srcType, srcKey)
		c.imageCommon(p)
		c.copyExtra(p, extra...)
		return []*op{{operation: "image.create", call: call, parts: []*part{p}}}
	}
}

// hwVisibility is what an image's visibility fact may be.
var hwVisibility = regexp.MustCompile(`(?i)^(?:private|public|shared|market|gold)$`)

func imsDelete(imageType string, whole bool) func(*change) []*op {
	return func(c *change) []*op {
		p, id := c.imageDelete()
		if whole {
			if b, ok := c.boolean(c.before, "before", "is_delete_backup"); ok {
				p.set("delete_backup", b, c.at("before", "is_delete_backup"))
			} else {
				p.set("delete_backup", false, c.at("before", "is_delete_backup"))
			}
			if b, ok := c.str(c.before, "before", "backup_id"); ok {
				c.fact("images", id, "backup_id", b)
			}
		}
		if imageType != "" {
			c.fact("images", id, "image_type", imageType)
		}
		c.visibility(id)
		return []*op{{operation: "image.delete", call: deleteImageCall, parts: []*part{p}}}
	}
}

// imageDelete starts an image.delete part for before.id.
func (c *change) imageDelete() (*part, string) {
	p := c.newPart("before")
	id, _ := c.copyStr(p, "image_id", "before", "id", true)
	return p, id
}

// visibility records the image's visibility fact from before.visibility
// (or __imagetype, IMS's word: gold is public).
func (c *change) visibility(id string) {
	for _, k := range []string{"visibility", "__imagetype"} {
		if v, ok := c.str(c.before, "before", k); ok && hwVisibility.MatchString(v) {
			c.fact("images", id, "visibility", v)
			return
		}
	}
}

// imagesImageKind is what a huaweicloud_images_image (deprecated) makes
// from obj: instance_id (+ vault_id: full_ecs, else system), backup_id
// (full_ecs from a CBR backup), image_url (system from the file), volume_id
// (data from the disk).
func (c *change) imagesImageKind(obj map[string]any, side string) (imageType, srcType, srcKey string) {
	has := func(k string) bool { s, ok := c.str(obj, side, k); return ok && s != "" }
	switch {
	case has("instance_id") && has("vault_id"):
		return "full_ecs", "server", "instance_id"
	case has("instance_id"):
		return "system", "server", "instance_id"
	case has("backup_id"):
		return "full_ecs", "cbr_backup", "backup_id"
	case has("image_url"):
		return "system", "file", "image_url"
	case has("volume_id"):
		return "data", "disk", "volume_id"
	}
	return "", "", ""
}

func imagesImageCreate(c *change) []*op {
	imageType, srcType, srcKey := c.imagesImageKind(c.after, "after")
	if imageType == "" {
		for _, k := range []string{"instance_id", "backup_id", "image_url", "volume_id"} {
			if c.isUnknown(k) {
				c.missing("after", k, true)
				return []*op{{operation: "image.create", call: createImageCall}}
			}
		}
		// No source: the schema says source is missing, at after.
		p := c.newPart("after")
		c.imageCommon(p)
		p.set("agree_disclaimer", true, c.ptr+"/type")
		return []*op{{operation: "image.create", call: createImageCall, parts: []*part{p}}}
	}
	call := createImageCall
	if imageType == "full_ecs" {
		call = wholeImageCall
	}
	p := c.newImage(imageType, srcType, srcKey)
	c.imageCommon(p)
	switch srcKey {
	case "instance_id":
		if imageType == "full_ecs" {
			c.copyStr(p, "vault_id", "after", "vault_id", false)
		}
	case "image_url":
		c.copyExtra(p, "min_disk", "os_version", "cmk_id")
	}
	return []*op{{operation: "image.create", call: call, parts: []*part{p}}}
}

func imagesImageDelete(c *change) []*op {
	imageType, _, _ := c.imagesImageKind(c.before, "before")
	return imsDelete(imageType, false)(c)
}

func imageCopyCreate(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "source_image_id", true)
	c.copyStr(p, "name", "after", "name", false)
	c.copyStr(p, "description", "after", "description", false)
	c.copyStr(p, "cmk_id", "after", "kms_key_id", false)
	c.copyStr(p, "enterprise_project_id", "after", "enterprise_project_id", false)
	call := copyInRegion
	region, _ := c.region()
	if target, ok := c.str(c.after, "after", "target_region"); ok && target != "" && target != region {
		call = copyCrossRegion
		p.set("destination_region", target, c.at("after", "target_region"))
		// The provider sends the target region as the project name.
		p.set("project_name", target, c.at("after", "target_region"))
		c.copyStr(p, "agency_name", "after", "agency_name", false)
		c.copyStr(p, "vault_id", "after", "vault_id", false)
	} else if !ok && c.isUnknown("target_region") {
		c.missing("after", "target_region", true)
	}
	return []*op{{operation: "image.replicate", call: call, parts: []*part{p}}}
}

// imageCopyDelete deletes the copy in its target region.
func imageCopyDelete(c *change) []*op {
	p, _ := c.imageDelete()
	o := &op{operation: "image.delete", call: deleteImageCall, parts: []*part{p}}
	if target, ok := c.str(c.before, "before", "target_region"); ok && target != "" {
		o.region, o.regionFrom = target, c.at("before", "target_region")
	}
	return []*op{o}
}

func imageShareCreate(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "source_image_id", true)
	if m, ok := c.strings(c.after, "after", "target_project_ids"); ok {
		p.set("members", stringsAny(m), c.at("after", "target_project_ids"))
	} else {
		c.missing("after", "target_project_ids", true)
	}
	return []*op{{operation: "image.share", call: addMembersCall, parts: []*part{p}}}
}

// imageShareUpdate shares the image with the projects the update adds;
// removals are DELETE /v1/cloudimages/members, no operation.
func imageShareUpdate(c *change) []*op {
	if !c.changed("target_project_ids") {
		return nil
	}
	before, _ := c.strings(c.before, "before", "target_project_ids")
	after, ok := c.strings(c.after, "after", "target_project_ids")
	if !ok {
		if c.isUnknown("target_project_ids") {
			c.missing("after", "target_project_ids", true)
			return []*op{{operation: "image.share", call: addMembersCall}}
		}
		return nil
	}
	var added []any
	for _, m := range after {
		if !slices.Contains(before, m) {
			added = append(added, m)
		}
	}
	if len(added) == 0 {
		c.skipWhy = "update of huaweicloud_images_image_share removes members only (DELETE /v1/cloudimages/members): no operation stands for it"
		return nil
	}
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "source_image_id", true)
	p.set("members", added, c.at("after", "target_project_ids"))
	// The projects shared before are only those Terraform manages: not the
	// image's members fact (a share limit must count every member; members
	// added elsewhere would be missed), so the fact comes from the inventory.
	return []*op{{operation: "image.share", call: addMembersCall, parts: []*part{p}}}
}

func stringsAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func imsExport(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "image_id", true)
	c.copyStr(p, "bucket_url", "after", "bucket_url", true)
	c.copyStr(p, "file_format", "after", "file_format", false)
	c.copyBool(p, "is_quick_export", "after", "is_quick_export")
	return []*op{{operation: "image.export", call: exportCall, parts: []*part{p}}}
}

// cbrResourceTypes maps CBR's resource types onto backup.create's.
var cbrResourceTypes = map[string]string{"OS::Nova::Server": "server", "OS::Cinder::Volume": "disk"}

// checkpointCreate: one backup.create per backups[] element.
func checkpointCreate(c *change) []*op {
	o := &op{operation: "backup.create", call: checkpointCall}
	backups, ok := c.objects(c.after, "after", "backups")
	if !ok {
		c.missing("after", "backups", true)
		if c.isUnknown("backups") {
			return []*op{o}
		}
	}
	shared := c.newPart("after")
	c.copyStr(shared, "vault_id", "after", "vault_id", false)
	c.copyStr(shared, "name", "after", "name", false)
	c.copyStr(shared, "description", "after", "description", false)
	c.copyBool(shared, "incremental", "after", "incremental")
	for i, b := range backups {
		p := shared.clone()
		at := func(k string) string { return c.at("after", "backups", strconv.Itoa(i), k) }
		if t, ok := c.str(b, "after", "type"); ok {
			if mapped, known := cbrResourceTypes[t]; known {
				t = mapped
			}
			p.set("resource_type", t, at("type"))
		} else if c.isUnknown("backups", i, "type") {
			c.unknownAttr("backups[" + strconv.Itoa(i) + "].type")
		}
		if id, ok := c.str(b, "after", "resource_id"); ok {
			p.set("resource_id", id, at("resource_id"))
		} else if c.isUnknown("backups", i, "resource_id") {
			c.unknownAttr("backups[" + strconv.Itoa(i) + "].resource_id")
		}
		o.parts = append(o.parts, p)
	}
	if len(o.parts) == 0 && len(c.unknown) == 0 {
		// No backups: backup.create's schema says what is missing.
		o.parts = append(o.parts, shared)
	}
	return []*op{o}
}

func (c *change) unknownAttr(name string) {
	if !slices.Contains(c.unknown, name) {
		c.unknown = append(c.unknown, name)
	}
}

// cbrBackupStatus is what a backup's status fact may be.
var cbrBackupStatus = regexp.MustCompile(`(?i)^(?:available|protecting|creating|deleting|restoring|error|waiting_protect|waiting_delete|waiting_restore)$`)

// checkpointDelete: one backup.delete per before.backups[].id (the provider
// lists the checkpoint's backups and deletes each).
func checkpointDelete(c *change) []*op {
	backups, _ := c.objects(c.before, "before", "backups")
	o := &op{operation: "backup.delete", call: deleteBackup}
	for i, b := range backups {
		idPtr := c.at("before", "backups", strconv.Itoa(i), "id")
		id, ok := c.str(b, "before", "id")
		if !ok || id == "" {
			c.problemAt(idPtr, "backups[%d] has no id: the backup a delete removes cannot be told", i)
			continue
		}
		p := c.newPart("before")
		p.set("backup_id", id, idPtr)
		o.parts = append(o.parts, p)
		if s, ok := c.str(b, "before", "status"); ok && cbrBackupStatus.MatchString(s) {
			c.fact("backups", id, "status", s)
		}
		if t, ok := c.str(b, "before", "type"); ok && cbrResourceTypes[t] != "" {
			c.fact("backups", id, "resource_type", t)
		}
		if r, ok := c.str(b, "before", "resource_id"); ok && evaluator.IsID(r) {
			c.fact("backups", id, "resource_id", r)
		}
	}
	if len(o.parts) == 0 {
		c.skipWhy = "delete of a huaweicloud_cbr_checkpoint with no backups deletes nothing"
		return nil
	}
	return []*op{o}
}

func cbrRestore(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "backup_id", "after", "backup_id", true)
	c.copyStr(p, "server_id", "after", "server_id", false)
	c.copyStr(p, "disk_id", "after", "volume_id", false)
	c.copyBool(p, "power_on", "after", "power_on")
	return []*op{{operation: "backup.restore", call: restoreCall, parts: []*part{p}}}
}

// hwBilling maps charging_mode onto billing_method (spot has no imgadmit
// value; the closest is pay_as_you_go).
var hwBilling = map[string]string{"prePaid": "subscription", "postPaid": "pay_as_you_go", "spot": "pay_as_you_go"}

func hwServerCreate(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "image_id", true)
	c.copyStr(p, "name", "after", "name", false)
	if m, ok := c.str(c.after, "after", "charging_mode"); ok {
		if b, known := hwBilling[m]; known {
			m = b
		}
		p.set("billing_method", m, c.at("after", "charging_mode"))
	}
	// A server made from an ISO image is, in the real API, a temporary
	// installer server (the flag means nothing for other images).
	p.set("temporary", true, c.ptr+"/type")
	return []*op{{operation: "server.create", call: createServers, parts: []*part{p}}}
}

// serverStatus is what a server's status fact may be.
var serverStatus = regexp.MustCompile(`(?i)^(?:active|stopped|building|starting|stopping|rebooting|resizing|migrating|rebuilding|paused|suspended|shelved|shelved_offloaded|soft_deleted|error|deleted|unknown|SHUTOFF|BUILD|REBOOT|HARD_REBOOT|RESIZE|VERIFY_RESIZE|REVERT_RESIZE|REBUILD|Running|Pending)$`)

// serverFacts records before's status and billing as the server's facts.
func (c *change) serverFacts(id, billingKey string) {
	if s, ok := c.str(c.before, "before", "status"); ok && serverStatus.MatchString(s) {
		c.fact("servers", id, "status", s)
	}
	if b, ok := c.str(c.before, "before", billingKey); ok {
		switch b {
		case "prePaid", "PrePaid":
			c.fact("servers", id, "billing_method", "subscription")
		case "postPaid", "PostPaid":
			c.fact("servers", id, "billing_method", "pay_as_you_go")
		}
	}
}

func hwServerDelete(c *change) []*op {
	p := c.newPart("before")
	id, _ := c.copyStr(p, "server_id", "before", "id", true)
	c.serverFacts(id, "charging_mode")
	return []*op{{operation: "server.delete", call: deleteServers, parts: []*part{p}}}
}

// serverUpdate is what an instance's update stands for: server.change_os
// when image_id changes (an image_name change makes it unknown: refused
// until known), server.start when started.
func (c *change) serverUpdate(changeCall, startCall evaluator.Call, started bool) []*op {
	var ops []*op
	if c.changed("image_id") {
		p := c.newPart("after")
		c.copyStr(p, "server_id", "before", "id", true)
		c.copyStr(p, "image_id", "after", "image_id", true)
		ops = append(ops, &op{operation: "server.change_os", call: changeCall, parts: []*part{p}})
	}
	if started {
		p := c.newPart("after")
		id, _ := c.copyStr(p, "server_id", "before", "id", true)
		c.serverFacts(id, "")
		ops = append(ops, &op{operation: "server.start", call: startCall, parts: []*part{p}})
	}
	return ops
}

// hwServerUpdate: power_action set to ON starts the server (OFF, REBOOT,
// FORCE-* call no governed operation); one unknown until apply may be ON.
func hwServerUpdate(c *change) []*op {
	// An image chosen by name (image_name) changes the OS too; the id it
	// stands for is known only at apply unless image_id changed with it.
	if c.changed("image_name") && !c.changed("image_id") {
		c.unknownAttr("image_id")
		return []*op{{operation: "server.change_os", call: changeOS}}
	}
	started := false
	if c.changed("power_action") {
		a, ok := c.str(c.after, "after", "power_action")
		switch {
		case ok && a == "ON":
			started = true
		case !ok && c.isUnknown("power_action"):
			// The start is refused until known; a change of image beside it
			// is reported too, never dropped.
			c.unknownAttr("power_action")
			return append(c.serverUpdate(changeOS, startServers, false), &op{operation: "server.start", call: startServers})
		}
	}
	return c.serverUpdate(changeOS, startServers, started)
}

func evsCreate(c *change) []*op {
	p := c.newPart("after")
	_, img := c.copyStr(p, "image_id", "after", "image_id", false)
	_, bk := c.copyStr(p, "backup_id", "after", "backup_id", false)
	if !img && !bk {
		for _, k := range []string{"image_id", "backup_id"} {
			if c.isUnknown(k) {
				c.unknownAttr(k)
				return []*op{{operation: "disk.create", call: createVolume}}
			}
		}
		c.skipWhy = "create of an huaweicloud_evs_volume from no image and no backup (a blank disk or one from a snapshot): no operation stands for it"
		return nil
	}
	return []*op{{operation: "disk.create", call: createVolume, parts: []*part{p}}}
}

func evsDelete(c *change) []*op {
	p := c.newPart("before")
	c.copyStr(p, "disk_id", "before", "id", true)
	return []*op{{operation: "disk.delete", call: deleteVolume, parts: []*part{p}}}
}
