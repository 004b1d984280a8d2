package tfplan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Options supply what a plan does not carry.
type Options struct {
	// Region is the region of a change whose resource and provider
	// configuration name none (a region from HW_REGION_NAME or
	// ALICLOUD_REGION is not in the plan at all).
	Region string
	// ProjectID is the project (Huawei) or account (Alibaba) the plan acts
	// as: a plan never carries it, except a Huawei provider configuration's
	// constant project_id, which comes first.
	ProjectID string
}

// Actions of a Change.
const (
	ActionCreate = "create"
	ActionDelete = "delete"
	ActionUpdate = "update"
)

// Change is what one resource change of a plan stands for. A replace gives
// two: the delete, then the create. An update that maps onto several
// operations (a new image and a start) gives one per operation.
type Change struct {
	// Address is the resource's address (module.x.huaweicloud_ims_cbr_whole_image.web[0]);
	// Type its resource type.
	Address, Type string
	// Action is create, delete or update: what this Change judges. For a
	// skipped change it is the plan's actions joined by "," (no-op, read,
	// delete,create).
	Action string
	// Pointer is the resource change in the plan: /resource_changes/3.
	Pointer string
	// Translation is the canonical requests, decided as one decision (see
	// Request); nil when the change is skipped or cannot be read. A
	// Translation with Unknown set is refused (REQ-003): a value it needs is
	// unknown until apply.
	Translation *evaluator.Translation
	// Skipped says why nothing is judged: an ungoverned resource type, an
	// update of attributes no operation stands for, a no-op. Empty for a
	// judged change.
	Skipped string
	// Err is an *evaluator.Error (invalid_request) for a governed change
	// whose attributes cannot be read (a wrong type), each problem at its
	// pointer into the plan (/resource_changes/3/change/after/backup_id).
	// Such a change is never passed: report it as an invalid input.
	Err error
}

// Request checks the change's translation against the schemas
// (evaluator.RequestOfTranslation) for the evaluator to decide
// (DecideRequest). An error names the resource address; its field errors
// point into the plan. It is c.Err for a change that could not be read, and
// an error for a skipped one.
func (c Change) Request(e *evaluator.Evaluator) (*evaluator.Request, error) {
	switch {
	case c.Err != nil:
		return nil, c.Err
	case c.Translation == nil:
		return nil, fmt.Errorf("%s: nothing to decide (%s)", c.Address, c.Skipped)
	}
	req, err := e.RequestOfTranslation(c.Translation)
	if ee, ok := err.(*evaluator.Error); ok {
		named := *ee
		named.Message = c.Address + " (" + c.Action + "): " + ee.Message
		return nil, &named
	}
	return req, err
}

// TranslateJSON parses raw (Parse) and translates it (Translate).
func TranslateJSON(raw []byte, opts Options) ([]Change, error) {
	p, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return Translate(p, opts)
}

// Translate turns every resource change of p into Changes, in the plan's
// order. The error is for a plan that cannot be read as a whole (it is
// checked as Parse checks it); a change that cannot be read has its own Err.
func Translate(p *tfjson.Plan, opts Options) ([]Change, error) {
	if p == nil {
		return nil, invalid("the Terraform plan cannot be read", evaluator.FieldError{Message: "no plan"})
	}
	if err := check(p); err != nil {
		return nil, err
	}
	t := newTranslator(p, opts)
	out := make([]Change, 0, len(p.ResourceChanges))
	for i, rc := range p.ResourceChanges {
		out = t.change(out, i, rc)
	}
	return out, nil
}

// translator holds what every change of one plan shares.
type translator struct {
	plan *tfjson.Plan
	opts Options
	// providerKeys maps a configured resource's address (module path
	// without instance keys) to its provider_config key.
	providerKeys map[string]string
}

func newTranslator(p *tfjson.Plan, opts Options) *translator {
	t := &translator{plan: p, opts: opts, providerKeys: map[string]string{}}
	if p.Config != nil && p.Config.RootModule != nil {
		t.configKeys("", p.Config.RootModule)
	}
	return t
}

