// Package huaweicloud reads Huawei Cloud IMS, CBR, ECS and EVS describe and
// list responses into inventory facts (REAL-SHAPES §2.2).
//
// The responses are read as raw JSON, never through the SDK's typed models:
// the models lack __whole_image (the one attribute that says "full-ECS"),
// and their enums lack values the API sends (IsoImage, market).
//
// Huawei responses carry no region: Response.Region (from --region) says
// which it is, and with none the region facts are left out.
package huaweicloud

import "github.com/imgadmit/imgadmit/internal/cloudfacts/facts"

const provider = "huaweicloud"

var shapes = []facts.Shape{
	{Provider: provider, Name: "IMS ListImages", Recognizes: isListImages, Read: readListImages},
	{Provider: provider, Name: "IMS GlanceShowImage", Recognizes: isShowImage, Read: readShowImage},
	{Provider: provider, Name: "CBR ListBackups", Recognizes: isListBackups, Read: readListBackups},
	{Provider: provider, Name: "CBR ShowBackup", Recognizes: isShowBackup, Read: readShowBackup},
	{Provider: provider, Name: "ECS ListServersDetails", Recognizes: isListServers, Read: readListServers},
	{Provider: provider, Name: "ECS ShowServer", Recognizes: isShowServer, Read: readShowServer},
	{Provider: provider, Name: "EVS ListVolumes", Recognizes: isListVolumes, Read: readListVolumes},
	{Provider: provider, Name: "EVS ShowVolume", Recognizes: isShowVolume, Read: readShowVolume},
}

// Shapes are the Huawei responses this package reads.
func Shapes() []facts.Shape { return shapes }

// Recognition is by the top-level keys, exactly: a list response has its
// list's key and only the paging keys the API sends beside it; a show
// response has its one key, holding an object with an attribute only a
// response carries (a request body such as ECS CreateServers'
// {"server": {...}} or CBR UpdateBackup's {"backup": {...}} never has id or
// status). An imgadmit inventory ({"resources", "settings"}), request
// ({"provider", "operation", ...}) or call document ({"provider", "call"})
// has keys none of these allow. Alibaba responses are capitalized
// ({"Images": {"Image": [...]}, "RequestId", ...}) and never match.

// onlyKeys reports whether doc has key and no key outside allowed.
func onlyKeys(doc map[string]any, key string, allowed ...string) bool {
	if _, ok := doc[key]; !ok {
		return false
	}
next:
	for k := range doc {
		if k == key {
			continue
		}
		for _, a := range allowed {
			if k == a {
				continue next
			}
		}
		return false
	}
	return true
}

// isListImages: IMS ListImages (GET /v2/cloudimages) answers {"images": [...]}
// (Glance's list adds first/next/schema). A first item that is an object must
// carry a Huawei attribute (a "__" one, or virtual_env_type), so an OpenStack
// Glance list from another cloud is not taken for Huawei's; a first item that
// is no object is recognized, and reported as a broken page.
func isListImages(doc map[string]any) bool {
	if !onlyKeys(doc, "images", "first", "next", "schema") {
		return false
	}
	list, ok := doc["images"].([]any)
	if !ok || len(list) == 0 {
		return true
	}
	item, ok := list[0].(map[string]any)
	return !ok || hasHuaweiImageAttr(item)
}

func hasHuaweiImageAttr(m map[string]any) bool {
	if _, ok := m["virtual_env_type"]; ok {
		return true
	}
	for k := range m {
		if len(k) > 2 && k[0] == '_' && k[1] == '_' {
			return true
		}
	}
	return false
}

// isShowImage: GlanceShowImage (GET /v2/images/{id}) answers the bare image:
// an id and __imagetype, or an id and Glance's visibility.
func isShowImage(doc map[string]any) bool {
	if _, ok := doc["id"]; !ok {
		return false
	}
	for _, k := range [...]string{"resources", "settings", "provider", "operation", "images"} {
		if _, ok := doc[k]; ok {
			return false
		}
	}
	if _, ok := doc["__imagetype"]; ok {
		return true
	}
	_, ok := doc["visibility"]
	return ok
}

func isListBackups(doc map[string]any) bool {
	return onlyKeys(doc, "backups", "count", "offset", "limit")
}

func isListServers(doc map[string]any) bool {
	return onlyKeys(doc, "servers", "count", "servers_links")
}

func isListVolumes(doc map[string]any) bool {
	return onlyKeys(doc, "volumes", "count", "volumes_links")
}

func isShowBackup(doc map[string]any) bool { return isShow(doc, "backup", "resource_id") }
func isShowServer(doc map[string]any) bool { return isShow(doc, "server", "OS-EXT-STS:vm_state") }
func isShowVolume(doc map[string]any) bool { return isShow(doc, "volume", "attachments") }

// isShow: {key: {...}} alone, the object holding id, status, or the one
// response attribute named.
func isShow(doc map[string]any, key, attr string) bool {
	if len(doc) != 1 {
		return false
	}
	obj, ok := doc[key].(map[string]any)
	if !ok {
		return false
	}
	for _, k := range [...]string{"id", "status", attr} {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	return false
}
