package huaweicloud

import (
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// newImage starts an image.create part: image_type (decided by the call at
// typeFrom), source {type, id} (the id written at idFrom, the type decided
// at srcTypeFrom), and agree_disclaimer, which calling the API is.
func (c *call) newImage(imageType, typeFrom, srcType, srcTypeFrom, id, idFrom string) *calldoc.Part {
	p := c.d.NewPart("image.create", pBody)
	p.Set("image_type", imageType, typeFrom)
	p.Set("source", map[string]any{"type": srcType, "id": id}, idFrom)
	p.Origin("/source/type", srcTypeFrom)
	p.Set("agree_disclaimer", true, pCall)
	return p
}

// imageTags sets the part's image_tags from obj (at base): image_tags
// [{key, value}] as written, or the legacy tags ["key.value"], split at the
// '.'. Both are tags on the image, so both are judged by a tag policy; IMS
// takes one of the two.
func (c *call) imageTags(p *calldoc.Part, obj map[string]any, base string) {
	tagsPtr, newPtr := base+"/tags", base+"/image_tags"
	legacy, hasLegacy := c.d.Array(obj, "tags", tagsPtr)
	tags, hasNew := c.d.Array(obj, "image_tags", newPtr)
	if hasLegacy && hasNew && len(legacy) > 0 && len(tags) > 0 {
		c.d.Add(tagsPtr, "tags and image_tags are both given; IMS takes one of them")
		return
	}
	if hasNew && len(tags) > 0 {
		out := make([]any, len(tags))
		for i, t := range tags {
			tag, ok := t.(map[string]any)
			if !ok {
				c.d.Add(newPtr+"/"+strconv.Itoa(i), "image_tags[%d] must be an object {key, value}, but got %s", i, calldoc.TypeName(t))
				continue
			}
			kv := make(map[string]any, 2)
			for _, k := range [...]string{"key", "value"} {
				if v, ok := tag[k]; ok && v != nil {
					kv[k] = v
				}
			}
			out[i] = kv
		}
		p.Set("image_tags", out, newPtr)
		return
	}
	if hasLegacy && len(legacy) > 0 {
		out := make([]any, len(legacy))
		for i, t := range legacy {
			ptr := tagsPtr + "/" + strconv.Itoa(i)
			s, ok := t.(string)
			if !ok {
				c.d.Add(ptr, "tags[%d] must be a string key.value, but got %s", i, calldoc.TypeName(t))
				continue
			}
			key, value, _ := strings.Cut(s, ".")
			if strings.Contains(value, ".") {
				// "a.b.c" is a=b.c or a.b=c: a tag policy must not judge one
				// while IMS writes the other.
				c.d.Add(ptr, "tag %q has more than one '.', so its key and value cannot be told apart; write it as image_tags [{key, value}]", s)
				continue
			}
			out[i] = map[string]any{"key": key, "value": value}
			sub := "/image_tags/" + strconv.Itoa(i)
			p.Origin(sub+"/key", ptr)
			p.Origin(sub+"/value", ptr)
		}
		p.Set("image_tags", out, tagsPtr)
	}
}

// createWholeImage: CreateWholeImage, a full-ECS image from a server or from
// a CBR or CSBS backup.
func createWholeImage(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const (
		pInstance = pBody + "/instance_id"
		pBackup   = pBody + "/backup_id"
		pWhole    = pBody + "/whole_image_type"
	)
	instance, fromServer := c.d.NonEmpty(b, "instance_id", pInstance)
	backup, fromBackup := c.d.NonEmpty(b, "backup_id", pBackup)
	var p *calldoc.Part
	switch {
	case fromServer && fromBackup:
		c.d.Add(pBackup, "instance_id and backup_id are both given; a full-ECS image is made from a server or from a backup")
		return result{}
	case fromServer:
		p = c.newImage("full_ecs", pPath, "server", pInstance, instance, pInstance)
		c.copyID(p, b, "vault_id", pBody+"/vault_id", "vault_id")
	case fromBackup:
		// whole_image_type says whose backup it is; absent (or "") is CSBS,
		// as the API's field doc says.
		source, from := "csbs_backup", pBackup
		if t, ok := c.d.String(b, "whole_image_type", pWhole); ok {
			switch t {
			case "CBR":
				source, from = "cbr_backup", pWhole
			case "CSBS":
				from = pWhole
			case "":
			default:
				c.d.Add(pWhole, "whole_image_type %q is not CBR or CSBS", t)
				return result{}
			}
		} else if b["whole_image_type"] != nil {
			return result{}
		}
		p = c.newImage("full_ecs", pPath, source, from, backup, pBackup)
		c.copyID(p, b, "vault_id", pBody+"/vault_id", "vault_id")
	default:
		if c.d.Failed() {
			return result{}
		}
		c.d.Add(pBody, "CreateWholeImage names instance_id (a server) or backup_id (a backup); the body has neither")
		return result{}
	}
	c.copyParams(p, b, pBody, "name", "description", "enterprise_project_id", "max_ram", "min_ram")
	c.imageTags(p, b, pBody)
	return result{op: "image.create", parts: []*calldoc.Part{p}}
}

// createImage: CreateImage (and its safe-mode twin): a system image from a
// server, a file or a data disk, an ISO image from a file, and data images
// from a server's data disks, in one body.
func createImage(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const (
		pInstance = pBody + "/instance_id"
		pURL      = pBody + "/image_url"
		pVolume   = pBody + "/volume_id"
		pType     = pBody + "/type"
		pData     = pBody + "/data_images"
	)
	instance, fromServer := c.d.NonEmpty(b, "instance_id", pInstance)
	url, fromFile := c.d.NonEmpty(b, "image_url", pURL)
	c.checkOBSFile(url, pURL)
	volume, fromDisk := c.d.NonEmpty(b, "volume_id", pVolume)
	typ, _ := c.d.String(b, "type", pType)
	switch typ {
	case "", "ECS", "BMS", "FusionCompute", "Ironic", "IsoImage":
	default:
		c.d.Add(pType, "type %q is not one of ECS, BMS, FusionCompute, Ironic, IsoImage", typ)
	}
	data, hasData := c.list(b, "data_images", pData, limitList)
	hasData = hasData && len(data) > 0
	if n := count(fromServer, fromFile, fromDisk); n > 1 {
		c.d.Add(pBody, "more than one of instance_id, image_url and volume_id is given; an image is made from one source")
		return result{}
	}
	if hasData && (fromFile || fromDisk) {
		c.d.Add(pData, "data_images makes data images from a server's data disks; it does not go with image_url or volume_id")
		return result{}
	}
	if typ == "IsoImage" && !fromFile {
		c.d.Add(pType, "type IsoImage makes an ISO image from an ISO file: give image_url")
		return result{}
	}
	if !fromServer && !fromFile && !fromDisk && !hasData {
		if c.d.Failed() {
			return result{}
		}
		c.d.Add(pBody, "CreateImage names instance_id (a server), image_url (a file), volume_id (a data disk) or data_images; the body has none")
		return result{}
	}
	if c.d.Failed() {
		return result{}
	}
	var parts []*calldoc.Part
	if fromServer || fromFile || fromDisk {
		var p *calldoc.Part
		switch {
		case fromServer:
			p = c.newImage("system", pInstance, "server", pInstance, instance, pInstance)
		case typ == "IsoImage":
			p = c.newImage("iso", pType, "iso_file", pType, url, pURL)
		case fromFile:
			p = c.newImage("system", pURL, "file", pURL, url, pURL)
		default:
			p = c.newImage("system", pVolume, "disk", pVolume, volume, pVolume)
		}
		c.copyParams(p, b, pBody, "name", "description", "enterprise_project_id", "max_ram", "min_ram", "min_disk", "os_version", "architecture", "cmk_id")
		c.imageTags(p, b, pBody)
		parts = append(parts, p)
	}
	volumes := make(map[string]string, len(data)) // volume_id: where first given
	for i, e := range data {
		base := pData + "/" + strconv.Itoa(i)
		di, ok := e.(map[string]any)
		if !ok {
			c.d.Add(base, "data_images[%d] must be an object {name, volume_id, ...}, but got %s", i, calldoc.TypeName(e))
			continue
		}
		volume, ok := c.id(di, "volume_id", base+"/volume_id")
		if !ok {
			continue
		}
		if first, dup := volumes[volume]; dup {
			c.d.Add(base+"/volume_id", "volume %q is given twice (also at %s); a data image is made from each disk once", volume, first)
			continue
		}
		volumes[volume] = base + "/volume_id"
		p := c.newImage("data", base, "disk", base+"/volume_id", volume, base+"/volume_id")
		c.copyParams(p, di, base, "name", "description")
		copyParam(p, b, "enterprise_project_id", pBody+"/enterprise_project_id", "enterprise_project_id")
		c.imageTags(p, di, base)
		parts = append(parts, p)
	}
	return result{op: "image.create", parts: parts}
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// createDataImage: CreateDataImage (and its safe-mode twin), a data image
// from an external image file.
func createDataImage(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pURL = pBody + "/image_url"
	url, ok := c.id(b, "image_url", pURL)
	c.checkOBSFile(url, pURL)
	if !ok {
		return result{}
	}
	p := c.newImage("data", pPath, "file", pURL, url, pURL)
	c.copyParams(p, b, pBody, "name", "description", "enterprise_project_id", "min_disk", "cmk_id")
	c.imageTags(p, b, pBody)
	return result{op: "image.create", parts: []*calldoc.Part{p}}
}

// importImageQuick: ImportImageQuick (and its safe-mode twin), a quick import
// of an external image file.
func importImageQuick(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const (
		pURL  = pBody + "/image_url"
		pType = pBody + "/type"
	)
	imageType, source, from := "system", "file", pURL
	if t, ok := c.d.String(b, "type", pType); ok {
		switch t {
		case "", "ECS", "BMS":
		case "DataImage":
			imageType, from = "data", pType
		case "IsoImage":
			imageType, source, from = "iso", "iso_file", pType
		default:
			c.d.Add(pType, "type %q is not one of ECS, BMS, DataImage, IsoImage", t)
		}
	}
	url, ok := c.id(b, "image_url", pURL)
	c.checkOBSFile(url, pURL)
	if !ok || c.d.Failed() {
		return result{}
	}
	p := c.newImage(imageType, from, source, from, url, pURL)
	c.copyParams(p, b, pBody, "name", "description", "enterprise_project_id", "min_disk", "os_version", "architecture")
	c.imageTags(p, b, pBody)
	return result{op: "image.create", parts: []*calldoc.Part{p}}
}

// batchAddMembers: BatchAddMembers, one share per image, with every member:
// projects, and the accounts (domains) and organizations it also names.
// maxSharePairs bounds images x members in one BatchAddMembers: the most
// image-member pairs one call may ask about (a share of 100 images with 100
// projects).
const maxSharePairs = 10_000

func batchAddMembers(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pImages = pBody + "/images"
	images, iok := c.strings(b, "images", pImages, limitList)
	if iok && len(images) == 0 {
		c.d.Add(pImages, "images is empty; name the images to share")
	} else if b["images"] == nil {
		c.d.Add(pImages, "missing required property \"images\"")
	}
	var members []any
	type origin struct{ sub, from string }
	var origins []origin
	seen := map[string]string{} // member: where first given
	for _, list := range [...]string{"projects", "domains", "organizations"} {
		ptr := pBody + "/" + list
		ids, ok := c.strings(b, list, ptr, limitList)
		if !ok {
			if list == "projects" && b[list] == nil {
				c.d.Add(ptr, "missing required property \"projects\"")
			}
			continue
		}
		for i, id := range ids {
			at := ptr + "/" + strconv.Itoa(i)
			if first, dup := seen[id]; dup {
				c.d.Add(at, "member %q is given twice (also at %s); a share names each member once", id, first)
				continue
			}
			seen[id] = at
			origins = append(origins, origin{"/members/" + strconv.Itoa(len(members)), at})
			members = append(members, id)
		}
	}
	if len(members) > limitList.max {
		// Every share carries every member: bound them all, not each list.
		c.d.Add(pBody, "projects, domains and organizations have %d members in all; imgadmit reads at most %d (the API states no limit)", len(members), limitList.max)
	} else if pairs := len(images) * len(members); pairs > maxSharePairs {
		// Each image's request checks every member: bound the product, or
		// one small call buys a second of CPU (1,000 images x 1,000 members).
		c.d.Add(pBody, "%d images shared with %d members are %d image-member pairs; imgadmit judges at most %d in one call: split it",
			len(images), len(members), pairs, maxSharePairs)
	}
	if c.d.Failed() {
		return result{}
	}
	if len(members) == 0 {
		c.d.Add(pBody+"/projects", "projects (and domains, organizations) name no member; a share has at least one")
		return result{}
	}
	parts := make([]*calldoc.Part, 0, len(images))
	shared := make(map[string]bool, len(images))
	for i, img := range images {
		if shared[img] {
			continue // each image is shared once
		}
		shared[img] = true
		p := c.d.NewPart("image.share", pBody)
		p.Set("image_id", img, pImages+"/"+strconv.Itoa(i))
		p.Set("members", members, pBody+"/projects")
		for _, o := range origins {
			p.Origin(o.sub, o.from)
		}
		parts = append(parts, p)
	}
	return result{op: "image.share", parts: parts}
}

// glanceAddImageMember: GlanceAddImageMember, a share of the path's image
// with one project.
func glanceAddImageMember(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pMember = pBody + "/member"
	member, ok := c.id(b, "member", pMember)
	if !ok {
		return result{}
	}
	p := c.d.NewPart("image.share", pBody)
	p.Set("image_id", c.param("image_id"), pPath)
	p.Set("members", []any{member}, pMember)
	p.Origin("/members/0", pMember)
	return result{op: "image.share", parts: []*calldoc.Part{p}}
}

// exportImage: ExportImage (and its safe-mode twin).
func exportImage(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	p := c.d.NewPart("image.export", pBody)
	p.Set("image_id", c.param("image_id"), pPath)
	c.copyParams(p, b, pBody, "bucket_url", "file_format", "is_quick_export")
	return result{op: "image.export", parts: []*calldoc.Part{p}}
}

// copyImageInRegion: CopyImageInRegion (and its safe-mode twin), a copy
// within the region.
func copyImageInRegion(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	p := c.d.NewPart("image.replicate", pBody)
	p.Set("image_id", c.param("image_id"), pPath)
	c.copyParams(p, b, pBody, "name", "description", "cmk_id", "enterprise_project_id")
	return result{op: "image.replicate", parts: []*calldoc.Part{p}}
}

// copyImageCrossRegion: CopyImageCrossRegion, a copy to the body's region.
func copyImageCrossRegion(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pRegion = pBody + "/region"
	if _, ok := c.id(b, "region", pRegion); !ok {
		return result{}
	}
	p := c.d.NewPart("image.replicate", pBody)
	p.Set("image_id", c.param("image_id"), pPath)
	copyParam(p, b, "region", pRegion, "destination_region")
	c.copyParams(p, b, pBody, "name", "description", "project_name", "agency_name", "vault_id")
	return result{op: "image.replicate", parts: []*calldoc.Part{p}}
}

// glanceDeleteImage: GlanceDeleteImage, with its optional body.
func glanceDeleteImage(c *call) result {
	p := c.d.NewPart("image.delete", pBody)
	p.Set("image_id", c.param("image_id"), pPath)
	if c.hasBody {
		b, ok := c.body.(map[string]any)
		if !ok {
			c.d.Add(pBody, "body must be an object {\"delete_backup\": ...}, but got %s", calldoc.TypeName(c.body))
			return result{}
		}
		if v := b["delete_backup"]; v != nil {
			p.Set("delete_backup", v, pBody+"/delete_backup")
			return result{op: "image.delete", parts: []*calldoc.Part{p}}
		}
	}
	p.Set("delete_backup", false, pCall)
	return result{op: "image.delete", parts: []*calldoc.Part{p}}
}

// checkOBSFile refuses an image_url that is a URL: IMS reads an OBS object
// written bucket:file, and a URL (a presigned one carries a signature) would
// become the request's source id, which decisions and logs show.
func (c *call) checkOBSFile(url, ptr string) {
	if strings.Contains(url, "://") {
		c.d.Add(ptr, "image_url must be an OBS object written bucket:file (such as my-bucket:images/web.qcow2), not a URL")
	}
}