func (t *translator) configKeys(module string, m *tfjson.ConfigModule) {
	for _, r := range m.Resources {
		if r != nil && r.Mode == tfjson.ManagedResourceMode {
			t.providerKeys[module+r.Address] = r.ProviderConfigKey
		}
	}
	for name, call := range m.ModuleCalls {
		if call != nil && call.Module != nil {
			t.configKeys(module+"module."+name+".", call.Module)
		}
	}
}

// setting is a provider-level value (region, project_id) and where it is.
type setting struct{ value, from string }

// providerSetting is the constant value of attr in the provider
// configuration rc uses, or a root variable it refers to.
func (t *translator) providerSetting(rc *tfjson.ResourceChange, attr string) (setting, bool) {
	cfg := t.plan.Config
	if cfg == nil || len(cfg.ProviderConfigs) == 0 {
		return setting{}, false
	}
	key, ok := t.providerKeys[configAddress(rc)]
	if !ok || cfg.ProviderConfigs[key] == nil {
		// No configuration for the resource (a delete of a resource removed
		// from the configuration): the provider's one unaliased configuration.
		key = ""
		for k, pc := range cfg.ProviderConfigs {
			if pc != nil && pc.Alias == "" && pc.ModuleAddress == "" && (pc.FullName == rc.ProviderName || pc.Name == shortProvider(rc.ProviderName)) {
				key = k
			}
		}
		if key == "" {
			return setting{}, false
		}
	}
	pc := cfg.ProviderConfigs[key]
	e := pc.Expressions[attr]
	if e == nil || e.ExpressionData == nil {
		return setting{}, false
	}
	base := pointer("/configuration/provider_config", key) + "/expressions/" + attr
	if s, ok := e.ConstantValue.(string); ok && s != "" {
		return setting{s, base + "/constant_value"}, true
	}
	if pc.ModuleAddress == "" {
		for _, ref := range e.References {
			name, ok := strings.CutPrefix(ref, "var.")
			if !ok {
				continue
			}
			if v := t.plan.Variables[name]; v != nil {
				if s, ok := v.Value.(string); ok && s != "" {
					return setting{s, pointer("/variables", name) + "/value"}, true
				}
			}
		}
	}
	return setting{}, false
}

// configAddress is rc's address in the configuration: its module path
// without instance keys, then type.name.
func configAddress(rc *tfjson.ResourceChange) string {
	var b strings.Builder
	if rc.ModuleAddress != "" {
		for _, seg := range strings.Split(rc.ModuleAddress, ".") {
			if i := strings.IndexByte(seg, '['); i >= 0 {
				seg = seg[:i]
			}
			b.WriteString(seg)
			b.WriteByte('.')
		}
	}
	b.WriteString(rc.Type)
	b.WriteByte('.')
	b.WriteString(rc.Name)
	return b.String()
}

// shortProvider is the local name of a provider source address
// (registry.terraform.io/huaweicloud/huaweicloud → huaweicloud).
func shortProvider(full string) string {
	return full[strings.LastIndexByte(full, '/')+1:]
}

// change translates resource change i, appending its Changes to out.
func (t *translator) change(out []Change, i int, rc *tfjson.ResourceChange) []Change {
	ptr := "/resource_changes/" + strconv.Itoa(i)
	if rc.Mode == tfjson.DataResourceMode {
		// Checked before the change is read: a data source's may be absent.
		return append(out, Change{Address: rc.Address, Type: rc.Type, Action: "read", Pointer: ptr, Skipped: "a data source only reads"})
	}
	actions := actionKey(rc.Change.Actions)
	skip := func(why string) []Change {
		return append(out, Change{Address: rc.Address, Type: rc.Type, Action: actions, Pointer: ptr, Skipped: why})
	}
	rt, governed := resourceTypes[rc.Type]
	if !governed {
		return skip("resource type " + rc.Type + " is not governed by imgadmit")
	}
	switch actions {
	case "no-op":
		return skip("no-op: nothing changes")
	case "read":
		return skip("read: the data is read at apply, nothing changes")
	case "forget":
		return skip("forget: the resource leaves the state, the cloud is not called")
	}
	var steps []string
	switch actions {
	case "create", "create,forget":
		steps = []string{ActionCreate}
	case "delete":
		steps = []string{ActionDelete}
	case "delete,create", "create,delete":
		steps = []string{ActionDelete, ActionCreate}
	case "update":
		steps = []string{ActionUpdate}
	}
	for _, step := range steps {
		c := &change{t: t, rc: rc, ptr: ptr, rt: rt, action: step}
		out = append(out, c.translate()...)
	}
	return out
}

