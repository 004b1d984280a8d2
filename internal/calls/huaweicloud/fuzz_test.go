package huaweicloud_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
	"github.com/imgadmit/imgadmit/internal/calls/huaweicloud"
)

// fuzzSeeds are call objects of every kind the translator reads.
var fuzzSeeds = []string{
	`{"method": "POST", "path": "/v1/cloudimages/wholeimages/action", "host": "ims.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "p-1"}, "body": {"instance_id": "", "name": "img1", "backup_id": "bk-1", "whole_image_type": "CBR", "tags": ["env.prod"]}}`,
	`{"method": "POST", "path": "/v2/cloudimages/action", "body": {"name": "s", "instance_id": "srv-1", "data_images": [{"name": "d", "volume_id": "vol-1", "tags": ["a.b"]}], "image_tags": [{"key": "env", "value": "prod"}]}}`,
	`{"method": "POST", "path": "/v2.1/cloudimages/action", "body": {"name": "iso", "image_url": "b:f", "type": "IsoImage", "min_disk": 40}}`,
	`{"method": "POST", "path": "/v1/cloudimages/dataimages/action", "body": {"name": "d", "image_url": "b:f", "min_disk": 40}}`,
	`{"method": "POST", "path": "/v2/cloudimages/quickimport/action", "body": {"name": "q", "os_version": "", "image_url": "b:f", "min_disk": 40, "type": "DataImage"}}`,
	`{"method": "POST", "path": "/v1/cloudimages/members", "body": {"images": ["img-1", "img-2"], "projects": ["p-2"], "domains": ["d-1"], "organizations": ["o-1"]}}`,
	`{"method": "POST", "path": "/v2/images/img-1/members", "body": {"member": "p-2"}}`,
	`{"method": "POST", "path": "/v1/cloudimages/img-1/file?x=1", "body": {"bucket_url": "b:f", "file_format": "", "is_quick_export": true}}`,
	`{"method": "POST", "path": "/v2.1/cloudimages/img-1/copy", "body": {"name": "c"}}`,
	`{"method": "POST", "path": "/v1/cloudimages/img-1/cross_region_copy", "body": {"name": "c", "region": "cn-east-3", "agency_name": "", "project_name": "cn-east-3"}}`,
	`{"method": "DELETE", "path": "/v2/images/img%2D1", "body": {"delete_backup": true}}`,
	`{"method": "PUT", "path": "/v1/cloudimages/members", "body": {}}`,
	`{"method": "POST", "path": "/v3/p-1/checkpoints", "body": {"checkpoint": {"vault_id": "v", "parameters": {"resources": ["srv-1"], "resource_details": [{"id": "vol-1", "type": "OS::Cinder::Volume"}, {"id": "s", "type": "OS::Sfs::Turbo"}]}}}}`,
	`{"method": "DELETE", "path": "/v3/p-1/backups/bk-1"}`,
	`{"method": "POST", "path": "/v3/p-1/backups/bk-1/restore", "body": {"restore": {"server_id": "srv-1", "resource_id": "srv-1", "power_on": true}}}`,
	`{"method": "POST", "path": "/v1.1/p-1/cloudservers", "body": {"server": {"imageRef": "img-1", "name": "w", "adminPass": "x", "count": 3, "extendparam": {"chargingMode": "prePaid"}, "data_volumes": [{"size": 10}]}}}`,
	`{"method": "POST", "path": "/v1/p-1/cloudservers", "body": {"server": {"imageRef": "img-1", "name": "w", "extendparam": {"chargingMode": 0}}}}`,
	`{"method": "POST", "path": "/v2.1/p-1/servers", "body": {"server": {"name": "w", "min_count": 2, "max_count": 3, "block_device_mapping_v2": [{"source_type": "image", "uuid": "img-1", "boot_index": 0}]}}}`,
	`{"method": "POST", "path": "/v1/p-1/cloudservers/action", "body": {"os-start": {"servers": [{"id": "srv-1"}, {"id": "srv-1"}]}}}`,
	`{"method": "POST", "path": "/v2.1/p-1/servers/srv-1/action", "body": {"os-start": null}}`,
	`{"method": "POST", "path": "/v2/p-1/cloudservers/srv-1/changeos", "body": {"os-change": {"imageid": "img-1", "adminpass": "x"}}}`,
	`{"method": "POST", "path": "/v1/p-1/cloudservers/delete", "body": {"servers": [{"id": "srv-1"}], "delete_volume": true}}`,
	`{"method": "DELETE", "path": "/v2.1/p-1/servers/srv-1"}`,
	`{"method": "POST", "path": "/v2.1/p-1/cloudvolumes", "body": {"volume": {"imageRef": "img-1", "count": 2}}}`,
	`{"method": "DELETE", "path": "/v2/p-1/cloudvolumes/vol-1"}`,
	`{"method": "GET", "path": "/v2/cloudimages", "query": {"limit": "1"}}`,
	`{"method": "POST", "path": "/v1/p-1/vpcs", "host": "vpc.cn-north-4.myhuaweicloud.com:443"}`,
}

