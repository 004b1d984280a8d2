package alibabacloud_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// now is when the decisions are made: four days after the import (seen).
var now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// TestDecisions: a table test per fact the rulebook reads that has a real
// source. SDK-built responses → the inventory read from them → a decision
// with request facts not trusted (only the inventory decides), which must
// be what the documents say (CATALOGUE.md, the rule that reads the fact).
func TestDecisions(t *testing.T) {
	const (
		img       = "m-bp1g7004ksh0oeuc9xkq"
		sysSnap   = "s-bp1c0doj0taqyzzogwvd"
		dataSnap  = "s-bp1e8xzhkfkl3w5tmd2p"
		source    = "i-bp1g6zv0ce8oghu7k2mz" // the instance the image was made from
		target    = "i-bp67acfmxazb4ph8ozrs" // an instance whose OS is changed
		requested = `"provider": "alibabacloud", "region": "cn-hangzhou", "project_id": "1234567890123456"`
	)
	theImage := func(t *testing.T, status string) facts.Response {
		return response(t, "images.json", describeImages(region, image(img, "self", account, status, sysSnap, dataSnap)))
	}
	theSnapshots := func(t *testing.T) facts.Response {
		return response(t, "snapshots.json", describeSnapshots(
			snapshot(sysSnap, "system", "accomplished", "image"), snapshot(dataSnap, "data", "accomplished", "image")))
	}
	theSource := func(status, charge, expired string, locks ...string) func(t *testing.T) facts.Response {
		return func(t *testing.T) facts.Response {
			return response(t, "instances.json", describeInstances(instance(source, status, charge, expired, locks...)))
		}
	}
	// sourceKnown is the one fact no Alibaba response holds
	// (image.source_instance_id, REAL-SHAPES §2.4): an operator records it
	// when the image is made. ECS-IMG-005 and ECS-IMG-006 need it to read
	// the source instance's facts, which do come from DescribeInstances.
	sourceKnown := func(inv map[string]any) {
		inv["resources"].(map[string]any)["images"].(map[string]any)[img].(map[string]any)["source_instance_id"] = source
	}

	tests := []struct {
		name      string
		fact      string
		responses []func(t *testing.T) facts.Response
		addFacts  func(inv map[string]any)
		request   string
		want      []string // every reason, "ID effect: message start"
	}{{
		name: "a data disk snapshot cannot make an image",
		fact: "snapshots.disk_type (SourceDiskType)", responses: []func(*testing.T) facts.Response{theSnapshots},
		request: `{` + requested + `, "operation": "image.create", "params": {"name": "web-2026-11", "image_type": "system", "source": {"type": "snapshot", "id": "` + dataSnap + `"}},
			"resources": {"snapshots": {"` + dataSnap + `": {"disk_type": "system"}}}}`,
		want: []string{"ECS-IMG-001 deny: snapshot s-bp1e8xzhkfkl3w5tmd2p is a snapshot of a data disk"},
	}, {
		name: "a system disk snapshot can make an image",
		fact: "snapshots.disk_type (SourceDiskType)", responses: []func(*testing.T) facts.Response{theSnapshots},
		request: `{` + requested + `, "operation": "image.create", "params": {"name": "web-2026-11", "image_type": "system", "source": {"type": "snapshot", "id": "` + sysSnap + `"}}}`,
		want:    nil,
	}, {
		name: "a snapshot an image uses cannot be deleted (image_ids from the image's mappings)",
		fact: "snapshots.image_ids (DiskDeviceMappings)", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots},
		request: `{` + requested + `, "operation": "snapshot.delete", "params": {"snapshot_id": "` + dataSnap + `"},
			"resources": {"snapshots": {"` + dataSnap + `": {"image_ids": []}}}}`,
		want: []string{"ECS-SNAP-001 deny: snapshot s-bp1e8xzhkfkl3w5tmd2p is associated with custom image m-bp1g7004ksh0oeuc9xkq"},
	}, {
		name: "a snapshot only an image names, DescribeSnapshots not imported: not known, fail closed",
		fact: "snapshots.image_ids (DiskDeviceMappings)", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }},
		request: `{` + requested + `, "operation": "snapshot.delete", "params": {"snapshot_id": "` + dataSnap + `"},
			"resources": {"snapshots": {"` + dataSnap + `": {"image_ids": []}}}}`,
		want: []string{"REQ-002 deny: "},
	}, {
		name: "a snapshot no image uses may be deleted (image_ids [] from Usage none)",
		fact: "snapshots.image_ids (Usage)", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response {
				return response(t, "snapshots.json", describeSnapshots(snapshot(dataSnap, "data", "accomplished", "none")))
			}},
		request: `{` + requested + `, "operation": "snapshot.delete", "params": {"snapshot_id": "` + dataSnap + `"}}`,
		want:    nil,
	}, {
		name: "a snapshot Usage says an image uses, with that image not imported: not known, fail closed",
		fact: "snapshots.image_ids (Usage)", responses: []func(*testing.T) facts.Response{theSnapshots},
		request: `{` + requested + `, "operation": "snapshot.delete", "params": {"snapshot_id": "` + dataSnap + `"},
			"resources": {"snapshots": {"` + dataSnap + `": {"image_ids": []}}}}`,
		want: []string{"REQ-002 deny: "},
	}, {
		name: "deleting an image keeps its snapshots (snapshot_ids)",
		fact: "images.snapshot_ids", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }},
		request: `{` + requested + `, "operation": "image.delete", "params": {"image_id": "` + img + `", "delete_snapshots": false},
			"resources": {"images": {"` + img + `": {"snapshot_ids": []}}}}`,
		want: []string{"ECS-IMG-003 warn: image m-bp1g7004ksh0oeuc9xkq is deleted without its snapshots (s-bp1c0doj0taqyzzogwvd, s-bp1e8xzhkfkl3w5tmd2p)"},
	}, {
		name: "an image in another region cannot replace an instance's system disk (region, RegionId)",
		fact: "images.region, servers.region", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response {
				return response(t, "images.json", describeImages("cn-beijing", image(img, "self", account, "Available", sysSnap)))
			},
			func(t *testing.T) facts.Response {
				return response(t, "instances.json", describeInstances(instance(target, "Stopped", "PostPaid", "2099-12-31T15:59Z")))
			}},
		request: `{` + requested + `, "operation": "server.change_os", "params": {"server_id": "` + target + `", "image_id": "` + img + `"},
			"resources": {"images": {"` + img + `": {"region": "cn-hangzhou"}}}}`,
		// The image's source instance has no real source: ECS-IMG-005 asks for it.
		want: []string{
			"ECS-IMG-004 deny: image m-bp1g7004ksh0oeuc9xkq is in region cn-beijing but instance i-bp67acfmxazb4ph8ozrs is in region cn-hangzhou",
			"REQ-002 deny: ",
		},
	}, {
		name: "an image in the instance's region (region)",
		fact: "images.region, servers.region", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots,
			func(t *testing.T) facts.Response {
				return response(t, "instances.json", describeInstances(instance(target, "Stopped", "PostPaid", "2099-12-31T15:59Z")))
			}},
		request: `{` + requested + `, "operation": "server.change_os", "params": {"server_id": "` + target + `", "image_id": "` + img + `"}}`,
		// Its snapshots are known to exist: a missing source instance is a warning.
		want: []string{"REQ-002 warn: "},
	}, {
		name: "an image not ready cannot make an instance (Status Creating)",
		fact: "images.status", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Creating") }, theSnapshots, theSource("Running", "PostPaid", "2099-12-31T15:59Z")},
		addFacts: sourceKnown,
		request: `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2"},
			"resources": {"images": {"` + img + `": {"status": "Available"}}}}`,
		want: []string{"IMS-IMG-013 deny: image m-bp1g7004ksh0oeuc9xkq is still being created (status Creating)"},
	}, {
		name: "an available image of a pay-as-you-go instance that never expires (Status, ExpiredTime 2099, no lock)",
		fact: "images.status, servers.expired_at, servers.payment_overdue_since", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots, theSource("Running", "PostPaid", "2099-12-31T15:59Z")},
		addFacts: sourceKnown,
		request:  `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2"}}`,
		want:     nil,
	}, {
		name: "an expired subscription instance whose image's snapshots still exist (ExpiredTime)",
		fact: "servers.expired_at", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots,
			theSource("Stopped", "PrePaid", "2026-11-01T16:00Z")},
		addFacts: sourceKnown,
		request: `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2"},
			"resources": {"servers": {"` + source + `": {"expired_at": "2027-11-01T16:00Z"}}}}`,
		want: []string{"ECS-IMG-005 warn: image m-bp1g7004ksh0oeuc9xkq was created from instance i-bp1g6zv0ce8oghu7k2mz, which expired on 2026-11-01; the image's snapshots were due to be released on 2026-11-16, 15 days after that; they still exist"},
	}, {
		name: "an expired subscription instance, its image's snapshots not known to exist (ExpiredTime)",
		fact: "servers.expired_at", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response {
				return response(t, "images.json", describeImages(region, image(img, "self", account, "Available", sysSnap)))
			},
			theSource("Stopped", "PrePaid", "2026-11-01T16:00Z")},
		addFacts: sourceKnown,
		request:  `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2"}}`,
		// The image names its snapshot, but only DescribeSnapshots says it
		// still exists, and that was not imported.
		want: []string{"ECS-IMG-005 deny: image m-bp1g7004ksh0oeuc9xkq was created from instance i-bp1g6zv0ce8oghu7k2mz, which expired on 2026-11-01; the image's snapshots were due to be released on 2026-11-16, 15 days after that, and are not known to still exist"},
	}, {
		name: "an expired instance whose snapshots failed (ExpiredTime, snapshot Status)",
		fact: "servers.expired_at, snapshots.status", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") },
			func(t *testing.T) facts.Response {
				return response(t, "snapshots.json", describeSnapshots(
					snapshot(sysSnap, "system", "failed", "image"), snapshot(dataSnap, "data", "accomplished", "image")))
			},
			theSource("Stopped", "PrePaid", "2026-11-01T16:00Z")},
		addFacts: sourceKnown,
		request:  `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2"}}`,
		want:     []string{"ECS-IMG-005 deny: image m-bp1g7004ksh0oeuc9xkq was created from instance i-bp1g6zv0ce8oghu7k2mz, which expired on 2026-11-01; the image's snapshots were due to be released on 2026-11-16, 15 days after that, and are not known to still exist"},
	}, {
		name: "a pay-as-you-go instance whose payment is overdue (OperationLocks financial, first seen at import)",
		fact: "servers.payment_overdue_since", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots,
			theSource("Stopped", "PostPaid", "2099-12-31T15:59Z", "financial")},
		addFacts: sourceKnown,
		request: `{` + requested + `, "operation": "server.change_os", "params": {"server_id": "` + source + `", "image_id": "` + img + `"},
			"resources": {"servers": {"` + source + `": {"payment_overdue_since": null}}}}`,
		want: []string{"ECS-IMG-005 warn: image m-bp1g7004ksh0oeuc9xkq was created from instance i-bp1g6zv0ce8oghu7k2mz, whose payment has been overdue since 2026-11-20; the image's snapshots will be released on 2026-12-05, 15 days after that"},
	}, {
		name: "a subscription image's instance, a new pay-as-you-go instance (InstanceChargeType)",
		fact: "servers.billing_method", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots,
			theSource("Running", "PrePaid", "2027-06-30T16:00Z")},
		addFacts: sourceKnown,
		request: `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2", "billing_method": "pay_as_you_go"},
			"resources": {"servers": {"` + source + `": {"billing_method": "pay_as_you_go"}}}}`,
		want: []string{"ECS-IMG-006 note: the new instance is pay-as-you-go while image m-bp1g7004ksh0oeuc9xkq was created from subscription instance i-bp1g6zv0ce8oghu7k2mz"},
	}, {
		name: "same billing method: no note (InstanceChargeType PostPaid)",
		fact: "servers.billing_method", responses: []func(*testing.T) facts.Response{
			func(t *testing.T) facts.Response { return theImage(t, "Available") }, theSnapshots,
			theSource("Running", "PostPaid", "2099-12-31T15:59Z")},
		addFacts: sourceKnown,
		request:  `{` + requested + `, "operation": "server.create", "params": {"image_id": "` + img + `", "name": "web-2", "billing_method": "pay_as_you_go"}}`,
		want:     nil,
	}}
	untrusted := false
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []facts.Response
			for _, f := range tt.responses {
				rs = append(rs, f(t))
			}
			inv := mustRead(t, rs...)
			if tt.addFacts != nil {
				tt.addFacts(inv)
			}
			e, err := evaluator.New(context.Background(), evaluator.Options{Inventory: inv, TrustRequestFacts: &untrusted})
			if err != nil {
				t.Fatalf("evaluator with the inventory read: %v", err)
			}
			d, err := e.Decide(context.Background(), []byte(tt.request), evaluator.FormatJSON, evaluator.DecideOptions{Now: now})
			if err != nil {
				t.Fatalf("decide: %v", err)
			}
			var got []string
			for _, r := range d.Reasons {
				got = append(got, fmt.Sprintf("%s %s: %s", r.ID, r.Effect, r.Message))
			}
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tt.want[i])
			}
			if !ok {
				t.Errorf("%s: reasons\n%s\nwant (starts)\n%s\ninventory %s", tt.fact, strings.Join(got, "\n"), strings.Join(tt.want, "\n"), indent(inv))
			}
			denied := false
			for _, w := range tt.want {
				denied = denied || strings.Contains(w, " deny: ")
			}
			if d.Allowed == denied {
				t.Errorf("allowed = %v with reasons %q", d.Allowed, got)
			}
		})
	}
}
