package huaweicloud_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
	"github.com/imgadmit/imgadmit/internal/calls/huaweicloud"

	"github.com/imgadmit/imgadmit/evaluator"
)

// doc is a call document around call (the members of /call, as JSON), with
// the envelope's region and no project unless extra sets them.
func doc(t testing.TB, call, extra string) map[string]any {
	t.Helper()
	s := `{"provider": "huaweicloud", "call": {` + call + `}`
	if extra != "" {
		s += ", " + extra
	}
	return decode(t, s+"}").(map[string]any)
}

const (
	xProject   = `"headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}`
	imsHost    = `"host": "ims.cn-north-4.myhuaweicloud.com"`
	wholeImage = `"method": "POST", "path": "/v1/cloudimages/wholeimages/action", ` + xProject
)

// many is n copies of the JSON value v, as the items of an array.
func many(v string, n int) string {
	return strings.TrimSuffix(strings.Repeat(v+",", n), ",")
}

// numbered is n JSON values made by format from 0 to n-1, as the items of
// an array.
func numbered(format string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(items, ",")
}

// TestInvalidCalls: a call imgadmit cannot read is an invalid request whose
// every error points where the caller wrote the fault; never a panic, never
// a decision.
func TestInvalidCalls(t *testing.T) {
	cases := []struct {
		name, call, extra string
		message           string   // the error's message
		errors            []string // "pointer: message"
	}{
		{"an unknown member in the call", wholeImage + `, "body": {"name": "a", "backup_id": "bk-ok"}, "params": {}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{`/call/params: unknown member "params"; a Huawei Cloud call has: body, headers, host, method, path, query`}},
		{"an image file given as a URL (a presigned one would carry its signature into the request)",
			`"method": "POST", "path": "/v2/cloudimages/action", "body": {"name": "web", "os_version": "Ubuntu 22.04 server 64bit", "min_disk": 40,
			  "image_url": "https://b.obs.cn-north-4.myhuaweicloud.com/w.qcow2?AccessKeyId=AK&Signature=s"}`, "",
			"the CreateImage call cannot be read",
			[]string{"/call/body/image_url: image_url must be an OBS object written bucket:file (such as my-bucket:images/web.qcow2), not a URL"}},
		{"a share of too many image-member pairs (each image's request checks every member)",
			`"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": [` + idList("img-", 101) + `], "projects": [` + idList("p-", 100) + `]}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{"/call/body: 101 images shared with 100 members are 10100 image-member pairs; imgadmit judges at most 10000 in one call: split it"}},
		{"the method is not a string", `"method": 1, "path": "/v1/cloudimages/wholeimages/action"`, "",
			"the call document cannot be read",
			[]string{"/call/method: method must be a string, but got number"}},
		{"no method", `"path": "/v1/cloudimages/wholeimages/action"`, "",
			"the call document cannot be read",
			[]string{`/call/method: missing required property "method" (the HTTP method, such as POST)`}},
		{"a lower-case method", `"method": "post", "path": "/v1/cloudimages/wholeimages/action"`, "",
			"the call document cannot be read",
			[]string{`/call/method: method "post" is not an upper-case HTTP method; methods are case-sensitive and the SDKs send them upper case, such as POST`}},
		{"the path is not a string", `"method": "POST", "path": ["v1"]`, "",
			"the call document cannot be read",
			[]string{"/call/path: path must be a string, but got array"}},
		{"no path", `"method": "POST"`, "",
			"the call document cannot be read",
			[]string{`/call/path: missing required property "path" (the path as sent, such as /v1/cloudimages/wholeimages/action)`}},
		{"a relative path", `"method": "POST", "path": "v1/cloudimages/wholeimages/action"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "v1/cloudimages/wholeimages/action" does not start with '/'; give the path as sent, such as /v1/cloudimages/wholeimages/action`}},
		{"a trailing slash", `"method": "POST", "path": "/v1/cloudimages/wholeimages/action/"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "/v1/cloudimages/wholeimages/action/" has an empty segment (a '/' at its end or two in a row); the cloud would not route it to the call it looks like`}},
		{"a double slash", `"method": "DELETE", "path": "/v2/images//img-sys"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "/v2/images//img-sys" has an empty segment (a '/' at its end or two in a row); the cloud would not route it to the call it looks like`}},
		{"a malformed escape", `"method": "DELETE", "path": "/v2/images/img%zz"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "/v2/images/img%zz" has a malformed escape in segment "img%zz"`}},
		{"a dot segment", `"method": "DELETE", "path": "/v2/images/../images/img-sys"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "/v2/images/../images/img-sys" has a ".." segment; give the path as the cloud routes it, without dot segments`}},
		{"a fragment", `"method": "DELETE", "path": "/v2/images/img-sys#x"`, "",
			"the call document cannot be read",
			[]string{`/call/path: path "/v2/images/img-sys#x" has a fragment ('#'); a call's path is what is sent, and a fragment is never sent`}},
		{"a query value that is not a string", `"method": "GET", "path": "/v2/cloudimages", "query": {"limit": 10}`, "",
			"the GET /v2/cloudimages call cannot be read",
			[]string{`/call/query/limit: query parameter "limit" must be a string, but got number`}},
		{"a query both ways", `"method": "GET", "path": "/v2/cloudimages?limit=10", "query": {"limit": "10"}`, "",
			"the GET /v2/cloudimages call cannot be read",
			[]string{"/call/query: the path has a query string and the call has a query object; give the query one way"}},
		{"a query that is not an object", `"method": "GET", "path": "/v2/cloudimages", "query": "limit=10"`, "",
			"the GET /v2/cloudimages call cannot be read",
			[]string{"/call/query: query must be an object of strings, but got string"}},
		{"a repeated query key", `"method": "GET", "path": "/v2/cloudimages?id=img-1&id=img-2"`, "",
			"the GET /v2/cloudimages call cannot be read",
			[]string{`/call/path: query parameter "id" is given twice; a call names each parameter once`}},
		{"a query parameter on a governed write", `"method": "POST", "path": "/v1/p-1/cloudservers/delete?delete_volume=true&dry_run=true", "body": {"servers": [{"id": "srv-1"}]}`, "",
			"the DeleteServers call cannot be read",
			[]string{`/call/path: DeleteServers takes no query parameters; imgadmit would not judge "delete_volume"`, `/call/path: DeleteServers takes no query parameters; imgadmit would not judge "dry_run"`}},
		{"a query object on a governed write", `"method": "DELETE", "path": "/v2/images/img-sys", "query": {"delete_backup": "true"}`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/query/delete_backup: GlanceDeleteImage takes no query parameters; imgadmit would not judge "delete_backup"`}},
		{"a query parameter on a call named by its body", `"method": "POST", "path": "/v2.1/p-1/servers/srv-1/action?force=1", "body": {"os-start": null}`, "",
			"the NovaStartServer call cannot be read",
			[]string{`/call/path: NovaStartServer takes no query parameters; imgadmit would not judge "force"`}},
		{"headers not an object", `"method": "DELETE", "path": "/v2/images/img-sys", "headers": ["X-Project-Id"]`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{"/call/headers: headers must be an object, but got array"}},
		{"a header value not a string", `"method": "DELETE", "path": "/v2/images/img-sys", "headers": {"X-Project-Id": 42}`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/headers/X-Project-Id: header "X-Project-Id" must be a string, but got number`}},
		{"the path's project and X-Project-Id differ", `"method": "DELETE", "path": "/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-ok", "headers": {"x-project-id": "aaaa767a3300d5762fb7c0186d8d2b3b"}`, "",
			"the DeleteBackup call cannot be read",
			[]string{`/call/path: the path's {project_id} "0605767a3300d5762fb7c0186d8d2b3b" differs from project "aaaa767a3300d5762fb7c0186d8d2b3b" at /call/headers/x-project-id; a call is made as one project`}},
		{"X-Project-Id and the document's project differ", `"method": "DELETE", "path": "/v2/images/img-sys", "headers": {"X-PROJECT-ID": "aaaa767a3300d5762fb7c0186d8d2b3b"}`, `"project_id": "0605767a3300d5762fb7c0186d8d2b3b"`,
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/headers/X-PROJECT-ID: the X-Project-Id header "aaaa767a3300d5762fb7c0186d8d2b3b" differs from project "0605767a3300d5762fb7c0186d8d2b3b" at /project_id; a call is made as one project`}},
		{"a host of another service", `"method": "DELETE", "path": "/v2/images/img-sys", "host": "ecs.cn-north-4.myhuaweicloud.com", ` + xProject, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/host: host "ecs.cn-north-4.myhuaweicloud.com" is an endpoint of ECS, but GlanceDeleteImage (DELETE /v2/images/{image_id}) is a call of IMS`}},
		{"a host region that differs from region", `"method": "DELETE", "path": "/v2/images/img-sys", "host": "ims.cn-east-3.myhuaweicloud.com", ` + xProject, `"region": "cn-north-4"`,
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/host: region "cn-east-3" differs from region "cn-north-4" at /region; a call has one region`}},
		{"a host that is not an endpoint", `"method": "DELETE", "path": "/v2/images/img-sys", "host": "localhost:8080"`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/host: host "localhost:8080" is not a Huawei Cloud endpoint; an endpoint is service.region.domain, such as ims.cn-north-4.myhuaweicloud.com`}},
		{"a host that is not a string", `"method": "DELETE", "path": "/v2/images/img-sys", "host": true`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{"/call/host: host must be a string, but got boolean"}},
		{"a body that is not an object", wholeImage + `, "body": ["name"]`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body: body must be an object, but got array"}},
		{"no body", wholeImage, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body: CreateWholeImage has a JSON body; the call has none"}},
		{"a wrong type in a known field", wholeImage + `, "body": {"name": "a", "backup_id": 7}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body/backup_id: backup_id must be a string, but got number"}},
		{"no source", wholeImage + `, "body": {"instance_id": "", "name": "a"}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body: CreateWholeImage names instance_id (a server) or backup_id (a backup); the body has neither"}},
		{"two sources", wholeImage + `, "body": {"instance_id": "srv-1", "backup_id": "bk-ok", "name": "a"}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body/backup_id: instance_id and backup_id are both given; a full-ECS image is made from a server or from a backup"}},
		{"an unknown whole_image_type", wholeImage + `, "body": {"backup_id": "bk-ok", "whole_image_type": "cbr", "name": "a"}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{`/call/body/whole_image_type: whole_image_type "cbr" is not CBR or CSBS`}},
		{"a name the schema refuses", wholeImage + `, "body": {"backup_id": "bk-ok", "whole_image_type": "CBR", "name": " web"}`, "",
			"the CreateWholeImage call does not make a valid image.create request",
			[]string{"/call/body/name: does not match the expected format: letters, digits, spaces, '-', '.', '_' and Chinese characters, with no leading or trailing space"}},
		{"no name", wholeImage + `, "body": {"backup_id": "bk-ok", "whole_image_type": "CBR"}`, "",
			"the CreateWholeImage call does not make a valid image.create request",
			[]string{"/call/body/name: missing required property \"name\""}},
		{"a legacy tag with two dots", wholeImage + `, "body": {"backup_id": "bk-ok", "name": "a", "tags": ["env.v1.2"]}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{`/call/body/tags/0: tag "env.v1.2" has more than one '.', so its key and value cannot be told apart; write it as image_tags [{key, value}]`}},
		{"a legacy tag the schema refuses", wholeImage + `, "body": {"backup_id": "bk-ok", "name": "a", "tags": [".prod"]}`, "",
			"the CreateWholeImage call does not make a valid image.create request",
			[]string{"/call/body/tags/0: length must be >= 1, but got 0"}},
		{"tags both ways", wholeImage + `, "body": {"backup_id": "bk-ok", "name": "a", "tags": ["env.prod"], "image_tags": [{"key": "env", "value": "prod"}]}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body/tags: tags and image_tags are both given; IMS takes one of them"}},
		{"an image tag that is not an object", wholeImage + `, "body": {"backup_id": "bk-ok", "name": "a", "image_tags": ["env=prod"]}`, "",
			"the CreateWholeImage call cannot be read",
			[]string{"/call/body/image_tags/0: image_tags[0] must be an object {key, value}, but got string"}},
		{"data_images not an array", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"instance_id": "srv-1", "name": "a", "data_images": {"volume_id": "vol-1"}}`, "",
			"the CreateImage call cannot be read",
			[]string{"/call/body/data_images: data_images must be an array, but got object"}},
		{"a data_images element not an object", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"data_images": [{"name": "d", "volume_id": "vol-1"}, "vol-2"]}`, "",
			"the CreateImage call cannot be read",
			[]string{"/call/body/data_images/1: data_images[1] must be an object {name, volume_id, ...}, but got string"}},
		{"a data_images element without volume_id", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"data_images": [{"name": "d", "volume_id": ""}]}`, "",
			"the CreateImage call cannot be read",
			[]string{`/call/body/data_images/0/volume_id: missing required property "volume_id" (a non-empty id)`}},
		{"CreateImage with two sources", `"method": "POST", "path": "/v2.1/cloudimages/action", "body": {"instance_id": "srv-1", "image_url": "b:f", "name": "a"}`, "",
			"the CreateImageInSafeMode call cannot be read",
			[]string{"/call/body: more than one of instance_id, image_url and volume_id is given; an image is made from one source"}},
		{"CreateImage IsoImage without a file", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"instance_id": "srv-1", "type": "IsoImage", "name": "a"}`, "",
			"the CreateImage call cannot be read",
			[]string{"/call/body/type: type IsoImage makes an ISO image from an ISO file: give image_url"}},
		{"CreateImage min_disk out of range", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"image_url": "b:f", "min_disk": 2048, "name": "a"}`, "",
			"the CreateImage call does not make a valid image.create request",
			[]string{"/call/body/min_disk: must be <= 1024 but found 2048"}},
		{"ImportImageQuick of an unknown type", `"method": "POST", "path": "/v2/cloudimages/quickimport/action", "body": {"image_url": "b:f", "type": "Ironic", "name": "a"}`, "",
			"the ImportImageQuick call cannot be read",
			[]string{`/call/body/type: type "Ironic" is not one of ECS, BMS, DataImage, IsoImage`}},
		{"BatchAddMembers as the SDK sends it empty", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": null, "projects": null}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{`/call/body/images: missing required property "images"`, `/call/body/projects: missing required property "projects"`}},
		{"BatchAddMembers with an empty image id", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-sys", ""], "projects": ["p-2"]}`, "",
			"the BatchAddMembers call does not make a valid image.share request",
			[]string{"/call/body/images/1: length must be >= 1, but got 0"}},
		{"BatchAddMembers with a member twice", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-sys"], "projects": ["p-2"], "domains": ["p-2"]}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{`/call/body/domains/0: member "p-2" is given twice (also at /call/body/projects/0); a share names each member once`}},
		{"BatchAddMembers with more images than imgadmit reads", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": [` + many(`"img-sys"`, 1001) + `], "projects": ["p-2"]}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{"/call/body/images: images has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"BatchAddMembers with more members in all than imgadmit reads", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-sys"], "projects": [` + numbered(`"p-%d"`, 500) + `], "domains": [` + numbered(`"d-%d"`, 501) + `]}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{"/call/body: projects, domains and organizations have 1001 members in all; imgadmit reads at most 1000 (the API states no limit)"}},
		{"BatchAddMembers with more members than imgadmit reads", `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-sys"], "projects": ["p-2"], "organizations": [` + many(`"o-1"`, 1001) + `]}`, "",
			"the BatchAddMembers call cannot be read",
			[]string{"/call/body/organizations: organizations has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"an image id in the path that is not an id", `"method": "POST", "path": "/v1/cloudimages/img%0A1/file", "body": {"bucket_url": "b-1:f"}`, "",
			"the ExportImage call does not make a valid image.export request",
			[]string{"/call/path: does not match the expected format: an id: 1-255 characters, no control or format characters (U+0000-U+001F, U+007F-U+009F, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064, U+FEFF) and no whitespace at either end"}},
		{"CopyImageCrossRegion as the SDK sends it with no region", `"method": "POST", "path": "/v1/cloudimages/img-sys/cross_region_copy", "body": {"agency_name": "", "name": "c", "project_name": "", "region": ""}`, "",
			"the CopyImageCrossRegion call cannot be read",
			[]string{`/call/body/region: missing required property "region" (a non-empty id)`}},
		{"GlanceDeleteImage with a body that is not an object", `"method": "DELETE", "path": "/v2/images/img-sys", "body": "delete_backup"`, "",
			"the GlanceDeleteImage call cannot be read",
			[]string{`/call/body: body must be an object {"delete_backup": ...}, but got string`}},
		{"delete_backup as a string", `"method": "DELETE", "path": "/v2/images/img-sys", "body": {"delete_backup": "true"}`, "",
			"the GlanceDeleteImage call does not make a valid image.delete request",
			[]string{"/call/body/delete_backup: expected boolean, but got string"}},
		{"os-start as the SDK sends it empty", `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": null}`, "",
			"the BatchStartServers call cannot be read",
			[]string{`/call/body/os-start: missing required property "os-start"`}},
		{"an os-start server without an id", `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": {"servers": [{"id": "srv-1"}, {"name": "srv-2"}]}}`, "",
			"the BatchStartServers call cannot be read",
			[]string{`/call/body/os-start/servers/1/id: missing required property "id" (a non-empty id)`}},
		{"an os-start server that is not an object", `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": {"servers": ["srv-1"]}}`, "",
			"the BatchStartServers call cannot be read",
			[]string{`/call/body/os-start/servers/0: servers[0] must be an object {"id": ...}, but got string`}},
		{"an action body with two actions", `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": {"servers": [{"id": "srv-1"}]}, "os-stop": {"servers": [{"id": "srv-2"}]}}`, "",
			"the BatchStartServers call cannot be read",
			[]string{"/call/body: an action body has one member, the action; this one has 2 (os-start, os-stop)"}},
		{"DeleteServers of more servers than the API deletes", `"method": "POST", "path": "/v1/p-1/cloudservers/delete", "body": {"servers": [` + many(`{"id": "srv-1"}`, 55000) + `]}`, "",
			"the DeleteServers call cannot be read",
			[]string{"/call/body/servers: servers has 55000 items; the API takes at most 1000"}},
		{"BatchStartServers of more servers than the API starts", `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": {"servers": [` + many(`{"id": "srv-1"}`, 1001) + `]}}`, "",
			"the BatchStartServers call cannot be read",
			[]string{"/call/body/os-start/servers: servers has 1001 items; the API takes at most 1000"}},
		{"CreateServers with more data volumes than a server takes", `"method": "POST", "path": "/v1.1/p-1/cloudservers", "body": {"server": {"imageRef": "img-sys", "name": "w", "data_volumes": [` + many(`{"volumetype": "SSD", "size": 10}`, 24) + `]}}`, "",
			"the CreateServers call cannot be read",
			[]string{"/call/body/server/data_volumes: data_volumes has 24 items; the API takes at most 23"}},
		{"NovaCreateServers with more block devices than imgadmit reads", `"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"imageRef": "img-sys", "name": "w", "block_device_mapping_v2": [` + many(`{"source_type": "blank"}`, 1001) + `]}}`, "",
			"the NovaCreateServers call cannot be read",
			[]string{"/call/body/server/block_device_mapping_v2: block_device_mapping_v2 has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"CreateImage with more data images than imgadmit reads", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"data_images": [` + many(`{"name": "d", "volume_id": "vol-1"}`, 1001) + `]}`, "",
			"the CreateImage call cannot be read",
			[]string{"/call/body/data_images: data_images has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"CreateImage with a data disk twice", `"method": "POST", "path": "/v2/cloudimages/action", "body": {"data_images": [{"name": "d1", "volume_id": "vol-1"}, {"name": "d2", "volume_id": "vol-1"}]}`, "",
			"the CreateImage call cannot be read",
			[]string{`/call/body/data_images/1/volume_id: volume "vol-1" is given twice (also at /call/body/data_images/0/volume_id); a data image is made from each disk once`}},
		{"CreateCheckpoint of more resources than imgadmit reads", `"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": {"vault_id": "v-1", "parameters": {"resources": [` + many(`"srv-1"`, 1001) + `]}}}`, "",
			"the CreateCheckpoint call cannot be read",
			[]string{"/call/body/checkpoint/parameters/resources: resources has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"CreateCheckpoint of more resource details than imgadmit reads", `"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": {"vault_id": "v-1", "parameters": {"resource_details": [` + many(`{"id": "srv-1", "type": "OS::Nova::Server"}`, 1001) + `]}}}`, "",
			"the CreateCheckpoint call cannot be read",
			[]string{"/call/body/checkpoint/parameters/resource_details: resource_details has 1001 items; imgadmit reads at most 1000 (the API states no limit)"}},
		{"DeleteServers with no servers", `"method": "POST", "path": "/v1/p-1/cloudservers/delete", "body": {"servers": []}`, "",
			"the DeleteServers call cannot be read",
			[]string{"/call/body/servers: servers is empty; name the servers"}},
		{"ChangeServerOs as the SDK sends it empty", `"method": "POST", "path": "/v2/p-1/cloudservers/srv-1/changeos", "body": {"os-change": {"imageid": ""}}`, "",
			"the ChangeServerOsWithCloudInit call cannot be read",
			[]string{`/call/body/os-change/imageid: missing required property "imageid" (a non-empty id)`}},
		{"CreateServers with an unknown chargingMode", `"method": "POST", "path": "/v1.1/p-1/cloudservers", "body": {"server": {"imageRef": "img-sys", "name": "w", "extendparam": {"chargingMode": "spot"}}}`, "",
			"the CreateServers call cannot be read",
			[]string{`/call/body/server/extendparam/chargingMode: chargingMode "spot" is not prePaid or postPaid`}},
		{"CreatePostPaidServers with chargingMode as a string", `"method": "POST", "path": "/v1/p-1/cloudservers", "body": {"server": {"imageRef": "img-sys", "name": "w", "extendparam": {"chargingMode": "postPaid"}}}`, "",
			"the CreatePostPaidServers call cannot be read",
			[]string{"/call/body/server/extendparam/chargingMode: chargingMode must be an integer, but got string"}},
		{"CreatePostPaidServers with a prePaid chargingMode", `"method": "POST", "path": "/v1/p-1/cloudservers", "body": {"server": {"imageRef": "img-sys", "name": "w", "extendparam": {"chargingMode": 1}}}`, "",
			"the CreatePostPaidServers call cannot be read",
			[]string{"/call/body/server/extendparam/chargingMode: chargingMode 1 is not 0 (pay-per-use), the only value CreatePostPaidServers takes"}},
		{"CreateServers of more than the API makes", `"method": "POST", "path": "/v1.1/p-1/cloudservers", "body": {"server": {"imageRef": "img-sys", "name": "w", "count": 101}}`, "",
			"the CreateServers call cannot be read",
			[]string{"/call/body/server/count: count 101 is out of range: a call makes 1 to 100"}},
		{"CreateServers with no image", `"method": "POST", "path": "/v1.1/p-1/cloudservers", "body": {"server": {"imageRef": "", "name": "w"}}`, "",
			"the CreateServers call cannot be read",
			[]string{`/call/body/server/imageRef: missing required property "imageRef" (a non-empty id)`}},
		{"NovaCreateServers with max_count below min_count", `"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"imageRef": "img-sys", "name": "w", "min_count": 3, "max_count": 2}}`, "",
			"the NovaCreateServers call cannot be read",
			[]string{"/call/body/server/max_count: max_count 2 is less than min_count 3"}},
		{"CreateCheckpoint with a type CBR does not have", `"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": {"vault_id": "v-1", "parameters": {"resource_details": [{"id": "srv-1", "type": "server"}]}}}`, "",
			"the CreateCheckpoint call cannot be read",
			[]string{`/call/body/checkpoint/parameters/resource_details/0/type: type "server" is not a CBR resource type (OS::Nova::Server, OS::Cinder::Volume, OS::Ironic::BareMetalServer, OS::Native::Server, OS::Sfs::Turbo, OS::Workspace::DesktopV2)`}},
		{"CreateCheckpoint as the SDK sends it empty", `"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": null}`, "",
			"the CreateCheckpoint call cannot be read",
			[]string{`/call/body/checkpoint: missing required property "checkpoint"`}},
		{"CreateCheckpoint with an empty resource id", `"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": {"vault_id": "v-1", "parameters": {"resources": ["srv-1", ""]}}}`, "",
			"the CreateCheckpoint call cannot be read",
			[]string{"/call/body/checkpoint/parameters/resources/1: resources[1] is empty; name the resource to back up"}},
		{"RestoreBackup to a server and a disk", `"method": "POST", "path": "/v3/p-1/backups/bk-ok/restore", "body": {"restore": {"server_id": "srv-1", "volume_id": "vol-1"}}`, "",
			"the RestoreBackup call cannot be read",
			[]string{"/call/body/restore/volume_id: server_id and volume_id are both given; a restore writes to a server (server backups) or to a disk (disk backups)"}},
		{"RestoreBackup with mappings only", `"method": "POST", "path": "/v3/p-1/backups/bk-ok/restore", "body": {"restore": {"mappings": [{"backup_id": "vbk-1", "volume_id": "vol-1"}], "power_on": true}}`, "",
			"the RestoreBackup call cannot be read",
			[]string{"/call/body/restore: RestoreBackup names server_id (a whole-server restore) or volume_id (a disk restore); the body has neither"}},
		{"RestoreBackup to a resource_id alone", `"method": "POST", "path": "/v3/p-1/backups/bk-ok/restore", "body": {"restore": {"resource_id": "srv-9", "server_id": ""}}`, "",
			"the RestoreBackup call cannot be read",
			[]string{"/call/body/restore: RestoreBackup names server_id (a whole-server restore) or volume_id (a disk restore); the body has neither"}},
		{"CreateVolume from an image and a snapshot", `"method": "POST", "path": "/v2.1/p-1/cloudvolumes", "body": {"volume": {"imageRef": "img-data", "snapshot_id": "snap-1"}}`, "",
			"the CreateVolume call cannot be read",
			[]string{"/call/body/volume: more than one of imageRef, backup_id and snapshot_id is given; a disk is made from one source"}},
		{"a project in the path that is not an id", `"method": "DELETE", "path": "/v2/p%201%20/cloudvolumes/vol-1"`, "",
			"the DeleteVolume call does not make a valid disk.delete request",
			[]string{"/call/path: does not match the expected format: an id: 1-255 characters, no control or format characters (U+0000-U+001F, U+007F-U+009F, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064, U+FEFF) and no whitespace at either end"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, d, err := judge(t, doc(t, tc.call, tc.extra))
			if err == nil {
				t.Fatalf("decided, want an invalid request: %s", show(d))
			}
			ee, ok := err.(*evaluator.Error)
			if !ok {
				t.Fatalf("error %T %v, want *evaluator.Error", err, err)
			}
			got := make([]string, len(ee.Errors))
			for i, fe := range ee.Errors {
				got[i] = fe.Pointer + ": " + fe.Message
			}
			if ee.Code != evaluator.CodeInvalidRequest || ee.Message != tc.message || !slices.Equal(got, tc.errors) {
				t.Errorf("got %s %q\n%s\nwant %q\n%s", ee.Code, ee.Message, strings.Join(got, "\n"), tc.message, strings.Join(tc.errors, "\n"))
			}
		})
	}
}

// TestHandWrittenCalls: calls the SDK cannot send as written here (its
// model has no such call, or they are not an SDK's), decided whole.
func TestHandWrittenCalls(t *testing.T) {
	cases := []struct {
		name, call, extra string
		want              evaluator.Call
		project           string // the translation's project
		region            string // the translation's region when not cn-north-4
		op                string
		params            []string
		allowed           bool
		reasons           []string
		unknown           string // a piece of the REQ-003 message
	}{
		{name: "NovaStartServer: os-start is null", call: `"method": "POST", "path": "/v2.1/0605767a3300d5762fb7c0186d8d2b3b/servers/srv-2/action", "host": "ecs.cn-north-4.myhuaweicloud.com", "body": {"os-start": null}`,
			want:    evaluator.Call{Service: "ecs", Name: "NovaStartServer", Method: "POST", Path: "/v2.1/0605767a3300d5762fb7c0186d8d2b3b/servers/srv-2/action", Access: "write"},
			project: project, op: "server.start", params: []string{`{"server_id":"srv-2"}`},
			reasons: []string{"deny IMS-FE-006"}},
		{name: "a Nova action with no operation", call: `"method": "POST", "path": "/v2.1/p-1/servers/srv-1/action", "body": {"os-stop": null}`,
			want:    evaluator.Call{Service: "ecs", Method: "POST", Path: "/v2.1/p-1/servers/srv-1/action", Access: "write"},
			project: "p-1", reasons: []string{"deny REQ-003"},
			unknown: `POST /v2.1/{project_id}/servers/{server_id}/action with the action "os-stop" maps onto no imgadmit operation; a write imgadmit does not know is refused (fail closed). Known calls: CreateWholeImage (POST /v1/cloudimages/wholeimages/action); CreateImage (POST /v2/cloudimages/action); `},
		{name: "a batch action with no operation", call: `"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-migrate": {}}`,
			want:    evaluator.Call{Service: "ecs", Method: "POST", Path: "/v1/p-1/cloudservers/action", Access: "write"},
			project: "p-1", reasons: []string{"deny REQ-003"},
			unknown: `POST /v1/{project_id}/cloudservers/action with the action "os-migrate" maps onto no imgadmit operation`},
		{name: "an unknown IMS write", call: `"method": "POST", "path": "/v1/cloudimages/frobnicate", ` + imsHost + `, ` + xProject,
			want:    evaluator.Call{Service: "ims", Method: "POST", Path: "/v1/cloudimages/frobnicate", Access: "write"},
			project: project, reasons: []string{"deny REQ-003"},
			unknown: "POST /v1/cloudimages/frobnicate is not a call imgadmit knows of the services it governs (IMS, CBR, ECS and EVS); a write imgadmit does not know is refused (fail closed). Known calls: CreateWholeImage (POST /v1/cloudimages/wholeimages/action); "},
		{name: "a known path with another method", call: `"method": "PATCH", "path": "/v2/cloudimages/img-sys", "body": [{"op": "replace", "path": "/name", "value": "x"}]`,
			want:    evaluator.Call{Method: "PATCH", Path: "/v2/cloudimages/img-sys", Access: "write"},
			reasons: []string{"deny REQ-003"},
			unknown: "PATCH /v2/cloudimages/img-sys is not a call imgadmit knows"},
		{name: "a write to a service imgadmit does not govern", call: `"method": "POST", "path": "/v1/p-1/vpcs", "host": "vpc.cn-north-4.myhuaweicloud.com", "body": {"vpc": {}}`,
			want:    evaluator.Call{Service: "vpc", Method: "POST", Path: "/v1/p-1/vpcs", Access: "write"},
			reasons: []string{"deny REQ-003"},
			unknown: "POST /v1/p-1/vpcs is a call to VPC, a service imgadmit does not govern (it governs IMS, CBR, ECS and EVS)"},
		{name: "a read of an unknown path", call: `"method": "GET", "path": "/v1/p-1/vpcs?limit=10", "host": "vpc.cn-north-4.myhuaweicloud.com"`,
			want:    evaluator.Call{Service: "vpc", Method: "GET", Path: "/v1/p-1/vpcs", Access: "read"},
			allowed: true, reasons: []string{}},
		{name: "HEAD is a read", call: `"method": "HEAD", "path": "/v2/images/img-sys"`,
			want:    evaluator.Call{Method: "HEAD", Path: "/v2/images/img-sys", Access: "read"},
			allowed: true, reasons: []string{}},
		{name: "an unknown method is a write", call: `"method": "PROPFIND", "path": "/v2/images/img-sys"`,
			want:    evaluator.Call{Method: "PROPFIND", Path: "/v2/images/img-sys", Access: "write"},
			reasons: []string{"deny REQ-003"}, unknown: "PROPFIND /v2/images/img-sys is not a call imgadmit knows"},
		{name: "RestoreBackup to a resource_id other than its server_id", call: `"method": "POST", "path": "/v3/p-1/backups/bk-ok/restore", "body": {"restore": {"server_id": "srv-1", "resource_id": "srv-9"}}`,
			want:    evaluator.Call{Service: "cbr", Name: "RestoreBackup", Method: "POST", Path: "/v3/p-1/backups/bk-ok/restore", Access: "write"},
			project: "p-1", reasons: []string{"deny REQ-003"},
			unknown: "RestoreBackup to resource_id srv-9, which is not the server_id or volume_id it names: imgadmit cannot tell what the restore writes to"},
		{name: "RestoreBackup with resource_id the same as server_id", call: `"method": "POST", "path": "/v3/p-1/backups/bk-ok/restore", "body": {"restore": {"server_id": "srv-1", "resource_id": "srv-1"}}`,
			want:    evaluator.Call{Service: "cbr", Name: "RestoreBackup", Method: "POST", Path: "/v3/p-1/backups/bk-ok/restore", Access: "write"},
			project: "p-1", op: "backup.restore", params: []string{`{"backup_id":"bk-ok","server_id":"srv-1"}`},
			allowed: true, reasons: []string{}},
		{name: "DeleteServers names each server once", call: `"method": "POST", "path": "/v1/p-1/cloudservers/delete", "body": {"servers": [{"id": "srv-1"}, {"id": "srv-2"}, {"id": "srv-1"}]}`,
			want:    evaluator.Call{Service: "ecs", Name: "DeleteServers", Method: "POST", Path: "/v1/p-1/cloudservers/delete", Access: "write"},
			project: "p-1", op: "server.delete", params: []string{`{"server_id":"srv-1"}`, `{"server_id":"srv-2"}`},
			allowed: true, reasons: []string{"note CBR-007", "note IMS-IMG-011", "note IMS-IMG-011"}},
		{name: "BatchAddMembers shares each image once", call: `"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-sys", "img-sys"], "projects": ["p-2"]}`,
			want: evaluator.Call{Service: "ims", Name: "BatchAddMembers", Method: "POST", Path: "/v1/cloudimages/members", Access: "write"},
			op:   "image.share", params: []string{`{"image_id":"img-sys","members":["p-2"]}`},
			reasons: []string{"deny IMS-IMG-008", "deny IMS-IMG-012"}},
		{name: "NovaCreateServers from a volume", call: `"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"name": "w", "block_device_mapping_v2": [{"source_type": "volume", "uuid": "vol-1", "boot_index": "0"}]}}`,
			want:    evaluator.Call{Service: "ecs", Name: "NovaCreateServers", Method: "POST", Path: "/v2.1/p-1/servers", Access: "write"},
			project: "p-1", reasons: []string{"deny REQ-003"},
			unknown: "NovaCreateServers names no image (imageRef, or a boot block device from an image): a server booted from a volume or a snapshot is not judged"},
		{name: "NovaCreateServers with a data volume from an image", call: `"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"imageRef": "img-sys", "name": "w", "block_device_mapping_v2": [{"source_type": "image", "uuid": "img-data", "boot_index": "-1"}]}}`,
			want:    evaluator.Call{Service: "ecs", Name: "NovaCreateServers", Method: "POST", Path: "/v2.1/p-1/servers", Access: "write"},
			project: "p-1", reasons: []string{"deny REQ-003"},
			unknown: "block_device_mapping_v2[0] makes a volume from image img-data: a disk made from an image within a server create is not judged"},
		{name: "NovaCreateServers booting from a volume made from its imageRef", call: `"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"imageRef": "img-sys", "name": "w", "block_device_mapping_v2": [{"source_type": "image", "uuid": "img-sys", "boot_index": 0, "destination_type": "volume", "volume_size": 40}]}}`,
			want:    evaluator.Call{Service: "ecs", Name: "NovaCreateServers", Method: "POST", Path: "/v2.1/p-1/servers", Access: "write"},
			project: "p-1", op: "server.create", params: []string{`{"image_id":"img-sys","name":"w","billing_method":"pay_as_you_go","temporary":true}`},
			reasons: []string{"deny IMS-IMG-008"}},
		{name: "an escaped literal segment routes as the cloud routes it", call: `"method": "POST", "path": "/v1/cloud%69mages/wholeimages/action", "body": {"backup_id": "bk-used", "whole_image_type": "CBR", "name": "web", "image_tags": [{"key": "env", "value": "prod"}]}`,
			want: evaluator.Call{Service: "ims", Name: "CreateWholeImage", Method: "POST", Path: "/v1/cloud%69mages/wholeimages/action", Access: "write"},
			op:   "image.create", params: []string{`{"name":"web","image_type":"full_ecs","source":{"type":"cbr_backup","id":"bk-used"},"agree_disclaimer":true,"image_tags":[{"key":"env","value":"prod"}]}`},
			reasons: []string{"deny IMS-FE-002", "note IMS-FE-014", "note IMS-FE-018"}},
		{name: "an escaped id is read decoded", call: `"method": "DELETE", "path": "/v2/images/img%2Dsys", "host": "IMS.CN-NORTH-4.MYHUAWEICLOUD.COM:443"`, extra: `"region": "cn-north-4", "project_id": "0605767a3300d5762fb7c0186d8d2b3b"`,
			want:    evaluator.Call{Service: "ims", Name: "GlanceDeleteImage", Method: "DELETE", Path: "/v2/images/img%2Dsys", Access: "write"},
			project: project, op: "image.delete", params: []string{`{"image_id":"img-sys","delete_backup":false}`},
			allowed: true, reasons: []string{}},
		{name: "the path, X-Project-Id and the document name one project", call: `"method": "DELETE", "path": "/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-ok", "host": "cbr.eu-west-101.myhuaweicloud.eu", "headers": {"x-project-id": "0605767a3300d5762fb7c0186d8d2b3b", "X-Domain-Id": "d-1"}`, extra: `"project_id": "0605767a3300d5762fb7c0186d8d2b3b"`,
			want:    evaluator.Call{Service: "cbr", Name: "DeleteBackup", Method: "DELETE", Path: "/v3/0605767a3300d5762fb7c0186d8d2b3b/backups/bk-ok", Access: "write"},
			project: project, region: "eu-west-101", op: "backup.delete", params: []string{`{"backup_id":"bk-ok"}`},
			allowed: true, reasons: []string{}},
		{name: "a legacy tag without a value", call: `"method": "POST", "path": "/v1/cloudimages/dataimages/action", "body": {"name": "d", "image_url": "b:f", "min_disk": 40, "tags": ["env"]}`,
			want: evaluator.Call{Service: "ims", Name: "CreateDataImage", Method: "POST", Path: "/v1/cloudimages/dataimages/action", Access: "write"},
			op:   "image.create", params: []string{`{"name":"d","image_type":"data","source":{"type":"file","id":"b:f"},"agree_disclaimer":true,"min_disk":40,"image_tags":[{"key":"env","value":""}]}`},
			reasons: []string{"deny IMS-IMG-003", "note IMS-IMG-010"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dc := doc(t, tc.call, tc.extra)
			parts, d, err := judge(t, dc)
			if err != nil {
				t.Fatal(err)
			}
			if *d.Call != tc.want {
				t.Errorf("call: got %+v, want %+v", *d.Call, tc.want)
			}
			want := make([]map[string]any, len(tc.params))
			for i, p := range tc.params {
				want[i] = map[string]any{"provider": "huaweicloud", "operation": tc.op, "params": decode(t, p)}
				if tc.project != "" {
					want[i]["project_id"] = tc.project
				}
				switch {
				case tc.region != "":
					want[i]["region"] = tc.region
				case dc["region"] != nil || strings.Contains(tc.call, `"host"`):
					want[i]["region"] = region
				}
			}
			if !equalJSON(t, parts, show(want)) {
				t.Errorf("requests:\n got %s\nwant %s", show(parts), show(want))
			}
			if d.Operation != tc.op || d.Allowed != tc.allowed || !slices.Equal(reasonIDs(d), tc.reasons) {
				t.Errorf("decision: got %s allowed=%v %#v\nwant %s allowed=%v %#v\n%s", d.Operation, d.Allowed, reasonIDs(d), tc.op, tc.allowed, tc.reasons, show(d.Reasons))
			}
			if tc.unknown != "" && (len(d.Reasons) == 0 || !strings.Contains(d.Reasons[0].Message, tc.unknown)) {
				t.Errorf("REQ-003 message: got %s, want it to say %q", show(d.Reasons), tc.unknown)
			}
		})
	}
}

// TestCalls: every known call is named once, becomes an operation Huawei has
// (or, refused, none), and its own path template routes to it.
func TestCalls(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range huaweicloud.Calls() {
		if seen[k.Name] || k.Service == "" || k.Method == "" || !strings.HasPrefix(k.Path, "/") || k.Action != "" {
			t.Errorf("%+v: a duplicate or incomplete entry", k)
		}
		seen[k.Name] = true
		if k.Operation != "" {
			if _, err := os.Stat(filepath.Join("..", "..", "..", "schemas", "huaweicloud", k.Operation+".json")); err != nil {
				t.Errorf("%s becomes %s, which Huawei does not have: %v", k.Name, k.Operation, err)
			}
		}
		path := strings.NewReplacer("{project_id}", project, "{image_id}", "img-1", "{member_id}", "p-2",
			"{backup_id}", "bk-1", "{server_id}", "srv-1", "{volume_id}", "vol-1").Replace(k.Path)
		d := calldoc.Read(map[string]any{"provider": "huaweicloud", "call": map[string]any{"method": k.Method, "path": path}})
		tr, err := huaweicloud.Translate(d)
		name := ""
		switch {
		case err == nil:
			name = tr.Call.Name
		default:
			if ee, ok := err.(*evaluator.Error); ok {
				name, _ = strings.CutSuffix(strings.TrimPrefix(ee.Message, "the "), " call cannot be read")
			}
		}
		// The calls that share a path with another are told apart by the
		// body: their path routes to the call that reads that body.
		if name != k.Name && !(k.Operation == "" && seen[name] && name != "") {
			t.Errorf("%s %s routes to %q (%v), want %s", k.Method, path, name, err, k.Name)
		}
	}
}

// idList is n quoted ids prefix0..prefix(n-1), joined for a JSON array.
func idList(prefix string, n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = `"` + prefix + strconv.Itoa(i) + `"`
	}
	return strings.Join(ids, ", ")
}
