// Package huaweicloud translates Huawei Cloud IMS, CBR, ECS and EVS REST
// calls into canonical requests (SPEC, "Real API calls"; REAL-SHAPES §1.1,
// §4). A call is its method, its path (as sent, with the query string or a
// separate query object), its headers, the endpoint host, and the JSON body
// as the official SDK serializes it. The path picks the call (routes.go); the
// call's own translator reads its body into one canonical request per
// resource it acts on (ims.go, cbr.go, ecs.go, evs.go).
package huaweicloud

import (
	"net/url"
	"slices"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// callMembers are the members a Huawei call object may have.
const callMembers = "body, headers, host, method, path, query"

// Pointers into the call document.
const (
	pCall    = "/call"
	pMethod  = "/call/method"
	pPath    = "/call/path"
	pQuery   = "/call/query"
	pHeaders = "/call/headers"
	pHost    = "/call/host"
	pBody    = "/call/body"
)

// call is the call being translated: its envelope read, its route matched.
type call struct {
	d       *calldoc.Document
	info    evaluator.Call
	route   *route
	segs    []string // the path's segments, percent-decoded
	body    any
	hasBody bool
}

// result is what a call's translator makes of it: the parts of one
// operation, or why the call is a write imgadmit cannot judge.
type result struct {
	// name, when set, names the call instead of the route (a shared path
	// whose body says which call it is).
	name    string
	unnamed bool // the call is none the translator can name
	op      string
	parts   []*calldoc.Part
	unknown string
}

// Translate reads d's call: method, path, query, headers, host and body.
func Translate(d *calldoc.Document) (*evaluator.Translation, error) {
	c := &call{d: d, info: evaluator.Call{Access: evaluator.AccessWrite}}
	for k := range d.Call {
		switch k {
		case "method", "path", "query", "headers", "host", "body":
		default:
			d.Add(calldoc.Pointer(pCall, k), "unknown member %q; a Huawei Cloud call has: %s", k, callMembers)
		}
	}
	method, mok := c.method()
	path, query, pok := c.path()
	if !mok || !pok {
		return nil, d.Err(c.info)
	}
	c.info.Method, c.info.Path = method, path
	if method == "GET" || method == "HEAD" {
		c.info.Access = evaluator.AccessRead
	}
	params := c.query(query)
	c.headers()
	hostService := c.host()
	c.body, c.hasBody = d.Call["body"]
	if c.body == nil {
		c.hasBody = false
	}

	c.route = match(method, c.segs)
	if c.route == nil {
		c.info.Service = hostService
		return d.Unknown(c.info, c.unknownWhy(method, path, hostService), knownList)
	}
	c.info.Service, c.info.Name = c.route.Service, c.route.Name
	if hostService != "" && hostService != c.route.Service {
		d.Add(pHost, "host %q is an endpoint of %s, but %s (%s %s) is a call of %s",
			d.Call["host"], strings.ToUpper(hostService), c.route.Name, c.route.Method, c.route.Path, strings.ToUpper(c.route.Service))
	}
	if i := c.route.projectSeg; i >= 0 {
		c.d.SetProject(c.segs[i], pPath, "the path's {project_id}")
	}
	if d.Failed() {
		return nil, d.Err(c.info)
	}
	r := c.route.translate(c)
	if r.name != "" || r.unnamed {
		c.info.Name = r.name
	}
	if r.unknown == "" {
		// No governed SDK call sends a query parameter: one the body's
		// reading would not see may change what the call does, so the
		// call is refused, not judged without it.
		for _, q := range params {
			d.Add(q.ptr, "%s takes no query parameters; imgadmit would not judge %q", c.info.Label(), q.name)
		}
	}
	if r.op == "" && r.unknown == "" && !d.Failed() {
		// A call's translator that neither translated nor found a fault
		// (a bug): never allow what was not read.
		r.unknown = c.route.Name + " could not be translated"
	}
	if r.unknown != "" {
		return d.Unknown(c.info, r.unknown, knownList)
	}
	return d.Translation(c.info, r.op, r.parts)
}

// method reads the HTTP method. Methods are case-sensitive (RFC 9110) and the
// SDKs send them upper case: "post" is not read as POST.
func (c *call) method() (string, bool) {
	m, ok := c.d.String(c.d.Call, "method", pMethod)
	if !ok {
		if _, present := c.d.Call["method"]; !present || c.d.Call["method"] == nil {
			c.d.Add(pMethod, "missing required property \"method\" (the HTTP method, such as POST)")
		}
		return "", false
	}
	if m == "" {
		c.d.Add(pMethod, "method is empty; give the HTTP method, such as POST")
		return "", false
	}
	for i := 0; i < len(m); i++ {
		if b := m[i]; b < 'A' || b > 'Z' {
			c.d.Add(pMethod, "method %q is not an upper-case HTTP method; methods are case-sensitive and the SDKs send them upper case, such as POST", m)
			return "", false
		}
	}
	return m, true
}

// path reads the path as sent: the path proper (returned, as written) and
// its query string. The path's segments are kept percent-decoded for
// matching: a gateway routes /v1/cloud%69mages as /v1/cloudimages.
func (c *call) path() (path, query string, ok bool) {
	p, ok := c.d.String(c.d.Call, "path", pPath)
	if !ok {
		if v := c.d.Call["path"]; v == nil {
			c.d.Add(pPath, "missing required property \"path\" (the path as sent, such as /v1/cloudimages/wholeimages/action)")
		}
		return "", "", false
	}
	path, query, _ = strings.Cut(p, "?")
	if strings.ContainsRune(path, '#') {
		c.d.Add(pPath, "path %q has a fragment ('#'); a call's path is what is sent, and a fragment is never sent", p)
		return "", "", false
	}
	if !strings.HasPrefix(path, "/") {
		c.d.Add(pPath, "path %q does not start with '/'; give the path as sent, such as /v1/cloudimages/wholeimages/action", p)
		return "", "", false
	}
	if path == "/" {
		c.segs = []string{}
		return path, query, true
	}
	c.segs = strings.Split(path[1:], "/")
	good := true
	for i, s := range c.segs {
		if s == "" {
			c.d.Add(pPath, "path %q has an empty segment (a '/' at its end or two in a row); the cloud would not route it to the call it looks like", path)
			return "", "", false
		}
		if strings.IndexByte(s, '%') >= 0 {
			u, err := url.PathUnescape(s)
			if err != nil {
				c.d.Add(pPath, "path %q has a malformed escape in segment %q", path, s)
				good = false
				continue
			}
			c.segs[i] = u
			s = u
		}
		if s == "." || s == ".." {
			c.d.Add(pPath, "path %q has a %q segment; give the path as the cloud routes it, without dot segments", path, s)
			good = false
		}
	}
	return path, query, good
}

// queryParam is a query parameter's name and where it was written.
type queryParam struct{ name, ptr string }

// query reads the query string (in the path, or the query object) strictly,
// so that a malformed call is refused and not judged as something else, and
// returns its parameters, sorted by name. No call imgadmit governs takes a
// query parameter: a read's are ignored, a governed write's refused.
func (c *call) query(inPath string) []queryParam {
	var out []queryParam
	v, present := c.d.Call["query"]
	if !present || v == nil {
		if inPath != "" {
			q, _ := c.d.ParseQuery(inPath, pPath)
			for k := range q {
				out = append(out, queryParam{k, pPath})
			}
		}
	} else if q, ok := v.(map[string]any); !ok {
		c.d.Add(pQuery, "query must be an object of strings, but got %s", calldoc.TypeName(v))
	} else {
		if inPath != "" {
			c.d.Add(pQuery, "the path has a query string and the call has a query object; give the query one way")
		}
		for k, v := range q {
			ptr := calldoc.Pointer(pQuery, k)
			if _, ok := v.(string); !ok {
				c.d.Add(ptr, "query parameter %q must be a string, but got %s", k, calldoc.TypeName(v))
			}
			out = append(out, queryParam{k, ptr})
		}
	}
	slices.SortFunc(out, func(a, b queryParam) int { return strings.Compare(a.name, b.name) })
	return out
}

// headers reads the headers: an object of strings whose names are
// case-insensitive. X-Project-Id names the project (REAL-SHAPES §4).
func (c *call) headers() {
	h, ok := c.d.Object(c.d.Call, "headers", pHeaders)
	if !ok {
		return
	}
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			c.d.Add(calldoc.Pointer(pHeaders, k), "header %q must be a string, but got %s", k, calldoc.TypeName(v))
			continue
		}
		if strings.EqualFold(k, "X-Project-Id") {
			c.d.SetProject(s, calldoc.Pointer(pHeaders, k), "the X-Project-Id header")
		}
	}
}

