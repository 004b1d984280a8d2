// Package evaluator is the one place a request becomes a decision: it decodes
// the request, validates it against its JSON Schema, evaluates the rulebook
// with OPA against the request and the inventory, and returns the decision.
// The CLI and the sidecar both call it; nothing else talks to OPA or to the
// schema library.
package evaluator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/imgadmit/imgadmit/internal/factstore"
	"github.com/imgadmit/imgadmit/policies"
	"github.com/imgadmit/imgadmit/schemas"
)

// decisionQuery is the rule the router computes; stock OPA serves the same
// answer at /v1/data/imgadmit/decision.
const decisionQuery = "data.imgadmit.decision"

// Options configure an Evaluator. The zero value uses the embedded rulebook
// and schemas, an empty inventory, and the inventory's own settings.
type Options struct {
	// Policies is the rulebook; nil means the one embedded in the binary.
	Policies fs.FS
	// Inventory is the inventory document ({resources, settings}), already
	// decoded; nil means none. It is validated by New.
	Inventory map[string]any
	// Facts, when set, is the inventory already read and checked (FactsOf,
	// ReadInventoryStream), in place of Inventory.
	Facts *factstore.Inventory
	// Lenient turns missing facts into warnings (settings.missing_facts = warn).
	Lenient bool
	// TrustRequestFacts, when set, overrides settings.trust_request_facts.
	TrustRequestFacts *bool
	// Translator, when set, reads the documents it recognizes (real API
	// calls) into canonical requests; nil means canonical requests only.
	Translator Translator
}

// Evaluator turns requests into decisions. It is safe for concurrent use; the
// rulebook and the inventory can be replaced while it serves, atomically.
type Evaluator struct {
	validator  *validator
	lenient    bool
	trust      *bool
	translator Translator

	mu    sync.Mutex // serializes replacements of state
	state atomic.Pointer[state]
}

// state is everything one decision is made with; it is replaced whole, so a
// decision never sees half of a reload.
type state struct {
	book      *rulebook
	inventory *factstore.Inventory
	// rest is what the store holds beside the keyed kinds: the inventory's
	// settings with the caller's overrides, the account; extra is the
	// waiver index. Both depend on the settings only, so a change to a
	// resource keeps them.
	rest, extra map[string]any
	query       rego.PreparedEvalQuery
}

// DecideOptions are per-call choices.
type DecideOptions struct {
	// Now is the time time-based rules see; zero means the wall clock. It
	// comes from the caller (replay, tests), never from the request.
	Now time.Time
	// Project, when set, is the project a request that names none is decided
	// as: the caller's, known from its credential (the caller has checked any
	// project the request names). It must be a valid id.
	Project string
	// Explain asks for the decision's Explanation: OPA's trace, and the rule
	// and facts behind each reason. The same prepared query decides, traced.
	Explain bool
}

// New compiles the rulebook and the schemas once and prepares the query.
func New(ctx context.Context, opts Options) (*Evaluator, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	e := &Evaluator{validator: v, lenient: opts.Lenient, trust: opts.TrustRequestFacts, translator: opts.Translator}
	pfs := opts.Policies
	if pfs == nil {
		pfs = policies.FS
	}
	book, err := loadRulebook(pfs)
	if err != nil {
		return nil, err
	}
	facts := opts.Facts
	if facts == nil {
		inv := opts.Inventory
		if inv == nil {
			inv = map[string]any{}
		}
		if facts, err = e.validator.facts(inv); err != nil {
			return nil, err
		}
	}
	st, err := e.prepare(ctx, book, facts, nil)
	if err != nil {
		return nil, err
	}
	e.state.Store(st)
	return e, nil
}

// FactsOf checks a whole decoded inventory document against its schema and
// makes it the facts ReplaceInventory and Prepare take (nil: {}).
func FactsOf(inv map[string]any) (*factstore.Inventory, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	if inv == nil {
		inv = map[string]any{}
	}
	return v.facts(inv)
}

