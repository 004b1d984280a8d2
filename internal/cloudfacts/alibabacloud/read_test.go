package alibabacloud_test

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// TestRead reads SDK-built responses and asserts the whole inventory they
// make, which must also pass the inventory schema.
func TestRead(t *testing.T) {
	publicImage := image("ubuntu_24_04_x64_20G_alibase_20261101.vhd", "system", 0, "Available")
	publicImage.DiskDeviceMappings.DiskDeviceMapping = []ecs.DiskDeviceMapping{{Type: "system", Size: "20", Device: "/dev/xvda"}}
	copied := image("m-bp1copy0000000000001", "self", account, "Creating", "s-bp1copysnap00000001")
	copied.IsCopied = true

	tests := []struct {
		name      string
		responses func(t *testing.T) []facts.Response
		want      string
	}{{
		name: "DescribeImages: each ImageOwnerAlias, owner, status, copy, mappings",
		responses: func(t *testing.T) []facts.Response {
			return []facts.Response{response(t, "images.json", describeImages(region,
				image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"),
				image("m-bp1shared00000000001", "others", other, "Available", "s-bp1othersnap0000001"),
				image("m-bp1market00000000001", "marketplace", other, "Available", "s-bp1marketsnap000001"),
				publicImage, copied,
			))}
		},
		// The public image's one mapping names no snapshot: its list is empty.
		// The snapshots the images name are not resources: only
		// DescribeSnapshots says a snapshot exists.
		want: `{"resources": {
			"images": {
				"m-bp1g7004ksh0oeuc9xkq": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
					"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"]},
				"m-bp1shared00000000001": {"region": "cn-hangzhou", "visibility": "others", "owner_project_id": "9876543210987654",
					"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1othersnap0000001"]},
				"m-bp1market00000000001": {"region": "cn-hangzhou", "visibility": "marketplace", "owner_project_id": "9876543210987654",
					"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1marketsnap000001"]},
				"ubuntu_24_04_x64_20G_alibase_20261101.vhd": {"region": "cn-hangzhou", "visibility": "system", "owner_project_id": null,
					"status": "Available", "is_copied": false, "snapshot_ids": []},
				"m-bp1copy0000000000001": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
					"status": "Creating", "is_copied": true, "snapshot_ids": ["s-bp1copysnap00000001"]}
			}}}`,
	}, {
		name: "DescribeSnapshots with DescribeImages: image_ids from the mappings, else from Usage",
		responses: func(t *testing.T) []facts.Response {
			return []facts.Response{
				// Snapshots first: the cross-reference does not depend on the order.
				response(t, "snapshots.json", describeSnapshots(
					snapshot("s-bp1c0doj0taqyzzogwvd", "system", "accomplished", "image"),
					snapshot("s-bp1e8xzhkfkl3w5tmd2p", "data", "accomplished", "image"),
					// Usage none, but an image names it: the image wins.
					snapshot("s-bp1usagelags0000001", "system", "accomplished", "none"),
					snapshot("s-bp1unused0000000001", "data", "accomplished", "none"),
					snapshot("s-bp1disks0000000001", "data", "accomplished", "disk"),
					// Used by an image that is not among the responses: unknown.
					snapshot("s-bp1elsewhere0000001", "system", "accomplished", "image_disk"),
					snapshot("s-bp1making0000000001", "system", "progressing", ""),
					snapshot("s-bp1failed000000001", "System", "failed", "none"),
				)),
				response(t, "images.json", describeImages(region,
					image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"),
					image("m-bp1second0000000001", "self", account, "Available", "s-bp1c0doj0taqyzzogwvd", "s-bp1usagelags0000001"),
				)),
			}
		},
		want: `{"resources": {
			"images": {
				"m-bp1g7004ksh0oeuc9xkq": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
					"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1c0doj0taqyzzogwvd", "s-bp1e8xzhkfkl3w5tmd2p"]},
				"m-bp1second0000000001": {"region": "cn-hangzhou", "visibility": "self", "owner_project_id": "1234567890123456",
					"status": "Available", "is_copied": false, "snapshot_ids": ["s-bp1c0doj0taqyzzogwvd", "s-bp1usagelags0000001"]}
			},
			"snapshots": {
				"s-bp1c0doj0taqyzzogwvd": {"disk_type": "system", "status": "accomplished", "image_ids": ["m-bp1g7004ksh0oeuc9xkq", "m-bp1second0000000001"]},
				"s-bp1e8xzhkfkl3w5tmd2p": {"disk_type": "data", "status": "accomplished", "image_ids": ["m-bp1g7004ksh0oeuc9xkq"]},
				"s-bp1usagelags0000001": {"disk_type": "system", "status": "accomplished", "image_ids": ["m-bp1second0000000001"]},
				"s-bp1unused0000000001": {"disk_type": "data", "status": "accomplished", "image_ids": []},
				"s-bp1disks0000000001": {"disk_type": "data", "status": "accomplished", "image_ids": []},
				"s-bp1elsewhere0000001": {"disk_type": "system", "status": "accomplished"},
				"s-bp1making0000000001": {"disk_type": "system", "status": "progressing"},
				"s-bp1failed000000001": {"disk_type": "System", "status": "failed", "image_ids": []}
			}}}`,
	}, {
		name: "DescribeInstances: status, region, charge type, ExpiredTime, financial lock",
		responses: func(t *testing.T) []facts.Response {
			return []facts.Response{response(t, "instances.json", describeInstances(
				instance("i-bp67acfmxazb4ph8ozrs", "Running", "PostPaid", "2099-12-31T15:59Z"),
				instance("i-bp1g6zv0ce8oghu7k2mz", "Stopped", "PrePaid", "2026-11-01T16:00Z", "financial"),
				instance("i-bp1postpaidowing0001", "Stopped", "PostPaid", "2099-12-31T15:59Z", "security", "financial"),
				instance("i-bp1securitylock0001", "Running", "PrePaid", "2027-06-30T16:00Z", "security"),
				instance("i-bp1starting00000001", "Starting", "PrePaid", "2027-06-30T16:00:00Z"),
			))}
		},
		// Without a financial lock the payment is not overdue: null, a fact.
		want: `{"resources": {"servers": {
			"i-bp67acfmxazb4ph8ozrs": {"region": "cn-hangzhou", "status": "Running", "billing_method": "PostPaid",
				"expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null},
			"i-bp1g6zv0ce8oghu7k2mz": {"region": "cn-hangzhou", "status": "Stopped", "billing_method": "PrePaid",
				"expired_at": "2026-11-01T16:00Z", "payment_overdue_since": "2026-11-20T08:30:15Z"},
			"i-bp1postpaidowing0001": {"region": "cn-hangzhou", "status": "Stopped", "billing_method": "PostPaid",
				"expired_at": "2099-12-31T15:59Z", "payment_overdue_since": "2026-11-20T08:30:15Z"},
			"i-bp1securitylock0001": {"region": "cn-hangzhou", "status": "Running", "billing_method": "PrePaid",
				"expired_at": "2027-06-30T16:00Z", "payment_overdue_since": null},
			"i-bp1starting00000001": {"region": "cn-hangzhou", "status": "Starting", "billing_method": "PrePaid",
				"expired_at": "2027-06-30T16:00:00Z", "payment_overdue_since": null}
		}}}`,
	}, {
		name: "DescribeDisks: region",
		responses: func(t *testing.T) []facts.Response {
			return []facts.Response{response(t, "disks.json", describeDisks(
				disk("d-bp1c0doj0taqyzzogwvd", region, "i-bp1g6zv0ce8oghu7k2mz"),
				disk("d-2ze1beijing000000001", "cn-beijing", ""),
			))}
		},
		want: `{"resources": {"disks": {
			"d-bp1c0doj0taqyzzogwvd": {"region": "cn-hangzhou"},
			"d-2ze1beijing000000001": {"region": "cn-beijing"}
		}}}`,
	}, {
		name: "region from --region only where the response says none; RegionId wins",
		responses: func(t *testing.T) []facts.Response {
			noRegion := instance("i-bp1noregion00000001", "Running", "PostPaid", "2099-12-31T15:59Z")
			noRegion.RegionId = ""
			r := response(t, "instances.json", describeInstances(noRegion,
				instance("i-bp67acfmxazb4ph8ozrs", "Running", "PostPaid", "2099-12-31T15:59Z")))
			r.Region = "cn-shanghai"
			imgs := response(t, "images.json", describeImages("", image("m-bp1g7004ksh0oeuc9xkq", "self", account, "Available")))
			imgs.Region = "cn-shanghai"
			d := response(t, "disks.json", describeDisks(disk("d-bp1noregion00000001", "", "")))
			return []facts.Response{r, imgs, d}
		},
		want: `{"resources": {
			"servers": {
				"i-bp1noregion00000001": {"region": "cn-shanghai", "status": "Running", "billing_method": "PostPaid",
					"expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null},
				"i-bp67acfmxazb4ph8ozrs": {"region": "cn-hangzhou", "status": "Running", "billing_method": "PostPaid",
					"expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null}
			},
			"images": {"m-bp1g7004ksh0oeuc9xkq": {"region": "cn-shanghai", "visibility": "self", "owner_project_id": "1234567890123456",
				"status": "Available", "is_copied": false, "snapshot_ids": []}},
			"disks": {"d-bp1noregion00000001": {}}}}`,
	}, {
		name: "empty pages (the SDK writes an empty list as null) and an item seen on two pages",
		responses: func(t *testing.T) []facts.Response {
			in := instance("i-bp67acfmxazb4ph8ozrs", "Running", "PostPaid", "2099-12-31T15:59Z")
			return []facts.Response{
				response(t, "images-empty.json", describeImages(region)),
				response(t, "snapshots-empty.json", describeSnapshots()),
				response(t, "instances-page-1.json", describeInstances(in)),
				response(t, "instances-page-2.json", describeInstances(in)),
				response(t, "disks-empty.json", describeDisks()),
			}
		},
		want: `{"resources": {"servers": {"i-bp67acfmxazb4ph8ozrs": {"region": "cn-hangzhou", "status": "Running",
			"billing_method": "PostPaid", "expired_at": "2099-12-31T15:59Z", "payment_overdue_since": null}}}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRead(t, tt.responses(t)...)
			if !sameJSON(t, got, tt.want) {
				t.Errorf("inventory:\n%s\nwant:\n%s", indent(got), tt.want)
			}
		})
	}
}
