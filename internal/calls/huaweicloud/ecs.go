package huaweicloud

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// maxCount is the most servers (or disks) one call makes: ECS's and EVS's
// limit for a batch (PrePaidServer.count, CreateVolumeOption.count: 100).
const maxCount = 100

const (
	pServer = pBody + "/server"
	pExtend = pServer + "/extendparam"
)

// createServers: CreateServers (/v1.1), whose chargingMode is a string.
func createServers(c *call) result {
	return c.createServer(func(p *calldoc.Part, server map[string]any) {
		const pMode = pExtend + "/chargingMode"
		billing, from := "pay_as_you_go", pServer
		if ext, ok := c.d.Object(server, "extendparam", pExtend); ok {
			if m, ok := c.d.String(ext, "chargingMode", pMode); ok {
				switch m {
				case "prePaid":
					billing, from = "subscription", pMode
				case "postPaid":
					from = pMode
				default:
					c.d.Add(pMode, "chargingMode %q is not prePaid or postPaid", m)
				}
			}
		}
		p.Set("billing_method", billing, from)
	})
}

// createPostPaidServers: CreatePostPaidServers (/v1), whose chargingMode is
// a number, 0 (pay-per-use) its only value.
func createPostPaidServers(c *call) result {
	return c.createServer(func(p *calldoc.Part, server map[string]any) {
		const pMode = pExtend + "/chargingMode"
		from := pServer
		if ext, ok := c.d.Object(server, "extendparam", pExtend); ok {
			if n, ok := c.d.Int(ext, "chargingMode", pMode); ok {
				if n != 0 {
					c.d.Add(pMode, "chargingMode %d is not 0 (pay-per-use), the only value CreatePostPaidServers takes", n)
				}
				from = pMode
			}
		}
		p.Set("billing_method", "pay_as_you_go", from)
	})
}

// createServer reads a CreateServers or CreatePostPaidServers body: billing
// sets the part's billing_method.
func (c *call) createServer(billing func(*calldoc.Part, map[string]any)) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	server, ok := c.member(b, "server", pServer)
	if !ok {
		return result{}
	}
	image, iok := c.id(server, "imageRef", pServer+"/imageRef")
	n := c.count(server, "count", pServer+"/count")
	if why := c.dataImages(server); why != "" {
		return result{unknown: why}
	}
	if !iok || c.d.Failed() {
		return result{}
	}
	p := c.newServer(image, pServer+"/imageRef")
	copyParam(p, server, "name", pServer+"/name", "name")
	billing(p, server)
	return result{op: "server.create", parts: repeat(p, n)}
}

// newServer starts a server.create part for image. temporary is true: in
// the real API a server made from an ISO image is a temporary installer
// server (the flag means nothing for other images).
func (c *call) newServer(image, from string) *calldoc.Part {
	p := c.d.NewPart("server.create", pServer)
	p.Set("image_id", image, from)
	p.Set("temporary", true, pCall)
	return p
}

// dataImages is why a server create that also makes a data disk from an
// image is refused: one call is one operation, and that disk would be a
// disk.create imgadmit cannot judge within it ("" for none).
func (c *call) dataImages(server map[string]any) string {
	vols, _ := c.list(server, "data_volumes", pServer+"/data_volumes", limitDataVolumes)
	for i, v := range vols {
		ptr := pServer + "/data_volumes/" + strconv.Itoa(i)
		vol, ok := v.(map[string]any)
		if !ok {
			c.d.Add(ptr, "data_volumes[%d] must be an object, but got %s", i, calldoc.TypeName(v))
			continue
		}
		if img, ok := c.d.NonEmpty(vol, "data_image_id", ptr+"/data_image_id"); ok {
			return "the server's data volume " + strconv.Itoa(i) + " is made from image " + img + " (data_volumes[" + strconv.Itoa(i) + "].data_image_id): a disk made from an image within a server create is not judged (one call is one operation); create the server without it and the disk with CreateVolume"
		}
	}
	return ""
}

// count reads the number of servers (or disks) a call makes: 1 when absent,
// at most maxCount.
func (c *call) count(obj map[string]any, key, ptr string) int {
	n, ok := c.d.Int(obj, key, ptr)
	if !ok {
		return 1
	}
	if n < 1 || n > maxCount {
		c.d.Add(ptr, "%s %d is out of range: a call makes 1 to %d", key, n, maxCount)
		return 1
	}
	return int(n)
}

