package tfplan

import (
	"strconv"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Alibaba ECS actions (REAL-SHAPES §1.2), as decisions name them.
var (
	aliCreateImage    = aliCall("CreateImage")
	aliDeleteImage    = aliCall("DeleteImage")
	aliCopyImage      = aliCall("CopyImage")
	aliShareImage     = aliCall("ModifyImageSharePermission")
	aliExportImage    = aliCall("ExportImage")
	aliDeleteSnapshot = aliCall("DeleteSnapshot")
	aliRunInstances   = aliCall("RunInstances")
	aliDeleteInstance = aliCall("DeleteInstance")
	aliReplaceDisk    = aliCall("ReplaceSystemDisk")
	aliStartInstance  = aliCall("StartInstance")
	aliDeleteDisk     = aliCall("DeleteDisk")
)

func aliCall(action string) evaluator.Call {
	return evaluator.Call{Service: "ecs", Name: action, Action: action}
}

// aliImageCreate: image.create, always a system image, from instance_id
// (server), else the disk_device_mapping entry with disk_type system
// (snapshot), else snapshot_id (snapshot): CreateImage's priority.
func aliImageCreate(c *change) []*op {
	p := c.newPart("after")
	p.set("image_type", "system", c.ptr+"/type")
	if _, ok := c.copyStr(p, "name", "after", "image_name", false); !ok {
		if _, ok := c.copyStr(p, "name", "after", "name", false); !ok && (c.isUnknown("image_name") || c.isUnknown("name")) {
			c.unknownAttr("image_name")
		}
	}
	c.aliSource(p)
	c.copyStr(p, "description", "after", "description", false)
	c.copyStr(p, "platform", "after", "platform", false)
	c.copyStr(p, "architecture", "after", "architecture", false)
	c.copyStr(p, "boot_mode", "after", "boot_mode", false)
	c.copyTags(p, "tags", "after", "tags")
	c.copyStr(p, "resource_group_id", "after", "resource_group_id", false)
	return []*op{{operation: "image.create", call: aliCreateImage, parts: []*part{p}}}
}

func (c *change) aliSource(p *part) {
	set := func(typ, id, from string) {
		p.set("source", map[string]any{"type": typ, "id": id}, from)
		p.origins = append(p.origins, evaluator.Origin{Path: "/params/source/type", From: from})
	}
	if id, ok := c.str(c.after, "after", "instance_id"); ok && id != "" {
		set("server", id, c.at("after", "instance_id"))
		return
	}
	if c.isUnknown("instance_id") {
		c.unknownAttr("instance_id")
		return
	}
	if maps, ok := c.objects(c.after, "after", "disk_device_mapping"); ok {
		for i, m := range maps {
			if t, _ := c.str(m, "after", "disk_type"); t != "system" {
				continue
			}
			if id, ok := c.str(m, "after", "snapshot_id"); ok && id != "" {
				set("snapshot", id, c.at("after", "disk_device_mapping", strconv.Itoa(i), "snapshot_id"))
				return
			}
			if c.isUnknown("disk_device_mapping", i, "snapshot_id") {
				c.unknownAttr("disk_device_mapping[" + strconv.Itoa(i) + "].snapshot_id")
				return
			}
		}
	} else if c.isUnknown("disk_device_mapping") && c.after["snapshot_id"] == nil && !c.isUnknown("snapshot_id") {
		// Computed when the image comes from an instance; with no instance
		// and no snapshot_id it is the source, unknown.
		c.unknownAttr("disk_device_mapping")
		return
	}
	if id, ok := c.str(c.after, "after", "snapshot_id"); ok && id != "" {
		set("snapshot", id, c.at("after", "snapshot_id"))
		return
	}
	if c.isUnknown("snapshot_id") {
		c.unknownAttr("snapshot_id")
	}
}

// aliImageDelete: image.delete, then, with delete_auto_snapshot, one
// snapshot.delete (Force) per snapshot of disk_device_mapping, in order,
// as the provider does after DeleteImage. The mapping gives the image's
// snapshot_ids fact and each snapshot's disk_type.
func aliImageDelete(c *change) []*op {
	p, id := c.imageDelete()
	auto, _ := c.boolean(c.before, "before", "delete_auto_snapshot")
	p.set("delete_snapshots", auto, c.at("before", "delete_auto_snapshot"))
	c.copyBool(p, "force", "before", "force")
	o := &op{operation: "image.delete", call: aliDeleteImage, parts: []*part{p}}
	maps, _ := c.objects(c.before, "before", "disk_device_mapping")
	var snaps []any
	for i, m := range maps {
		sid, ok := c.str(m, "before", "snapshot_id")
		if !ok || sid == "" {
			continue
		}
		snaps = append(snaps, sid)
		if t, ok := c.str(m, "before", "disk_type"); ok && (t == "system" || t == "data") {
			c.fact("snapshots", sid, "disk_type", t)
		}
		if auto {
			s := c.newPart("before")
			s.req["operation"] = "snapshot.delete"
			s.set("snapshot_id", sid, c.at("before", "disk_device_mapping", strconv.Itoa(i), "snapshot_id"))
			s.set("force", true, c.at("before", "delete_auto_snapshot"))
			o.parts = append(o.parts, s)
		}
	}
	if len(snaps) > 0 {
		c.fact("images", id, "snapshot_ids", snaps)
	}
	return []*op{o}
}

// aliImageCopyCreate: image.replicate from source_region_id (CopyImage's
// RegionId) to the provider's region, which the plan may not carry: then
// the destination is unknown, and the copy is refused until it is given.
func aliImageCopyCreate(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "source_image_id", true)
	c.copyStr(p, "name", "after", "image_name", false)
	c.copyStr(p, "description", "after", "description", false)
	c.copyBool(p, "encrypted", "after", "encrypted")
	c.copyStr(p, "kms_key_id", "after", "kms_key_id", false)
	o := &op{operation: "image.replicate", call: aliCopyImage, parts: []*part{p}}
	if dest, from := c.providerRegion(); dest != "" {
		p.set("destination_region", dest, from)
	} else {
		c.unknownAttr("the provider's region (the copy's destination; give --region)")
	}
	switch src, ok := c.str(c.after, "after", "source_region_id"); {
	case ok && src != "":
		o.region, o.regionFrom = src, c.at("after", "source_region_id")
	case c.isUnknown("source_region_id"):
		c.unknownAttr("source_region_id")
	default:
		// Required by the provider: a copy with no source region is not a
		// copy within the provider's region, whatever it would default to.
		c.problemAt(c.at("after", "source_region_id"), "source_region_id is missing: a copy names the region it copies from")
	}
	return []*op{o}
}

