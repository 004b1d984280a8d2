package tfplan

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzTranslate: no plan, however broken, panics the reader or the
// translator, and every change is judged, skipped or an error. The seeds
// include the fixture plans (up to 26 KB): run it with -fuzzminimizetime
// of a few seconds, or the fuzzer spends minutes minimizing each new input
// of that size.
func FuzzTranslate(f *testing.F) {
	files, _ := filepath.Glob("../../fixtures/terraform/*/*.json")
	reviewed, _ := filepath.Glob("testdata/*.json")
	files = append(files, reviewed...)
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil {
			f.Add(raw)
		}
	}
	f.Add(planOf("alicloud_image", `["delete"]`, aliImage, `null`, ""))
	f.Add(planOf("huaweicloud_cbr_checkpoint", `["create"]`, `null`, `{"backups": [{"type": 1}]}`, `{"backups": true}`))
	f.Add([]byte(`{"format_version": "1.2", "resource_changes": [null, {}, {"change": {}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		LooksLikePlan(raw)
		changes, err := TranslateJSON(raw, Options{Region: "cn-north-4"})
		if err != nil {
			return
		}
		for _, c := range changes {
			if (c.Translation != nil) == (c.Err != nil) && c.Skipped == "" {
				t.Fatalf("%s: neither judged, skipped nor an error: %+v", c.Address, c)
			}
		}
	})
}