// facts is FactsOf with v.
func (v *validator) facts(inv map[string]any) (*factstore.Inventory, error) {
	if errs := v.validateInventory(inv); len(errs) > 0 {
		return nil, &Error{Code: CodeInvalidInventory, Message: "the inventory does not match its schema", Errors: errs}
	}
	facts, err := factstore.FromValue(inv)
	if err != nil {
		return nil, &Error{Code: CodeInvalidInventory, Message: err.Error(), err: err}
	}
	return facts, nil
}

// prepare builds the store and prepares the decision query for one rulebook
// and inventory. prev, when not nil, is a state whose settings-derived
// parts (the overridden settings, the waiver index) inv shares when its
// settings are the same: a change to one resource rebuilds neither.
func (e *Evaluator) prepare(ctx context.Context, book *rulebook, inv *factstore.Inventory, prev *state) (*state, error) {
	st := &state{book: book, inventory: inv}
	if prev != nil && prev.book == book && prev.inventory.RestDigest() == inv.RestDigest() {
		st.rest, st.extra = prev.rest, prev.extra
	} else {
		if errs := checkSettings(book, inv.Rest()); len(errs) > 0 {
			return nil, &Error{Code: CodeInvalidInventory, Message: "the inventory's settings do not fit the rulebook", Errors: errs}
		}
		st.rest = e.effectiveInventory(inv.Rest())
		if idx := WaiverIndex(inv.Rest()); idx != nil {
			st.extra = map[string]any{"imgadmit_index": idx}
		}
	}
	// The store hands a decision the resources it reads, converted to OPA
	// values as it reads them (factstore); the rest, small, is converted once
	// here.
	store := newStore(inv, st.rest, st.extra)
	q, err := rego.New(
		rego.Query(decisionQuery),
		rego.Compiler(book.compiler),
		rego.Store(store),
		rego.Capabilities(capabilities()),
		// A builtin that fails on a fact (a time it cannot parse) stops the
		// decision, which then fails closed (REQ-004), rather than leaving
		// the rule that called it silently undefined.
		rego.StrictBuiltinErrors(true),
		// The decision is read straight from OPA's value (decisionFromValue),
		// not from a Go copy of it made only to be read once.
		rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("prepare query: %v", err), err: err}
	}
	// A canary decision before the state serves: a rulebook (or inventory)
	// that compiles but cannot decide (a conflict, an undefined decision) is
	// refused here instead of failing every request afterwards.
	rs, err := q.Eval(ctx, rego.EvalParsedInput(canaryInput), rego.EvalTime(time.Now()))
	if err == nil && (len(rs) != 1 || len(rs[0].Expressions) != 1) {
		err = errors.New("data.imgadmit.decision is undefined")
	}
	if err == nil {
		_, err = decisionFromValue(rs[0].Expressions[0].Value)
	}
	if err != nil {
		return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("the rulebook cannot decide a canary request: %v", err), err: err}
	}
	st.query = q
	return st, nil
}

// newStore is OPA's view of an inventory (factstore.NewStore); a test wraps
// it to see what decisions read.
var newStore = factstore.NewStore

// effectiveInventory applies the caller's overrides (--lenient,
// --trust-request-facts) on top of the inventory's settings, without
// changing the caller's map.
func (e *Evaluator) effectiveInventory(inv map[string]any) map[string]any {
	if !e.lenient && e.trust == nil {
		return inv
	}
	out := maps.Clone(inv)
	settings := map[string]any{}
	if s, ok := inv["settings"].(map[string]any); ok {
		settings = maps.Clone(s)
	}
	if e.lenient {
		settings["missing_facts"] = "warn"
	}
	if e.trust != nil {
		settings["trust_request_facts"] = *e.trust
	}
	out["settings"] = settings
	return out
}

// SetInventory validates inv and makes it the inventory of every decision
// that starts after it returns. On error the previous inventory stays.
func (e *Evaluator) SetInventory(ctx context.Context, inv map[string]any) error {
	if inv == nil {
		inv = map[string]any{}
	}
	facts, err := e.validator.facts(inv)
	if err != nil {
		return err
	}
	return e.set(ctx, nil, facts)
}

