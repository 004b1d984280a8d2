package tfplan

import (
	"strings"
	"testing"
)

// The region comes from the resource (Huawei), else the configuration of
// the provider the resource uses (an alias, a variable), else the option;
// the project from that Huawei provider's project_id, else the option.
func TestRegionAndProject(t *testing.T) {
	const hw = "registry.terraform.io/huaweicloud/huaweicloud"
	doc := `{"format_version": "1.2", "variables": {"west": {"value": "cn-south-1"}},
	  "resource_changes": [
	    {"address": "huaweicloud_evs_volume.own", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "own", "provider_name": "` + hw + `",
	     "change": {"actions": ["delete"], "before": {"id": "vol-1", "region": "ap-southeast-1"}, "after": null}},
	    {"address": "huaweicloud_evs_volume.aliased", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "aliased", "provider_name": "` + hw + `",
	     "change": {"actions": ["create"], "before": null, "after": {"image_id": "img-1"}, "after_unknown": {"region": true}}},
	    {"address": "module.app[0].huaweicloud_evs_volume.inner", "module_address": "module.app[0]", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "inner", "provider_name": "` + hw + `",
	     "change": {"actions": ["create"], "before": null, "after": {"image_id": "img-1"}, "after_unknown": {"region": true}}},
	    {"address": "huaweicloud_evs_volume.gone", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "gone", "provider_name": "` + hw + `",
	     "change": {"actions": ["delete"], "before": {"id": "vol-2"}, "after": null}},
	    {"address": "alicloud_ecs_disk.d", "mode": "managed", "type": "alicloud_ecs_disk", "name": "d", "provider_name": "registry.terraform.io/aliyun/alicloud",
	     "change": {"actions": ["delete"], "before": {"id": "d-1"}, "after": null}}
	  ],
	  "configuration": {"provider_config": {
	      "huaweicloud": {"name": "huaweicloud", "full_name": "` + hw + `", "expressions": {"region": {"constant_value": "cn-north-4"}, "project_id": {"constant_value": "proj-hw"}}},
	      "huaweicloud.west": {"name": "huaweicloud", "full_name": "` + hw + `", "alias": "west", "expressions": {"region": {"references": ["var.west"]}}},
	      "module.app:huaweicloud": {"name": "huaweicloud", "full_name": "` + hw + `", "module_address": "module.app", "expressions": {"region": {"constant_value": "cn-east-3"}}}},
	    "root_module": {"resources": [
	      {"address": "huaweicloud_evs_volume.own", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "own", "provider_config_key": "huaweicloud"},
	      {"address": "huaweicloud_evs_volume.aliased", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "aliased", "provider_config_key": "huaweicloud.west"}],
	     "module_calls": {"app": {"source": "./app", "module": {"resources": [
	      {"address": "huaweicloud_evs_volume.inner", "mode": "managed", "type": "huaweicloud_evs_volume", "name": "inner", "provider_config_key": "module.app:huaweicloud"}]}}}}}}`
	changes, err := TranslateJSON([]byte(doc), Options{Region: "cn-hangzhou", ProjectID: "acct-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ region, regionFrom, project string }{
		{"ap-southeast-1", "/resource_changes/0/change/before/region", "proj-hw"},
		{"cn-south-1", "/variables/west/value", "acct-1"},
		{"cn-east-3", "/configuration/provider_config/module.app:huaweicloud/expressions/region/constant_value", "acct-1"},
		{"cn-north-4", "/configuration/provider_config/huaweicloud/expressions/region/constant_value", "proj-hw"},
		{"cn-hangzhou", "", "acct-1"},
	}
	for i, w := range want {
		c := changes[i]
		if c.Translation == nil {
			t.Fatalf("%s: %+v", c.Address, c)
		}
		req := c.Translation.Parts[0].Request
		if req["region"] != w.region || req["project_id"] != w.project || c.Translation.ProjectID != w.project {
			t.Errorf("%s: region %v project %v, want %s %s", c.Address, req["region"], req["project_id"], w.region, w.project)
		}
		var from string
		for _, o := range c.Translation.Parts[0].Origins {
			if o.Path == "/region" {
				from = o.From
				if o.From == "" && !strings.Contains(o.Name, "--region") {
					t.Errorf("%s: region from the option is named %q", c.Address, o.Name)
				}
			}
		}
		if from != w.regionFrom {
			t.Errorf("%s: region from %q, want %q", c.Address, from, w.regionFrom)
		}
	}
}

// An Alibaba copy whose destination (the provider's region) the plan does
// not carry, and no --region gives, is refused as unknown, not guessed.
func TestAlibabaCopyWithoutDestination(t *testing.T) {
	doc := `{"format_version": "1.2", "resource_changes": [
	  {"address": "alicloud_image_copy.dr", "mode": "managed", "type": "alicloud_image_copy", "name": "dr", "provider_name": "registry.terraform.io/aliyun/alicloud",
	   "change": {"actions": ["create"], "before": null, "after": {"source_image_id": "m-1", "source_region_id": "cn-beijing"}}}]}`
	changes, err := TranslateJSON([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := changes[0].Translation
	if tr == nil || !strings.Contains(tr.Unknown, "the provider's region") || len(tr.Parts) != 0 {
		t.Fatalf("translation = %+v", tr)
	}
	d := decide(t, newEvaluator(t), changes[0])
	if d.Allowed || len(d.Reasons) != 1 || d.Reasons[0].ID != "REQ-003" {
		t.Fatalf("decision = %+v", d)
	}
}

// create,forget creates (the old object is only forgotten): the create is
// judged, never passed.
func TestCreateForget(t *testing.T) {
	changes, err := TranslateJSON(planOf("alicloud_instance", `["create","forget"]`, `{"id": "i-1", "image_id": "m-1"}`, `{"image_id": "m-2"}`, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != ActionCreate || changes[0].Translation == nil || changes[0].Translation.Operation != "server.create" {
		t.Fatalf("changes = %+v", changes)
	}
}

func TestLooksLikePlan(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"format_version": "1.2", "resource_changes": []}`:                      true,
		`{"terraform_version": "1.9.8", "format_version": "1.2", "x": [1, {}]}`:  true,
		`{"provider": "huaweicloud", "operation": "image.create", "params": {}}`: false,
		`{"format_version": "1.0"}`:                                              false,
		`[1]`:                                                                    false,
		`{"format_version": "1.2", "resource_changes": [`:                        false,
	} {
		if got := LooksLikePlan([]byte(doc)); got != want {
			t.Errorf("LooksLikePlan(%s) = %v", doc, got)
		}
	}
}
