// Package alibabacloud translates Alibaba Cloud ECS RPC calls (API version
// 2014-05-26) into canonical requests.
//
// A call is {"action": "CreateImage", "params": {...}} with the RPC
// parameters as the SDK sends them (strings; flattened lists such as
// AddAccount.1, DiskDeviceMapping.1.SnapshotId), or {"action": ..., "query":
// "ImageId=m-1&AddAccount.1=123"} with the raw query string. RegionId is the
// call's region; the account is the document's project_id. Every known
// action is in actions.go, with what it becomes.
package alibabacloud

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls/calldoc"
)

// Version is the ECS API version the translator reads.
const Version = "2014-05-26"

// callMembers are the members a call object may have.
const callMembers = "action, params or query, version, product"

// Translate reads d's call: action and params, or a raw query.
func Translate(d *calldoc.Document) (*evaluator.Translation, error) {
	c := &call{d: d}
	c.readCall()
	call := evaluator.Call{Service: "ecs", Action: c.action, Access: evaluator.AccessWrite}
	if c.action == "" && !d.Failed() {
		d.Add("/call", "missing required property \"action\"")
	}
	a := actions[c.action]
	if a != nil {
		call.Name = a.known.Name
	}
	if d.Failed() {
		// The call object itself cannot be read (a parameter of the wrong
		// type, a malformed query): what the action needs is not checked,
		// for a parameter that could not be read would also be "missing".
		return nil, d.Err(call)
	}
	if a != nil {
		return a.translate(c, call)
	}
	if isRead(c.action) {
		call.Access = evaluator.AccessRead
		return d.Unknown(call, "", nil)
	}
	why := "ECS action " + c.action + " is not a call imgadmit knows"
	for _, name := range knownActions {
		if strings.EqualFold(name, c.action) {
			why += " (action names are case-sensitive: " + name + " is known)"
			break
		}
	}
	return d.Unknown(call, why, knownActions)
}

// readPrefixes start the names of the ECS actions that only read
// (DescribeImages, ListTagResources, QueryPrice..., GetInstanceConsoleOutput).
var readPrefixes = []string{"Describe", "List", "Query", "Get"}