// change is one step (create, delete or update) of one resource change.
type change struct {
	t      *translator
	rc     *tfjson.ResourceChange
	ptr    string
	rt     *resourceType
	action string

	before, after map[string]any
	problems      []evaluator.FieldError
	unknown       []string
	facts         map[string]any
	// skipWhy, set by a handler that gives no op, says why.
	skipWhy string
}

// op is one operation a change stands for: its call and parts.
type op struct {
	operation string
	call      evaluator.Call
	parts     []*part
	// region overrides the change's region (a copy deleted in its target
	// region, an Alibaba copy made from its source region); regionFrom is
	// where it is written.
	region, regionFrom string
}

func (c *change) translate() []Change {
	base := Change{Address: c.rc.Address, Type: c.rc.Type, Action: c.action, Pointer: c.ptr}
	c.before = c.object("before", c.rc.Change.Before)
	c.after = c.object("after", c.rc.Change.After)
	var ops []*op
	var skipped string
	if len(c.problems) == 0 {
		switch c.action {
		case ActionCreate:
			if c.after == nil {
				c.problem("/change/after", "a create has an after object, but got null")
			} else if c.rt.create != nil {
				ops = c.rt.create(c)
			}
		case ActionDelete:
			if c.before == nil {
				c.problem("/change/before", "a delete has a before object, but got null")
			} else if c.rt.delete != nil {
				ops = c.rt.delete(c)
			}
		case ActionUpdate:
			if c.before == nil || c.after == nil {
				c.problem("/change", "an update has before and after objects")
			} else if c.rt.update != nil {
				ops = c.rt.update(c)
			}
		}
	}
	if len(c.problems) > 0 {
		errs := slices.Clone(c.problems)
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pointer < errs[j].Pointer })
		base.Err = &evaluator.Error{Code: evaluator.CodeInvalidRequest,
			Message: fmt.Sprintf("%s (%s): the %s of %s cannot be read", c.rc.Address, c.action, c.action, c.rc.Type), Errors: slices.Compact(errs)}
		return []Change{base}
	}
	if len(ops) == 0 {
		switch {
		case c.skipWhy != "":
			skipped = c.skipWhy
		case c.action == ActionUpdate:
			skipped = "update of " + c.changedList() + ": no operation stands for it"
		case c.rt.skip[c.action] != "":
			skipped = c.rt.skip[c.action]
		default:
			skipped = c.action + " of " + c.rc.Type + ": no operation stands for it"
		}
		base.Skipped = skipped
		return []Change{base}
	}
	out := make([]Change, 0, len(ops))
	for _, o := range ops {
		ch := base
		ch.Translation = c.translation(o)
		out = append(out, ch)
	}
	return out
}