// ReplaceInventory makes inv, read by ReadInventoryStream (which checked it
// against the schema), the inventory of every decision that starts after it
// returns. On error the previous inventory stays.
func (e *Evaluator) ReplaceInventory(ctx context.Context, inv *factstore.Inventory) error {
	return e.set(ctx, nil, inv)
}

// SetRulebook compiles the rulebook in fsys and makes it the rulebook of every
// decision that starts after it returns. On error the previous one stays.
func (e *Evaluator) SetRulebook(ctx context.Context, fsys fs.FS) error {
	return e.set(ctx, fsys, nil)
}

// set prepares a change and applies it, one replacement at a time.
func (e *Evaluator) set(ctx context.Context, policies fs.FS, inv *factstore.Inventory) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.Prepare(ctx, policies, inv)
	if err != nil {
		return err
	}
	e.state.Store(c.st)
	return nil
}

// ResourceChange is one resource of a keyed kind (factstore.Kinds) replaced,
// added or removed.
type ResourceChange struct {
	Kind, ID string
	// Value is the resource's facts, decoded (maps, json.Number...).
	Value any
	// Remove removes the resource instead.
	Remove bool
}

// EditInventory changes the inventory serving in place of replacing it:
// rest (when not nil) becomes the document without the keyed kinds'
// resources (settings, the account), and each change is made to its
// resource. What changes is checked against the schema, the resources
// changed alone; the rest is shared with the inventory serving. cur, when
// not empty, is the revision the change was made against: if another
// change came first, nothing changes and the error says so. On error the
// inventory serving stays.
func (e *Evaluator) EditInventory(ctx context.Context, cur string, rest map[string]any, changes []ResourceChange) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.state.Load()
	if cur != "" && cur != old.inventory.Revision() {
		return &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("the inventory changed while the change was made (its revision is %s, not %s)", old.inventory.Revision(), cur)}
	}
	inv, err := e.validator.change(old.inventory, rest, changes)
	if err != nil {
		return err
	}
	if inv.Revision() == old.inventory.Revision() {
		return nil
	}
	st, err := e.prepare(ctx, old.book, inv, old)
	if err != nil {
		return err
	}
	e.state.Store(st)
	return nil
}

// ChangeFacts is base (checked) with rest (when not nil) as the document
// without the keyed kinds' resources and each change made to its resource,
// what changes checked against the schema: the inventory EditInventory
// would make of base, for a caller that has more to do before it serves
// (a sync overlaying the files' inventory).
func ChangeFacts(base *factstore.Inventory, rest map[string]any, changes []ResourceChange) (*factstore.Inventory, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	return v.change(base, rest, changes)
}

// change is ChangeFacts with v.
func (v *validator) change(base *factstore.Inventory, rest map[string]any, changes []ResourceChange) (*factstore.Inventory, error) {
	var errs []FieldError
	if rest != nil {
		errs = v.validateInventory(rest)
	}
	fc := make([]factstore.Change, 0, len(changes))
	for _, c := range changes {
		if c.Remove {
			fc = append(fc, factstore.Change{Kind: c.Kind, ID: c.ID})
			continue
		}
		doc := map[string]any{"resources": map[string]any{c.Kind: map[string]any{c.ID: c.Value}}}
		if fe := v.validateInventory(doc); len(fe) > 0 {
			errs = append(errs, fe...)
			continue
		}
		raw, err := factstore.AppendCanonical(nil, c.Value)
		if err != nil {
			errs = append(errs, FieldError{Pointer: "/resources/" + escapePointer(c.Kind) + "/" + escapePointer(c.ID), Message: err.Error()})
			continue
		}
		fc = append(fc, factstore.Change{Kind: c.Kind, ID: c.ID, Value: raw})
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		return nil, &Error{Code: CodeInvalidInventory, Message: "the inventory does not match its schema", Errors: errs}
	}
	inv, err := base.With(rest, fc)
	if err != nil {
		return nil, &Error{Code: CodeInvalidInventory, Message: err.Error(), err: err}
	}
	return inv, nil
}

