package tfplan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TestReviewedPlans are plans a review found mishandled: each must give
// the changes named, never a panic, never a type error for a value that is
// only unknown until apply.
func TestReviewedPlans(t *testing.T) {
	for _, tc := range []struct {
		file     string
		want     []string // "address action operation|skipped" per change
		unknown  string   // a fragment of a change's Unknown, if any
		noErrors bool
	}{
		// A data source with no change section is skipped, not a crash.
		{file: "data-source-without-change.json", want: []string{"data.x.y read skipped"}, noErrors: true},
		// A new image chosen by name changes the OS: refused until its id is known.
		{file: "image-name-update.json", want: []string{"huaweicloud_compute_instance.x update server.change_os"}, unknown: "image_id is unknown until apply", noErrors: true},
		// A list of projects with one unknown element is unknown, not malformed.
		{file: "unknown-member.json", want: []string{"huaweicloud_images_image_share.x update image.share"}, unknown: "target_project_ids", noErrors: true},
		// A new image beside a start known only at apply: both reported (both
		// refused while a value is unknown), the image change never dropped.
		{file: "image-and-unknown-start.json", want: []string{"alicloud_instance.x update server.change_os", "alicloud_instance.x update server.start"}, unknown: "status", noErrors: true},
		// A tag whose value is unknown leaves the tags out (a tag policy then
		// sees none), never a type error.
		{file: "unknown-tag.json", noErrors: true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			changes, err := TranslateJSON(raw, Options{Region: "cn-north-4", ProjectID: "0605767a3300d5762fb7c0186d8d2b3b"})
			if err != nil {
				t.Fatalf("plan refused: %v", err)
			}
			var got []string
			unknowns := ""
			for _, c := range changes {
				if tc.noErrors && c.Err != nil {
					t.Errorf("%s: %v", c.Address, c.Err)
				}
				what := "skipped"
				if c.Translation != nil {
					what = c.Translation.Operation
					unknowns += c.Translation.Unknown
				}
				got = append(got, c.Address+" "+c.Action+" "+what)
			}
			if tc.want != nil && strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("changes %q, want %q", got, tc.want)
			}
			if !strings.Contains(unknowns, tc.unknown) {
				t.Errorf("unknown %q lacks %q", unknowns, tc.unknown)
			}
		})
	}
}

// TestPlansRefused: what cannot be judged whole is refused with its pointer.
func TestPlansRefused(t *testing.T) {
	for _, tc := range []struct{ name, plan, pointer string }{
		{"an errored plan", `{"format_version":"1.2","errored":true,"resource_changes":[]}`, "/errored"},
		{"a mode neither managed nor data", `{"format_version":"1.2","resource_changes":[{"address":"x.y","mode":"ephemeral","type":"x","name":"y","change":{"actions":["create"]}}]}`, "/resource_changes/0/mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TranslateJSON([]byte(tc.plan), Options{})
			ee, ok := err.(*evaluator.Error)
			if !ok || ee.Code != evaluator.CodeInvalidRequest || len(ee.Errors) != 1 || ee.Errors[0].Pointer != tc.pointer {
				t.Errorf("got %v, want an invalid request at %s", err, tc.pointer)
			}
		})
	}
}

// TestImageCopyWithoutSourceRegion: a copy that names no source region is
// not read as a copy within the provider's region.
func TestImageCopyWithoutSourceRegion(t *testing.T) {
	plan := `{"format_version":"1.2","resource_changes":[{"address":"alicloud_image_copy.dr","mode":"managed","type":"alicloud_image_copy","name":"dr",
	  "provider_name":"registry.terraform.io/aliyun/alicloud","change":{"actions":["create"],"before":null,
	  "after":{"source_image_id":"m-1","image_name":"dr-copy"},"after_unknown":{"id":true}}}]}`
	changes, err := TranslateJSON([]byte(plan), Options{Region: "cn-beijing", ProjectID: "1234567890123456"})
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes %v, err %v", changes, err)
	}
	ee, ok := changes[0].Err.(*evaluator.Error)
	if !ok || len(ee.Errors) != 1 || ee.Errors[0].Pointer != "/resource_changes/0/change/after/source_region_id" {
		t.Errorf("got %+v (%v), want an error at /resource_changes/0/change/after/source_region_id", changes[0], changes[0].Err)
	}
}