// translation is the translation of op: its parts with the change's
// region, project and facts, or, when a value a required param needs is
// unknown until apply, a refusal naming it.
func (c *change) translation(o *op) *evaluator.Translation {
	provider := c.rt.provider
	project, projectFrom := c.project()
	t := &evaluator.Translation{Provider: provider, Operation: o.operation, ProjectID: project, Call: o.call}
	t.Call.Access = evaluator.AccessWrite
	if len(c.unknown) > 0 {
		t.Unknown = fmt.Sprintf("%s: %s unknown until apply (after_unknown), and the %s needs %s: imgadmit does not guess it; plan again once it is known (apply what it depends on first, or set it in the configuration)",
			c.rc.Address, joinAttrs(c.unknown), o.operation, pronoun(len(c.unknown)))
		t.Remediation = "Plan again once the value is known: apply what it depends on first, or set it in the configuration."
		return t
	}
	region, regionFrom := o.region, o.regionFrom
	if region == "" {
		region, regionFrom = c.region()
	}
	for _, p := range o.parts {
		req := p.req
		req["provider"] = provider
		if _, own := req["operation"]; !own {
			req["operation"] = o.operation
		}
		p.origins = append(p.origins, evaluator.Origin{Path: "/provider", From: c.ptr + "/provider_name"})
		if region != "" {
			req["region"] = region
			p.origins = append(p.origins, origin("/region", regionFrom))
		}
		if project != "" {
			req["project_id"] = project
			p.origins = append(p.origins, origin("/project_id", projectFrom))
		}
		if len(c.facts) > 0 {
			req["resources"] = c.facts
			p.origins = append(p.origins, evaluator.Origin{Path: "/resources", From: c.ptr + "/change/before"})
		}
		req["params"] = p.params
		t.Parts = append(t.Parts, evaluator.Part{Request: req, Origins: p.origins})
	}
	return t
}

// origin records where a value set from the plan or the options came from.
func origin(path, from string) evaluator.Origin {
	if strings.HasPrefix(from, "/") {
		return evaluator.Origin{Path: path, From: from}
	}
	return evaluator.Origin{Path: path, From: "", Name: from}
}

func joinAttrs(a []string) string {
	if len(a) == 1 {
		return a[0] + " is"
	}
	return strings.Join(a, ", ") + " are"
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// region is the change's region: the resource's own (Huawei), else the
// provider configuration's, else the option.
func (c *change) region() (region, from string) {
	if c.rt.provider == "huaweicloud" {
		side, obj := "after", c.after
		if c.action == ActionDelete {
			side, obj = "before", c.before
		}
		if r, ok := c.str(obj, side, "region"); ok && r != "" {
			return r, c.at(side, "region")
		}
	}
	return c.providerRegion()
}

// providerRegion is the region of the provider configuration, else the
// option (an Alibaba copy's destination).
func (c *change) providerRegion() (region, from string) {
	if s, ok := c.t.providerSetting(c.rc, "region"); ok {
		return s.value, s.from
	}
	if c.t.opts.Region != "" {
		return c.t.opts.Region, "the region option (--region)"
	}
	return "", ""
}

// project is the project the change is made as: a Huawei provider
// configuration's project_id, else the option.
func (c *change) project() (project, from string) {
	if c.rt.provider == "huaweicloud" {
		if s, ok := c.t.providerSetting(c.rc, "project_id"); ok {
			return s.value, s.from
		}
	}
	if c.t.opts.ProjectID != "" {
		return c.t.opts.ProjectID, "the project option (--project-id)"
	}
	return "", ""
}

// part is one canonical request being built, remembering where each value
// came from.
type part struct {
	req     map[string]any
	params  map[string]any
	origins []evaluator.Origin
}

// newPart starts a part whose params come from side (before or after).
func (c *change) newPart(side string) *part {
	p := &part{req: make(map[string]any, 6), params: map[string]any{}, origins: make([]evaluator.Origin, 0, 12)}
	p.origins = append(p.origins, evaluator.Origin{Path: "", From: c.ptr}, evaluator.Origin{Path: "/params", From: c.ptr + "/change/" + side})
	return p
}

// set sets params[name] = v, read at pointer from (or from an option, which
// from then names).
func (p *part) set(name string, v any, from string) {
	p.params[name] = v
	p.origins = append(p.origins, origin("/params/"+name, from))
}

// clone copies a part so far (one request per resource from shared params).
func (p *part) clone() *part {
	q := &part{req: make(map[string]any, 6), params: make(map[string]any, len(p.params)), origins: slices.Clone(p.origins)}
	for k, v := range p.params {
		q.params[k] = v
	}
	return q
}

// at is the pointer of side's attr (and deeper tokens).
func (c *change) at(side string, tokens ...string) string {
	return pointer(c.ptr+"/change/"+side, tokens...)
}

func (c *change) problem(sub, format string, args ...any) {
	c.problems = append(c.problems, evaluator.FieldError{Pointer: c.ptr + sub, Message: c.rc.Address + ": " + fmt.Sprintf(format, args...)})
}

func (c *change) problemAt(ptr, format string, args ...any) {
	c.problems = append(c.problems, evaluator.FieldError{Pointer: ptr, Message: c.rc.Address + ": " + fmt.Sprintf(format, args...)})
}

// object reads before or after: an object or null.
func (c *change) object(side string, v any) map[string]any {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.problem("/change/"+side, "%s must be an object or null, but got %s", side, evaluator.JSONTypeName(v))
	}
	return m
}