// repeat is n copies of p: one canonical request per server (or disk) made.
func repeat(p *calldoc.Part, n int) []*calldoc.Part {
	parts := make([]*calldoc.Part, n)
	parts[0] = p
	for i := 1; i < n; i++ {
		parts[i] = p.Clone()
	}
	return parts
}

// novaCreateServers: NovaCreateServers, the native OpenStack call.
func novaCreateServers(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	server, ok := c.member(b, "server", pServer)
	if !ok {
		return result{}
	}
	image, from := "", ""
	if s, ok := c.d.NonEmpty(server, "imageRef", pServer+"/imageRef"); ok {
		image, from = s, pServer+"/imageRef"
	}
	// The block devices: a boot image when imageRef is absent; any other
	// device made from an image is a disk imgadmit cannot judge here.
	bdms, _ := c.list(server, "block_device_mapping_v2", pServer+"/block_device_mapping_v2", limitList)
	var other string
	for i, v := range bdms {
		ptr := pServer + "/block_device_mapping_v2/" + strconv.Itoa(i)
		bdm, ok := v.(map[string]any)
		if !ok {
			c.d.Add(ptr, "block_device_mapping_v2[%d] must be an object, but got %s", i, calldoc.TypeName(v))
			continue
		}
		if st, _ := c.d.String(bdm, "source_type", ptr+"/source_type"); st != "image" {
			continue
		}
		uuid, ok := c.id(bdm, "uuid", ptr+"/uuid")
		if !ok {
			continue
		}
		// The boot volume made from the server's own image (imageRef names
		// it too, or is absent) is the server's image, not another disk.
		if isBoot(bdm["boot_index"]) && (image == "" || uuid == image) {
			if image == "" {
				image, from = uuid, ptr+"/uuid"
			}
		} else if other == "" {
			other = "block_device_mapping_v2[" + strconv.Itoa(i) + "] makes a volume from image " + uuid
		}
	}
	minN := c.count(server, "min_count", pServer+"/min_count")
	maxN := minN
	if _, present := server["max_count"]; present {
		maxN = c.count(server, "max_count", pServer+"/max_count")
		if maxN < minN {
			c.d.Add(pServer+"/max_count", "max_count %d is less than min_count %d", maxN, minN)
		}
	}
	if c.d.Failed() {
		return result{}
	}
	if other != "" {
		return result{unknown: other + ": a disk made from an image within a server create is not judged (one call is one operation); create the server without it and the disk with CreateVolume"}
	}
	if image == "" {
		return result{unknown: "NovaCreateServers names no image (imageRef, or a boot block device from an image): a server booted from a volume or a snapshot is not judged; imgadmit judges server.create by its image"}
	}
	p := c.newServer(image, from)
	copyParam(p, server, "name", pServer+"/name", "name")
	p.Set("billing_method", "pay_as_you_go", pPath)
	return result{op: "server.create", parts: repeat(p, maxN)}
}

// isBoot: boot_index 0, as the string the SDK sends or a number.
func isBoot(v any) bool {
	switch b := v.(type) {
	case string:
		return b == "0"
	case json.Number:
		return b == "0"
	case float64:
		return b == 0
	}
	return false
}

// serversActions name the calls that share /v1/{project_id}/cloudservers/action
// by the body's one member.
var serversActions = map[string]string{"os-start": "BatchStartServers", "os-stop": "BatchStopServers", "reboot": "BatchRebootServers"}

// novaActions name the calls that share /v2.1/{project_id}/servers/{server_id}/action.
var novaActions = map[string]string{"os-start": "NovaStartServer", "addSecurityGroup": "NovaAssociateSecurityGroup", "removeSecurityGroup": "NovaDisassociateSecurityGroup"}

// serversAction: the batch action path, os-start starts the servers named.
var serversAction = actionPath(serversActions, func(c *call, b map[string]any) result {
	const pStart = pBody + "/os-start"
	start, ok := c.member(b, "os-start", pStart)
	if !ok {
		return result{}
	}
	return c.serversParts("server.start", pStart, c.serverIDs(start, pStart+"/servers"))
})

