package huaweicloud

import (
	"slices"
	"strings"

	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// route is a call the translator knows: its path template, and the
// translator of its body (nil for a call that shares another's path and is
// told apart by its body, such as BatchStopServers).
type route struct {
	calldoc.Known
	translate  func(*call) result
	segs       []string // the template's segments
	projectSeg int      // the index of {project_id}, -1 for none
}

// routes are every call the translator knows, in the order docs/calls.md
// lists them. Paths are the SDK's (HWSDK *_meta.go); the /v2.1 "safe mode"
// twins take the same bodies as the calls they twin.
var routes = buildRoutes([]route{
	// IMS: image.create
	{Known: calldoc.Known{Service: "ims", Name: "CreateWholeImage", Method: "POST", Path: "/v1/cloudimages/wholeimages/action", Operation: "image.create",
		Notes: "A full-ECS image: from instance_id (source server, vault_id passed on), or from backup_id with whole_image_type CBR (cbr_backup) or CSBS (csbs_backup); an absent or empty whole_image_type is CSBS, as the API's field doc says. The SDK always sends \"instance_id\": \"\", read as absent. agree_disclaimer is true (calling the API is the agreement)."},
		translate: createWholeImage},
	{Known: calldoc.Known{Service: "ims", Name: "CreateImage", Method: "POST", Path: "/v2/cloudimages/action", Operation: "image.create",
		Parts: "one for the system (or ISO) image when instance_id, image_url or volume_id is given, plus one data image per data_images[] entry (each volume_id once; at most 1000 entries: the API states no limit)",
		Notes: "instance_id: a system image from the server; image_url: a system image from the file, or with type IsoImage an ISO image from the ISO file; volume_id (with os_version): a system image from the data disk; data_images[]: a data image from each entry's volume_id (its name, description and tags). At most one of instance_id, image_url and volume_id; data_images goes alone or with instance_id. Legacy tags [\"key.value\"] become image_tags like image_tags themselves, so a tag policy sees them. agree_disclaimer is true."},
		translate: createImage},
	{Known: calldoc.Known{Service: "ims", Name: "CreateImageInSafeMode", Method: "POST", Path: "/v2.1/cloudimages/action", Operation: "image.create",
		Parts: "as CreateImage", Notes: "The safe-mode twin of CreateImage: the same body, read the same way."},
		translate: createImage},
	{Known: calldoc.Known{Service: "ims", Name: "CreateDataImage", Method: "POST", Path: "/v1/cloudimages/dataimages/action", Operation: "image.create",
		Notes: "A data image from the external image file image_url (source file). agree_disclaimer is true."},
		translate: createDataImage},
	{Known: calldoc.Known{Service: "ims", Name: "CreateDataImageInSafeMode", Method: "POST", Path: "/v2.1/cloudimages/dataimages/action", Operation: "image.create",
		Notes: "The safe-mode twin of CreateDataImage."},
		translate: createDataImage},
	{Known: calldoc.Known{Service: "ims", Name: "ImportImageQuick", Method: "POST", Path: "/v2/cloudimages/quickimport/action", Operation: "image.create",
		Notes: "Quick import of image_url: type ECS, BMS or absent is a system image from the file, DataImage a data image from the file, IsoImage an ISO image from the ISO file. The SDK sends \"os_version\": \"\" when it is not set (a data image), read as absent. agree_disclaimer is true."},
		translate: importImageQuick},
	{Known: calldoc.Known{Service: "ims", Name: "ImportImageQuickInSafeMode", Method: "POST", Path: "/v2.1/cloudimages/quickimport/action", Operation: "image.create",
		Notes: "The safe-mode twin of ImportImageQuick."},
		translate: importImageQuick},
	// IMS: image.share
	{Known: calldoc.Known{Service: "ims", Name: "BatchAddMembers", Method: "POST", Path: "/v1/cloudimages/members", Operation: "image.share",
		Parts: "one per images[] entry, each image once (at most 1000 images and 1000 members in all: the API states no limit)",
		Notes: "members are projects[] and also every domains[] (account) and organizations[] (organization URN) entry: a share with an account or an organization is a share too, and counts toward the share limits."},
		translate: batchAddMembers},
	{Known: calldoc.Known{Service: "ims", Name: "GlanceAddImageMember", Method: "POST", Path: "/v2/images/{image_id}/members", Operation: "image.share",
		Notes: "members is [member]."},
		translate: glanceAddImageMember},
	// IMS: image.export
	{Known: calldoc.Known{Service: "ims", Name: "ExportImage", Method: "POST", Path: "/v1/cloudimages/{image_id}/file", Operation: "image.export",
		Notes: "bucket_url, file_format and is_quick_export as sent; the SDK sends \"file_format\": \"\" with a quick export."},
		translate: exportImage},
	{Known: calldoc.Known{Service: "ims", Name: "ExportImageInSafeMode", Method: "POST", Path: "/v2.1/cloudimages/{image_id}/file", Operation: "image.export",
		Notes: "The safe-mode twin of ExportImage."},
		translate: exportImage},
	// IMS: image.replicate
	{Known: calldoc.Known{Service: "ims", Name: "CopyImageInRegion", Method: "POST", Path: "/v1/cloudimages/{image_id}/copy", Operation: "image.replicate",
		Notes: "A copy within the region: no destination_region."},
		translate: copyImageInRegion},
	{Known: calldoc.Known{Service: "ims", Name: "CopyImageInRegionInSafeMode", Method: "POST", Path: "/v2.1/cloudimages/{image_id}/copy", Operation: "image.replicate",
		Notes: "The safe-mode twin of CopyImageInRegion."},
		translate: copyImageInRegion},
	{Known: calldoc.Known{Service: "ims", Name: "CopyImageCrossRegion", Method: "POST", Path: "/v1/cloudimages/{image_id}/cross_region_copy", Operation: "image.replicate",
		Notes: "destination_region is the body's region (required); project_name and agency_name, which the SDK sends as \"\" when not set, are read as absent then."},
		translate: copyImageCrossRegion},
	// IMS: image.delete
	{Known: calldoc.Known{Service: "ims", Name: "GlanceDeleteImage", Method: "DELETE", Path: "/v2/images/{image_id}", Operation: "image.delete",
		Notes: "The optional JSON body's delete_backup; absent is false."},
		translate: glanceDeleteImage},
	// IMS: known writes with no operation
	{Known: calldoc.Known{Service: "ims", Name: "BatchDeleteMembers", Method: "DELETE", Path: "/v1/cloudimages/members",
		Notes: "Removes image members: no imgadmit operation, refused (REQ-003)."},
		translate: noOperation},
	{Known: calldoc.Known{Service: "ims", Name: "BatchUpdateMembers", Method: "PUT", Path: "/v1/cloudimages/members",
		Notes: "Accepts or rejects a shared image: no imgadmit operation, refused (REQ-003)."},
		translate: noOperation},
	{Known: calldoc.Known{Service: "ims", Name: "GlanceUpdateImageMember", Method: "PUT", Path: "/v2/images/{image_id}/members/{member_id}",
		Notes: "Accepts or rejects a shared image: no imgadmit operation, refused (REQ-003)."},
		translate: noOperation},
	{Known: calldoc.Known{Service: "ims", Name: "GlanceDeleteImageMember", Method: "DELETE", Path: "/v2/images/{image_id}/members/{member_id}",
		Notes: "Removes an image member: no imgadmit operation, refused (REQ-003)."},
		translate: noOperation},

	// CBR
	{Known: calldoc.Known{Service: "cbr", Name: "CreateCheckpoint", Method: "POST", Path: "/v3/{project_id}/checkpoints", Operation: "backup.create",
		Parts: "one per resource in checkpoint.parameters.resources[] and resource_details[], each resource once (at most 1000 in each list: the API states no limit)",
		Notes: "resource_type from resource_details[].type (OS::Nova::Server is server, OS::Cinder::Volume disk); an id given only in resources[] is a server: the real API takes the type from the vault, which imgadmit cannot see, and server is the cautious reading (CBR-005 then warns that the server is not known to be optimized). The document's own resources facts do not choose the type: the caller writes them. Resources of a type imgadmit does not govern (OS::Ironic::BareMetalServer, OS::Native::Server, OS::Sfs::Turbo, OS::Workspace::DesktopV2) make no request; a call left with none, or naming no resource at all (the whole vault), is refused (REQ-003)."},
		translate: createCheckpoint},
	{Known: calldoc.Known{Service: "cbr", Name: "DeleteBackup", Method: "DELETE", Path: "/v3/{project_id}/backups/{backup_id}", Operation: "backup.delete"},
		translate: deleteBackup},
	{Known: calldoc.Known{Service: "cbr", Name: "RestoreBackup", Method: "POST", Path: "/v3/{project_id}/backups/{backup_id}/restore", Operation: "backup.restore",
		Notes: "restore.server_id is server_id, restore.volume_id disk_id, restore.power_on power_on; one of server_id and volume_id is required (the SDK's field docs: server_id for a whole-server restore, volume_id for a volume restore). restore.mappings are not read: with server_id they map the backup's disk backups onto that server's volumes, and a volume restore does not use them. A resource_id that names another target than server_id or volume_id is refused (REQ-003): imgadmit cannot tell what it restores to."},
		translate: restoreBackup},

	// ECS: server.create
	{Known: calldoc.Known{Service: "ecs", Name: "CreateServers", Method: "POST", Path: "/v1.1/{project_id}/cloudservers", Operation: "server.create",
		Parts: "server.count identical requests (1-100)",
		Notes: "image_id is server.imageRef; billing_method from server.extendparam.chargingMode (a string: prePaid is subscription, postPaid or absent pay_as_you_go; a spot server is pay_as_you_go). temporary is true (a server from an ISO image is a temporary installer server in the real API; the flag means nothing for other images). A data volume made from an image (data_volumes[].data_image_id) is a disk imgadmit cannot judge within a server create: refused (REQ-003). dry_run is judged as the call it checks. Passwords, keys, user data and metadata are never copied."},
		translate: createServers},
	{Known: calldoc.Known{Service: "ecs", Name: "CreatePostPaidServers", Method: "POST", Path: "/v1/{project_id}/cloudservers", Operation: "server.create",
		Parts: "server.count identical requests (1-100)",
		Notes: "As CreateServers, but extendparam.chargingMode is a number: 0 (or absent) is pay_as_you_go, the only value."},
		translate: createPostPaidServers},
	{Known: calldoc.Known{Service: "ecs", Name: "NovaCreateServers", Method: "POST", Path: "/v2.1/{project_id}/servers", Operation: "server.create",
		Parts: "max(server.min_count, server.max_count) identical requests (1-100)",
		Notes: "image_id is server.imageRef, or the boot (boot_index 0) image of block_device_mapping_v2; billing_method is pay_as_you_go (the native API makes pay-per-use servers); temporary is true. A server with no image (booted from a volume or snapshot) or with another disk made from an image is refused (REQ-003)."},
		translate: novaCreateServers},
	// ECS: server.start, and the calls that share its paths
	{Known: calldoc.Known{Service: "ecs", Name: "BatchStartServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/action", Operation: "server.start",
		Parts: "one per os-start.servers[] entry, each server once (at most 1000, the API's limit)",
		Notes: "The body's one member says which call it is: os-start is BatchStartServers; os-stop (BatchStopServers), reboot (BatchRebootServers) and any other are writes with no imgadmit operation, refused (REQ-003)."},
		translate: serversAction},
	{Known: calldoc.Known{Service: "ecs", Name: "BatchStopServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/action",
		Notes: "Body os-stop: no imgadmit operation, refused (REQ-003)."}},
	{Known: calldoc.Known{Service: "ecs", Name: "BatchRebootServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/action",
		Notes: "Body reboot: no imgadmit operation, refused (REQ-003)."}},
	{Known: calldoc.Known{Service: "ecs", Name: "NovaStartServer", Method: "POST", Path: "/v2.1/{project_id}/servers/{server_id}/action", Operation: "server.start",
		Notes: "Body {\"os-start\": null} (the OpenStack action; not modelled in the Go SDK, which names the path's other actions). addSecurityGroup (NovaAssociateSecurityGroup), removeSecurityGroup (NovaDisassociateSecurityGroup) and any other action are writes with no imgadmit operation, refused (REQ-003)."},
		translate: novaServerAction},
	{Known: calldoc.Known{Service: "ecs", Name: "NovaAssociateSecurityGroup", Method: "POST", Path: "/v2.1/{project_id}/servers/{server_id}/action",
		Notes: "Body addSecurityGroup: no imgadmit operation, refused (REQ-003)."}},
	{Known: calldoc.Known{Service: "ecs", Name: "NovaDisassociateSecurityGroup", Method: "POST", Path: "/v2.1/{project_id}/servers/{server_id}/action",
		Notes: "Body removeSecurityGroup: no imgadmit operation, refused (REQ-003)."}},
	// ECS: server.change_os
	{Known: calldoc.Known{Service: "ecs", Name: "ChangeServerOsWithCloudInit", Method: "POST", Path: "/v2/{project_id}/cloudservers/{server_id}/changeos", Operation: "server.change_os",
		Notes: "image_id is os-change.imageid; adminpass, keyname, userid and metadata are never copied."},
		translate: changeServerOs},
	{Known: calldoc.Known{Service: "ecs", Name: "ChangeServerOsWithoutCloudInit", Method: "POST", Path: "/v1/{project_id}/cloudservers/{server_id}/changeos", Operation: "server.change_os",
		Notes: "As ChangeServerOsWithCloudInit."},
		translate: changeServerOs},
	// ECS: server.delete
	{Known: calldoc.Known{Service: "ecs", Name: "DeleteServers", Method: "POST", Path: "/v1/{project_id}/cloudservers/delete", Operation: "server.delete",
		Parts: "one per servers[] entry, each server once (at most 1000, the API's limit)",
		Notes: "delete_publicip and delete_volume have no imgadmit param: the rules that judge deleting a disk only note (IMS-IMG-011, CBR-007)."},
		translate: deleteServers},
	{Known: calldoc.Known{Service: "ecs", Name: "NovaDeleteServer", Method: "DELETE", Path: "/v2.1/{project_id}/servers/{server_id}", Operation: "server.delete"},
		translate: novaDeleteServer},

	// EVS
	{Known: calldoc.Known{Service: "evs", Name: "CreateVolume", Method: "POST", Path: "/v2.1/{project_id}/cloudvolumes", Operation: "disk.create",
		Parts: "volume.count identical requests (1-100); none for a disk from a snapshot or an empty disk",
		Notes: "image_id is volume.imageRef, backup_id volume.backup_id (at most one of imageRef, backup_id, snapshot_id). A disk from a snapshot, or an empty disk, is a write no rule governs: it becomes no canonical request and is allowed with no reasons."},
		translate: createVolume},
	{Known: calldoc.Known{Service: "evs", Name: "DeleteVolume", Method: "DELETE", Path: "/v2/{project_id}/cloudvolumes/{volume_id}", Operation: "disk.delete"},
		translate: deleteVolume},
})

func buildRoutes(rs []route) []route {
	for i := range rs {
		r := &rs[i]
		r.segs = strings.Split(r.Path[1:], "/")
		r.projectSeg = slices.Index(r.segs, "{project_id}")
	}
	return rs
}

// knownList names the calls imgadmit governs, for REQ-003's message.
var knownList = func() []string {
	var out []string
	for _, r := range routes {
		if r.Operation != "" {
			out = append(out, r.Name+" ("+r.Method+" "+r.Path+")")
		}
	}
	return out
}()

// Calls are the calls the translator knows (for docs/calls.md): every call
// that becomes an operation, and the known writes that become none.
func Calls() []calldoc.Known {
	out := make([]calldoc.Known, len(routes))
	for i, r := range routes {
		out[i] = r.Known
	}
	return out
}

// match finds the route for method and the path's (decoded) segments: every
// literal segment equal, every {variable} segment non-empty (the path reader
// has refused empty segments).
func match(method string, segs []string) *route {
	for i := range routes {
		r := &routes[i]
		if r.translate == nil || r.Method != method || len(r.segs) != len(segs) {
			continue
		}
		ok := true
		for j, s := range r.segs {
			if s[0] != '{' && s != segs[j] {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

// noOperation translates a known write that maps onto no operation.
func noOperation(c *call) result {
	return result{unknown: c.route.Name + " (" + c.route.Method + " " + c.route.Path + ") maps onto no imgadmit operation"}
}
