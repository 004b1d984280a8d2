// Package alibabacloud reads Alibaba Cloud ECS describe responses
// (DescribeImages, DescribeSnapshots, DescribeInstances, DescribeDisks, API
// version 2014-05-26) into inventory facts, as REAL-SHAPES §2.3 maps them.
//
// Each response is read as raw JSON, in the SDK's wire shape (its JSON tags:
// PascalCase names, lists wrapped in an object, {"Images": {"Image": [...]}}),
// never through the SDK's typed models, so that an attribute the models lack
// or type differently is still read, and a value of an unexpected type is a
// problem at its pointer instead of a zero value.
//
// What is read, from where:
//
//	images     region                 the response's RegionId (the region queried)
//	           visibility             ImageOwnerAlias, as written (self, system, others, marketplace)
//	           owner_project_id       ImageOwnerId (a long) as a string; null for a system image without one
//	           status                 Status, as written (Available, Creating, CreateFailed, ...)
//	           is_copied              IsCopied
//	           snapshot_ids           DiskDeviceMappings.DiskDeviceMapping[].SnapshotId
//	snapshots  disk_type              SourceDiskType, as written (system, data)
//	           status                 Status, as written (progressing, accomplished, failed)
//	           image_ids              derived, for the snapshots listed: the images read that
//	                                  name the snapshot in their mappings; else [] when the
//	                                  snapshot's own Usage says no image uses it (none, disk);
//	                                  else left out
//	servers    status                 Status, as written (Running, Stopped, Pending, ...)
//	           region                 RegionId
//	           billing_method         InstanceChargeType, as written (PrePaid, PostPaid)
//	           expired_at             ExpiredTime, as written (2099-12-31T15:59Z: lib/facts.rego
//	                                  reads the pay-as-you-go year-2099 sentinel as null)
//	           payment_overdue_since  derived: OperationLocks.LockReason[].LockReason "financial"
//	                                  dated when first seen (the import's clock); null when
//	                                  OperationLocks is given and has no financial lock
//	disks      region                 RegionId
//
// Left out, with no real source in these responses (REAL-SHAPES §2.4):
// image image_type (an Alibaba custom image is always a system image, but no
// attribute says so), members (DescribeImageSharePermission),
// source_instance_id (only a fragile snapshot → disk → instance chain that
// breaks once the disk is released), backup_id, from_shared_backup,
// replica_of_region, encrypted_with_default_key (Huawei facts); server
// image_creation_in_progress, cloud_init, backup_ids, image_ids; disk
// backup_ids, image_ids.
package alibabacloud

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

const provider = "alibabacloud"

// Shapes are the Alibaba responses this package reads. A financial lock is
// dated by the wall clock (see ShapesAt).
func Shapes() []facts.Shape { return ShapesAt(time.Now) }

// ShapesAt are the Alibaba responses this package reads, with now as the
// clock that dates payment_overdue_since. An instance's OperationLocks say
// only that its payment is overdue now, not since when, and a response does
// not say when it was fetched: the date is the time the lock is first seen,
// read once per Set (every response read together gets the same date), so
// it is a lower bound of how long the payment has been overdue
// (REAL-SHAPES §2.3, "record first-seen time"). ECS-IMG-005 then warns
// from that date; a sync that keeps its previous inventory keeps the
// earlier date.
func ShapesAt(now func() time.Time) []facts.Shape {
	rd := reader{now: now}
	return []facts.Shape{
		{Provider: provider, Name: "ECS DescribeImages", Recognizes: recognizer("Images"), Read: rd.images},
		{Provider: provider, Name: "ECS DescribeSnapshots", Recognizes: recognizer("Snapshots"), Read: rd.snapshots},
		{Provider: provider, Name: "ECS DescribeInstances", Recognizes: recognizer("Instances"), Read: rd.instances},
		{Provider: provider, Name: "ECS DescribeDisks", Recognizes: recognizer("Disks"), Read: rd.disks},
	}
}

// lists are the four responses' lists: the wrapper object at the top and the
// array inside it.
var lists = map[string]string{"Images": "Image", "Snapshots": "Snapshot", "Instances": "Instance", "Disks": "Disk"}

// recognizer recognizes the response whose list is wrapped in outer: a
// document with Alibaba's RequestId and outer at the top, no other of the
// four lists, and only PascalCase names at the top (every Alibaba RPC
// response has them; Huawei's responses, imgadmit's inventory
// ({"resources", "settings"}), requests and call documents have lowercase
// ones, so no document is two shapes). What is inside outer is not looked at
// here: a truncated or mangled list is the reader's problem to report, with
// its pointer, not a reason to call the response unknown.
func recognizer(outer string) func(map[string]any) bool {
	return func(doc map[string]any) bool {
		if _, ok := doc["RequestId"]; !ok {
			return false
		}
		if _, ok := doc[outer]; !ok {
			return false
		}
		for k := range doc {
			if k == "" || k[0] < 'A' || k[0] > 'Z' {
				return false
			}
			if _, list := lists[k]; list && k != outer {
				return false
			}
		}
		return true
	}
}