// Change is a rulebook and an inventory checked and prepared (compiled,
// validated, the canary decided) but not yet serving: Prepare makes one,
// Apply makes it serve. Between the two the caller can commit what the
// change came from (a bundle activation), so both succeed or neither does.
type Change struct {
	st *state
}

// Revisions are the change's rulebook and inventory revisions.
func (c *Change) Revisions() (rulebook, inventory string) {
	return c.st.book.revision, c.st.inventory.Revision()
}

// Prepare checks and prepares a change without making it serve: the rulebook
// in policies (nil keeps the rulebook serving) with inv as the inventory
// (nil keeps the inventory serving; from FactsOf or ReadInventoryStream,
// which checked it). On error nothing changes.
func (e *Evaluator) Prepare(ctx context.Context, policies fs.FS, inv *factstore.Inventory) (*Change, error) {
	old := e.state.Load()
	book := old.book
	if policies != nil {
		var err error
		if book, err = loadRulebookOver(policies, old.book); err != nil {
			return nil, err
		}
	}
	if inv == nil {
		inv = old.inventory
	}
	if book == old.book && inv.Revision() == old.inventory.Revision() {
		// Nothing changes (a bundle served again without an ETag).
		return &Change{st: old}, nil
	}
	st, err := e.prepare(ctx, book, inv, old)
	if err != nil {
		return nil, err
	}
	return &Change{st: st}, nil
}

// Apply makes a prepared change serve every decision that starts after it
// returns.
func (e *Evaluator) Apply(c *Change) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.state.Store(c.st)
}

// Revision is the revision of the rulebook now in use.
func (e *Evaluator) Revision() string { return e.state.Load().book.revision }

// InventoryRevision is the revision of the inventory now in use: a digest
// of its facts and settings, so the same inventory has the same revision
// wherever it came from.
func (e *Evaluator) InventoryRevision() string { return e.state.Load().inventory.Revision() }

// InventorySnapshot is the inventory now in use (as given, without the
// caller's overrides) and its revision, read together: the revision is the
// one of that inventory, even while another is being set. The inventory is
// immutable.
func (e *Evaluator) InventorySnapshot() (*factstore.Inventory, string) {
	st := e.state.Load()
	return st.inventory, st.inventory.Revision()
}

// Rules lists the rules of the rulebook now in use, sorted by id.
func (e *Evaluator) Rules() []Rule { return e.state.Load().book.rules }

// Operations lists the operations that exist, by provider.
func (e *Evaluator) Operations() map[string][]string { return e.validator.operations() }

// Decide parses a request written in format f (ParseRequest) and decides it
// (DecideRequest).
func (e *Evaluator) Decide(ctx context.Context, raw []byte, f Format, opts DecideOptions) (*Decision, error) {
	req, err := e.ParseRequest(raw, f)
	if err != nil {
		return nil, err
	}
	return e.DecideRequest(ctx, req, opts)
}

// DecideRequest evaluates the rulebook against a parsed request and the
// inventory: the one place a request becomes a decision.
func (e *Evaluator) DecideRequest(ctx context.Context, req *Request, opts DecideOptions) (*Decision, error) {
	// OPA notices cancellation only between steps; a request whose deadline
	// has already passed is refused here, every time.
	if err := ctx.Err(); err != nil {
		return nil, &Error{Code: CodeInternal, Message: fmt.Sprintf("evaluation stopped: %v", err), err: err}
	}
	st := e.state.Load()
	decide := e.decide
	if req.translation != nil {
		decide = e.decideTranslated
	}
	d, err := decide(ctx, st, req, opts)
	if err != nil {
		return nil, err
	}
	d.DecisionID = uuid.NewString()
	d.Rulebook = Rulebook{Revision: st.book.revision, Rules: len(st.book.rules)}
	explainReasons(d, st.book)
	return d, nil
}