// isRead reports whether action only reads: a read prefix followed by an
// upper-case letter (DescribeImages, not Describe or Getaway). Case-sensitive,
// as the API's action names are: describeImages is refused, never allowed.
func isRead(action string) bool {
	for _, p := range readPrefixes {
		if len(action) > len(p) && strings.HasPrefix(action, p) && 'A' <= action[len(p)] && action[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

// call is a call being read: its action, and its parameters as text.
type call struct {
	d      *calldoc.Document
	action string
	// The parameters: params (the params form, as the document has them,
	// never changed) or query (the query form, parsed). names are the
	// business parameters' names (protocol ones such as Signature are left
	// out), sorted, so that problems come in one order.
	params map[string]any
	query  map[string]string
	names  []string
	// raw is set for a query string: every pointer is then from.
	raw  bool
	from string
}

// protocolParams are what the SDK adds to sign and frame every call
// (sdk/auth/rpc_signature_composer.go): a pasted signed URL has them, and
// they say nothing about what the call does. Action and Version are checked
// against the call's own; RegionId is the region.
var protocolParams = map[string]bool{
	"AccessKeyId": true, "BearerToken": true, "Format": true, "SecurityToken": true,
	"Signature": true, "SignatureMethod": true, "SignatureNonce": true,
	"SignatureType": true, "SignatureVersion": true, "Timestamp": true,
}

// readCall reads the call object: its members, its action, its parameters,
// and the region and account they name.
func (c *call) readCall() {
	d, obj := c.d, c.d.Call
	for k := range obj {
		switch k {
		case "action", "params", "query", "version", "product":
		default:
			d.Add(calldoc.Pointer("/call", k), "unknown member %q; an Alibaba Cloud call has: %s", k, callMembers)
		}
	}
	if a, ok := d.String(obj, "action", "/call/action"); ok {
		if a == "" {
			d.Add("/call/action", "action must not be empty")
		}
		c.action = a
	}
	if v, ok := d.String(obj, "version", "/call/version"); ok && v != Version {
		d.Add("/call/version", "version %q is not the ECS API version imgadmit reads (%s)", v, Version)
	}
	if p, ok := d.String(obj, "product", "/call/product"); ok && !strings.EqualFold(p, "ecs") {
		d.Add("/call/product", "product %q is not one imgadmit governs: an Alibaba Cloud call document is an ECS call (product Ecs)", p)
	}
	_, hasParams := obj["params"]
	_, hasQuery := obj["query"]
	switch {
	case hasParams && hasQuery:
		d.Add("/call/query", "a call has either params or query, not both")
	case hasQuery:
		c.raw, c.from = true, "/call/query"
		if q, ok := d.String(obj, "query", "/call/query"); ok {
			c.query, _ = d.ParseQuery(strings.TrimPrefix(q, "?"), "/call/query")
			c.names = make([]string, 0, len(c.query))
			for k := range c.query {
				c.addName(k)
			}
		}
	default:
		c.from = "/call/params"
		if m, ok := d.Object(obj, "params", "/call/params"); ok {
			c.params = m
			c.readParams()
		}
	}
	slices.Sort(c.names)
	c.readProtocol()
}

// addName records a parameter's name, unless it is a protocol one.
func (c *call) addName(k string) {
	if !protocolParams[k] {
		c.names = append(c.names, k)
	}
}

// readParams checks the params object: every value is the parameter's
// text. A JSON number or boolean is taken as its text ("Amount": 2, "Force":
// false are what people write); anything else is a problem.
func (c *call) readParams() {
	c.names = make([]string, 0, len(c.params))
	for k, v := range c.params {
		if k == "" {
			c.d.Add("/call/params/", "a parameter has no name")
			continue
		}
		if _, ok := text(v); !ok {
			c.d.Add(c.ptr(k), "parameter %s must be a string (a number or a boolean is read as its text), but got %s", k, calldoc.TypeName(v))
			continue
		}
		c.addName(k)
	}
}

// get is parameter name's text, as given.
func (c *call) get(name string) (string, bool) {
	if c.raw {
		v, ok := c.query[name]
		return v, ok
	}
	v, ok := c.params[name]
	if !ok {
		return "", false
	}
	return text(v)
}

// readProtocol checks the protocol parameters a pasted call may carry and
// reads the region and account.
func (c *call) readProtocol() {
	if a, ok := c.get("Action"); ok {
		if c.action != "" && a != c.action {
			c.d.Add(c.ptr("Action"), "parameter Action %q differs from the call's action %q", a, c.action)
		}
		c.drop("Action")
	}
	if v, ok := c.get("Version"); ok {
		if v != Version {
			c.d.Add(c.ptr("Version"), "parameter Version %q is not the ECS API version imgadmit reads (%s)", v, Version)
		}
		c.drop("Version")
	}
	if r, ok := c.str("RegionId"); ok {
		if have := c.d.Region(); have != "" && r != have {
			// Said here rather than by SetRegion, to name the parameter
			// (a query string's problems all point at /call/query).
			c.d.Add(c.ptr("RegionId"), "parameter RegionId %q differs from the document's region %q; a call has one region", r, have)
		} else {
			c.d.SetRegion(r, c.ptr("RegionId"))
		}
	}
	// OwnerId is the account the call is made as (a legacy parameter the
	// gateway fills from the AccessKey; the SDK leaves it empty). When a
	// caller sends it, it names the account as project_id does.
	// ResourceOwnerId (a reseller's: the account that owns the resources)
	// is read the same way: a call about another account's resources is not
	// decided as the caller's. OwnerAccount and ResourceOwnerAccount name an
	// account by its name, which imgadmit cannot compare with an id: fail
	// closed rather than ignore them.
	for _, name := range []string{"OwnerId", "ResourceOwnerId"} {
		if o, ok := c.str(name); ok {
			c.d.SetProject(o, c.ptr(name), name)
		}
	}
	for _, name := range []string{"OwnerAccount", "ResourceOwnerAccount"} {
		if _, ok := c.str(name); ok {
			c.d.Add(c.ptr(name), "parameter %s names an account by name, which imgadmit cannot hold to the caller's account id: leave it out, or send OwnerId", name)
		}
	}
}

// drop forgets a parameter that has been read as protocol.
func (c *call) drop(name string) {
	for i, n := range c.names {
		if n == name {
			c.names = append(c.names[:i], c.names[i+1:]...)
			return
		}
	}
}

// ptr is the pointer to parameter name: its member of /call/params, or the
// query string (whose problems name the parameter).
func (c *call) ptr(name string) string {
	if c.raw {
		return "/call/query"
	}
	if p, ok := pointers[name]; ok {
		return p
	}
	if strings.ContainsAny(name, "~/") {
		return calldoc.Pointer("/call/params", name)
	}
	return "/call/params/" + name
}

// pointers are the pointers of the parameters the translator reads, built
// once (lists.go adds every list item's).
var pointers = func() map[string]string {
	m := map[string]string{}
	for _, name := range []string{"Action", "Amount", "Architecture", "BootMode", "Description", "DestinationDescription",
		"DestinationImageName", "DestinationRegionId", "DiskId", "Encrypted", "Force", "ImageFamily", "ImageFormat",
		"ImageId", "ImageName", "InstanceChargeType", "InstanceId", "InstanceName", "IsPublic", "KMSKeyId",
		"OSSBucket", "OSSPrefix", "OwnerId", "Platform", "RegionId", "ResourceGroupId", "SnapshotId",
		"TerminateSubscription", "Version"} {
		m[name] = "/call/params/" + name
	}
	return m
}()

// str reads parameter name; "" is absent (the SDK sends no parameter it
// was not given, and an empty id names nothing).
func (c *call) str(name string) (string, bool) {
	v, ok := c.get(name)
	return v, ok && v != ""
}

// has reports whether parameter name is given (non-empty).
func (c *call) has(name string) bool {
	_, ok := c.str(name)
	return ok
}

// boolean reads a boolean parameter: the API takes "true" or "false".
func (c *call) boolean(name string) (v, ok bool) {
	s, ok := c.str(name)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	c.d.Add(c.ptr(name), "parameter %s must be true or false, but got %q", name, s)
	return false, false
}

// integer reads an integer parameter within [lo, hi].
func (c *call) integer(name string, lo, hi int) (int, bool) {
	s, ok := c.str(name)
	if !ok {
		return 0, false
	}
	n, isNumber := atoi(s)
	if !isNumber {
		c.d.Add(c.ptr(name), "parameter %s must be an integer from %d to %d, but got %q", name, lo, hi, s)
		return 0, false
	}
	if n < lo || n > hi {
		c.d.Add(c.ptr(name), "parameter %s must be from %d to %d, but got %s", name, lo, hi, s)
		return 0, false
	}
	return n, true
}

// atoi reads a decimal integer of at most 9 digits (with no sign), enough
// for every count and index the API takes; more is out of any range.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if i >= 9 {
			return 1 << 30, true
		}
		n = n*10 + int(ch-'0')
	}
	return n, true
}

// text is a params value as the parameter's text: a string as is, a number
// or a boolean as JSON writes it.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}
