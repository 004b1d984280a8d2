package tfplan

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Every governed type of REAL-SHAPES §3.2 and §3.3 is mapped and has a
// table test.
func TestEveryTypeIsTested(t *testing.T) {
	want := []string{
		"alicloud_ecs_disk", "alicloud_ecs_snapshot", "alicloud_image", "alicloud_image_copy", "alicloud_image_export",
		"alicloud_image_share_permission", "alicloud_instance", "alicloud_snapshot",
		"huaweicloud_cbr_checkpoint", "huaweicloud_cbr_restore", "huaweicloud_compute_instance", "huaweicloud_evs_volume",
		"huaweicloud_images_image", "huaweicloud_images_image_copy", "huaweicloud_images_image_share",
		"huaweicloud_ims_cbr_whole_image", "huaweicloud_ims_ecs_system_image", "huaweicloud_ims_ecs_whole_image",
		"huaweicloud_ims_evs_data_image", "huaweicloud_ims_evs_system_image", "huaweicloud_ims_image_export",
		"huaweicloud_ims_obs_data_image", "huaweicloud_ims_obs_iso_image", "huaweicloud_ims_obs_system_image",
		"huaweicloud_ims_quickimport_data_image", "huaweicloud_ims_quickimport_system_image",
	}
	if got := Types(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Types() = %v\nwant %v", got, want)
	}
	src, err := os.ReadFile("types_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range want {
		if !bytes.Contains(src, []byte(`typ: "`+typ+`"`)) {
			t.Errorf("%s has no table test", typ)
		}
	}
}

// fieldErrors is err's field errors as "pointer: message" lines.
func fieldErrors(t *testing.T, err error) string {
	t.Helper()
	var ee *evaluator.Error
	if !errors.As(err, &ee) || ee.Code != evaluator.CodeInvalidRequest {
		t.Fatalf("err = %v, want an invalid_request *evaluator.Error", err)
	}
	var b strings.Builder
	for _, fe := range ee.Errors {
		b.WriteString(fe.Pointer + ": " + fe.Message + "\n")
	}
	return b.String()
}