// decide evaluates one canonical request with one state; the caller names
// the decision (id, rulebook).
func (e *Evaluator) decide(ctx context.Context, st *state, req *Request, opts DecideOptions) (*Decision, error) {
	doc, err := req.document(opts.Project)
	if err != nil {
		return nil, err
	}
	input, err := ast.InterfaceToValue(doc)
	if err != nil {
		return nil, internalError("convert request", err)
	}
	return e.evaluate(ctx, st, input, opts)
}

// evaluate runs the decision query on input, a request as an OPA value.
func (e *Evaluator) evaluate(ctx context.Context, st *state, input ast.Value, opts DecideOptions) (*Decision, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Cancellation without a goroutine per decision (what Eval starts when
	// it is given none): the context fires the cancel, if it can ever end.
	cancel := neverCancelled
	if ctx.Done() != nil {
		cancel = topdown.NewCancel()
		stop := context.AfterFunc(ctx, cancel.Cancel)
		defer stop()
	}
	var tracer *explainTracer
	var rs rego.ResultSet
	var err error
	if opts.Explain {
		// A separate call, so the decision that is not explained builds no
		// options it does not use.
		tracer = newExplainTracer()
		rs, err = st.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now), rego.EvalExternalCancel(cancel),
			rego.EvalQueryTracer(tracer))
	} else {
		rs, err = st.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now), rego.EvalExternalCancel(cancel))
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &Error{Code: CodeInternal, Message: fmt.Sprintf("evaluation stopped: %v", ctxErr), err: errors.Join(ctxErr, err)}
		}
		return nil, internalError("evaluate", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, &Error{Code: CodeInternal, Message: "the rulebook gave no decision (data.imgadmit.decision is undefined)"}
	}
	d, err := decisionFromValue(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, internalError("read decision", err)
	}
	if tracer != nil {
		d.Explanation = &Explanation{Trace: tracer.events, traced: tracer.reasons}
	}
	return d, nil
}

// neverCancelled is the cancel of every evaluation whose context cannot end:
// nothing ever calls its Cancel.
var neverCancelled = topdown.NewCancel()

// decisionFromValue reads the router's answer, an OPA value or its Go form. A
// decision that says allowed while a reason denies is refused: allowed is
// false exactly when some reason denies, whatever the rulebook computed.
func decisionFromValue(v any) (*Decision, error) {
	av, ok := v.(ast.Value)
	if !ok {
		// Only a caller without GenerateJSON's pass-through (tests) gets here;
		// one reader, of OPA values, keeps the checks in one place.
		var err error
		if av, err = ast.InterfaceToValue(v); err != nil {
			return nil, fmt.Errorf("decision is %T: %v", v, err)
		}
	}
	return decisionFromAST(av)
}

// decisionFromAST reads the decision from the OPA value itself.
func decisionFromAST(v ast.Value) (*Decision, error) {
	m, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("decision is %s, not an object", ast.ValueName(v))
	}
	d := &Decision{Provider: stringAt(m, keyProvider), Operation: stringAt(m, keyOperation)}
	rt := m.Get(keyReasons)
	var raw *ast.Array
	if rt != nil {
		raw, _ = rt.Value.(*ast.Array)
	}
	if raw == nil {
		return nil, errors.New("decision has no reasons array")
	}
	d.Reasons = make([]Reason, 0, raw.Len())
	denied := false
	for i := range raw.Len() {
		rm, ok := raw.Elem(i).Value.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("reason %d is %s, not an object", i, ast.ValueName(raw.Elem(i).Value))
		}
		r := reasonFields(rm)
		if r.ID == "" || !decisionEffects[r.Effect] {
			return nil, fmt.Errorf("reason %d has id %q and effect %q", i, r.ID, r.Effect)
		}
		if wt := rm.Get(keyWaiver); wt != nil {
			w, err := waiverFromAST(wt.Value)
			if err != nil {
				return nil, fmt.Errorf("reason %d: %v", i, err)
			}
			r.Waiver = w
		}
		if (r.Effect == EffectWaived) != (r.Waiver != nil) {
			return nil, fmt.Errorf("reason %d has effect %q and waiver %v", i, r.Effect, r.Waiver != nil)
		}
		denied = denied || r.Effect == EffectDeny
		d.Reasons = append(d.Reasons, r)
	}
	var allowed, isBool bool
	if t := m.Get(keyAllowed); t != nil {
		var b ast.Boolean
		b, isBool = t.Value.(ast.Boolean)
		allowed = bool(b)
	}
	if !isBool {
		return nil, errors.New("decision has no allowed boolean")
	}
	if allowed == denied {
		return nil, fmt.Errorf("decision says allowed=%v but %d reasons deny", allowed, countDeny(d.Reasons))
	}
	d.Allowed = allowed
	return d, nil
}

