// Package sdkfake drives the official cloud SDKs' real clients against a local httptest
// server and returns the HTTP call each SDK call sent as a call document, for table tests
// of the form "SDK model value → the call the SDK really sends → our translator → decision".
// Nothing reaches the network: every connection the clients open goes to the fake.
//
//	h := sdkfake.NewHuawei(t, "cn-north-4", "0605767a3300d5762fb7c0186d8d2b3b")
//	call := h.Capture(func() {
//		h.IMS().CreateWholeImage(&model.CreateWholeImageRequest{Body: &model.CreateWholeImageRequestBody{
//			Name: "web-2026-11", BackupId: ptr("bk-7f3a"), WholeImageType: ptr("CBR")}})
//	})
//	// call.Doc is the document below; call.Raw the body bytes exactly as sent.
//
// # Call documents
//
// Huawei (a REST call):
//
//	{"provider": "huaweicloud", "region": "cn-north-4",
//	 "call": {"method": "POST", "path": "/v1/cloudimages/wholeimages/action",
//	          "host": "ims.cn-north-4.myhuaweicloud.com",
//	          "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"},
//	          "body": {"instance_id": "", "name": "web-2026-11", "backup_id": "bk-7f3a", "whole_image_type": "CBR"}}}
//
// path is the escaped path as sent, with "?query" as sent when there is one; host is the
// endpoint host from the SDK's region table for the service (WithoutHost leaves it out);
// headers has only X-Project-Id and X-Domain-Id, when sent; body is the JSON body decoded
// with UseNumber, absent when the SDK sent none. There is no top-level project_id: the
// project travels where the SDK puts it, in the path and in X-Project-Id.
//
// Alibaba (an RPC call, ECS API 2014-05-26), in two forms, Call.Doc and Call.QueryDoc:
//
//	{"provider": "alibabacloud", "call": {"action": "CreateImage",
//	 "params": {"RegionId": "cn-hangzhou", "SnapshotId": "s-1", "ImageName": "web-2026-11",
//	            "DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "system"}}}
//	{"provider": "alibabacloud", "call": {"action": "CreateImage",
//	 "query": "DiskDeviceMapping.1.DiskType=system&DiskDeviceMapping.1.SnapshotId=s-1&ImageName=web-2026-11&RegionId=cn-hangzhou&SnapshotId=s-1"}}
//
// params and query hold every business parameter, from the query string and the form
// body, without the protocol and signing ones (Action, Version, Format, AccessKeyId,
// Signature, SignatureMethod, SignatureVersion, SignatureNonce, SignatureType, Timestamp,
// SecurityToken, BearerToken). RegionId stays. query keeps the SDK's own encoding and
// order (sorted by key, url.Values.Encode: space as "+", "/" as %2F).
//
// # How the fakes reach the SDKs
//
// Huawei (huaweicloud-sdk-go-v3 v0.1.207): each client is built the way an application
// builds it (XxxClientBuilder().WithRegion(...).WithCredential(basic AK/SK with the
// project id)), with a region whose endpoint is the real host over http. WithRegion makes
// the SDK look the project id up in IAM only when the credentials have none; they always
// have one here. The endpoint scheme is kept as given ("https://" is added only when there
// is none). HttpConfig.Retries is 0 by default; the SDK retries only on another endpoint of
// the region, and there is one. Transport: HttpConfig.WithHttpRoundTripper.
//
// Alibaba (alibaba-cloud-sdk-go v1.63.107): the client's Domain field is the client-wide
// endpoint override (before it: a request's own Domain; after it: the endpoint tables and
// the location service), Config.Scheme "HTTP" (the default), AutoRetry false. The SDK
// rewrites the dialer, TLS config and proxy (from HTTP_PROXY) of any *http.Transport it is
// given, so the fake's transport is a RoundTripper of another type.
//
// # What the Huawei SDK sends
//
//   - Every call carries X-Project-Id (basic credentials add it to every request, whether or
//     not the path has {project_id}); IMS paths have no project, so the header is the only
//     place the project is. X-Domain-Id comes only from global credentials (not used here).
//   - The body is json.Encoder output with HTML escaping off: fields in struct order and a
//     trailing "\n". A field without omitempty is always sent, zero or not; an enum type
//     (e.g. file_format, volume_type) unset is "", a nil pointer without omitempty is null,
//     a nil slice without omitempty is null. With an empty body struct the SDK sends:
//     CreateWholeImage {"instance_id":"","name":""}; CreateDataImage(+InSafeMode)
//     {"image_url":"","min_disk":0,"name":""}; ImportImageQuick(+InSafeMode)
//     {"name":"","os_version":"","image_url":"","min_disk":0}; ExportImage(+InSafeMode)
//     {"bucket_url":"","file_format":""}; CopyImageInRegion(+InSafeMode) {"name":""};
//     CopyImageCrossRegion {"agency_name":"","name":"","project_name":"","region":""};
//     BatchAddMembers {"images":null,"projects":null}; GlanceAddImageMember {"member":""};
//     CreateImage(+InSafeMode) {}; GlanceDeleteImage {}; CBR CreateCheckpoint
//     {"checkpoint":null}; RestoreBackup {"restore":null}; ECS CreateServers and
//     CreatePostPaidServers {"server":null}, NovaCreateServers {"server":null},
//     BatchStartServers {"os-start":null}, DeleteServers {"servers":null},
//     ChangeServerOsWith(out)CloudInit {"os-change":{"imageid":""}}; EVS CreateVolume
//     {"volume":null}, {"volume":{"availability_zone":"","size":0,"volume_type":""}} with
//     an empty volume.
//   - A nil Body (every Body field is omitempty) sends no body at all, even on GlanceDeleteImage.
//   - Query parameters are sorted by key ("?__imagetype=private&limit=10"), space as %20.
//   - Path parameters are put into the path as they are (no escaping by the SDK); Go then
//     escapes what a path cannot hold (space, "?") but not "/": ImageId "img 1/x?y" sends
//     /v2/images/img%201/x%3Fy.
//   - Content-Type is application/json;charset=UTF-8 on calls with a body,
//     application/json on DELETEs without one; it is sent even with no body.
//   - EVS CreateVolume is POST /v2.1/{project_id}/cloudvolumes; DeleteVolume is on /v2.
//   - The CBR restore call is RestoreBackup (POST /v3/{project_id}/backups/{backup_id}/restore).
//   - The "safe mode" /v2.1 IMS variants are CreateImageInSafeMode, CreateDataImageInSafeMode,
//     ImportImageQuickInSafeMode, ExportImageInSafeMode and CopyImageInRegionInSafeMode,
//     with the same body types as the v1/v2 calls; CopyImageCrossRegion has none.
//
// # What the Alibaba SDK sends
//
//   - Every ECS call is a POST to "/?..." with every parameter, business and signing, in the
//     query string, and an empty application/x-www-form-urlencoded body (no ECS request
//     field has position Body in this version; the fake reads the body anyway).
//   - RegionId is the client's region unless the request's own RegionId is set.
//   - A parameter with an empty value is not sent at all. requests.Boolean, Integer and
//     Float are strings: unset ("") is not sent, NewBoolean(false) sends "false",
//     NewFloat(0.5) sends "0.500000".
//   - Lists are flattened from 1: AddAccount.1, InstanceId.1, DiskDeviceMapping.1.SnapshotId,
//     Tag.1.Key. An empty string in a list is skipped but keeps its number, leaving a gap
//     (InstanceId = ["", "i-2"] sends only InstanceId.2).
//   - Struct fields flatten with a dot (Features.ImdsSupport, SystemDisk.Encrypted);
//     RunInstances' SystemDisk.Category/Size/... are plain fields with dotted names.
//   - SignatureType is always sent, empty.
//   - Building ECS clients concurrently is a data race in the SDK (a lazily filled package
//     map); NewAlibaba serializes it.
package sdkfake