// novaServerAction: the native action path, {"os-start": null} starts the
// path's server.
var novaServerAction = actionPath(novaActions, func(c *call, _ map[string]any) result {
	p := c.d.NewPart("server.start", pBody)
	p.Set("server_id", c.param("server_id"), pPath)
	return result{op: "server.start", parts: []*calldoc.Part{p}}
})

// actionPath translates a path several calls share, told apart by the
// body's one member (actions names them): start reads an os-start body;
// any other action is a write with no imgadmit operation.
func actionPath(actions map[string]string, start func(*call, map[string]any) result) func(*call) result {
	return func(c *call) result {
		b, ok := c.bodyObject()
		if !ok {
			return result{}
		}
		key, ok := c.action(b)
		if !ok {
			return result{}
		}
		name := actions[key]
		if key != "os-start" {
			return result{name: name, unnamed: name == "", unknown: actionWhy(name, key, c.route.Path)}
		}
		r := start(c, b)
		r.name = name
		return r
	}
}

// action is the action an action body names: its one member.
func (c *call) action(b map[string]any) (string, bool) {
	if len(b) != 1 {
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c.d.Add(pBody, "an action body has one member, the action; this one has %d (%s)", len(b), strings.Join(keys, ", "))
		return "", false
	}
	for k := range b {
		return k, true
	}
	return "", false
}

// actionWhy is why an action with no imgadmit operation is refused.
func actionWhy(name, key, path string) string {
	if name == "" {
		return "POST " + path + " with the action " + strconv.Quote(key) + " maps onto no imgadmit operation"
	}
	return name + " (POST " + path + " with " + strconv.Quote(key) + ") maps onto no imgadmit operation"
}

type serverID struct{ id, from string }

// serverIDs reads servers [{id}], each id once.
func (c *call) serverIDs(obj map[string]any, ptr string) []serverID {
	list, ok := c.list(obj, "servers", ptr, limitServers)
	if !ok {
		if obj["servers"] == nil {
			c.d.Add(ptr, "missing required property \"servers\"")
		}
		return nil
	}
	if len(list) == 0 {
		c.d.Add(ptr, "servers is empty; name the servers")
		return nil
	}
	ids := make([]serverID, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, v := range list {
		base := ptr + "/" + strconv.Itoa(i)
		s, ok := v.(map[string]any)
		if !ok {
			c.d.Add(base, "servers[%d] must be an object {\"id\": ...}, but got %s", i, calldoc.TypeName(v))
			continue
		}
		id, ok := c.id(s, "id", base+"/id")
		if !ok {
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, serverID{id, base + "/id"})
		}
	}
	return ids
}

// changeServerOs: ChangeServerOsWithCloudInit and ChangeServerOsWithoutCloudInit.
// Only the image is read: passwords, key pairs, user data and metadata never
// enter a request.
func changeServerOs(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	const pChange = pBody + "/os-change"
	ch, ok := c.member(b, "os-change", pChange)
	if !ok {
		return result{}
	}
	image, ok := c.id(ch, "imageid", pChange+"/imageid")
	if !ok {
		return result{}
	}
	p := c.d.NewPart("server.change_os", pChange)
	p.Set("server_id", c.param("server_id"), pPath)
	p.Set("image_id", image, pChange+"/imageid")
	return result{op: "server.change_os", parts: []*calldoc.Part{p}}
}

// deleteServers: DeleteServers, one server.delete per server.
func deleteServers(c *call) result {
	b, ok := c.bodyObject()
	if !ok {
		return result{}
	}
	return c.serversParts("server.delete", pBody, c.serverIDs(b, pBody+"/servers"))
}

// serversParts is one op part per server (the part's params read at from),
// unless reading the call found a fault.
func (c *call) serversParts(op, from string, ids []serverID) result {
	if c.d.Failed() {
		return result{}
	}
	parts := make([]*calldoc.Part, len(ids))
	for i, id := range ids {
		p := c.d.NewPart(op, from)
		p.Set("server_id", id.id, id.from)
		parts[i] = p
	}
	return result{op: op, parts: parts}
}

// novaDeleteServer: NovaDeleteServer.
func novaDeleteServer(c *call) result {
	p := c.d.NewPart("server.delete", pPath)
	p.Set("server_id", c.param("server_id"), pPath)
	return result{op: "server.delete", parts: []*calldoc.Part{p}}
}