// The values schemas/facts.json accepts for each enum fact, in any case
// (its patterns); Alibaba's spellings first. TestWordsAreTheSchemas holds
// them to the schema.
var (
	visibilities   = []string{"self", "system", "others", "marketplace", "private", "public", "shared", "market", "gold"}
	imageStatuses  = []string{"Available", "Creating", "CreateFailed", "UnAvailable", "Waiting", "Deprecated", "active", "queued", "saving", "killed", "deleted"}
	serverStatuses = []string{"Running", "Stopped", "Pending", "Starting", "Stopping",
		"active", "stopped", "building", "rebooting", "resizing", "migrating", "rebuilding", "paused", "suspended",
		"shelved", "shelved_offloaded", "soft_deleted", "error", "deleted", "unknown",
		"SHUTOFF", "BUILD", "REBOOT", "HARD_REBOOT", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "REBUILD"}
	billingMethods   = []string{"PrePaid", "PostPaid", "subscription", "pay_as_you_go"}
	diskTypes        = []string{"system", "data"}
	snapshotStatuses = []string{"progressing", "accomplished", "failed"}
)

type reader struct {
	now func() time.Time
}

// top is the response's list, and the items in it as objects; a list that
// is not an array, or an item that is not an object, is a problem (a
// truncated page).
func top(r facts.Response, set *facts.Set, outer string) []item {
	if id, ok := r.Doc["RequestId"].(string); !ok || id == "" {
		set.Problem(r, "/RequestId", "RequestId is %s, not the request's id", facts.TypeName(r.Doc["RequestId"]))
	}
	inner := lists[outer]
	if r.Doc[outer] == nil {
		set.Problem(r, "/"+outer, "%s is null, not an object with %s", outer, inner)
		return nil
	}
	raw, ok := wrapped(r, set, r.Doc, outer, inner, "")
	if !ok {
		return nil
	}
	items := make([]item, 0, len(raw))
	base := "/" + outer + "/" + inner + "/"
	for i, v := range raw {
		m, ok := v.(map[string]any)
		ptr := base + strconv.Itoa(i)
		if !ok {
			set.Problem(r, ptr, "%s is %s, not an object", inner, facts.TypeName(v))
			continue
		}
		items = append(items, item{r: r, set: set, m: m, ptr: ptr})
	}
	return items
}

// regionOf is the region in m's RegionId at ptr, else the response's Region
// (--region) when the response does not say, else "" (the region facts are
// left out). The response's own RegionId wins over --region: a Huawei and an
// Alibaba response imported together with one --region must both be read.
func regionOf(r facts.Response, set *facts.Set, m map[string]any, ptr string) (region, at string) {
	v, present := m["RegionId"]
	if present && v != nil {
		s, ok := v.(string)
		switch {
		case !ok:
			set.Problem(r, ptr, "RegionId is %s, not a string", facts.TypeName(v))
			return "", ""
		case s == "":
		case !isRegion(s):
			set.Problem(r, ptr, "RegionId %q is not a region id (lowercase words joined by '-', such as cn-hangzhou)", s)
			return "", ""
		default:
			return s, ptr
		}
	}
	if r.Region == "" {
		return "", ""
	}
	if !isRegion(r.Region) {
		set.Problem(r, "", "the region given for the response, %q, is not a region id (lowercase words joined by '-', such as cn-hangzhou)", r.Region)
		return "", ""
	}
	return r.Region, ""
}