// isUnknown reports whether after's value at path is unknown until apply:
// after_unknown holds true at it or at a value that contains it.
func (c *change) isUnknown(path ...any) bool {
	node := c.rc.Change.AfterUnknown
	for _, step := range path {
		if node == true {
			return true
		}
		switch n := node.(type) {
		case map[string]any:
			k, _ := step.(string)
			node = n[k]
		case []any:
			i, ok := step.(int)
			if !ok || i < 0 || i >= len(n) {
				return false
			}
			node = n[i]
		default:
			return false
		}
	}
	return holdsUnknown(node)
}

// holdsUnknown reports whether an after_unknown node is true, or a list or
// map with an element that is: a list of ids or a map of tags with one
// element unknown until apply is unknown as a whole (its known elements are
// not all it will hold). An object's unknown fields (a computed id) do not
// make the object unknown: its known fields are read as known.
func holdsUnknown(node any) bool {
	switch n := node.(type) {
	case bool:
		return n
	case []any:
		return slices.Contains(n, any(true))
	case map[string]any:
		for _, e := range n {
			if e == true {
				return true
			}
		}
	}
	return false
}

// The readers read obj[key] of side. Absent or null is (zero, false) with
// no problem; a value of the wrong type is (zero, false) with a problem at
// its pointer.

func (c *change) str(obj map[string]any, side, key string) (string, bool) {
	v := obj[key]
	if v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.problemAt(c.at(side, key), "%s must be a string, but got %s", key, evaluator.JSONTypeName(v))
	}
	return s, ok
}

func (c *change) boolean(obj map[string]any, side, key string) (bool, bool) {
	v := obj[key]
	if v == nil {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		c.problemAt(c.at(side, key), "%s must be a boolean, but got %s", key, evaluator.JSONTypeName(v))
	}
	return b, ok
}

func (c *change) number(obj map[string]any, side, key string) (json.Number, bool) {
	v := obj[key]
	if v == nil {
		return "", false
	}
	n, ok := v.(json.Number)
	if !ok {
		if f, isFloat := v.(float64); isFloat {
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
		}
		c.problemAt(c.at(side, key), "%s must be a number, but got %s", key, evaluator.JSONTypeName(v))
	}
	return n, ok
}

// strings reads an array of strings; one unknown until apply, even in
// part, is never read as known.
func (c *change) strings(obj map[string]any, side, key string) ([]string, bool) {
	if _, isArray := obj[key].([]any); isArray && side == "after" && c.isUnknown(key) {
		return nil, false
	}
	return arrayOf[string](c, obj, side, key, "a string")
}

// objects reads an array of objects; their callers read each element's
// unknown members themselves.
func (c *change) objects(obj map[string]any, side, key string) ([]map[string]any, bool) {
	return arrayOf[map[string]any](c, obj, side, key, "an object")
}

