package evaluator

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRealValues holds each case a new user reproduced against the first
// rulebook (requests written from the seed documents, facts copied from the
// real APIs) to the answer the documents give. Each case failed then.
func TestRealValues(t *testing.T) {
	const project = `"project_id": "0605767a3300d5762fb7c0186d8d2b3b"`
	hw := func(op, params, resources string) string {
		return `{"provider": "huaweicloud", "operation": "` + op + `", "region": "cn-north-4", ` + project +
			`, "params": ` + params + `, "resources": ` + resources + `}`
	}
	ali := func(op, params, resources string) string {
		return `{"provider": "alibabacloud", "operation": "` + op + `", "region": "cn-hangzhou", "project_id": "1234567890123456"` +
			`, "params": ` + params + `, "resources": ` + resources + `}`
	}
	// A sound CBR server backup as ShowBackup describes it, and its server.
	const soundBackup = `"bk-1": {"resource_type": "OS::Nova::Server", "resource_id": "srv-1", "status": "available",
		"includes_system_disk": true, "image_id": null, "auto_generated": false}`
	const srv1 = `"srv-1": {"status": "ACTIVE", "cloud_init": true, "region": "cn-north-4"}`
	fullECS := func(sourceType, backup, more string) string {
		return hw("image.create", `{"name": "web-2026-11", "image_type": "full_ecs", "source": {"type": "`+sourceType+`", "id": "bk-1"},
			"agree_disclaimer": true}`, `{"backups": {`+backup+`}, "servers": {`+srv1+`}`+more+`}`)
	}
	// An Alibaba image made from instance i-src, with its snapshot known.
	aliCreate := func(source string) string {
		return ali("server.create", `{"image_id": "m-1", "name": "web-2", "billing_method": "pay_as_you_go"}`,
			`{"images": {"m-1": {"image_type": "system", "visibility": "self", "region": "cn-hangzhou", "source_instance_id": "i-src",
				"snapshot_ids": ["s-1"], "status": "Available"}}`+source+`}`)
	}
	// The image the inventory knows in cn-north-4, and one in a region
	// that does not offer cross-region replication of full-ECS images.
	inventory := map[string]any{
		"settings": map[string]any{"full_ecs_cross_region_regions": []any{"cn-north-4", "cn-east-3"}},
		"resources": map[string]any{
			"images": map[string]any{
				"img-north": map[string]any{"image_type": "full_ecs", "visibility": "private", "owner_project_id": "0605767a3300d5762fb7c0186d8d2b3b", "region": "cn-north-4", "replica_of_region": nil},
				"img-sg":    map[string]any{"image_type": "full_ecs", "visibility": "private", "owner_project_id": "0605767a3300d5762fb7c0186d8d2b3b", "region": "ap-southeast-1", "replica_of_region": nil},
			},
			"backups": map[string]any{
				"bk-used": map[string]any{"resource_type": "OS::Nova::Server", "resource_id": "srv-1", "status": "available", "includes_system_disk": true, "image_id": "img-north", "auto_generated": false},
			},
		},
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }

	cases := []struct {
		name    string
		request string
		now     time.Time
		allowed bool
		reasons string // "effect ID" per reason, in the decision's order
		invalid string // the pointers of an invalid request instead
	}{
		// 1. Real values are read, not refused or misread.
		{name: "Huawei SHUTOFF is stopped", request: hw("server.start", `{"server_id": "srv-1"}`,
			`{"servers": {"srv-1": {"status": "SHUTOFF", "image_creation_in_progress": true}}}`),
			reasons: "deny IMS-FE-006"},
		{name: "Huawei ACTIVE is running", request: hw("server.start", `{"server_id": "srv-1"}`,
			`{"servers": {"srv-1": {"status": "ACTIVE"}}}`), allowed: true},
		{name: "Alibaba Running servers", request: ali("server.change_os", `{"server_id": "i-1", "image_id": "m-1"}`,
			`{"images": {"m-1": {"region": "cn-hangzhou", "source_instance_id": null, "status": "Available"}},
			  "servers": {"i-1": {"status": "Running", "region": "cn-hangzhou"}}}`), allowed: true},
		{name: "a public image has no owner", request: hw("server.create", `{"image_id": "img-pub", "name": "web-01"}`,
			`{"images": {"img-pub": {"image_type": "system", "visibility": "gold", "owner_project_id": null, "region": "cn-north-4", "status": "active"}}}`),
			allowed: true},
		{name: "Alibaba ExpiredTime without seconds is a time", now: at("2026-11-24T00:00:00Z"), request: aliCreate(
			`, "servers": {"i-src": {"billing_method": "PrePaid", "expired_at": "2026-11-01T00:00Z", "payment_overdue_since": null}}`),
			reasons: "deny ECS-IMG-005, note ECS-IMG-006"},
		{name: "Alibaba pay-as-you-go never expires", now: at("2100-06-01T00:00:00Z"), request: aliCreate(
			`, "servers": {"i-src": {"billing_method": "PostPaid", "expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null}}`),
			allowed: true},
		{name: "a protecting backup marked image creatable makes an image", request: fullECS("cbr_backup",
			`"bk-1": {"resource_type": "OS::Nova::Server", "resource_id": "srv-1", "status": "protecting", "image_creatable": true,
				"includes_system_disk": true, "image_id": null, "auto_generated": false}`, `, "account": {"in_arrears": false}`),
			allowed: true, reasons: "note IMS-FE-014, note IMS-FE-018"},
		{name: "a protecting backup cannot restore", request: hw("backup.restore", `{"backup_id": "bk-1", "server_id": "srv-1"}`,
			`{"backups": {"bk-1": {"resource_id": "srv-1", "status": "protecting", "image_creatable": true}}}`),
			reasons: "deny CBR-003"},

		// 2. Missing facts deny no more than the rule that needs them.
		{name: "arrears unknown only warns", request: fullECS("cbr_backup", soundBackup, ""),
			allowed: true, reasons: "warn REQ-002, note IMS-FE-014, note IMS-FE-018"},
		{name: "a disk's backups unknown only warn", request: hw("disk.delete", `{"disk_id": "d-1"}`, `{}`),
			allowed: true, reasons: "warn REQ-002, note IMS-IMG-011"},
		{name: "an Alibaba image delete needs no snapshot ids", request: ali("image.delete", `{"image_id": "m-1"}`, `{}`),
			allowed: true, reasons: "warn ECS-IMG-003"},
		{name: "nothing said of encryption is not encrypted", request: hw("image.share", `{"image_id": "img-1", "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c"]}`,
			`{"images": {"img-1": {"image_type": "system", "visibility": "private", "owner_project_id": "0605767a3300d5762fb7c0186d8d2b3b", "members": [],
				"backup_id": "", "region": "cn-north-4", "status": "active"}}}`), allowed: true},

		// 3. No way past a rule through the request alone.
		{name: "another project's image cannot change an OS", request: hw("server.change_os", `{"server_id": "srv-1", "image_id": "img-1"}`,
			`{"images": {"img-1": {"image_type": "system", "visibility": "private", "owner_project_id": "8f2c5e1a9b7d4c3e6f0a1b2c3d4e5f60", "members": [], "region": "cn-north-4"}}}`),
			reasons: "deny IMS-IMG-008"},
		{name: "a member cannot delete a shared image", request: hw("image.delete", `{"image_id": "img-1"}`,
			`{"images": {"img-1": {"image_type": "system", "visibility": "private", "owner_project_id": "8f2c5e1a9b7d4c3e6f0a1b2c3d4e5f60",
				"members": ["0605767a3300d5762fb7c0186d8d2b3b"], "region": "cn-north-4"}}}`),
			reasons: "deny IMS-IMG-008"},
		{name: "a within-region copy named as from another region", request: strings.Replace(
			hw("image.replicate", `{"image_id": "img-north", "name": "copy", "destination_region": "cn-north-4"}`,
				`{"images": {"img-north": {"region": "cn-east-3"}}}`), `"region": "cn-north-4", `+project, `"region": "cn-east-3", `+project, 1),
			reasons: "deny IMS-API-005, deny IMS-FE-010"},
		{name: "a cross-region copy named as from a supported region", request: hw("image.replicate",
			`{"image_id": "img-sg", "name": "copy", "destination_region": "cn-east-3"}`, `{}`),
			reasons: "deny IMS-API-005, deny IMS-FE-011"},
		{name: "a used CBR backup called a CSBS backup", request: strings.Replace(fullECS("csbs_backup", soundBackup, ""), `"id": "bk-1"`, `"id": "bk-used"`, 1),
			reasons: "deny IMS-FE-002, warn REQ-002, note IMS-FE-014, note IMS-FE-018"},
		{name: "a time in year 1", request: aliCreate(`, "servers": {"i-src": {"expired_at": "0001-01-01T00:00:00Z"}}`),
			invalid: "/resources/servers/i-src/expired_at"},
		{name: "a time in year 1000", request: aliCreate(`, "servers": {"i-src": {"expired_at": "1000-01-01T00:00:00Z"}}`),
			invalid: "/resources/servers/i-src/expired_at"},
		{name: "a time at second 60", request: aliCreate(`, "servers": {"i-src": {"payment_overdue_since": "2026-06-30T23:59:60Z"}}`),
			invalid: "/resources/servers/i-src/payment_overdue_since"},
		{name: "an id with a trailing space", request: hw("image.export", `{"image_id": "img-secret ", "bucket_url": "img-export:web.qcow2"}`, `{"images": {"img-secret ": {"image_type": "system"}}}`),
			invalid: "/params/image_id /resources/images/img-secret "},
		{name: "an id with a newline", request: hw("image.export", `{"image_id": "img-secret\n", "bucket_url": "img-export:web.qcow2"}`, `{}`),
			invalid: "/params/image_id"},
		{name: "an id with a zero-width space", request: hw("image.export", `{"image_id": "img\u200b-secret", "bucket_url": "img-export:web.qcow2"}`, `{}`),
			invalid: "/params/image_id"},
		{name: "a project id with a byte order mark", request: strings.Replace(hw("server.start", `{"server_id": "srv-1"}`, `{}`),
			`"0605767a3300d5762fb7c0186d8d2b3b"`, `"\ufeff0605767a3300d5762fb7c0186d8d2b3b"`, 1),
			invalid: "/project_id"},

		// 4. No over-reach, no contradiction.
		{name: "a subscription that has not expired", now: at("2026-11-24T00:00:00Z"), request: aliCreate(
			`, "servers": {"i-src": {"billing_method": "PrePaid", "expired_at": "2026-12-31T16:00Z", "payment_overdue_since": null}}`),
			allowed: true, reasons: "note ECS-IMG-006"},
		{name: "a released source instance", now: at("2026-11-24T00:00:00Z"), request: aliCreate(
			`, "servers": {"i-src": {"status": "deleted", "billing_method": "PrePaid", "expired_at": "2026-10-01T00:00Z", "payment_overdue_since": null}}`),
			allowed: true, reasons: "note ECS-IMG-006"},
		{name: "a source instance nothing is known about", now: at("2026-11-24T00:00:00Z"), request: aliCreate(``),
			allowed: true, reasons: "warn REQ-002, warn REQ-002, warn REQ-002"},
		{name: "a full-ECS image from a server has one billing note", request: hw("image.create",
			`{"name": "web", "image_type": "full_ecs", "source": {"type": "server", "id": "srv-1"}, "agree_disclaimer": true}`,
			`{"servers": {`+srv1+`}}`), allowed: true, reasons: "note IMS-FE-017"},
		{name: "a CSBS full-ECS image may have eleven tenants", request: hw("image.share",
			`{"image_id": "img-1", "members": ["5e1c0a9b7d3f4e2a8b6c4d2e0f1a3b5c", "8f2c5e1a9b7d4c3e6f0a1b2c3d4e5f60"]}`,
			`{"images": {"img-1": {"image_type": "full_ecs", "visibility": "private", "owner_project_id": "0605767a3300d5762fb7c0186d8d2b3b",
				"members": ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"], "backup_id": "csbs-1", "from_shared_backup": false,
				"region": "cn-north-4", "status": "active"}}}`), allowed: true},
		{name: "a system disk image from a data disk with an OS", request: hw("image.create",
			`{"name": "web", "image_type": "system", "source": {"type": "disk", "id": "vol-1"}, "os_version": "Ubuntu 22.04 server 64bit", "agree_disclaimer": true}`, `{}`),
			allowed: true, reasons: "note IMS-IMG-010"},
	}
	e := newTestEvaluator(t, Options{Inventory: inventory})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			d, err := e.Decide(context.Background(), []byte(tc.request), FormatJSON, DecideOptions{Now: now})
			if tc.invalid != "" {
				var pointers []string
				if ee, ok := err.(*Error); ok && ee.Code == CodeInvalidRequest {
					for _, fe := range ee.Errors {
						pointers = append(pointers, fe.Pointer)
					}
				}
				if strings.Join(pointers, " ") != tc.invalid {
					t.Fatalf("got %v (pointers %q), want an invalid request at %q", err, pointers, tc.invalid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range d.Reasons {
				got = append(got, r.Effect+" "+r.ID)
			}
			if d.Allowed != tc.allowed || strings.Join(got, ", ") != tc.reasons {
				t.Errorf("allowed %v, reasons %q; want allowed %v, reasons %q\n%+v", d.Allowed, strings.Join(got, ", "), tc.allowed, tc.reasons, d.Reasons)
			}
		})
	}
}