// images reads DescribeImages.
func (rd reader) images(r facts.Response, set *facts.Set) {
	items := top(r, set, "Images")
	region, regionAt := regionOf(r, set, r.Doc, "/RegionId")
	var st *setState
	for _, it := range items {
		id, ok := it.id("ImageId")
		if !ok {
			continue
		}
		set.Resource("images", id) // known, even with no fact
		if region != "" {
			set.Put(r, regionAt, "images", id, "region", region)
		}
		alias, hasAlias := it.enum("ImageOwnerAlias", "an image owner alias", visibilities)
		if hasAlias {
			set.Put(r, it.at("ImageOwnerAlias"), "images", id, "visibility", alias)
		}
		// ImageOwnerId is a long (the SDK's int64, so 0 when the API leaves
		// it out). A system (public) image has no owner to speak of: null,
		// as facts.json has it. Any other image without one: left out.
		switch v := it.m["ImageOwnerId"]; {
		case v == nil:
			if hasAlias && strings.EqualFold(alias, "system") {
				set.Put(r, it.at("ImageOwnerAlias"), "images", id, "owner_project_id", nil)
			}
		default:
			owner, ok := accountID(v)
			switch {
			case !ok:
				it.problem("ImageOwnerId", "ImageOwnerId is %s, not an account id (a whole number)", describe(v))
			case owner == "0" && hasAlias && strings.EqualFold(alias, "system"):
				set.Put(r, it.at("ImageOwnerId"), "images", id, "owner_project_id", nil)
			case owner != "0":
				set.Put(r, it.at("ImageOwnerId"), "images", id, "owner_project_id", owner)
			}
		}
		if s, ok := it.enum("Status", "an image status", imageStatuses); ok {
			set.Put(r, it.at("Status"), "images", id, "status", s)
		}
		if b, ok := it.boolean("IsCopied"); ok {
			set.Put(r, it.at("IsCopied"), "images", id, "is_copied", b)
		}
		mappings, ok := wrapped(r, set, it.m, "DiskDeviceMappings", "DiskDeviceMapping", it.ptr)
		if !ok {
			continue
		}
		if st == nil {
			st = rd.state(set)
		}
		// A mapping without a SnapshotId names no snapshot (an image still
		// being made, or imported from OSS): it adds nothing to the list.
		snaps := make([]any, 0, len(mappings))
		base := it.at("DiskDeviceMappings/DiskDeviceMapping/")
		for j, mv := range mappings {
			mm, ok := mv.(map[string]any)
			ptr := base + strconv.Itoa(j)
			if !ok {
				set.Problem(r, ptr, "DiskDeviceMapping is %s, not an object", facts.TypeName(mv))
				continue
			}
			m := item{r: r, set: set, m: mm, ptr: ptr}
			if _, present := mm["SnapshotId"]; !present || mm["SnapshotId"] == "" || mm["SnapshotId"] == nil {
				continue
			}
			sid, ok := m.id("SnapshotId")
			if !ok || slices.Contains(snaps, any(sid)) {
				continue
			}
			snaps = append(snaps, sid)
			st.refs[sid] = append(st.refs[sid], ref{id: id, from: r.Name, ptr: m.at("SnapshotId")})
		}
		set.Put(r, it.at("DiskDeviceMappings"), "images", id, "snapshot_ids", snaps)
	}
}

// snapshots reads DescribeSnapshots. A snapshot's image_ids are completed
// once every response is read (setState.finish).
func (rd reader) snapshots(r facts.Response, set *facts.Set) {
	items := top(r, set, "Snapshots")
	var st *setState
	for _, it := range items {
		id, ok := it.id("SnapshotId")
		if !ok {
			continue
		}
		set.Resource("snapshots", id)
		if s, ok := it.enum("SourceDiskType", "a source disk type", diskTypes); ok {
			set.Put(r, it.at("SourceDiskType"), "snapshots", id, "disk_type", s)
		}
		if s, ok := it.enum("Status", "a snapshot status", snapshotStatuses); ok {
			set.Put(r, it.at("Status"), "snapshots", id, "status", s)
		}
		if st == nil {
			st = rd.state(set)
		}
		usage, _ := it.str("Usage")
		// Two responses may disagree (a list read while an image was
		// made): a Usage that does not rule images out wins.
		if old, seen := st.listed[id]; !seen || noImage(old.id) {
			st.listed[id] = ref{id: usage, from: r.Name, ptr: it.at("Usage")}
		}
	}
}

// instances reads DescribeInstances.
func (rd reader) instances(r facts.Response, set *facts.Set) {
	items := top(r, set, "Instances")
	var st *setState
	for _, it := range items {
		id, ok := it.id("InstanceId")
		if !ok {
			continue
		}
		set.Resource("servers", id)
		if region, at := regionOf(r, set, it.m, it.at("RegionId")); region != "" {
			set.Put(r, at, "servers", id, "region", region)
		}
		if s, ok := it.enum("Status", "an instance status", serverStatuses); ok {
			set.Put(r, it.at("Status"), "servers", id, "status", s)
		}
		if s, ok := it.enum("InstanceChargeType", "a charge type", billingMethods); ok {
			set.Put(r, it.at("InstanceChargeType"), "servers", id, "billing_method", s)
		}
		if s, ok := it.str("ExpiredTime"); ok {
			if isRuleTime(s) {
				set.Put(r, it.at("ExpiredTime"), "servers", id, "expired_at", s)
			} else {
				it.problem("ExpiredTime", "ExpiredTime %q is not a time (2026-12-31T16:00Z, or RFC 3339)", s)
			}
		}
		locks, ok := wrapped(r, set, it.m, "OperationLocks", "LockReason", it.ptr)
		if !ok {
			continue // no OperationLocks: whether the payment is overdue is not said
		}
		financial := false
		base := it.at("OperationLocks/LockReason/")
		for j, lv := range locks {
			lm, ok := lv.(map[string]any)
			ptr := base + strconv.Itoa(j)
			if !ok {
				set.Problem(r, ptr, "LockReason is %s, not an object", facts.TypeName(lv))
				continue
			}
			l := item{r: r, set: set, m: lm, ptr: ptr}
			// Other reasons (security, recycling, ...) lock the instance
			// for what is not a payment.
			if reason, ok := l.str("LockReason"); ok && strings.EqualFold(reason, "financial") {
				financial = true
			}
		}
		var since any // null: OperationLocks says no payment is overdue
		if financial {
			if st == nil {
				st = rd.state(set)
			}
			since = st.firstSeen()
		}
		set.Put(r, it.at("OperationLocks"), "servers", id, "payment_overdue_since", since)
	}
}

