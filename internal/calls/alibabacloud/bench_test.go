package alibabacloud_test

import (
	"context"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
)

// The same image.create, as the call the SDK sends and as its canonical
// request: judging the call may cost at most 10% more.
const (
	benchCall = `{"provider": "alibabacloud", "project_id": "1234567890123456",
 "call": {"action": "CreateImage", "params": {"RegionId": "cn-hangzhou", "ImageName": "web-2026-11", "SnapshotId": "s-free",
   "DiskDeviceMapping.1.SnapshotId": "s-free", "DiskDeviceMapping.1.DiskType": "system", "DiskDeviceMapping.1.Size": "40",
   "Tag.1.Key": "env", "Tag.1.Value": "prod", "ClientToken": "0c593ea1-3bea-11e9-b96b-88e9fe637760"}}}`
	benchRequest = `{"provider": "alibabacloud", "operation": "image.create", "region": "cn-hangzhou", "project_id": "1234567890123456",
 "params": {"name": "web-2026-11", "image_type": "system", "source": {"type": "snapshot", "id": "s-free"},
   "tags": [{"key": "env", "value": "prod"}]}}`
)

func BenchmarkDecide(b *testing.B) {
	e, err := newEvaluator()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, doc string }{{"call", benchCall}, {"request", benchRequest}} {
		b.Run(bc.name, func(b *testing.B) {
			raw := []byte(bc.doc)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Decide(context.Background(), raw, evaluator.FormatJSON, evaluator.DecideOptions{Now: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTranslate(b *testing.B) {
	doc := decode(b, benchCall).(map[string]any)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := calls.Translator.Translate(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	e, err := newEvaluator()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, doc string }{{"call", benchCall}, {"request", benchRequest}} {
		b.Run(bc.name, func(b *testing.B) {
			raw := []byte(bc.doc)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.ParseRequest(raw, evaluator.FormatJSON); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
