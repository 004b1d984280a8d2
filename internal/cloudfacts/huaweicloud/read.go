package huaweicloud

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// The values each enum attribute takes, exactly as Huawei sends them
// (REAL-SHAPES §2.2, §0 finding 8). Each is kept as the cloud spells it:
// schemas/facts.json and policies/lib/facts.rego accept every one of them
// (TestEnumsPassTheSchema). Those schema patterns are closed, so a value
// outside these lists (a new ECS status, a new CBR resource_type) could not
// be kept as it is: it is a problem at its pointer, never dropped or
// guessed (a dropped status would make IMS-IMG-013 quiet, say). The import
// fails loudly and a sync keeps its last good inventory until imgadmit
// learns the value.
var (
	imageStatuses  = set("queued", "saving", "deleted", "killed", "active")
	imageTypes     = set("gold", "private", "shared", "market") // __imagetype
	glanceVisibles = set("private", "public", "shared")         // Glance visibility
	backupStatuses = set("available", "protecting", "deleting", "restoring", "error",
		"waiting_protect", "waiting_delete", "waiting_restore")
	backupResourceTypes = set("OS::Nova::Server", "OS::Cinder::Volume", "OS::Ironic::BareMetalServer",
		"OS::Native::Server", "OS::Sfs::Turbo", "OS::Workspace::DesktopV2")
	serverStatuses = set("ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PAUSED",
		"REBOOT", "REBUILD", "RESIZE", "REVERT_RESIZE", "SHUTOFF", "SHELVED", "SHELVED_OFFLOADED",
		"SOFT_DELETED", "SUSPENDED", "VERIFY_RESIZE", "UNKNOWN")
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// reader reads one response.
type reader struct {
	r   facts.Response
	set *facts.Set
	st  *state
}

func newReader(r facts.Response, s *facts.Set) *reader {
	return &reader{r: r, set: s, st: stateOf(s)}
}

func (rd *reader) problem(ptr, format string, args ...any) {
	rd.set.Problem(rd.r, ptr, format, args...)
}

// at is the JSON pointer to key in the object at base.
func at(base, key string) string {
	if strings.ContainsAny(key, "~/") {
		key = strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
	}
	return base + "/" + key
}

// list reads the array under key, each item an object, with item.
func (rd *reader) list(key string, item func(base string, m map[string]any)) {
	v := rd.r.Doc[key]
	list, ok := v.([]any)
	if !ok {
		rd.problem("/"+key, "%s is %s, not an array: a truncated or broken page", key, facts.TypeName(v))
		return
	}
	for i, v := range list {
		base := "/" + key + "/" + strconv.Itoa(i)
		m, ok := v.(map[string]any)
		if !ok {
			rd.problem(base, "item is %s, not an object: a truncated or broken page", facts.TypeName(v))
			continue
		}
		item(base, m)
	}
}

// id is the item's id; ok false (a problem) when it has none.
func (rd *reader) id(base string, m map[string]any) (string, bool) {
	v, present := m["id"]
	s, isString := v.(string)
	switch {
	case !present:
		rd.problem(base, "no id: a truncated or broken item")
	case !isString:
		rd.problem(at(base, "id"), "id is %s, not a string", facts.TypeName(v))
	case s == "":
		rd.problem(at(base, "id"), "id is empty")
	default:
		return s, true
	}
	return "", false
}

// str is the string attribute key; present false when it is absent or
// null, ok false (a problem) when it is of another type.
func (rd *reader) str(base string, m map[string]any, key string) (s string, present, ok bool) {
	v := m[key]
	if v == nil {
		return "", false, true
	}
	s, ok = v.(string)
	if !ok {
		rd.problem(at(base, key), "%s is %s, not a string", key, facts.TypeName(v))
		return "", false, false
	}
	return s, true, true
}

// boolean is the Boolean attribute key, as str.
func (rd *reader) boolean(base string, m map[string]any, key string) (b, present, ok bool) {
	v := m[key]
	if v == nil {
		return false, false, true
	}
	b, ok = v.(bool)
	if !ok {
		rd.problem(at(base, key), "%s is %s, not a boolean", key, facts.TypeName(v))
		return false, false, false
	}
	return b, true, true
}

// enum is the string attribute key when it is one of values; a value of
// another type or outside values is a problem.
func (rd *reader) enum(base string, m map[string]any, key string, values map[string]bool) (string, bool) {
	s, present, ok := rd.str(base, m, key)
	if !present || !ok {
		return "", false
	}
	if !values[s] {
		rd.problem(at(base, key), "%s %q is not a value imgadmit knows (%s); facts.json has no room for it, so it cannot be kept as the cloud said it", key, s, known(values))
		return "", false
	}
	return s, true
}

func known(values map[string]bool) string {
	out := make([]string, 0, len(values))
	for v := range values {
		out = append(out, v)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// object is the object attribute key, nil when absent or null (or of
// another type: a problem).
func (rd *reader) object(base string, m map[string]any, key string) map[string]any {
	v := m[key]
	if v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		rd.problem(at(base, key), "%s is %s, not an object", key, facts.TypeName(v))
	}
	return o
}

// region puts the response's region (from --region) as the resource's
// region fact; Huawei responses never say it themselves.
func (rd *reader) region(kind, id string) {
	if rd.r.Region != "" {
		rd.set.Put(rd.r, "", kind, id, "region", rd.r.Region)
	}
}

func readListImages(r facts.Response, s *facts.Set) {
	rd := newReader(r, s)
	rd.st.sawImageList = true
	rd.list("images", rd.image)
}

func readShowImage(r facts.Response, s *facts.Set) { newReader(r, s).image("", r.Doc) }

// image reads one IMS image (ListImages item or GlanceShowImage).
func (rd *reader) image(base string, m map[string]any) {
	id, ok := rd.id(base, m)
	if !ok {
		return
	}
	rd.set.Resource("images", id)
	put := func(key, fact string, v any) { rd.set.Put(rd.r, at(base, key), "images", id, fact, v) }
	ref := imageRef{id: id}

	// backup_id: __backup_id, "empty unless made from a backup"; empty or
	// absent reads as null (REAL-SHAPES §2.2).
	backupID, _, backupOK := rd.str(base, m, "__backup_id")
	if backupOK {
		ref.backupKnown = true
		ref.backupID = backupID
		if backupID == "" {
			put("__backup_id", "backup_id", nil)
		} else {
			put("__backup_id", "backup_id", backupID)
		}
	}

	// image_type: __whole_image ("true"/"false" as the API sends it, a
	// Boolean as it documents it: both read) says full-ECS; when it is
	// absent (the SDK models have no such field, finding 4), a non-empty
	// __backup_id does (images made from backups are full-ECS images).
	// Otherwise virtual_env_type: FusionCompute -> system, DataImage -> data,
	// IsoImage -> iso; Ironic (a BMS image) has no imgadmit image_type and
	// leaves the fact out: rules that need it report it missing (REQ-002).
	whole, wholeKnown := false, false
	switch v := m["__whole_image"].(type) {
	case nil:
	case bool:
		whole, wholeKnown = v, true
	case string:
		switch v {
		case "true":
			whole, wholeKnown = true, true
		case "false":
			wholeKnown = true
		default:
			rd.problem(at(base, "__whole_image"), "__whole_image %q is neither \"true\" nor \"false\"", v)
			return
		}
	default:
		rd.problem(at(base, "__whole_image"), "__whole_image is %s, not a string or a boolean", facts.TypeName(v))
		return
	}
	switch {
	case whole:
		put("__whole_image", "image_type", "full_ecs")
	case !wholeKnown && backupID != "":
		put("__backup_id", "image_type", "full_ecs")
	default:
		env, present, ok := rd.str(base, m, "virtual_env_type")
		if present && ok {
			switch env {
			case "FusionCompute":
				put("virtual_env_type", "image_type", "system")
			case "DataImage":
				put("virtual_env_type", "image_type", "data")
			case "IsoImage":
				put("virtual_env_type", "image_type", "iso")
			case "Ironic":
				// A BMS image: no imgadmit image_type (left out).
			default:
				rd.problem(at(base, "virtual_env_type"), "virtual_env_type %q is not one imgadmit knows (FusionCompute, DataImage, IsoImage, Ironic); image_type has no room for it", env)
			}
		}
	}

	// visibility: __imagetype (gold, private, shared, market) as IMS spells
	// it; Glance's visibility (private, public, shared) only when
	// __imagetype is absent: it cannot say "market".
	if _, has := m["__imagetype"]; has {
		if v, ok := rd.enum(base, m, "__imagetype", imageTypes); ok {
			put("__imagetype", "visibility", v)
		}
	} else if v, ok := rd.enum(base, m, "visibility", glanceVisibles); ok {
		put("visibility", "visibility", v)
	}

	// owner_project_id: owner, the owning project; empty reads as null.
	if owner, present, ok := rd.str(base, m, "owner"); present && ok {
		ref.owner = owner
		if owner == "" {
			put("owner", "owner_project_id", nil)
		} else {
			put("owner", "owner_project_id", owner)
		}
	}

	if st, ok := rd.enum(base, m, "status", imageStatuses); ok {
		ref.status = st
		put("status", "status", st)
	}
	rd.region("images", id)
	rd.st.images = append(rd.st.images, ref)
}

func readListBackups(r facts.Response, s *facts.Set) {
	rd := newReader(r, s)
	before := len(rd.st.backups)
	rd.list("backups", rd.backup)
	// The list is complete when the backups its pages listed add up to the
	// count CBR gives (every backup there is, on every page): only then is a
	// server none of them is of a server with no backup.
	if n, ok := r.Doc["count"].(json.Number); ok {
		if c, err := n.Int64(); err == nil && c >= 0 {
			rd.st.backupCount = max(rd.st.backupCount, c)
			rd.st.backupCounted = true
		}
	}
	if rd.st.listedBackups == nil {
		rd.st.listedBackups = map[string]bool{}
	}
	for _, b := range rd.st.backups[before:] {
		rd.st.listedBackups[b.id] = true
	}
}

// readShowBackup reads one backup: it says nothing of the others.
func readShowBackup(r facts.Response, s *facts.Set) {
	rd := newReader(r, s)
	rd.backup("/backup", r.Doc["backup"].(map[string]any))
}

// backup reads one CBR backup (ListBackups item or ShowBackup).
func (rd *reader) backup(base string, m map[string]any) {
	id, ok := rd.id(base, m)
	if !ok {
		return
	}
	rd.set.Resource("backups", id)
	put := func(ptr, fact string, v any) { rd.set.Put(rd.r, ptr, "backups", id, fact, v) }
	ref := backupRef{id: id}

	if t, ok := rd.enum(base, m, "resource_type", backupResourceTypes); ok {
		ref.resourceType = t
		put(at(base, "resource_type"), "resource_type", t)
	}
	if rid, present, ok := rd.str(base, m, "resource_id"); present && ok {
		if rid == "" {
			rd.problem(at(base, "resource_id"), "resource_id is empty")
		} else {
			ref.resourceID = rid
			put(at(base, "resource_id"), "resource_id", rid)
		}
	}
	if st, ok := rd.enum(base, m, "status", backupStatuses); ok {
		ref.status = st
		put(at(base, "status"), "status", st)
	}
	// project_id is no fact; it tells a backup shared with this tenant from
	// its own (from_shared_backup of the images made from it).
	if p, present, ok := rd.str(base, m, "project_id"); present && ok {
		ref.projectID = p
	}

	ref.imageIDNull = true
	if ext := rd.object(base, m, "extend_info"); ext != nil {
		eb := at(base, "extend_info")
		// image_creatable: supported_restore_mode == "snapshot" (CBR's
		// "Image can be created" mark), read only while the backup is being
		// made (protecting): an available backup typically says "backup".
		if mode, present, ok := rd.str(eb, ext, "supported_restore_mode"); present && ok && ref.status == "protecting" {
			put(at(eb, "supported_restore_mode"), "image_creatable", mode == "snapshot")
		}
		if b, present, ok := rd.boolean(eb, ext, "contain_system_disk"); present && ok {
			put(at(eb, "contain_system_disk"), "includes_system_disk", b)
		}
		if b, present, ok := rd.boolean(eb, ext, "auto_trigger"); present && ok {
			put(at(eb, "auto_trigger"), "auto_generated", b)
		}
		// image_id: the first os_images_data[].image_id; none (or an empty
		// list) is null, unless an IMS image names this backup (finish).
		switch v := ext["os_images_data"].(type) {
		case nil:
		case []any:
			for i, item := range v {
				ib := at(eb, "os_images_data") + "/" + strconv.Itoa(i)
				o, ok := item.(map[string]any)
				if !ok {
					rd.problem(ib, "item is %s, not an object", facts.TypeName(item))
					return
				}
				img, present, ok := rd.str(ib, o, "image_id")
				if !ok {
					return
				}
				if present && img != "" && ref.imageIDNull {
					ref.imageIDNull = false
					put(at(ib, "image_id"), "image_id", img)
				}
			}
		default:
			rd.problem(at(eb, "os_images_data"), "os_images_data is %s, not an array", facts.TypeName(v))
			return
		}
	}
	rd.st.backups = append(rd.st.backups, ref)
}

func readListServers(r facts.Response, s *facts.Set) {
	rd := newReader(r, s)
	rd.list("servers", rd.server)
}

func readShowServer(r facts.Response, s *facts.Set) {
	newReader(r, s).server("/server", r.Doc["server"].(map[string]any))
}

// server reads one ECS server (ListServersDetails item or ShowServer).
func (rd *reader) server(base string, m map[string]any) {
	id, ok := rd.id(base, m)
	if !ok {
		return
	}
	rd.set.Resource("servers", id)
	if st, ok := rd.enum(base, m, "status", serverStatuses); ok {
		rd.set.Put(rd.r, at(base, "status"), "servers", id, "status", st)
	}
	// billing_method: metadata.charging_mode "0" postPaid, "1" prePaid
	// (kept in Huawei's chargingMode spelling, which facts.rego reads);
	// "2" (spot) has no imgadmit billing method and is left out.
	if md := rd.object(base, m, "metadata"); md != nil {
		mb := at(base, "metadata")
		if mode, present, ok := rd.str(mb, md, "charging_mode"); present && ok {
			ptr := at(mb, "charging_mode")
			switch mode {
			case "0":
				rd.set.Put(rd.r, ptr, "servers", id, "billing_method", "postPaid")
			case "1":
				rd.set.Put(rd.r, ptr, "servers", id, "billing_method", "prePaid")
			case "2":
			default:
				rd.problem(ptr, "charging_mode %q is none of \"0\" (postPaid), \"1\" (prePaid), \"2\" (spot)", mode)
			}
		}
	}
	rd.region("servers", id)
	rd.st.servers = append(rd.st.servers, id)
}

func readListVolumes(r facts.Response, s *facts.Set) {
	rd := newReader(r, s)
	rd.list("volumes", rd.volume)
}

func readShowVolume(r facts.Response, s *facts.Set) {
	newReader(r, s).volume("/volume", r.Doc["volume"].(map[string]any))
}

// volume reads one EVS volume: a disk, known by its id and region; its
// backups come from CBR (finish).
func (rd *reader) volume(base string, m map[string]any) {
	id, ok := rd.id(base, m)
	if !ok {
		return
	}
	rd.set.Resource("disks", id)
	rd.region("disks", id)
	rd.st.disks = append(rd.st.disks, id)
}
