package huaweicloud

import (
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// cbrTypes are the CBR resource types (CheckpointResourceResp.type) and the
// backup.create resource_type each is; "" for a type imgadmit does not
// govern (no rule judges backing it up).
var cbrTypes = map[string]string{
	"OS::Nova::Server":            "server",
	"OS::Cinder::Volume":          "disk",
	"OS::Ironic::BareMetalServer": "",
	"OS::Native::Server":          "",
	"OS::Sfs::Turbo":              "",
	"OS::Workspace::DesktopV2":    "",
}

const cbrTypeNames = "OS::Nova::Server, OS::Cinder::Volume, OS::Ironic::BareMetalServer, OS::Native::Server, OS::Sfs::Turbo, OS::Workspace::DesktopV2"

// createCheckpoint: CreateCheckpoint, one backup.create per resource backed
// up.
func createCheckpoint(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const (
		pCheckpoint = pBody + "/checkpoint"
		pParams     = pCheckpoint + "/parameters"
		pResources  = pParams + "/resources"
		pDetails    = pParams + "/resource_details"
	)
	cp, ok := c.member(b, "checkpoint", pCheckpoint)
	if !ok {
		return result{}
	}
	vault, vok := c.id(cp, "vault_id", pCheckpoint+"/vault_id")
	params, pok := c.d.Object(cp, "parameters", pParams)
	if !vok || (!pok && cp["parameters"] != nil) {
		return result{}
	}

	// The resources, in order: resources[], then the resource_details[]
	// entries resources[] does not name. Each with its type and the pointer
	// to its id.
	type resource struct {
		id, kind, cbrType, from, typeFrom string
	}
	var list []resource
	index := map[string]int{}
	ids, _ := c.strings(params, "resources", pResources, limitList)
	for i, id := range ids {
		from := pResources + "/" + strconv.Itoa(i)
		if id == "" {
			c.d.Add(from, "resources[%d] is empty; name the resource to back up", i)
			continue
		}
		if _, dup := index[id]; !dup {
			index[id] = len(list)
			list = append(list, resource{id: id, from: from})
		}
	}
	details, _ := c.list(params, "resource_details", pDetails, limitList)
	for i, e := range details {
		base := pDetails + "/" + strconv.Itoa(i)
		rd, ok := e.(map[string]any)
		if !ok {
			c.d.Add(base, "resource_details[%d] must be an object {id, type, name}, but got %s", i, calldoc.TypeName(e))
			continue
		}
		id, iok := c.id(rd, "id", base+"/id")
		typ, tok := c.d.String(rd, "type", base+"/type")
		if !tok && rd["type"] == nil {
			c.d.Add(base+"/type", "missing required property \"type\" (one of %s)", cbrTypeNames)
		}
		if !iok || !tok {
			continue
		}
		kind, known := cbrTypes[typ]
		if !known {
			c.d.Add(base+"/type", "type %q is not a CBR resource type (%s)", typ, cbrTypeNames)
			continue
		}
		j, seen := index[id]
		if !seen {
			j = len(list)
			index[id] = j
			list = append(list, resource{id: id, from: base + "/id"})
		}
		if list[j].cbrType != "" && list[j].cbrType != typ {
			c.d.Add(base+"/type", "resource %s is given as %s and as %s", id, list[j].cbrType, typ)
			continue
		}
		list[j].kind, list[j].cbrType, list[j].typeFrom = kind, typ, base+"/type"
	}
	if c.d.Failed() {
		return result{}
	}
	if len(list) == 0 {
		return result{unknown: "CreateCheckpoint names no resource (checkpoint.parameters.resources, resource_details): it backs up every resource in vault " + vault + ", which imgadmit cannot see; name the resources"}
	}
	parts := make([]*calldoc.Part, 0, len(list))
	var skipped []string
	for _, r := range list {
		kind, typeFrom := r.kind, r.typeFrom
		if r.cbrType == "" {
			// An id with no resource_details entry: the real API takes its
			// type from the vault, which imgadmit cannot see. It is a
			// server, the cautious reading (a server backup is the one a
			// rule warns about); the document's own resources facts are not
			// read here, for the caller writes them.
			kind, typeFrom = "server", r.from
		} else if kind == "" {
			skipped = append(skipped, r.id+" ("+r.cbrType+")")
			continue
		}
		p := c.d.NewPart("backup.create", pParams)
		p.Set("resource_id", r.id, r.from)
		p.Set("resource_type", kind, typeFrom)
		p.Set("vault_id", vault, pCheckpoint+"/vault_id")
		c.copyParams(p, params, pParams, "name", "description", "incremental")
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return result{unknown: "CreateCheckpoint backs up only resources imgadmit does not govern: " + strings.Join(skipped, ", ")}
	}
	return result{op: "backup.create", parts: parts}
}

// deleteBackup: DeleteBackup.
func deleteBackup(c *call) result {
	p := c.d.NewPart("backup.delete", pPath)
	p.Set("backup_id", c.param("backup_id"), pPath)
	return result{op: "backup.delete", parts: []*calldoc.Part{p}}
}

// restoreBackup: RestoreBackup, to the server or disk the body names.
func restoreBackup(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pRestore = pBody + "/restore"
	r, ok := c.member(b, "restore", pRestore)
	if !ok {
		return result{}
	}
	server, toServer := c.d.NonEmpty(r, "server_id", pRestore+"/server_id")
	volume, toDisk := c.d.NonEmpty(r, "volume_id", pRestore+"/volume_id")
	resource, toResource := c.d.NonEmpty(r, "resource_id", pRestore+"/resource_id")
	if toServer && toDisk {
		c.d.Add(pRestore+"/volume_id", "server_id and volume_id are both given; a restore writes to a server (server backups) or to a disk (disk backups)")
	}
	if !toServer && !toDisk && !c.d.Failed() {
		// The SDK's BackupRestore: server_id is required for a whole-server
		// restore, volume_id for a volume restore. Without either, mappings
		// or resource_id alone do not say what the restore overwrites.
		c.d.Add(pRestore, "RestoreBackup names server_id (a whole-server restore) or volume_id (a disk restore); the body has neither")
	}
	if c.d.Failed() {
		return result{}
	}
	// mappings are not read: with server_id they map the server backup's
	// disk backups onto that server's volumes (the target is the server);
	// with volume_id the API does not use them.
	if toResource && (toServer && resource != server || toDisk && resource != volume) {
		return result{unknown: "RestoreBackup to resource_id " + resource + ", which is not the server_id or volume_id it names: imgadmit cannot tell what the restore writes to; name the target as server_id (server backups) or volume_id (disk backups)"}
	}
	p := c.d.NewPart("backup.restore", pRestore)
	p.Set("backup_id", c.param("backup_id"), pPath)
	if toServer {
		p.Set("server_id", server, pRestore+"/server_id")
	}
	if toDisk {
		p.Set("disk_id", volume, pRestore+"/volume_id")
	}
	copyParam(p, r, "power_on", pRestore+"/power_on", "power_on")
	return result{op: "backup.restore", parts: []*calldoc.Part{p}}
}
