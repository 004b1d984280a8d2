package alibabacloud

import (
	"slices"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// An action is an ECS action the translator knows.
type action struct {
	known     calldoc.Known
	translate func(c *call, call evaluator.Call) (*evaluator.Translation, error)
}

// table is every action the translator knows, as docs/calls.md lists them.
var table = []*action{
	{known: calldoc.Known{Name: "CreateImage", Operation: "image.create",
		Notes: "InstanceId > DiskDeviceMapping > SnapshotId, the API's priority: InstanceId is source {server}; " +
			"otherwise the mapping with DiskType=system (else the one whose DiskType is unset, which the API " +
			"types by its snapshot, or Device=/dev/xvda) is source {snapshot}, its data-disk mappings being the " +
			"image's data disks, which no rule judges; otherwise SnapshotId is source {snapshot}. The SDK sends " +
			"SnapshotId and DiskDeviceMapping.1.SnapshotId together: the mapping wins, as in the API. " +
			"image_type is always system (no field). ImageName is required (the canonical name). " +
			"Tag.N.Key/Value become tags; Platform, Architecture, BootMode, ResourceGroupId are kept; " +
			"ImageFamily, ImageVersion, DetectionStrategy, Features, ClientToken are dropped."},
		translate: createImage},
	{known: calldoc.Known{Name: "DeleteImage", Operation: "image.delete",
		Notes: "Force becomes force. delete_snapshots has no API counterpart and is never set: the image's " +
			"snapshots are kept, as ECS-IMG-003 warns."},
		translate: deleteImage},
	{known: calldoc.Known{Name: "ModifyImageSharePermission", Operation: "image.share",
		Notes: "AddAccount.N (1-10) become members. A call that adds no account (only RemoveAccount.N, or " +
			"IsPublic=false) maps onto no operation and is refused (REQ-003); so is IsPublic=true (a community " +
			"image, open to every account: no canonical request judges it) and LaunchPermission (in " +
			"invitational preview, undocumented). RemoveAccount.N beside AddAccount.N is not judged: " +
			"unsharing only narrows who may use the image."},
		translate: shareImage},
	{known: calldoc.Known{Name: "ExportImage", Operation: "image.export",
		Notes: "OSSBucket becomes bucket_url, OSSPrefix oss_prefix, ImageFormat file_format (lower case, as " +
			"the API takes it; absent means raw). RoleName is dropped."},
		translate: exportImage},
	{known: calldoc.Known{Name: "CopyImage", Operation: "image.replicate",
		Notes: "RegionId is the source region; DestinationRegionId becomes destination_region, " +
			"DestinationImageName name, DestinationDescription description, Encrypted encrypted, KMSKeyId " +
			"kms_key_id. Tag.N, ResourceGroupId and EncryptAlgorithm are dropped."},
		translate: copyImage},
	{known: calldoc.Known{Name: "RunInstances", Operation: "server.create", Parts: "one per instance: Amount (1-100, default 1)",
		Notes: "InstanceName becomes name, InstanceChargeType billing_method (PrePaid subscription, PostPaid " +
			"or absent pay_as_you_go, the API's default). An image named by ImageFamily or by a launch " +
			"template instead of ImageId is not known until the call runs: refused (REQ-003). Passwords, key " +
			"pairs and user data are never copied."},
		translate: runInstances},
	{known: calldoc.Known{Name: "CreateInstance", Operation: "server.create",
		Notes: "As RunInstances, for one instance."},
		translate: createInstance},
	{known: calldoc.Known{Name: "StartInstance", Operation: "server.start"},
		translate: oneInstance("server.start")},
	{known: calldoc.Known{Name: "StartInstances", Operation: "server.start", Parts: "one per InstanceId.N (1-100)"},
		translate: manyInstances("server.start")},
	{known: calldoc.Known{Name: "ReplaceSystemDisk", Operation: "server.change_os",
		Notes: "InstanceId becomes server_id, ImageId image_id. The deprecated DiskId form with no ImageId " +
			"is refused (REQ-003). Password and KeyPairName are never copied."},
		translate: replaceSystemDisk},
	{known: calldoc.Known{Name: "DeleteInstance", Operation: "server.delete",
		Notes: "Force and TerminateSubscription are read (true or false) but have no canonical param."},
		translate: oneInstance("server.delete")},
	{known: calldoc.Known{Name: "DeleteInstances", Operation: "server.delete", Parts: "one per InstanceId.N (1-100)",
		Notes: "As DeleteInstance."},
		translate: manyInstances("server.delete")},
	{known: calldoc.Known{Name: "DeleteDisk", Operation: "disk.delete"},
		translate: deleteDisk},
	{known: calldoc.Known{Name: "DeleteSnapshot", Operation: "snapshot.delete",
		Notes: "Force becomes force."},
		translate: deleteSnapshot},
}

// actions are the known actions by name; knownActions their names, sorted,
// as REQ-003 lists them.
var (
	actions      = map[string]*action{}
	knownActions []string
)

func init() {
	for _, a := range table {
		a.known.Service = "ecs"
		a.known.Action = a.known.Name
		actions[a.known.Name] = a
		knownActions = append(knownActions, a.known.Name)
	}
	slices.Sort(knownActions)
}

// Calls are the calls the translator knows, sorted by action.
func Calls() []calldoc.Known {
	out := make([]calldoc.Known, len(table))
	for i, a := range table {
		out[i] = a.known
	}
	slices.SortFunc(out, func(a, b calldoc.Known) int { return strings.Compare(a.Action, b.Action) })
	return out
}

// part starts a canonical request of the call.
func (c *call) part(operation string) *calldoc.Part {
	return c.d.NewPart(operation, c.from)
}

// need reads a parameter the call cannot do without (the id it acts on).
func (c *call) need(name string) (string, bool) {
	v, ok := c.str(name)
	if !ok {
		c.d.Add(c.from, "missing required parameter %s", name)
	}
	return v, ok
}

// set sets param to v, the value of parameter name.
func (c *call) set(p *calldoc.Part, param string, v any, name string) {
	p.Set(param, v, c.ptr(name))
	c.named(p, "/"+param, name)
}

// origin records that params at sub came from parameter name.
func (c *call) origin(p *calldoc.Part, sub, name string) {
	p.Origin(sub, c.ptr(name))
	c.named(p, sub, name)
}

// named names the parameter a value at sub came from, for its errors, when
// its pointer cannot (the raw query string is one pointer for them all).
func (c *call) named(p *calldoc.Part, sub, name string) {
	if c.raw {
		p.Name(sub, "parameter "+name)
	}
}

// setNeeded sets param to the required parameter name.
func (c *call) setNeeded(p *calldoc.Part, param, name string) {
	if v, ok := c.need(name); ok {
		c.set(p, param, v, name)
	}
}

// setString sets param to parameter name when it is given.
func (c *call) setString(p *calldoc.Part, param, name string) {
	if v, ok := c.str(name); ok {
		c.set(p, param, v, name)
	}
}

// setBool sets param to the boolean parameter name when it is given.
func (c *call) setBool(p *calldoc.Part, param, name string) {
	if v, ok := c.boolean(name); ok {
		c.set(p, param, v, name)
	}
}

// setSource sets params.source to {type, id}, from parameter name.
func (c *call) setSource(p *calldoc.Part, typ, id, name string) {
	c.set(p, "source", map[string]any{"type": typ, "id": id}, name)
	c.origin(p, "/source/type", name)
	c.origin(p, "/source/id", name)
}

func (c *call) done(call evaluator.Call, operation string, parts ...*calldoc.Part) (*evaluator.Translation, error) {
	return c.d.Translation(call, operation, parts)
}

func createImage(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("image.create")
	p.Set("image_type", "system", "/call/action")
	c.setNeeded(p, "name", "ImageName")
	c.setString(p, "description", "Description")
	c.setString(p, "resource_group_id", "ResourceGroupId")
	c.setString(p, "platform", "Platform")
	c.setString(p, "architecture", "Architecture")
	c.setString(p, "boot_mode", "BootMode")
	c.readTags(p)
	// The mappings are read whatever the source: a malformed list is a
	// problem even where the API would not use it.
	n, mappingsOK := c.count(diskMappings)
	switch id, ok := c.str("InstanceId"); {
	case ok:
		c.setSource(p, "server", id, "InstanceId")
	case n > 0:
		if key, ok := c.systemSnapshot(n); ok {
			id, _ := c.get(key)
			c.setSource(p, "snapshot", id, key)
		}
	case mappingsOK:
		if id, ok := c.str("SnapshotId"); ok {
			c.setSource(p, "snapshot", id, "SnapshotId")
		} else {
			c.d.Add(c.from, "CreateImage needs a source: InstanceId, DiskDeviceMapping.N.SnapshotId or SnapshotId")
		}
	}
	return c.done(call, "image.create", p)
}

// systemSnapshot finds, among n disk mappings, the one that becomes the
// image's system disk, and returns the parameter of its snapshot id.
// DiskType says which ("system"; "data" for a data disk); a mapping that
// leaves it unset is typed by its snapshot, so when no mapping says system
// the one unset mapping is the system disk, or among several the one with
// the system disk's device name, /dev/xvda.
func (c *call) systemSnapshot(n int) (string, bool) {
	system, untyped, atXvda := 0, 0, 0
	unset := 0
	for i := 1; i <= n; i++ {
		key := diskMappings.key(i, "DiskType")
		switch t, _ := c.get(key); t {
		case "system":
			if system != 0 {
				c.d.Add(c.ptr(key), "parameter %s: %s and %s both say DiskType=system; an image has one system disk", key, diskMappings.key(system, ""), diskMappings.key(i, ""))
				return "", false
			}
			system = i
		case "data":
		case "":
			unset++
			untyped = i
			if d, _ := c.get(diskMappings.key(i, "Device")); d == "/dev/xvda" {
				atXvda = i
			}
		default:
			c.d.Add(c.ptr(key), "parameter %s must be system or data, but got %q", key, t)
			return "", false
		}
	}
	switch {
	case system != 0:
	case unset == 1:
		system = untyped
	case atXvda != 0:
		system = atXvda
	case unset == 0:
		c.d.Add(c.ptr(diskMappings.key(1, "DiskType")), "no DiskDeviceMapping is the system disk: every mapping says DiskType=data, and an image needs a system disk")
		return "", false
	default:
		c.d.Add(c.ptr(diskMappings.key(1, "")), "%d disk mappings leave DiskType unset, so which one is the system disk depends on their snapshots: say DiskType=system on the system disk's mapping", unset)
		return "", false
	}
	key := diskMappings.key(system, "SnapshotId")
	if !c.has(key) {
		c.d.Add(c.ptr(diskMappings.key(system, "DiskType")), "the system disk's mapping %s has no SnapshotId: a system disk is made from a snapshot", diskMappings.key(system, ""))
		return "", false
	}
	return key, true
}

// tagPointers are the canonical pointers of tag i's key and value.
var tagPointers = func() (out [20][2]string) {
	for i := range out {
		out[i] = [2]string{"/tags/" + strconv.Itoa(i) + "/key", "/tags/" + strconv.Itoa(i) + "/value"}
	}
	return out
}()

// readTags sets params.tags from Tag.N.Key and Tag.N.Value.
func (c *call) readTags(p *calldoc.Part) {
	n, ok := c.count(tags)
	if !ok || n == 0 {
		return
	}
	list := make([]any, 0, n)
	for i := 1; i <= n; i++ {
		k, v := tags.key(i, "Key"), tags.key(i, "Value")
		key, hasKey := c.str(k)
		if !hasKey {
			c.d.Add(c.ptr(v), "parameter %s is given without %s: a tag has a key", v, k)
			continue
		}
		c.origin(p, tagPointers[i-1][0], k)
		c.origin(p, tagPointers[i-1][1], v)
		value, _ := c.get(v)
		list = append(list, map[string]any{"key": key, "value": value})
	}
	c.set(p, "tags", list, tags.key(1, "Key"))
}

func deleteImage(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("image.delete")
	c.setNeeded(p, "image_id", "ImageId")
	c.setBool(p, "force", "Force")
	return c.done(call, "image.delete", p)
}

func shareImage(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("image.share")
	image, ok := c.need("ImageId")
	if ok {
		c.set(p, "image_id", image, "ImageId")
	}
	adds, keys, _ := c.values(addAccounts)
	removes, _, _ := c.values(removeAccounts)
	public, hasPublic := c.boolean("IsPublic")
	switch {
	case public:
		return c.d.Unknown(call, "ModifyImageSharePermission with IsPublic=true publishes image "+image+
			" as a community image, open to every account in its region: imgadmit has no canonical request that judges that", knownActions)
	case c.has("LaunchPermission"):
		return c.d.Unknown(call, "ModifyImageSharePermission with LaunchPermission (a parameter in invitational preview, undocumented) "+
			"changes who may launch image "+image+" in a way imgadmit cannot judge", knownActions)
	case len(adds) == 0:
		what := "shares image " + image + " with no account (no AddAccount.N)"
		switch {
		case len(removes) > 0:
			what = "only removes accounts (RemoveAccount.N) from image " + image
		case hasPublic:
			what = "only unpublishes community image " + image + " (IsPublic=false)"
		}
		return c.d.Unknown(call, "ModifyImageSharePermission that "+what+" maps onto no imgadmit operation", knownActions)
	}
	members := make([]any, len(adds))
	for i, a := range adds {
		members[i] = a
		c.origin(p, "/members/"+strconv.Itoa(i), keys[i])
	}
	c.set(p, "members", members, keys[0])
	return c.done(call, "image.share", p)
}

func exportImage(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("image.export")
	c.setNeeded(p, "image_id", "ImageId")
	c.setNeeded(p, "bucket_url", "OSSBucket")
	c.setString(p, "oss_prefix", "OSSPrefix")
	c.setString(p, "file_format", "ImageFormat")
	return c.done(call, "image.export", p)
}

func copyImage(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("image.replicate")
	c.setNeeded(p, "image_id", "ImageId")
	c.setString(p, "destination_region", "DestinationRegionId")
	c.setString(p, "name", "DestinationImageName")
	c.setString(p, "description", "DestinationDescription")
	c.setBool(p, "encrypted", "Encrypted")
	c.setString(p, "kms_key_id", "KMSKeyId")
	return c.done(call, "image.replicate", p)
}

// chargeTypes are InstanceChargeType's values.
var chargeTypes = map[string]string{"PrePaid": "subscription", "PostPaid": "pay_as_you_go"}

// newServer reads what RunInstances and CreateInstance share; the part is
// nil when the call names no image imgadmit can judge (why says so).
func (c *call) newServer() (p *calldoc.Part, why string) {
	p = c.part("server.create")
	image, hasImage := c.str("ImageId")
	family, hasFamily := c.str("ImageFamily")
	switch {
	case hasImage && hasFamily:
		c.d.Add(c.ptr("ImageFamily"), "parameters ImageId and ImageFamily cannot both be set (the API refuses the call)")
	case hasImage:
		c.set(p, "image_id", image, "ImageId")
	case hasFamily:
		return nil, c.action + " names image family " + family + " instead of an image (ImageId): its newest image is picked when the call runs, so imgadmit cannot judge it; resolve the family (DescribeImageFromFamily) and send ImageId"
	case c.has("LaunchTemplateId") || c.has("LaunchTemplateName"):
		return nil, c.action + " takes its image from a launch template, which imgadmit cannot see; send ImageId"
	default:
		c.d.Add(c.from, "missing required parameter ImageId")
	}
	c.setString(p, "name", "InstanceName")
	switch t, ok := c.str("InstanceChargeType"); {
	case !ok:
		p.Set("billing_method", "pay_as_you_go", "/call/action") // the API's default, PostPaid
	case chargeTypes[t] != "":
		c.set(p, "billing_method", chargeTypes[t], "InstanceChargeType")
	default:
		c.d.Add(c.ptr("InstanceChargeType"), "parameter InstanceChargeType must be PrePaid or PostPaid, but got %q", t)
	}
	return p, ""
}

func runInstances(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p, why := c.newServer()
	if p == nil {
		return c.d.Unknown(call, why, knownActions)
	}
	amount := 1
	if n, ok := c.integer("Amount", 1, 100); ok {
		amount = n
	}
	parts := make([]*calldoc.Part, amount)
	parts[0] = p
	for i := 1; i < amount; i++ {
		parts[i] = p.Clone()
	}
	return c.done(call, "server.create", parts...)
}

func createInstance(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p, why := c.newServer()
	if p == nil {
		return c.d.Unknown(call, why, knownActions)
	}
	return c.done(call, "server.create", p)
}

// oneInstance translates an action on one instance (InstanceId).
func oneInstance(operation string) func(*call, evaluator.Call) (*evaluator.Translation, error) {
	return func(c *call, call evaluator.Call) (*evaluator.Translation, error) {
		c.deleteFlags()
		p := c.part(operation)
		c.setNeeded(p, "server_id", "InstanceId")
		return c.done(call, operation, p)
	}
}

// manyInstances translates an action on InstanceId.N: one part each.
func manyInstances(operation string) func(*call, evaluator.Call) (*evaluator.Translation, error) {
	return func(c *call, call evaluator.Call) (*evaluator.Translation, error) {
		c.deleteFlags()
		ids, keys, ok := c.values(instanceIDs)
		if ok && len(ids) == 0 {
			c.d.Add(c.from, "missing required parameter InstanceId.1")
		}
		parts := make([]*calldoc.Part, len(ids))
		for i, id := range ids {
			parts[i] = c.part(operation)
			c.set(parts[i], "server_id", id, keys[i])
		}
		return c.done(call, operation, parts...)
	}
}

// deleteFlags checks DeleteInstance(s)' flags, which no canonical param
// carries: a value the API would refuse is refused here too.
func (c *call) deleteFlags() {
	if strings.HasPrefix(c.action, "Delete") {
		c.boolean("Force")
		c.boolean("TerminateSubscription")
	}
}

func replaceSystemDisk(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	if !c.has("ImageId") && c.has("DiskId") {
		disk, _ := c.str("DiskId")
		return c.d.Unknown(call, "ReplaceSystemDisk with DiskId "+disk+" and no ImageId (the deprecated form) does not name the image "+
			"the new system disk is made from: imgadmit cannot judge it; send ImageId", knownActions)
	}
	p := c.part("server.change_os")
	c.setNeeded(p, "server_id", "InstanceId")
	c.setNeeded(p, "image_id", "ImageId")
	return c.done(call, "server.change_os", p)
}

func deleteDisk(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("disk.delete")
	c.setNeeded(p, "disk_id", "DiskId")
	return c.done(call, "disk.delete", p)
}

func deleteSnapshot(c *call, call evaluator.Call) (*evaluator.Translation, error) {
	p := c.part("snapshot.delete")
	c.setNeeded(p, "snapshot_id", "SnapshotId")
	c.setBool(p, "force", "Force")
	return c.done(call, "snapshot.delete", p)
}