// arrayOf reads obj[key] as an array of T (a problem at the element
// otherwise); false when absent or wrong.
func arrayOf[T any](c *change, obj map[string]any, side, key, what string) ([]T, bool) {
	v := obj[key]
	if v == nil {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		c.problemAt(c.at(side, key), "%s must be an array, but got %s", key, evaluator.JSONTypeName(v))
		return nil, false
	}
	out := make([]T, 0, len(a))
	for i, e := range a {
		x, ok := e.(T)
		if !ok {
			c.problemAt(c.at(side, key, strconv.Itoa(i)), "%s[%d] must be %s, but got %s", key, i, what, evaluator.JSONTypeName(e))
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

// tags reads a map of strings as [{key, value}], sorted by key.
func (c *change) tags(obj map[string]any, side, key string) ([]any, bool) {
	v := obj[key]
	if v == nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.problemAt(c.at(side, key), "%s must be an object of strings, but got %s", key, evaluator.JSONTypeName(v))
		return nil, false
	}
	if side == "after" && c.isUnknown(key) {
		return nil, false // unknown until apply: never read as known
	}
	if len(m) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		s, ok := m[k].(string)
		if !ok {
			c.problemAt(c.at(side, key, k), "%s.%s must be a string, but got %s", key, k, evaluator.JSONTypeName(m[k]))
			return nil, false
		}
		out = append(out, map[string]any{"key": k, "value": s})
	}
	return out, true
}

// The copiers set a param from side's attr when it is known; one unknown
// until apply is left out (a rule that needs it reports REQ-002), or, for a
// param the operation requires, recorded as unknown (the change is then
// refused, naming it).

func (c *change) copyStr(p *part, param, side, key string, required bool) (string, bool) {
	obj := c.side(side)
	if s, ok := c.str(obj, side, key); ok {
		p.set(param, s, c.at(side, key))
		return s, true
	}
	c.missing(side, key, required)
	return "", false
}

func (c *change) copyBool(p *part, param, side, key string) {
	if b, ok := c.boolean(c.side(side), side, key); ok {
		p.set(param, b, c.at(side, key))
	}
}

func (c *change) copyNumber(p *part, param, side, key string) {
	if n, ok := c.number(c.side(side), side, key); ok {
		p.set(param, n, c.at(side, key))
	}
}

func (c *change) copyTags(p *part, param, side, key string) {
	if t, ok := c.tags(c.side(side), side, key); ok {
		p.set(param, t, c.at(side, key))
	}
}

// missing records a required value that is absent: unknown until apply, or
// (when known to be absent) left for the schema to report.
func (c *change) missing(side, key string, required bool) {
	if required && side == "after" && c.isUnknown(key) && !slices.Contains(c.unknown, key) {
		c.unknown = append(c.unknown, key)
	}
}

func (c *change) side(side string) map[string]any {
	if side == "before" {
		return c.before
	}
	return c.after
}

// fact records a request fact from before: resources[kind][id][field] = v.
func (c *change) fact(kind, id, field string, v any) {
	if id == "" || v == nil {
		return
	}
	if c.facts == nil {
		c.facts = map[string]any{}
	}
	byID, _ := c.facts[kind].(map[string]any)
	if byID == nil {
		byID = map[string]any{}
		c.facts[kind] = byID
	}
	f, _ := byID[id].(map[string]any)
	if f == nil {
		f = map[string]any{}
		byID[id] = f
	}
	f[field] = v
}

// changed reports whether an update changes attr: its value differs, or it
// is unknown until apply.
func (c *change) changed(attr string) bool {
	if c.isUnknown(attr) {
		return true
	}
	return !reflect.DeepEqual(c.before[attr], c.after[attr])
}

// changedList names the attributes an update changes, for a skipped update.
func (c *change) changedList() string {
	var names []string
	for k := range c.after {
		if c.changed(k) {
			names = append(names, k)
		}
	}
	if m, ok := c.rc.Change.AfterUnknown.(map[string]any); ok {
		for k := range m {
			if _, inAfter := c.after[k]; !inAfter && c.isUnknown(k) {
				names = append(names, k)
			}
		}
	}
	for k := range c.before {
		if _, inAfter := c.after[k]; !inAfter && !c.isUnknown(k) && c.before[k] != nil {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}