// secrets are body members that must never reach a canonical request.
var secrets = []string{"adminPass", "adminpass", "user_data", "keyname", "key_name", "userid", "metadata"}

// FuzzTranslate feeds arbitrary JSON as the call object (and, by the flags,
// a region, a project and facts beside it): the translator never panics,
// refuses only with an invalid_request error pointing into the document,
// and a translation's parts are well formed canonical requests of its one
// operation, with no secret copied into them. The evaluator, given the same
// document, never panics either.
func FuzzTranslate(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i))
	}
	e := newEvaluator(f)
	f.Fuzz(func(t *testing.T, call string, flags uint8) {
		dec := json.NewDecoder(strings.NewReader(call))
		dec.UseNumber()
		var c any
		if dec.Decode(&c) != nil {
			return
		}
		doc := map[string]any{"provider": "huaweicloud", "call": c}
		if flags&1 != 0 {
			doc["region"] = "cn-north-4"
		}
		if flags&2 != 0 {
			doc["project_id"] = "p-1"
		}
		if flags&4 != 0 {
			doc["resources"] = map[string]any{"disks": map[string]any{"vol-1": map[string]any{}}}
		}
		d := calldoc.Read(doc)
		if d.Call == nil {
			return // the dispatcher's to refuse (calls.Translate)
		}
		tr, err := huaweicloud.Translate(d)
		if err != nil {
			ee, ok := err.(*evaluator.Error)
			if !ok || ee.Code != evaluator.CodeInvalidRequest || len(ee.Errors) == 0 {
				t.Fatalf("error %T %v, want an invalid_request with field errors", err, err)
			}
			for _, fe := range ee.Errors {
				if !strings.HasPrefix(fe.Pointer, "/") || fe.Message == "" {
					t.Fatalf("field error %+v does not point into the document", fe)
				}
			}
		} else {
			checkTranslation(t, tr)
		}
		if _, err := e.RequestOf(doc); err != nil {
			if _, ok := err.(*evaluator.Error); !ok {
				t.Fatalf("evaluator: %T %v", err, err)
			}
		}
	})
}

func checkTranslation(t *testing.T, tr *evaluator.Translation) {
	t.Helper()
	if tr.Provider != "huaweicloud" || (tr.Call.Access != evaluator.AccessRead && tr.Call.Access != evaluator.AccessWrite) {
		t.Fatalf("translation %+v", tr)
	}
	if tr.Call.Access == evaluator.AccessRead && (tr.Unknown != "" || len(tr.Parts) > 0 || tr.Operation != "") {
		t.Fatalf("a read with an operation, parts or a refusal: %+v", tr)
	}
	if tr.Unknown != "" && (len(tr.Parts) > 0 || tr.Operation != "") {
		t.Fatalf("a refused call with parts: %+v", tr)
	}
	if tr.Call.Access == evaluator.AccessWrite && tr.Unknown == "" && tr.Operation == "" {
		t.Fatalf("a write neither translated nor refused: %+v", tr)
	}
	for _, p := range tr.Parts {
		r := p.Request
		params, ok := r["params"].(map[string]any)
		if r["provider"] != "huaweicloud" || r["operation"] != tr.Operation || !ok {
			t.Fatalf("part %v of %s", r, tr.Operation)
		}
		if pid, ok := r["project_id"]; ok && pid != tr.ProjectID {
			t.Fatalf("part project %v, translation %q", pid, tr.ProjectID)
		}
		for _, s := range secrets {
			if _, ok := params[s]; ok {
				t.Fatalf("secret %q in %v", s, params)
			}
		}
		for _, o := range p.Origins {
			if (o.Path != "" && !strings.HasPrefix(o.Path, "/")) || !strings.HasPrefix(o.From, "/") {
				t.Fatalf("origin %+v", o)
			}
		}
	}
}
