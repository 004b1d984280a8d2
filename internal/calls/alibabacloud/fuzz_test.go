package alibabacloud_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
)

// FuzzTranslate feeds arbitrary JSON as the call member: the translator
// never panics, refuses what it cannot read with an invalid_request error
// whose problems have pointers into the document, and otherwise makes
// well-formed parts (go test -fuzz FuzzTranslate ./internal/calls/alibabacloud).
func FuzzTranslate(f *testing.F) {
	for _, seed := range []string{
		`{"action": "CreateImage", "params": {"RegionId": "cn-hangzhou", "SnapshotId": "s-1", "ImageName": "web", "DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.1.DiskType": "system"}}`,
		`{"action": "CreateImage", "params": {"InstanceId": "i-1", "ImageName": "web", "Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.3.Key": "x"}}`,
		`{"action": "CreateImage", "params": {"ImageName": "web", "DiskDeviceMapping.1.SnapshotId": "s-1", "DiskDeviceMapping.2.SnapshotId": "s-2", "DiskDeviceMapping.2.Device": "/dev/xvda"}}`,
		`{"action": "ModifyImageSharePermission", "query": "ImageId=m-1&AddAccount.1=1&AddAccount.2=2&RemoveAccount.1=3"}`,
		`{"action": "ModifyImageSharePermission", "params": {"ImageId": "m-1", "IsPublic": true, "AddAccount.01": 1}}`,
		`{"action": "RunInstances", "params": {"ImageId": "m-1", "Amount": 3, "InstanceChargeType": "PrePaid"}}`,
		`{"action": "RunInstances", "params": {"ImageFamily": "f", "Amount": "abc"}}`,
		`{"action": "StartInstances", "params": {"InstanceId.1": "i-1", "InstanceId.100": "i-100"}}`,
		`{"action": "DeleteInstances", "query": "?InstanceId.1=i-1&Force=true&Action=DeleteInstances&Version=2014-05-26&Signature=x"}`,
		`{"action": "ReplaceSystemDisk", "params": {"InstanceId": "i-1", "DiskId": "d-1"}}`,
		`{"action": "ExportImage", "params": {"ImageId": "m-1", "OSSBucket": "b", "ImageFormat": "raw"}}`,
		`{"action": "CopyImage", "params": {"ImageId": "m-1", "DestinationRegionId": "cn-beijing", "Encrypted": false, "RegionId": "cn-hangzhou", "OwnerId": 1}}`,
		`{"action": "DeleteSnapshot", "params": {"SnapshotId": "s-1", "Force": "maybe"}}`,
		`{"action": "DescribeImages", "query": "ImageId=%zz"}`,
		`{"action": "StopInstance", "params": {"InstanceId": "i-1"}}`,
		`{"action": 1, "params": [], "query": {}}`,
		`{"action": "DeleteImage", "version": "x", "product": "Oss", "extra": null}`,
		`[]`, `null`, `"CreateImage"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var call any
		if dec.Decode(&call) != nil {
			return
		}
		doc := map[string]any{"provider": "alibabacloud", "project_id": account, "region": "cn-hangzhou", "call": call}
		tr, err := calls.Translator.Translate(doc)
		if err != nil {
			ee, ok := err.(*evaluator.Error)
			if !ok || ee.Code != evaluator.CodeInvalidRequest || len(ee.Errors) == 0 {
				t.Fatalf("error %#v is not an invalid_request with problems", err)
			}
			for _, fe := range ee.Errors {
				if !strings.HasPrefix(fe.Pointer, "/") || fe.Message == "" {
					t.Fatalf("problem %+v has no pointer or no message", fe)
				}
			}
			return
		}
		if tr.Provider != "alibabacloud" || tr.Call.Service != "ecs" || tr.Call.Action == "" {
			t.Fatalf("translation %+v does not describe an ECS call", tr)
		}
		if (tr.Unknown != "" || tr.Call.Access == evaluator.AccessRead) && len(tr.Parts) != 0 {
			t.Fatalf("a refused or read-only call has parts: %+v", tr)
		}
		if tr.Unknown == "" && tr.Call.Access == evaluator.AccessWrite && (tr.Operation == "" || len(tr.Parts) == 0) {
			t.Fatalf("an allowed-to-judge write has no operation or no parts: %+v", tr)
		}
		for _, p := range tr.Parts {
			r := p.Request
			params, ok := r["params"].(map[string]any)
			if r["provider"] != "alibabacloud" || r["operation"] != tr.Operation || !ok || r["project_id"] != account || r["region"] != "cn-hangzhou" {
				t.Fatalf("part %v is not a request of the call", r)
			}
			for k := range params {
				if !slices.ContainsFunc(p.Origins, func(o evaluator.Origin) bool { return o.Path == "/params/"+k }) {
					t.Fatalf("param %s of %v has no origin", k, r)
				}
			}
			for _, o := range p.Origins {
				if !strings.HasPrefix(o.From, "/") {
					t.Fatalf("origin %+v is not a pointer", o)
				}
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("part %v does not encode: %v", r, err)
			}
		}
	})
}