// host reads the endpoint host, service.region.domain
// (ims.cn-north-4.myhuaweicloud.com, ecs.eu-west-101.myhuaweicloud.eu), and
// returns its service; its region is the call's region.
func (c *call) host() string {
	h, ok := c.d.String(c.d.Call, "host", pHost)
	if !ok {
		return ""
	}
	service, region, ok := parseHost(h)
	if !ok {
		c.d.Add(pHost, "host %q is not a Huawei Cloud endpoint; an endpoint is service.region.domain, such as ims.cn-north-4.myhuaweicloud.com", h)
		return ""
	}
	c.d.SetRegion(region, pHost)
	return service
}

// parseHost splits an endpoint host (with an optional port) into its
// service and region. Hosts are case-insensitive.
func parseHost(h string) (service, region string, ok bool) {
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		port := h[i+1:]
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return "", "", false
		}
		h = h[:i]
	}
	h = strings.ToLower(h)
	service, rest, ok1 := strings.Cut(h, ".")
	region, domain, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || !isLabel(service) || !isRegion(region) || !strings.Contains(domain, ".") {
		return "", "", false
	}
	for _, l := range strings.Split(domain, ".") {
		if !isLabel(l) {
			return "", "", false
		}
	}
	return service, region, true
}

// isLabel: a DNS label of lowercase letters, digits and '-'.
func isLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// isRegion: a region id as the schema has it, ^[a-z]{2,}(-[a-z0-9]+)+$.
func isRegion(s string) bool {
	word, rest, ok := strings.Cut(s, "-")
	if !ok || len(word) < 2 || strings.Trim(word, "abcdefghijklmnopqrstuvwxyz") != "" {
		return false
	}
	for _, w := range strings.Split(rest, "-") {
		if w == "" || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return false
		}
	}
	return len(s) <= 64
}

