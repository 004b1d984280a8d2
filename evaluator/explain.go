package evaluator

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Explanation says how a decision was reached. It is made only when
// DecideOptions.Explain asks (tracing records every step of the evaluation)
// and is not part of the decision's JSON: a caller shows it as it
// wants (OPA's explanation on the sidecar, per reason in `imgadmit eval`).
type Explanation struct {
	// Trace is OPA's trace of the evaluation, every event, as
	// topdown.BufferTracer records it; one evaluation after another for a
	// call of several parts. Filter it with topdown/lineage.
	Trace []*topdown.Event
	// Reasons explain the decision's reasons, one for each, in their order.
	Reasons []ReasonExplanation

	// traced are the reasons rule bodies gave, as the tracer read them; the
	// evaluations of a call's parts add theirs up before Reasons is made.
	traced []explainedReason
}

// ReasonExplanation is the rule that gave a reason and the facts it read.
type ReasonExplanation struct {
	ID   string  `json:"id"`
	Rule RuleRef `json:"rule"`
	// Facts are the facts about resources the rule read while it decided,
	// sorted; none for a rule that reads only the request's parameters.
	Facts []Fact `json:"facts"`
}

// RuleRef names a rule of the rulebook: its document (package and rule
// name) and where it is written. A reason made by imgadmit itself, not by a
// rule's body (REQ-003 for an unknown call, REQ-004 for a failed
// evaluation), has the id's METADATA location.
type RuleRef struct {
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// Fact is one fact a rule read: a field of a resource, and where the
// rulebook found it.
type Fact struct {
	Kind string `json:"kind"`
	// ID is the resource's id; empty for the account.
	ID    string `json:"id,omitempty"`
	Field string `json:"field"`
	// Origin is FromInventory or FromRequest: which document the
	// evaluation read the resource from (the rulebook takes the inventory's
	// when it has one, the request's only when it does not).
	Origin string `json:"origin"`
}

// Origins of a fact.
const (
	FromInventory = "inventory"
	FromRequest   = "request"
)

// resourceKey is a resource the rulebook read: kind and id (the account has
// kind "account" and no id).
type resourceKey struct{ kind, id string }

// The documents facts are read from, as the rulebook refers to them.
var (
	inventoryResources = ast.MustParseRef("data.inventory.resources")
	requestResources   = ast.MustParseRef("input.resources")
	reasonsRef         = ast.MustParseRef("data.imgadmit.rules.reasons")
)

// explainTracer records OPA's trace, as topdown.BufferTracer does, and reads
// it as it goes: what a rule read can be known only while the evaluation
// runs, when the event's variables still have the values they had (the
// bindings an event refers to are undone as the evaluation backtracks).
//
// It follows the evaluation's queries: each rule body is a query whose
// parent is its caller's. A fact read in a query is read by every query
// above it. OPA evaluates a function or a rule once per decision and
// arguments and answers later calls from its cache, which leaves no events:
// what a call read is remembered by the call (rule and arguments) and
// counted again wherever the same call is made.
type explainTracer struct {
	events []*topdown.Event
	parent map[uint64]uint64
	// frameKey is the call a rule body's query evaluates; pending the call
	// the last expression of a query made, which the next rule body it
	// enters evaluates.
	frameKey map[uint64]string
	pending  map[uint64]string
	memo     map[string]map[Fact]bool
	reads    map[uint64]map[Fact]bool
	// values are the resource objects read, as written and as normalized,
	// by their text; paths the rules that are a resource (the account).
	values     map[string]resourceKey
	paths      map[string]resourceKey
	pathValues map[string]ast.Value
	origins    map[resourceKey]string
	reasons    []explainedReason
}

// explainedReason is one reason a rule body gave, read from its Exit event.
type explainedReason struct {
	reason Reason
	rule   RuleRef
	facts  map[Fact]bool
}

func newExplainTracer() *explainTracer {
	return &explainTracer{
		parent: map[uint64]uint64{}, frameKey: map[uint64]string{}, pending: map[uint64]string{},
		memo: map[string]map[Fact]bool{}, reads: map[uint64]map[Fact]bool{},
		values: map[string]resourceKey{}, paths: map[string]resourceKey{}, pathValues: map[string]ast.Value{}, origins: map[resourceKey]string{},
	}
}

// Enabled makes the tracer a topdown.QueryTracer.
func (*explainTracer) Enabled() bool { return true }

// Config asks for the events' local variables, as BufferTracer does: OPA's
// explanation shows them.
func (*explainTracer) Config() topdown.TraceConfig { return topdown.TraceConfig{PlugLocalVars: true} }

// TraceEvent records evt and reads it.
func (t *explainTracer) TraceEvent(evt topdown.Event) {
	t.events = append(t.events, &evt)
	if _, seen := t.parent[evt.QueryID]; !seen {
		t.parent[evt.QueryID] = evt.ParentID
	}
	switch node := evt.Node.(type) {
	case *ast.Rule:
		switch evt.Op {
		case topdown.EnterOp:
			t.enter(&evt, node)
		case topdown.ExitOp:
			t.exit(&evt, node)
		}
	case *ast.Expr:
		if evt.Op == topdown.EvalOp {
			t.eval(&evt, node)
		}
	}
}

// enter notes which call a rule body's query evaluates: a function called
// by its caller's last expression, or a rule by its path.
func (t *explainTracer) enter(evt *topdown.Event, rule *ast.Rule) {
	path := rule.Path().String()
	key := path
	if len(rule.Head.Args) > 0 {
		key = t.pending[evt.ParentID]
		if !strings.HasPrefix(key, path+"(") {
			return
		}
	}
	t.frameKey[evt.QueryID] = key
}

// exit reads what a rule body gave: a resource read from the inventory or
// the request, a resource under another name (normalized), or a reason.
func (t *explainTracer) exit(evt *topdown.Event, rule *ast.Rule) {
	if rule.Head.Key != nil && rule.Path().Equal(reasonsRef) {
		t.exitReason(evt, rule)
		return
	}
	if rule.Head.Value == nil {
		return
	}
	value := evt.Plug(rule.Head.Value).Value
	if _, ok := value.(ast.Object); !ok {
		return
	}
	if key, origin, ok := sourceOf(evt, rule); ok {
		if _, known := t.origins[key]; !known {
			t.origins[key] = origin
		}
		t.values[value.String()] = key
		if len(rule.Head.Args) == 0 {
			t.paths[rule.Path().String()] = key
			t.pathValues[rule.Path().String()] = value
		}
		return
	}
	// resource(kind, id): the normalized object of a resource already read.
	if args := rule.Head.Args; len(args) == 2 {
		kind, ok1 := evt.Plug(args[0]).Value.(ast.String)
		id, ok2 := evt.Plug(args[1]).Value.(ast.String)
		key := resourceKey{string(kind), string(id)}
		if _, known := t.origins[key]; ok1 && ok2 && known {
			t.values[value.String()] = key
		}
	}
}

// sourceOf reports whether rule's body reads a resource straight from the
// inventory or the request (data.inventory.resources[kind][id],
// input.resources.account), and which: what the exited body read, not what
// the rule's name says.
func sourceOf(evt *topdown.Event, rule *ast.Rule) (key resourceKey, origin string, found bool) {
	ast.WalkRefs(rule.Body, func(ref ast.Ref) bool {
		if found {
			return true
		}
		var rest ast.Ref
		switch {
		case ref.HasPrefix(inventoryResources):
			origin, rest = FromInventory, ref[len(inventoryResources):]
		case ref.HasPrefix(requestResources):
			origin, rest = FromRequest, ref[len(requestResources):]
		default:
			return false
		}
		plugged := make([]string, 0, 2)
		for _, term := range rest {
			s, ok := evt.Plug(term).Value.(ast.String)
			if !ok {
				return false
			}
			plugged = append(plugged, string(s))
		}
		switch {
		case len(plugged) == 1 && plugged[0] == "account":
			key, found = resourceKey{kind: "account"}, true
		case len(plugged) == 2:
			key, found = resourceKey{plugged[0], plugged[1]}, true
		}
		return found
	})
	return key, origin, found
}

// exitReason records the reason a reasons rule body gave, with the facts
// its query read.
func (t *explainTracer) exitReason(evt *topdown.Event, rule *ast.Rule) {
	obj, ok := evt.Plug(rule.Head.Key).Value.(ast.Object)
	if !ok {
		return
	}
	r := reasonFields(obj)
	ref := RuleRef{Name: strings.TrimPrefix(rule.Path().String(), "data.")}
	if loc := rule.Location; loc != nil {
		ref.File, ref.Line = loc.File, loc.Row
	}
	facts := map[Fact]bool{}
	for f := range t.reads[evt.QueryID] {
		facts[f] = true
	}
	t.reasons = append(t.reasons, explainedReason{reason: r, rule: ref, facts: facts})
}

// eval reads an expression as it is evaluated: the fields of resources it
// reads, and the calls it makes (what a cached call read counts here too).
func (t *explainTracer) eval(evt *topdown.Event, expr *ast.Expr) {
	if expr.IsCall() {
		if expr.Operator().HasPrefix(ast.DefaultRootRef) {
			key := callKey(evt, expr)
			t.pending[evt.QueryID] = key
			t.addAll(evt.QueryID, t.memo[key])
		}
	}
	ast.WalkRefs(expr, func(ref ast.Ref) bool {
		switch head := ref[0].Value.(type) {
		case ast.Var:
			if head.Equal(ast.DefaultRootDocument.Value) {
				t.readData(evt, ref)
				return false
			}
			if len(ref) < 2 {
				return false
			}
			v := evt.Plug(ref[0]).Value
			if _, ok := v.(ast.Object); !ok {
				return false
			}
			if key, ok := t.values[v.String()]; ok {
				t.readField(evt, key, v, ref[1])
			}
		}
		return false
	})
}

// readData reads a reference into data: a rule that is a resource (the
// account's fields), and what a cached rule read.
func (t *explainTracer) readData(evt *topdown.Event, ref ast.Ref) {
	prefix := ref.GroundPrefix()
	for n := len(prefix); n > 1; n-- {
		path := prefix[:n].String()
		if key, ok := t.paths[path]; ok && n < len(ref) {
			if v, ok := t.pathValues[path]; ok {
				t.readField(evt, key, v, ref[n])
			}
		}
		t.addAll(evt.QueryID, t.memo[path])
	}
}

// normalizer is the rulebook's function that rewrites a resource's values
// into imgadmit's words: it looks at every field it knows, whatever the rule
// that asked goes on to read, so what it reads is not counted.
const normalizer = "data.imgadmit.lib.facts._normalized("

// readField records that the query read field of resource key, whose
// object is obj: a field the resource has (looking for one it lacks reads
// nothing), outside the normalizer.
func (t *explainTracer) readField(evt *topdown.Event, key resourceKey, obj ast.Value, field *ast.Term) {
	s, ok := evt.Plug(field).Value.(ast.String)
	if !ok || obj.(ast.Object).Get(ast.NewTerm(s)) == nil {
		return
	}
	for q, seen := evt.QueryID, 0; seen <= len(t.parent); seen++ {
		if strings.HasPrefix(t.frameKey[q], normalizer) {
			return
		}
		p, ok := t.parent[q]
		if !ok || p == q {
			break
		}
		q = p
	}
	t.add(evt.QueryID, Fact{Kind: key.kind, ID: key.id, Field: string(s), Origin: t.origins[key]})
}

// add records that query q, every query above it, and the calls they
// evaluate read f.
func (t *explainTracer) add(q uint64, f Fact) {
	for seen := 0; seen < len(t.parent)+1; seen++ {
		set := t.reads[q]
		if set == nil {
			set = map[Fact]bool{}
			t.reads[q] = set
		}
		set[f] = true
		if key, ok := t.frameKey[q]; ok {
			m := t.memo[key]
			if m == nil {
				m = map[Fact]bool{}
				t.memo[key] = m
			}
			m[f] = true
		}
		p, ok := t.parent[q]
		if !ok || p == q {
			return
		}
		q = p
	}
}

// addAll adds every fact of a call's memo; a copy, as adding them may add
// to the memo itself (a call made inside itself).
func (t *explainTracer) addAll(q uint64, facts map[Fact]bool) {
	for _, f := range slices.Collect(maps.Keys(facts)) {
		t.add(q, f)
	}
}

// callKey names a call of a function by the rule it calls and its
// arguments' values; the output a call is unified with is left out, being
// the caller's variable (it is not ground).
func callKey(evt *topdown.Event, expr *ast.Expr) string {
	terms := expr.Operands()
	var b strings.Builder
	b.WriteString(expr.Operator().String())
	b.WriteByte('(')
	first := true
	for _, term := range terms {
		v := evt.Plug(term)
		if !v.IsGround() {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(v.String())
	}
	b.WriteByte(')')
	return b.String()
}

// explainReasons matches the reasons the trace recorded (as the rule bodies
// gave them, before the settings) to d's reasons: each of d's reasons gets
// the rule bodies that gave it and every fact they read.
// A reason no rule body gave (made by imgadmit: REQ-003) is explained by its
// METADATA alone.
func explainReasons(d *Decision, book *rulebook) {
	x := d.Explanation
	if x == nil {
		return
	}
	traced := x.traced
	x.Reasons = make([]ReasonExplanation, 0, len(d.Reasons))
	for _, r := range d.Reasons {
		re := ReasonExplanation{ID: r.ID, Facts: []Fact{}}
		facts := map[Fact]bool{}
		found := false
		given := beforeSettings(r)
		for _, tr := range traced {
			if tr.reason != given {
				continue
			}
			if !found {
				re.Rule, found = tr.rule, true
			}
			for f := range tr.facts {
				facts[f] = true
			}
		}
		if !found {
			re.Rule = metadataRule(book, r.ID)
		}
		for f := range facts {
			re.Facts = append(re.Facts, f)
		}
		slices.SortFunc(re.Facts, func(a, b Fact) int {
			return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID),
				strings.Compare(a.Field, b.Field), strings.Compare(a.Origin, b.Origin))
		})
		x.Reasons = append(x.Reasons, re)
	}
}

// beforeSettings is reason r as the rule body gave it, before
// lib/settings.rego applied the operator's settings: a reason with an
// enforcement or a waiver was a deny, without either. The tracer reads the
// reasons at rules.reasons, before the settings, so this is what they match.
func beforeSettings(r Reason) Reason {
	if r.Enforcement != "" || r.Waiver != nil {
		r.Effect, r.Enforcement, r.Waiver = EffectDeny, "", nil
	}
	return r
}

// metadataRule is where the rule with id is written, from its METADATA.
func metadataRule(book *rulebook, id string) RuleRef {
	for _, rule := range book.rules {
		if rule.ID == id {
			return RuleRef{Name: strings.TrimPrefix(reasonsRef.String(), "data."), File: rule.File, Line: rule.Line}
		}
	}
	return RuleRef{}
}