func TestBadPlans(t *testing.T) {
	change := `{"address": "huaweicloud_ims_cbr_whole_image.web", "mode": "managed", "type": "huaweicloud_ims_cbr_whole_image", "name": "web",
	  "provider_name": "registry.terraform.io/huaweicloud/huaweicloud", "change": {"actions": ["create"], "before": null, "after": {"name": "web", "backup_id": "bk-1"}}}`
	tests := []struct {
		name, doc string
		want      []string // pointers and message parts
	}{
		{"not JSON", `{"format_version": "1.2",`, []string{"not valid JSON"}},
		{"not an object", `[1]`, []string{"a plan must be a JSON object"}},
		{"format 2", `{"format_version": "2.0", "resource_changes": []}`, []string{"/format_version: format_version \"2.0\" is not supported"}},
		{"format 0.2", `{"format_version": "0.2", "resource_changes": []}`, []string{"/format_version: format_version \"0.2\" is not supported"}},
		{"no format", `{"resource_changes": []}`, []string{"/format_version: missing format_version"}},
		{"format a number", `{"format_version": 1.2, "resource_changes": []}`, []string{"/format_version: format_version must be a string, but got number"}},
		{"no resource_changes", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "a.b"}]}}}`, []string{"/resource_changes: missing resource_changes"}},
		{"resource_changes an object", `{"format_version": "1.2", "resource_changes": {"a": 1}}`, []string{"/resource_changes: resource_changes must be an array, but got object"}},
		{"resource_changes a string", `{"format_version": "1.2", "resource_changes": "x"}`, []string{"/resource_changes: resource_changes must be an array, but got string"}},
		{"a change not an object", `{"format_version": "1.2", "resource_changes": [` + change + `, 7]}`, []string{"/resource_changes/1: a resource change must be an object, but got number"}},
		{"no actions", `{"format_version": "1.2", "resource_changes": [` + strings.Replace(change, `"actions": ["create"], `, "", 1) + `]}`,
			[]string{"/resource_changes/0/change/actions: huaweicloud_ims_cbr_whole_image.web: missing actions"}},
		{"empty actions", `{"format_version": "1.2", "resource_changes": [` + strings.Replace(change, `["create"]`, `[]`, 1) + `]}`,
			[]string{"/resource_changes/0/change/actions: huaweicloud_ims_cbr_whole_image.web: missing actions"}},
		{"actions a string", `{"format_version": "1.2", "resource_changes": [` + strings.Replace(change, `["create"]`, `"create"`, 1) + `]}`,
			[]string{"/resource_changes/0/change/actions: huaweicloud_ims_cbr_whole_image.web: must be an array"}},
		{"unknown action", `{"format_version": "1.2", "resource_changes": [` + strings.Replace(change, `["create"]`, `["explode"]`, 1) + `]}`,
			[]string{"/resource_changes/0/change/actions: huaweicloud_ims_cbr_whole_image.web: unknown actions [explode]"}},
		{"no change", `{"format_version": "1.2", "resource_changes": [{"address": "a.b", "mode": "managed", "type": "a", "name": "b"}]}`,
			[]string{"/resource_changes/0/change: a.b: missing change"}},
		{"address a number", `{"format_version": "1.2", "resource_changes": [` + strings.Replace(change, `"address": "huaweicloud_ims_cbr_whole_image.web"`, `"address": 3`, 1) + `]}`,
			[]string{"/resource_changes/0/address: must be a string, but got number"}},
		{"configuration a string", `{"format_version": "1.2", "resource_changes": [], "configuration": "x"}`, []string{"/configuration: must be an object, but got string"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TranslateJSON([]byte(tc.doc), Options{})
			got := fieldErrors(t, err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) && !strings.Contains(err.Error(), w) {
					t.Errorf("errors do not say %q:\n%s", w, err)
				}
			}
		})
	}
}

// A plan of a configuration with no resources has no resource_changes
// (Terraform omits an empty list): nothing to judge, not an error.
func TestEmptyConfiguration(t *testing.T) {
	changes, err := TranslateJSON([]byte(`{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {}}}`), Options{})
	if err != nil || len(changes) != 0 {
		t.Fatalf("changes %v, err %v", changes, err)
	}
}

// A governed resource whose attributes have the wrong types is an error
// naming the address and the pointer; other changes are still judged.
func TestWrongAttributeTypes(t *testing.T) {
	tests := []struct{ typ, actions, before, after, want string }{
		{"huaweicloud_ims_cbr_whole_image", `["create"]`, `null`, `{"name": "web", "backup_id": 7}`,
			"/resource_changes/0/change/after/backup_id: huaweicloud_ims_cbr_whole_image.x: backup_id must be a string, but got number"},
		{"huaweicloud_ims_cbr_whole_image", `["create"]`, `null`, `{"name": "web", "backup_id": "bk-1", "tags": ["env"]}`,
			"/resource_changes/0/change/after/tags: huaweicloud_ims_cbr_whole_image.x: tags must be an object of strings, but got array"},
		{"huaweicloud_ims_cbr_whole_image", `["delete"]`, `{"id": "img-1", "is_delete_backup": "yes"}`, `null`,
			"/resource_changes/0/change/before/is_delete_backup: huaweicloud_ims_cbr_whole_image.x: is_delete_backup must be a boolean, but got string"},
		{"huaweicloud_cbr_checkpoint", `["create"]`, `null`, `{"vault_id": "v-1", "backups": [{"type": "OS::Nova::Server", "resource_id": "srv-1"}, "srv-2"]}`,
			"/resource_changes/0/change/after/backups/1: huaweicloud_cbr_checkpoint.x: backups[1] must be an object, but got string"},
		{"huaweicloud_cbr_checkpoint", `["delete"]`, `{"id": "ck-1", "backups": [{"type": "OS::Nova::Server"}]}`, `null`,
			"/resource_changes/0/change/before/backups/0/id: huaweicloud_cbr_checkpoint.x: backups[0] has no id"},
		{"alicloud_image", `["delete"]`, `{"id": "m-1", "delete_auto_snapshot": true, "disk_device_mapping": {"snapshot_id": "s-1"}}`, `null`,
			"/resource_changes/0/change/before/disk_device_mapping: alicloud_image.x: disk_device_mapping must be an array, but got object"},
		{"huaweicloud_images_image_share", `["create"]`, `null`, `{"source_image_id": "img-1", "target_project_ids": ["p-1", 2]}`,
			"/resource_changes/0/change/after/target_project_ids/1: huaweicloud_images_image_share.x: target_project_ids[1] must be a string, but got number"},
		{"huaweicloud_ims_obs_system_image", `["create"]`, `null`, `{"name": "g", "image_url": "b:f", "min_disk": "40"}`,
			"/resource_changes/0/change/after/min_disk: huaweicloud_ims_obs_system_image.x: min_disk must be a number, but got string"},
		{"huaweicloud_compute_instance", `["create"]`, `null`, `[1]`,
			"/resource_changes/0/change/after: huaweicloud_compute_instance.x: after must be an object or null, but got array"},
		{"huaweicloud_compute_instance", `["create"]`, `null`, `null`,
			"/resource_changes/0/change/after: huaweicloud_compute_instance.x: a create has an after object"},
		{"alicloud_instance", `["delete"]`, `null`, `null`,
			"/resource_changes/0/change/before: alicloud_instance.x: a delete has a before object"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.actions, func(t *testing.T) {
			changes, err := TranslateJSON(planOf(tc.typ, tc.actions, tc.before, tc.after, ""), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != 1 || changes[0].Translation != nil || changes[0].Skipped != "" {
				t.Fatalf("changes = %+v", changes)
			}
			if got := fieldErrors(t, changes[0].Err); !strings.Contains(got, tc.want) {
				t.Errorf("errors:\n%s\nwant %s", got, tc.want)
			}
			if !strings.Contains(changes[0].Err.Error(), tc.typ+".x") {
				t.Errorf("the error does not name the address: %v", changes[0].Err)
			}
			if _, err := changes[0].Request(newEvaluator(t)); err != changes[0].Err {
				t.Errorf("Request() = %v, want the change's error", err)
			}
		})
	}
}

// A value the schema rejects is reported where the plan has it, with the
// resource address.
func TestSchemaErrorsPointIntoThePlan(t *testing.T) {
	changes, err := TranslateJSON(planOf("huaweicloud_ims_cbr_whole_image", `["create"]`, `null`, `{"name": " bad name", "backup_id": "bk-1", "tags": {"": "x"}}`, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = changes[0].Request(newEvaluator(t))
	got := fieldErrors(t, err)
	for _, w := range []string{"/resource_changes/0/change/after/name: ", "/resource_changes/0/change/after/tags/0/key: "} {
		if !strings.Contains(got, w) {
			t.Errorf("errors:\n%s\nwant one at %s", got, w)
		}
	}
	if !strings.HasPrefix(err.(*evaluator.Error).Message, "huaweicloud_ims_cbr_whole_image.x (create): ") {
		t.Errorf("message %q does not name the address", err.(*evaluator.Error).Message)
	}
	// A required param known to be absent (not unknown) is a schema error.
	changes, _ = TranslateJSON(planOf("huaweicloud_compute_instance", `["create"]`, `null`, `{"name": "web"}`, ""), Options{})
	_, err = changes[0].Request(newEvaluator(t))
	if got := fieldErrors(t, err); !strings.Contains(got, "/resource_changes/0/change/after/image_id: missing required property \"image_id\"") {
		t.Errorf("errors:\n%s", got)
	}
}