// unknownWhy says why a call that matches no route is refused.
func (c *call) unknownWhy(method, path, hostService string) string {
	if hostService != "" && !isGoverned(hostService) {
		return method + " " + path + " is a call to " + strings.ToUpper(hostService) + ", a service imgadmit does not govern (it governs " + governedNames + ")"
	}
	return method + " " + path + " is not a call imgadmit knows of the services it governs (" + governedNames + ")"
}

// governedNames are the services imgadmit governs, for messages.
const governedNames = "IMS, CBR, ECS and EVS"

func isGoverned(service string) bool {
	switch service {
	case "ims", "cbr", "ecs", "evs":
		return true
	}
	return false
}

// param is the path's value for the route's {name} segment.
func (c *call) param(name string) string {
	for i, s := range c.route.segs {
		if len(s) == len(name)+2 && s[0] == '{' && s[1:len(s)-1] == name {
			return c.segs[i]
		}
	}
	panic("huaweicloud: route " + c.route.Name + " has no {" + name + "}")
}

// bodyObject is the body of a call that needs one: an object.
func (c *call) bodyObject() (map[string]any, bool) {
	if !c.hasBody {
		c.d.Add(pBody, "%s has a JSON body; the call has none", c.route.Name)
		return nil, false
	}
	b, ok := c.body.(map[string]any)
	if !ok {
		c.d.Add(pBody, "body must be an object, but got %s", calldoc.TypeName(c.body))
	}
	return b, ok
}

// limit is the most items a list of a call takes.
type limit struct {
	max    int
	stated bool // the API reference (or the SDK) states it
}