// aliImageCopyDelete: image.delete of the copy, in the destination (the
// provider's region).
func aliImageCopyDelete(c *change) []*op {
	p, _ := c.imageDelete()
	auto, _ := c.boolean(c.before, "before", "delete_auto_snapshot")
	p.set("delete_snapshots", auto, c.at("before", "delete_auto_snapshot"))
	c.copyBool(p, "force", "before", "force")
	o := &op{operation: "image.delete", call: aliDeleteImage, parts: []*part{p}}
	o.region, o.regionFrom = c.providerRegion()
	return []*op{o}
}

func aliImageShare(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "image_id", true)
	if a, ok := c.str(c.after, "after", "account_id"); ok {
		p.set("members", []any{a}, c.at("after", "account_id"))
	} else {
		c.missing("after", "account_id", true)
	}
	return []*op{{operation: "image.share", call: aliShareImage, parts: []*part{p}}}
}

func aliImageExport(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "image_id", true)
	c.copyStr(p, "bucket_url", "after", "oss_bucket", true)
	c.copyStr(p, "oss_prefix", "after", "oss_prefix", false)
	return []*op{{operation: "image.export", call: aliExportImage, parts: []*part{p}}}
}

func aliSnapshotDelete(c *change) []*op {
	p := c.newPart("before")
	c.copyStr(p, "snapshot_id", "before", "id", true)
	c.copyBool(p, "force", "before", "force")
	return []*op{{operation: "snapshot.delete", call: aliDeleteSnapshot, parts: []*part{p}}}
}

// aliBilling maps instance_charge_type onto billing_method.
var aliBilling = map[string]string{"PrePaid": "subscription", "PostPaid": "pay_as_you_go"}

func aliServerCreate(c *change) []*op {
	p := c.newPart("after")
	c.copyStr(p, "image_id", "after", "image_id", true)
	c.copyStr(p, "name", "after", "instance_name", false)
	if m, ok := c.str(c.after, "after", "instance_charge_type"); ok {
		if b, known := aliBilling[m]; known {
			m = b
		}
		p.set("billing_method", m, c.at("after", "instance_charge_type"))
	}
	return []*op{{operation: "server.create", call: aliRunInstances, parts: []*part{p}}}
}

func aliServerDelete(c *change) []*op {
	p := c.newPart("before")
	id, _ := c.copyStr(p, "server_id", "before", "id", true)
	c.serverFacts(id, "instance_charge_type")
	return []*op{{operation: "server.delete", call: aliDeleteInstance, parts: []*part{p}}}
}

// aliServerUpdate: status Stopped → Running starts the instance; one
// unknown until apply may be Running.
func aliServerUpdate(c *change) []*op {
	started := false
	if c.changed("status") {
		before, _ := c.str(c.before, "before", "status")
		after, ok := c.str(c.after, "after", "status")
		switch {
		case ok && after == "Running" && before == "Stopped":
			started = true
		case !ok && c.isUnknown("status") && before == "Stopped":
			// The start is refused until known; a change of image beside it
			// is reported too, never dropped.
			c.unknownAttr("status")
			return append(c.serverUpdate(aliReplaceDisk, aliStartInstance, false), &op{operation: "server.start", call: aliStartInstance})
		}
	}
	return c.serverUpdate(aliReplaceDisk, aliStartInstance, started)
}

func aliDiskDelete(c *change) []*op {
	p := c.newPart("before")
	c.copyStr(p, "disk_id", "before", "id", true)
	return []*op{{operation: "disk.delete", call: aliDeleteDisk, parts: []*part{p}}}
}