// disks reads DescribeDisks.
func (rd reader) disks(r facts.Response, set *facts.Set) {
	for _, it := range top(r, set, "Disks") {
		id, ok := it.id("DiskId")
		if !ok {
			continue
		}
		set.Resource("disks", id)
		if region, at := regionOf(r, set, it.m, it.at("RegionId")); region != "" {
			set.Put(r, at, "disks", id, "region", region)
		}
	}
}

// setState is what the responses read into one Set tell one another: the
// snapshots the images name, the snapshots' Usage, and the time a
// financial lock is first seen.
type setState struct {
	now   func() time.Time
	since string
	// refs: snapshot id -> the images that name it in their mappings.
	refs map[string][]ref
	// listed: the snapshots DescribeSnapshots listed -> its Usage (id holds
	// the value, "" when not said).
	listed map[string]ref
}

// ref is one thing said about a resource by one response, at ptr.
type ref struct {
	id   string
	from string // the response's name
	ptr  string
}

// stateKey is the key of the Alibaba state of a Set (facts.Set.State).
type stateKey struct{}

// state is set's state, made (with its one finisher) on first use.
func (rd reader) state(set *facts.Set) *setState {
	return set.State(stateKey{}, func() any {
		st := &setState{now: rd.now, refs: map[string][]ref{}, listed: map[string]ref{}}
		set.Finish(st.finish)
		return st
	}).(*setState)
}

// firstSeen is when a financial lock was first seen in this Set: one time
// for every response read together, in whole seconds, UTC.
func (st *setState) firstSeen() string {
	if st.since == "" {
		st.since = st.now().UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	return st.since
}

// finish completes the image_ids of each snapshot DescribeSnapshots listed,
// once every response is read.
//
// The images read that name the snapshot in their DiskDeviceMappings are its
// image_ids, whatever its Usage says (a snapshot an image names is in use;
// Usage may lag an image made between the two calls). When no image read
// names it, the list is [] only where the snapshot's own Usage says no image
// uses it (none, or disk: used only to make disks). Where Usage says an
// image uses it (image, image_disk) the images were not among the responses
// read, and where Usage is absent or unknown nothing says: image_ids is left
// out, so ECS-SNAP-001 asks for it (REQ-002) instead of reading an
// incomplete list as "no image". When only some of the images that use a
// snapshot were read, the list has only those: it is never empty, which is
// what ECS-SNAP-001 decides on.
//
// A snapshot only an image's mappings name is not made a resource: an image
// keeps naming its snapshots after they are released, and ECS-IMG-005 reads
// a snapshot the inventory holds as one that still exists. Only
// DescribeSnapshots says a snapshot exists.
func (st *setState) finish(set *facts.Set) {
	ids := make([]string, 0, len(st.listed))
	for id := range st.listed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, sid := range ids {
		if refs := st.refs[sid]; len(refs) > 0 {
			images := make([]string, 0, len(refs))
			for _, rf := range refs {
				images = append(images, rf.id)
			}
			slices.Sort(images)
			images = slices.Compact(images)
			list := make([]any, len(images))
			for i, id := range images {
				list[i] = id
			}
			set.Put(facts.Response{Name: refs[0].from}, refs[0].ptr, "snapshots", sid, "image_ids", list)
			continue
		}
		if u := st.listed[sid]; noImage(u.id) {
			set.Put(facts.Response{Name: u.from}, u.ptr, "snapshots", sid, "image_ids", []any{})
		}
	}
}

// noImage reports whether a snapshot's Usage says no image uses it: none,
// or disk (used only to make disks). The others are image and image_disk.
func noImage(usage string) bool {
	return strings.EqualFold(usage, "none") || strings.EqualFold(usage, "disk")
}

// describe is a value for a message: its JSON text where short.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case bool:
		return strconv.FormatBool(v)
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return facts.TypeName(v)
}