var (
	// limitServers: DeleteServers and BatchStartServers act on at most
	// 1000 servers (ECS API reference, "Deleting ECSs", "Starting ECSs in
	// a Batch").
	limitServers = limit{1000, true}
	// limitDataVolumes: a new server has at most 23 data disks (SDK
	// PrePaidServer.data_volumes, PostPaidServer.data_volumes).
	limitDataVolumes = limit{23, true}
	// limitList bounds a list whose API reference and SDK state no limit
	// (BatchAddMembers images, projects, domains, organizations;
	// CreateCheckpoint resources, resource_details; CreateImage
	// data_images; NovaCreateServers block_device_mapping_v2): 1000, the
	// most parts the evaluator judges in one call. It keeps a call's
	// reading linear and bounded.
	limitList = limit{1000, false}
)

// tooLong reports a list of n items at ptr that is longer than l allows.
func (c *call) tooLong(key, ptr string, n int, l limit) bool {
	switch {
	case n <= l.max:
		return false
	case l.stated:
		c.d.Add(ptr, "%s has %d items; the API takes at most %d", key, n, l.max)
	default:
		c.d.Add(ptr, "%s has %d items; imgadmit reads at most %d (the API states no limit)", key, n, l.max)
	}
	return true
}

// list reads obj[key] as an array of at most l items.
func (c *call) list(obj map[string]any, key, ptr string, l limit) ([]any, bool) {
	a, ok := c.d.Array(obj, key, ptr)
	if ok && c.tooLong(key, ptr, len(a), l) {
		return nil, false
	}
	return a, ok
}

// strings reads obj[key] as an array of at most l strings.
func (c *call) strings(obj map[string]any, key, ptr string, l limit) ([]string, bool) {
	if a, ok := obj[key].([]any); ok && c.tooLong(key, ptr, len(a), l) {
		return nil, false
	}
	return c.d.Strings(obj, key, ptr)
}

// member reads obj[key] as the object a call needs at ptr.
func (c *call) member(obj map[string]any, key, ptr string) (map[string]any, bool) {
	m, ok := c.d.Object(obj, key, ptr)
	if !ok && obj[key] == nil {
		c.d.Add(ptr, "missing required property %q", key)
	}
	return m, ok
}

// id reads a required id at obj[key]: a non-empty string.
func (c *call) id(obj map[string]any, key, ptr string) (string, bool) {
	s, ok := c.d.NonEmpty(obj, key, ptr)
	if !ok {
		if v, present := obj[key]; !present || v == nil || v == "" {
			c.d.Add(ptr, "missing required property %q (a non-empty id)", key)
		}
	}
	return s, ok
}

// copyParam copies obj[key], when present, into the part's param name as
// written: the schema judges its type and its limits where the caller wrote
// it.
func copyParam(p *calldoc.Part, obj map[string]any, key, ptr, name string) {
	if v := obj[key]; v != nil {
		p.Set(name, v, ptr)
	}
}

// copyText copies obj[key] like copyParam, except that "" is absent: the
// SDKs send "" for a string field nobody set (CopyImageCrossRegion's
// agency_name, ImportImageQuick's os_version).
func copyText(p *calldoc.Part, obj map[string]any, key, ptr, name string) {
	if v := obj[key]; v != nil && v != "" {
		p.Set(name, v, ptr)
	}
}

// copyID copies an optional id, read as NonEmpty ("" is absent).
func (c *call) copyID(p *calldoc.Part, obj map[string]any, key, ptr, name string) {
	if s, ok := c.d.NonEmpty(obj, key, ptr); ok {
		p.Set(name, s, ptr)
	}
}

// copyHow is how copyParams copies a body member the param of the same
// name: as written (copyParam, the default), "" as absent (copyText), or
// as an optional id (copyID).
var copyHow = map[string]string{
	"os_version":   "text",
	"project_name": "text",
	"agency_name":  "text",
	"cmk_id":       "id",
	"vault_id":     "id",
}

// copyParams copies each of keys from obj (at base) into the param of the
// same name, each the way copyHow says.
func (c *call) copyParams(p *calldoc.Part, obj map[string]any, base string, keys ...string) {
	for _, k := range keys {
		if obj[k] == nil {
			continue // absent: no pointer to build
		}
		ptr := base + "/" + k
		switch copyHow[k] {
		case "text":
			copyText(p, obj, k, ptr, k)
		case "id":
			c.copyID(p, obj, k, ptr, k)
		default:
			copyParam(p, obj, k, ptr, k)
		}
	}
}
