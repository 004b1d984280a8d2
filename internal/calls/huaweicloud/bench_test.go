package huaweicloud_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
	"github.com/imgadmit/imgadmit/internal/calls/huaweicloud"
)

// benchCalls are single-resource calls as the SDK sends them: what a call
// costs against its canonical request is the translator's cost alone.
var benchCalls = []string{
	`{"provider": "huaweicloud", "region": "cn-north-4", "call": {"method": "POST", "path": "/v1/cloudimages/wholeimages/action", "host": "ims.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}, "body": {"instance_id": "", "name": "web-2026-11", "backup_id": "bk-ok", "whole_image_type": "CBR", "image_tags": [{"key": "env", "value": "prod"}]}}}`,
	`{"provider": "huaweicloud", "region": "cn-north-4", "call": {"method": "POST", "path": "/v1/cloudimages/img-full/file", "host": "ims.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}, "body": {"bucket_url": "exports:web.zvhd2", "file_format": "", "is_quick_export": true}}}`,
	`{"provider": "huaweicloud", "region": "cn-north-4", "call": {"method": "POST", "path": "/v1/0605767a3300d5762fb7c0186d8d2b3b/cloudservers/action", "host": "ecs.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}, "body": {"os-start": {"servers": [{"id": "srv-2"}]}}}}`,
	`{"provider": "huaweicloud", "region": "cn-north-4", "call": {"method": "POST", "path": "/v3/0605767a3300d5762fb7c0186d8d2b3b/checkpoints", "host": "cbr.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}, "body": {"checkpoint": {"parameters": {"incremental": true, "name": "bk", "resources": ["srv-1"]}, "vault_id": "v"}}}}`,
	`{"provider": "huaweicloud", "region": "cn-north-4", "call": {"method": "POST", "path": "/v2/0605767a3300d5762fb7c0186d8d2b3b/cloudservers/srv-1/changeos", "host": "ecs.cn-north-4.myhuaweicloud.com", "headers": {"X-Project-Id": "0605767a3300d5762fb7c0186d8d2b3b"}, "body": {"os-change": {"keyname": "kp", "userid": "u", "imageid": "img-full", "mode": "withStopServer"}}}}`,
}

// BenchmarkDecide compares a decision on each call with a decision on the
// canonical request it becomes (call/ and canonical/): the difference is
// what reading the call costs. Budget: call ≤ canonical + 10 %.
func BenchmarkDecide(b *testing.B) {
	e := newEvaluator(b)
	ctx := context.Background()
	var calls, canon [][]byte
	for _, s := range benchCalls {
		calls = append(calls, []byte(s))
		parts, _, err := judge(b, decode(b, s).(map[string]any))
		if err != nil || len(parts) != 1 {
			b.Fatalf("%s: %v, %d parts", s, err, len(parts))
		}
		raw, _ := json.Marshal(parts[0])
		canon = append(canon, raw)
	}
	for _, bc := range []struct {
		name string
		docs [][]byte
	}{{"canonical", canon}, {"call", calls}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := e.Decide(ctx, bc.docs[i%len(bc.docs)], evaluator.FormatJSON, evaluator.DecideOptions{Now: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTranslate is the translator alone, on decoded documents.
func BenchmarkTranslate(b *testing.B) {
	docs := make([]map[string]any, len(benchCalls))
	for i, s := range benchCalls {
		docs[i] = decode(b, s).(map[string]any)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := huaweicloud.Translate(calldoc.Read(docs[i%len(docs)])); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is reading alone (decoding, translating, the schema check),
// for the call and for its canonical request.
func BenchmarkParse(b *testing.B) {
	e := newEvaluator(b)
	var calls, canon [][]byte
	for _, s := range benchCalls {
		calls = append(calls, []byte(s))
		parts, _, _ := judge(b, decode(b, s).(map[string]any))
		raw, _ := json.Marshal(parts[0])
		canon = append(canon, raw)
	}
	for _, bc := range []struct {
		name string
		docs [][]byte
	}{{"canonical", canon}, {"call", calls}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := e.ParseRequest(bc.docs[i%len(bc.docs)], evaluator.FormatJSON); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