// reasonFields reads a reason's string members; its waiver is read apart,
// where a decision's reason may have one (a rule body's never does). The
// explanation reads the reasons rule bodies give with it too, so both read
// the same fields.
func reasonFields(o ast.Object) Reason {
	return Reason{ID: stringAt(o, keyID), Effect: stringAt(o, keyEffect), Category: stringAt(o, keyCategory),
		Message: stringAt(o, keyMessage), Remediation: stringAt(o, keyRemediation), Source: stringAt(o, keySource),
		Enforcement: stringAt(o, keyEnforcement)}
}

// stringAt is o's member k when it is a string, else "".
func stringAt(o ast.Object, k *ast.Term) string {
	if t := o.Get(k); t != nil {
		if s, ok := t.Value.(ast.String); ok {
			return string(s)
		}
	}
	return ""
}

// The keys of the decision and its reasons.
var (
	keyAllowed     = ast.StringTerm("allowed")
	keyProvider    = ast.StringTerm("provider")
	keyOperation   = ast.StringTerm("operation")
	keyReasons     = ast.StringTerm("reasons")
	keyID          = ast.StringTerm("id")
	keyEffect      = ast.StringTerm("effect")
	keyCategory    = ast.StringTerm("category")
	keyMessage     = ast.StringTerm("message")
	keyRemediation = ast.StringTerm("remediation")
	keySource      = ast.StringTerm("source")
	keyEnforcement = ast.StringTerm("enforcement")
	keyWaiver      = ast.StringTerm("waiver")
)

// waiverFromAST reads a reason's waiver: the settings' waiver, as validated.
func waiverFromAST(v ast.Value) (*Waiver, error) {
	var w Waiver
	if err := ast.As(v, &w); err != nil {
		return nil, fmt.Errorf("waiver: %v", err)
	}
	if w.Rule == "" {
		return nil, errors.New("waiver without a rule")
	}
	return &w, nil
}

func countDeny(rs []Reason) int {
	n := 0
	for _, r := range rs {
		if r.Effect == EffectDeny {
			n++
		}
	}
	return n
}

// MarshalJSON keeps an empty reasons list as [] rather than null.
func (d Decision) MarshalJSON() ([]byte, error) {
	type plain Decision
	if d.Reasons == nil {
		d.Reasons = []Reason{}
	}
	return json.Marshal(plain(d))
}

// canaryInput is the request every new state must decide before it serves.
var canaryInput = ast.MustInterfaceToValue(map[string]any{
	"provider":  "huaweicloud",
	"operation": "server.start",
	"params":    map[string]any{"server_id": "imgadmit-canary"},
})

// schemasFS is the embedded schema set; a function so tests can see one place.
func schemasFS() fs.FS { return schemas.FS }

// embeddedValidator is the validator of the embedded schemas, built once per
// process (the CLI reads its inventory and builds its evaluator with the same
// one) and compiling each pair's schema when it is first asked for: a command
// that decides one request compiles one pair schema, not all of them.
var embeddedValidator = sync.OnceValues(func() (*validator, error) { return buildValidator(schemasFS(), false) })
