package alibabacloud_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
	"github.com/imgadmit/imgadmit/internal/calls/alibabacloud"
)

// doc is a call document for the test account with this call object
// (JSON), and envelope members (JSON object members) when given.
func doc(call string, envelope ...string) string {
	members := append([]string{`"provider": "alibabacloud"`, `"project_id": "` + account + `"`}, envelope...)
	return `{` + strings.Join(members, ", ") + `, "call": ` + call + `}`
}

// TestTranslateBadInput: a call that cannot be read is an invalid request
// whose problems point where the caller wrote the value, never a panic and
// never an allow.
func TestTranslateBadInput(t *testing.T) {
	fe := func(ptr, msg string) evaluator.FieldError { return evaluator.FieldError{Pointer: ptr, Message: msg} }
	cases := []struct {
		name   string
		doc    string
		errors []evaluator.FieldError
	}{
		{"action is not a string", doc(`{"action": 7, "params": {}}`),
			[]evaluator.FieldError{fe("/call/action", "action must be a string, but got number")}},
		{"action is missing", doc(`{"params": {"ImageId": "m-1"}}`),
			[]evaluator.FieldError{fe("/call", `missing required property "action"`)}},
		{"action is empty", doc(`{"action": "", "params": {}}`),
			[]evaluator.FieldError{fe("/call/action", "action must not be empty")}},
		{"an unknown member", doc(`{"action": "DeleteImage", "method": "POST", "params": {"ImageId": "m-1"}}`),
			[]evaluator.FieldError{fe("/call/method", `unknown member "method"; an Alibaba Cloud call has: action, params or query, version, product`)}},
		{"both params and query", doc(`{"action": "DeleteImage", "params": {"ImageId": "m-1"}, "query": "ImageId=m-1"}`),
			[]evaluator.FieldError{fe("/call/query", "a call has either params or query, not both")}},
		{"params is not an object", doc(`{"action": "DeleteImage", "params": ["ImageId=m-1"]}`),
			[]evaluator.FieldError{fe("/call/params", "params must be an object, but got array")}},
		{"query is not a string", doc(`{"action": "DeleteImage", "query": {"ImageId": "m-1"}}`),
			[]evaluator.FieldError{fe("/call/query", "query must be a string, but got object")}},
		{"a parameter that is an object, an array or null", doc(`{"action": "DeleteImage", "params": {"ImageId": {"id": "m-1"}, "Force": [true], "RegionId": null}}`),
			[]evaluator.FieldError{
				fe("/call/params/Force", "parameter Force must be a string (a number or a boolean is read as its text), but got array"),
				fe("/call/params/ImageId", "parameter ImageId must be a string (a number or a boolean is read as its text), but got object"),
				fe("/call/params/RegionId", "parameter RegionId must be a string (a number or a boolean is read as its text), but got null"),
			}},
		{"a parameter with no name", doc(`{"action": "DeleteImage", "params": {"ImageId": "m-1", "": "x"}}`),
			[]evaluator.FieldError{fe("/call/params/", "a parameter has no name")}},
		{"a query with a repeated key", doc(`{"action": "ModifyImageSharePermission", "query": "ImageId=m-1&AddAccount.1=1&AddAccount.1=2"}`),
			[]evaluator.FieldError{fe("/call/query", `query parameter "AddAccount.1" is given twice; a call names each parameter once`)}},
		{"a query with an empty key", doc(`{"action": "DeleteImage", "query": "ImageId=m-1&=x"}`),
			[]evaluator.FieldError{fe("/call/query", `the query string has a parameter with no name ("=x")`)}},
		{"a query with an empty parameter", doc(`{"action": "DeleteImage", "query": "ImageId=m-1&&Force=true"}`),
			[]evaluator.FieldError{fe("/call/query", "the query string has an empty parameter (two '&' in a row, or one at an end)")}},
		{"a query with a malformed escape", doc(`{"action": "DeleteImage", "query": "ImageId=m-%zz"}`),
			[]evaluator.FieldError{fe("/call/query", `query parameter "ImageId": malformed escape in its value`)}},
		{"a list with a gap", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "AddAccount.1": "1", "AddAccount.3": "3"}}`),
			[]evaluator.FieldError{fe("/call/params/AddAccount.3", "parameter AddAccount.3 is given but AddAccount.2 is not: the items of AddAccount.N are numbered from 1 with no gaps")}},
		{"a list past its limit", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "AddAccount.1": "1", "AddAccount.11": "11"}}`),
			[]evaluator.FieldError{fe("/call/params/AddAccount.11", "parameter AddAccount.11 is past the API's limit: AddAccount.N takes N from 1 to 10")}},
		{"list indexes 0 and 01", doc(`{"action": "ModifyImageSharePermission", "query": "ImageId=m-1&AddAccount.0=0&AddAccount.01=1"}`),
			[]evaluator.FieldError{
				fe("/call/query", "parameter AddAccount.0: the items of AddAccount.N are numbered from 1, with no leading zeros"),
				fe("/call/query", "parameter AddAccount.01: the items of AddAccount.N are numbered from 1, with no leading zeros"),
			}},
		{"a removal list past its limit", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "RemoveAccount.11": "11"}}`),
			[]evaluator.FieldError{fe("/call/params/RemoveAccount.11", "parameter RemoveAccount.11 is past the API's limit: RemoveAccount.N takes N from 1 to 10")}},
		{"a boolean that is neither", doc(`{"action": "DeleteImage", "params": {"ImageId": "m-1", "Force": "maybe"}}`),
			[]evaluator.FieldError{fe("/call/params/Force", `parameter Force must be true or false, but got "maybe"`)}},
		{"a boolean in the wrong case", doc(`{"action": "DeleteSnapshot", "query": "SnapshotId=s-1&Force=True"}`),
			[]evaluator.FieldError{fe("/call/query", `parameter Force must be true or false, but got "True"`)}},
		{"DeleteInstance's flags are read too", doc(`{"action": "DeleteInstances", "params": {"InstanceId.1": "i-1", "Force": "yes", "TerminateSubscription": 1}}`),
			[]evaluator.FieldError{
				fe("/call/params/Force", `parameter Force must be true or false, but got "yes"`),
				fe("/call/params/TerminateSubscription", `parameter TerminateSubscription must be true or false, but got "1"`),
			}},
		{"Amount zero", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "Amount": 0}}`),
			[]evaluator.FieldError{fe("/call/params/Amount", "parameter Amount must be from 1 to 100, but got 0")}},
		{"Amount not a number", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "Amount": "abc"}}`),
			[]evaluator.FieldError{fe("/call/params/Amount", `parameter Amount must be an integer from 1 to 100, but got "abc"`)}},
		{"Amount with a fraction", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "Amount": 2.5}}`),
			[]evaluator.FieldError{fe("/call/params/Amount", `parameter Amount must be an integer from 1 to 100, but got "2.5"`)}},
		{"Amount past the limit", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "Amount": "101"}}`),
			[]evaluator.FieldError{fe("/call/params/Amount", "parameter Amount must be from 1 to 100, but got 101")}},
		{"an unknown charge type", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "InstanceChargeType": "prepaid"}}`),
			[]evaluator.FieldError{fe("/call/params/InstanceChargeType", `parameter InstanceChargeType must be PrePaid or PostPaid, but got "prepaid"`)}},
		{"ImageId and ImageFamily", doc(`{"action": "RunInstances", "params": {"ImageId": "m-1", "ImageFamily": "web"}}`),
			[]evaluator.FieldError{fe("/call/params/ImageFamily", "parameters ImageId and ImageFamily cannot both be set (the API refuses the call)")}},
		{"no image", doc(`{"action": "CreateInstance", "params": {"InstanceType": "ecs.g7.large"}}`),
			[]evaluator.FieldError{fe("/call/params", "missing required parameter ImageId")}},
		{"RegionId differs from the document's region", doc(`{"action": "DeleteImage", "params": {"ImageId": "m-1", "RegionId": "cn-beijing"}}`, `"region": "cn-hangzhou"`),
			[]evaluator.FieldError{fe("/call/params/RegionId", `parameter RegionId "cn-beijing" differs from the document's region "cn-hangzhou"; a call has one region`)}},
		{"RegionId differs, in a query", doc(`{"action": "DeleteImage", "query": "ImageId=m-1&RegionId=cn-beijing"}`, `"region": "cn-hangzhou"`),
			[]evaluator.FieldError{fe("/call/query", `parameter RegionId "cn-beijing" differs from the document's region "cn-hangzhou"; a call has one region`)}},
		{"OwnerId differs from project_id", doc(`{"action": "DeleteImage", "params": {"ImageId": "m-1", "OwnerId": "9999"}}`),
			[]evaluator.FieldError{fe("/call/params/OwnerId", `OwnerId "9999" differs from project "`+account+`" at /project_id; a call is made as one project`)}},
		{"ResourceOwnerId differs from project_id", doc(`{"action": "DeleteDisk", "params": {"DiskId": "d-1", "ResourceOwnerId": "9999"}}`),
			[]evaluator.FieldError{fe("/call/params/ResourceOwnerId", `ResourceOwnerId "9999" differs from project "`+account+`" at /project_id; a call is made as one project`)}},
		{"an owner account by name", doc(`{"action": "DeleteDisk", "query": "DiskId=d-1&OwnerAccount=acme"}`),
			[]evaluator.FieldError{fe("/call/query", `parameter OwnerAccount names an account by name, which imgadmit cannot hold to the caller's account id: leave it out, or send OwnerId`)}},
		{"Action differs from the call's", doc(`{"action": "DeleteImage", "query": "Action=DeleteSnapshot&ImageId=m-1"}`),
			[]evaluator.FieldError{fe("/call/query", `parameter Action "DeleteSnapshot" differs from the call's action "DeleteImage"`)}},
		{"another API version", doc(`{"action": "DeleteImage", "version": "2016-03-14", "params": {"ImageId": "m-1", "Version": "2016-03-14"}}`),
			[]evaluator.FieldError{
				fe("/call/params/Version", `parameter Version "2016-03-14" is not the ECS API version imgadmit reads (2014-05-26)`),
				fe("/call/version", `version "2016-03-14" is not the ECS API version imgadmit reads (2014-05-26)`),
			}},
		{"another product", doc(`{"action": "DeleteBucket", "product": "Oss", "params": {}}`),
			[]evaluator.FieldError{fe("/call/product", `product "Oss" is not one imgadmit governs: an Alibaba Cloud call document is an ECS call (product Ecs)`)}},
		{"a missing id", doc(`{"action": "DeleteImage", "params": {"ImageId": "", "Force": "true"}}`),
			[]evaluator.FieldError{fe("/call/params", "missing required parameter ImageId")}},
		{"a missing bucket", doc(`{"action": "ExportImage", "query": "ImageId=m-1"}`),
			[]evaluator.FieldError{fe("/call/query", "missing required parameter OSSBucket")}},
		{"CreateImage with no source", doc(`{"action": "CreateImage", "params": {"ImageName": "web"}}`),
			[]evaluator.FieldError{fe("/call/params", "CreateImage needs a source: InstanceId, DiskDeviceMapping.N.SnapshotId or SnapshotId")}},
		{"CreateImage with no name", doc(`{"action": "CreateImage", "params": {"InstanceId": "i-1"}}`),
			[]evaluator.FieldError{fe("/call/params", "missing required parameter ImageName")}},
		{"two system disks", doc(`{"action": "CreateImage", "params": {"ImageName": "web",
			"DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "system",
			"DiskDeviceMapping.2.SnapshotId": "s-2", "DiskDeviceMapping.2.DiskType": "system"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.2.DiskType", "parameter DiskDeviceMapping.2.DiskType: DiskDeviceMapping.1 and DiskDeviceMapping.2 both say DiskType=system; an image has one system disk")}},
		{"no system disk", doc(`{"action": "CreateImage", "params": {"ImageName": "web", "SnapshotId": "s-1",
			"DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "data"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.1.DiskType", "no DiskDeviceMapping is the system disk: every mapping says DiskType=data, and an image needs a system disk")}},
		{"which system disk cannot be told", doc(`{"action": "CreateImage", "params": {"ImageName": "web",
			"DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.2.SnapshotId": "s-2"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.1", "2 disk mappings leave DiskType unset, so which one is the system disk depends on their snapshots: say DiskType=system on the system disk's mapping")}},
		{"a system disk with no snapshot", doc(`{"action": "CreateImage", "params": {"ImageName": "web",
			"DiskDeviceMapping.1.DiskType": "system", "DiskDeviceMapping.1.Size": "40"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.1.DiskType", "the system disk's mapping DiskDeviceMapping.1 has no SnapshotId: a system disk is made from a snapshot")}},
		{"an unknown disk type", doc(`{"action": "CreateImage", "params": {"ImageName": "web",
			"DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "System"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.1.DiskType", `parameter DiskDeviceMapping.1.DiskType must be system or data, but got "System"`)}},
		{"mappings are read even beside InstanceId", doc(`{"action": "CreateImage", "params": {"ImageName": "web", "InstanceId": "i-1",
			"DiskDeviceMapping.2.SnapshotId": "s-1"}}`),
			[]evaluator.FieldError{fe("/call/params/DiskDeviceMapping.2.SnapshotId", "parameter DiskDeviceMapping.2.SnapshotId is given but DiskDeviceMapping.1 is not: the items of DiskDeviceMapping.N are numbered from 1 with no gaps")}},
		{"a tag value with no key", doc(`{"action": "CreateImage", "params": {"ImageName": "web", "InstanceId": "i-1",
			"Tag.1.Key": "env", "Tag.2.Value": "x"}}`),
			[]evaluator.FieldError{fe("/call/params/Tag.2.Value", "parameter Tag.2.Value is given without Tag.2.Key: a tag has a key")}},
		{"a tag past its limit", doc(`{"action": "CreateImage", "params": {"ImageName": "web", "InstanceId": "i-1", "Tag.21.Key": "k"}}`),
			[]evaluator.FieldError{fe("/call/params/Tag.21.Key", "parameter Tag.21.Key is past the API's limit: Tag.N takes N from 1 to 20")}},
		{"StartInstances with no instance", doc(`{"action": "StartInstances", "params": {"RegionId": "cn-hangzhou"}}`),
			[]evaluator.FieldError{fe("/call/params", "missing required parameter InstanceId.1")}},
		{"StartInstances with an unflattened list", doc(`{"action": "StartInstances", "params": {"InstanceId": "i-1"}}`),
			[]evaluator.FieldError{fe("/call/params/InstanceId", "parameter InstanceId is a list: the API takes it flattened, as InstanceId.1, InstanceId.2, ...")}},
		{"StartInstances past the limit", doc(`{"action": "StartInstances", "params": {"InstanceId.101": "i-1"}}`),
			[]evaluator.FieldError{fe("/call/params/InstanceId.101", "parameter InstanceId.101 is past the API's limit: InstanceId.N takes N from 1 to 100")}},
		{"problems in a read are still problems", doc(`{"action": "DescribeImages", "query": "ImageId=%zz"}`),
			[]evaluator.FieldError{fe("/call/query", `query parameter "ImageId": malformed escape in its value`)}},
		{"problems in an unknown write are still problems", doc(`{"action": "StopInstance", "params": {"InstanceId": ["i-1"]}}`),
			[]evaluator.FieldError{fe("/call/params/InstanceId", "parameter InstanceId must be a string (a number or a boolean is read as its text), but got array")}},
		{"problems in a refused share are still problems", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "IsPublic": "yes"}}`),
			[]evaluator.FieldError{fe("/call/params/IsPublic", `parameter IsPublic must be true or false, but got "yes"`)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := calls.Translator.Translate(decode(t, tc.doc).(map[string]any))
			ee, ok := err.(*evaluator.Error)
			if !ok || ee.Code != evaluator.CodeInvalidRequest {
				t.Fatalf("got %+v, %v; want an invalid_request error", tr, err)
			}
			if !slices.Equal(ee.Errors, tc.errors) {
				t.Errorf("errors:\n got %q\nwant %q", ee.Errors, tc.errors)
			}
		})
	}
}

// TestTranslate covers what the SDK tests cannot send: what people write
// by hand or paste from a signed URL.
func TestTranslate(t *testing.T) {
	cases := []struct {
		name     string
		doc      string
		call     evaluator.Call
		project  string
		requests string // the parts' requests, whole, as a JSON array
		unknown  string // a prefix of the refusal, "" for none
	}{
		{
			name: "numbers and booleans are read as their text",
			doc:  doc(`{"action": "RunInstances", "params": {"RegionId": "cn-hangzhou", "ImageId": "m-1", "Amount": 2, "DryRun": false}}`),
			call: evaluator.Call{Service: "ecs", Name: "RunInstances", Action: "RunInstances", Access: "write"},
			requests: `[` + request("server.create", `{"image_id": "m-1", "billing_method": "pay_as_you_go"}`) + `,` +
				request("server.create", `{"image_id": "m-1", "billing_method": "pay_as_you_go"}`) + `]`,
		},
		{
			name:     "a boolean written as JSON",
			doc:      doc(`{"action": "DeleteImage", "params": {"RegionId": "cn-hangzhou", "ImageId": "m-1", "Force": false}}`),
			call:     evaluator.Call{Service: "ecs", Name: "DeleteImage", Action: "DeleteImage", Access: "write"},
			requests: `[` + request("image.delete", `{"image_id": "m-1", "force": false}`) + `]`,
		},
		{
			// Signing and protocol parameters are left out; Action and
			// Version agree with the call's.
			name: "a pasted signed URL's query",
			doc: doc(`{"action": "DeleteImage", "version": "2014-05-26", "product": "ECS", "query":
				"?AccessKeyId=LTAI0000&Action=DeleteImage&Format=JSON&ImageId=m-1&RegionId=cn-hangzhou&SecurityToken=tok&Signature=abc%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=n1&SignatureType=&SignatureVersion=1.0&Timestamp=2026-11-24T00%3A00%3A00Z&Version=2014-05-26"}`),
			call:     evaluator.Call{Service: "ecs", Name: "DeleteImage", Action: "DeleteImage", Access: "write"},
			requests: `[` + request("image.delete", `{"image_id": "m-1"}`) + `]`,
		},
		{
			name:     "OwnerId that agrees with project_id",
			doc:      doc(`{"action": "DeleteDisk", "params": {"RegionId": "cn-hangzhou", "DiskId": "d-1", "OwnerId": "` + account + `"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "DeleteDisk", Action: "DeleteDisk", Access: "write"},
			requests: `[` + request("disk.delete", `{"disk_id": "d-1"}`) + `]`,
		},
		{
			name:     "OwnerId is the account when project_id is absent",
			doc:      `{"provider": "alibabacloud", "region": "cn-hangzhou", "call": {"action": "DeleteDisk", "params": {"DiskId": "d-1", "OwnerId": "` + account + `"}}}`,
			call:     evaluator.Call{Service: "ecs", Name: "DeleteDisk", Action: "DeleteDisk", Access: "write"},
			requests: `[` + request("disk.delete", `{"disk_id": "d-1"}`) + `]`,
		},
		{
			name:     "no region and no account",
			doc:      `{"provider": "alibabacloud", "call": {"action": "DeleteDisk", "params": {"DiskId": "d-1"}}}`,
			call:     evaluator.Call{Service: "ecs", Name: "DeleteDisk", Action: "DeleteDisk", Access: "write"},
			requests: `[{"provider": "alibabacloud", "operation": "disk.delete", "params": {"disk_id": "d-1"}}]`,
		},
		{
			name: "request facts ride on every part",
			doc: doc(`{"action": "StartInstances", "params": {"RegionId": "cn-hangzhou", "InstanceId.1": "i-1", "InstanceId.2": "i-2"}}`,
				`"resources": {"servers": {"i-1": {"status": "Stopped"}}}`),
			call: evaluator.Call{Service: "ecs", Name: "StartInstances", Action: "StartInstances", Access: "write"},
			requests: `[{"provider": "alibabacloud", "operation": "server.start", "region": "cn-hangzhou", "project_id": "` + account + `",
				"params": {"server_id": "i-1"}, "resources": {"servers": {"i-1": {"status": "Stopped"}}}},
				{"provider": "alibabacloud", "operation": "server.start", "region": "cn-hangzhou", "project_id": "` + account + `",
				"params": {"server_id": "i-2"}, "resources": {"servers": {"i-1": {"status": "Stopped"}}}}]`,
		},
		{
			name:     "CreateImage: InstanceId wins over the mappings and SnapshotId",
			doc:      doc(`{"action": "CreateImage", "params": {"RegionId": "cn-hangzhou", "ImageName": "web", "InstanceId": "i-1", "SnapshotId": "s-2", "DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "system"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "CreateImage", Action: "CreateImage", Access: "write"},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "web", "source": {"type": "server", "id": "i-1"}}`) + `]`,
		},
		{
			name: "CreateImage: the mapping at /dev/xvda is the system disk when several leave DiskType unset",
			doc: doc(`{"action": "CreateImage", "params": {"RegionId": "cn-hangzhou", "ImageName": "web",
				"DiskDeviceMapping.1.SnapshotId": "s-data", "DiskDeviceMapping.1.Device": "/dev/xvdb",
				"DiskDeviceMapping.2.SnapshotId": "s-sys", "DiskDeviceMapping.2.Device": "/dev/xvda"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "CreateImage", Action: "CreateImage", Access: "write"},
			requests: `[` + request("image.create", `{"image_type": "system", "name": "web", "source": {"type": "snapshot", "id": "s-sys"}}`) + `]`,
		},
		{
			name:     "ModifyImageSharePermission unpublishing and sharing judges the share",
			doc:      doc(`{"action": "ModifyImageSharePermission", "params": {"RegionId": "cn-hangzhou", "ImageId": "m-1", "IsPublic": "false", "AddAccount.1": "2234567890123456"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "ModifyImageSharePermission", Action: "ModifyImageSharePermission", Access: "write"},
			requests: `[` + request("image.share", `{"image_id": "m-1", "members": ["2234567890123456"]}`) + `]`,
		},
		{
			name:     "a read is allowed with no parts",
			doc:      doc(`{"action": "DescribeImages", "params": {"RegionId": "cn-hangzhou", "ImageOwnerAlias": "self"}}`),
			call:     evaluator.Call{Service: "ecs", Action: "DescribeImages", Access: "read"},
			requests: `[]`,
		},
		{
			name:     "an unknown write is refused",
			doc:      doc(`{"action": "StopInstance", "params": {"RegionId": "cn-hangzhou", "InstanceId": "i-1"}}`),
			call:     evaluator.Call{Service: "ecs", Action: "StopInstance", Access: "write"},
			requests: `[]`,
			unknown:  "ECS action StopInstance is not a call imgadmit knows; a write imgadmit does not know is refused (fail closed). Known calls: CopyImage; CreateImage; CreateInstance;",
		},
		{
			name:     "action names are case-sensitive",
			doc:      doc(`{"action": "createimage", "params": {"RegionId": "cn-hangzhou", "InstanceId": "i-1", "ImageName": "web"}}`),
			call:     evaluator.Call{Service: "ecs", Action: "createimage", Access: "write"},
			requests: `[]`,
			unknown:  "ECS action createimage is not a call imgadmit knows (action names are case-sensitive: CreateImage is known);",
		},
		{
			name:     "a read prefix in the wrong case is not a read",
			doc:      doc(`{"action": "describeImages", "params": {}}`),
			call:     evaluator.Call{Service: "ecs", Action: "describeImages", Access: "write"},
			requests: `[]`,
			unknown:  "ECS action describeImages is not a call imgadmit knows;",
		},
		{
			name:     "a share with no account",
			doc:      doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "ModifyImageSharePermission", Action: "ModifyImageSharePermission", Access: "write"},
			requests: `[]`,
			unknown:  "ModifyImageSharePermission that shares image m-1 with no account (no AddAccount.N) maps onto no imgadmit operation;",
		},
		{
			name:     "unpublishing a community image",
			doc:      doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "IsPublic": false}}`),
			call:     evaluator.Call{Service: "ecs", Name: "ModifyImageSharePermission", Action: "ModifyImageSharePermission", Access: "write"},
			requests: `[]`,
			unknown:  "ModifyImageSharePermission that only unpublishes community image m-1 (IsPublic=false) maps onto no imgadmit operation;",
		},
		{
			name:     "LaunchPermission",
			doc:      doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "AddAccount.1": "2234567890123456", "LaunchPermission": "hide"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "ModifyImageSharePermission", Action: "ModifyImageSharePermission", Access: "write"},
			requests: `[]`,
			unknown:  "ModifyImageSharePermission with LaunchPermission (a parameter in invitational preview, undocumented) changes who may launch image m-1 in a way imgadmit cannot judge;",
		},
		{
			name:     "an image from a launch template",
			doc:      doc(`{"action": "RunInstances", "params": {"LaunchTemplateId": "lt-1", "Amount": "2"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "RunInstances", Action: "RunInstances", Access: "write"},
			requests: `[]`,
			unknown:  "RunInstances takes its image from a launch template, which imgadmit cannot see; send ImageId;",
		},
		{
			name:     "the deprecated DiskId form of ReplaceSystemDisk",
			doc:      doc(`{"action": "ReplaceSystemDisk", "params": {"InstanceId": "i-1", "DiskId": "d-1"}}`),
			call:     evaluator.Call{Service: "ecs", Name: "ReplaceSystemDisk", Action: "ReplaceSystemDisk", Access: "write"},
			requests: `[]`,
			unknown:  "ReplaceSystemDisk with DiskId d-1 and no ImageId (the deprecated form) does not name the image the new system disk is made from: imgadmit cannot judge it; send ImageId;",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := calls.Translator.Translate(decode(t, tc.doc).(map[string]any))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Call != tc.call || tr.Provider != "alibabacloud" {
				t.Errorf("call = %+v, provider %q; want %+v", tr.Call, tr.Provider, tc.call)
			}
			got := make([]any, len(tr.Parts))
			for i, p := range tr.Parts {
				got[i] = p.Request
			}
			if want := decode(t, tc.requests); !reflect.DeepEqual(got, want) {
				t.Errorf("requests:\n got %s\nwant %s", show(got), show(want))
			}
			if !strings.HasPrefix(tr.Unknown, tc.unknown) || (tc.unknown == "") != (tr.Unknown == "") {
				t.Errorf("unknown = %q, want it to start with %q", tr.Unknown, tc.unknown)
			}
		})
	}
}

// TestSchemaErrorsPointIntoTheCall: a value the canonical schema refuses is
// reported where the call wrote it.
func TestSchemaErrorsPointIntoTheCall(t *testing.T) {
	cases := []struct {
		name     string
		doc      string
		pointers []string
		// named: the message names the parameter, where the pointer cannot
		// (the raw query string is one pointer).
		named string
	}{
		{"an image name", doc(`{"action": "CreateImage", "params": {"InstanceId": "i-1", "ImageName": "1bad"}}`),
			[]string{"/call/params/ImageName"}, ""},
		{"the source and a tag", doc(`{"action": "CreateImage", "params": {"InstanceId": "i-1\n", "ImageName": "web", "Tag.1.Key": "env", "Tag.2.Key": "aliyun-x", "Tag.2.Value": "v"}}`),
			[]string{"/call/params/InstanceId", "/call/params/Tag.2.Key"}, ""},
		{"a snapshot source from a mapping", doc(`{"action": "CreateImage", "params": {"ImageName": "web", "DiskDeviceMapping.1.SnapshotId": " s-1", "DiskDeviceMapping.1.DiskType": "system"}}`),
			[]string{"/call/params/DiskDeviceMapping.1.SnapshotId"}, ""},
		{"a duplicate account", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "AddAccount.1": "2", "AddAccount.2": "2"}}`),
			[]string{"/call/params/AddAccount.1"}, ""},
		{"an empty account", doc(`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "AddAccount.1": "2", "AddAccount.2": ""}}`),
			[]string{"/call/params/AddAccount.2"}, ""},
		{"an empty instance of many", doc(`{"action": "StartInstances", "params": {"InstanceId.1": "i-1", "InstanceId.2": ""}}`),
			[]string{"/call/params/InstanceId.2"}, ""},
		{"an export format in the wrong case", doc(`{"action": "ExportImage", "params": {"ImageId": "m-1", "OSSBucket": "b-1", "ImageFormat": "QCOW2"}}`),
			[]string{"/call/params/ImageFormat"}, ""},
		{"a destination region", doc(`{"action": "CopyImage", "query": "ImageId=m-1&DestinationRegionId=Beijing"}`),
			[]string{"/call/query"}, "parameter DestinationRegionId: "},
		{"an image name in a query", doc(`{"action": "CreateImage", "query": "InstanceId=i-1&ImageName=1bad"}`),
			[]string{"/call/query"}, "parameter ImageName: "},
		{"an account in a query", doc(`{"action": "ModifyImageSharePermission", "query": "ImageId=m-1&AddAccount.1=2&AddAccount.2=%0A3"}`),
			[]string{"/call/query"}, "parameter AddAccount.2: "},
		{"an account id from OwnerId", `{"provider": "alibabacloud", "call": {"action": "DeleteDisk", "params": {"DiskId": "d-1", "OwnerId": " 1"}}}`,
			[]string{"/call/params/OwnerId"}, ""},
		{"a region from RegionId", doc(`{"action": "DeleteDisk", "params": {"DiskId": "d-1", "RegionId": "Hangzhou"}}`),
			[]string{"/call/params/RegionId"}, ""},
	}
	e := testEvaluator(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Decide(context.Background(), []byte(tc.doc), evaluator.FormatJSON, evaluator.DecideOptions{Now: now})
			ee, ok := err.(*evaluator.Error)
			if !ok || ee.Code != evaluator.CodeInvalidRequest {
				t.Fatalf("got %v, want an invalid_request error", err)
			}
			var got []string
			for _, fe := range ee.Errors {
				got = append(got, fe.Pointer)
			}
			if !slices.Equal(got, tc.pointers) {
				t.Errorf("pointers = %q, want %q (%v)", got, tc.pointers, ee.Errors)
			}
			for _, fe := range ee.Errors {
				if tc.named != "" && !strings.HasPrefix(fe.Message, tc.named) {
					t.Errorf("message %q does not start with %q", fe.Message, tc.named)
				}
			}
		})
	}
}

// TestCalls: every known call is listed once, with its operation.
func TestCalls(t *testing.T) {
	var names []string
	for _, k := range alibabacloud.Calls() {
		if k.Service != "ecs" || k.Action != k.Name || k.Operation == "" || k.Method != "" || k.Path != "" {
			t.Errorf("call %+v is not an ECS action with an operation", k)
		}
		names = append(names, k.Name)
	}
	want := []string{"CopyImage", "CreateImage", "CreateInstance", "DeleteDisk", "DeleteImage", "DeleteInstance", "DeleteInstances",
		"DeleteSnapshot", "ExportImage", "ModifyImageSharePermission", "ReplaceSystemDisk", "RunInstances", "StartInstance", "StartInstances"}
	if !slices.Equal(names, want) {
		t.Errorf("calls = %q, want %q", names, want)
	}
}
