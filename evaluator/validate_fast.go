package evaluator

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The fast path of schema validation. The schema library builds location
// strings and bookkeeping maps for every value it visits, valid or not: 40 µs
// and 340 allocations for a valid request, the largest cost of a decision
// after OPA. Most requests are valid, and a valid request needs no error
// report: fastSchema.check answers "valid" for those without allocating, and
// anything else (invalid, or a case it does not decide exactly) goes to the
// library, which alone writes the errors. So the fast path can only skip the
// library when the library would have found nothing;
// TestFastValidatorAgreesWithLibrary holds it to that.
//
// It understands the keywords the shipped schemas use. A schema with any
// other keyword (or a $ref it cannot follow) gets no fast checker, and every
// request of its pair goes to the library as before.

// fastVerdict is what the fast checker knows about a value.
type fastVerdict uint8

const (
	fastValid   fastVerdict = iota
	fastInvalid             // certainly invalid
	fastUnsure              // not decided here: ask the library
)

// and combines verdicts of keywords that must all hold.
func (a fastVerdict) and(b fastVerdict) fastVerdict {
	if a == fastInvalid || b == fastInvalid {
		return fastInvalid
	}
	return max(a, b)
}

// or combines verdicts of alternatives, one of which must hold.
func (a fastVerdict) or(b fastVerdict) fastVerdict {
	if a == fastValid || b == fastValid {
		return fastValid
	}
	return max(a, b) // unsure beats invalid
}

// fastSchema is one compiled schema (or subschema).
type fastSchema struct {
	always    *bool // a boolean schema
	types     []string
	hasConst  bool
	constVal  any
	enum      []any
	format    func(any) bool
	required  []string
	props     map[string]*fastSchema
	addl      *fastSchema // additionalProperties as a schema
	noAddl    bool        // additionalProperties: false
	propNames *fastSchema
	items     *fastSchema
	minItems  int
	maxItems  int
	unique    bool
	minLen    int
	maxLen    int
	pattern   *matcher
	minimum   *big.Rat
	maximum   *big.Rat
	ref       *fastSchema
	allOf     []*fastSchema
	anyOf     []*fastSchema
	oneOf     []*fastSchema
	not       *fastSchema
	ifS       *fastSchema
	thenS     *fastSchema
	elseS     *fastSchema
}

// compileFast builds the fast checker of a schema the library compiled, or
// fails when the schema uses a keyword the fast path does not decide (its
// requests then all go to the library). Subschemas are compiled once each,
// so recursive references close into cycles instead of looping.
func compileFast(lib *jsonschema.Schema) (*fastSchema, error) {
	return fastCompiler{}.schema(lib)
}

// fastCompiler maps each library schema to its fast checker.
type fastCompiler map[*jsonschema.Schema]*fastSchema

func (c fastCompiler) schema(ls *jsonschema.Schema) (*fastSchema, error) {
	if ls == nil {
		return nil, nil
	}
	if s, ok := c[ls]; ok {
		return s, nil
	}
	if err := unsupportedKeyword(ls); err != nil {
		return nil, err
	}
	s := &fastSchema{
		always: ls.Always, types: ls.Types, enum: ls.Enum, required: ls.Required,
		minItems: ls.MinItems, maxItems: ls.MaxItems, unique: ls.UniqueItems,
		minLen: ls.MinLength, maxLen: ls.MaxLength, pattern: newMatcher(ls.Pattern),
		minimum: ls.Minimum, maximum: ls.Maximum,
	}
	c[ls] = s
	if len(ls.Constant) > 0 {
		s.hasConst, s.constVal = true, ls.Constant[0]
	}
	if ls.Format != "" {
		f, ok := jsonschema.Formats[ls.Format]
		if !ok {
			return nil, fmt.Errorf("%s: format %q is not registered", ls.Location, ls.Format)
		}
		s.format = f
	}
	var err error
	one := func(x *jsonschema.Schema) *fastSchema {
		if err != nil || x == nil {
			return nil
		}
		var out *fastSchema
		out, err = c.schema(x)
		return out
	}
	list := func(xs []*jsonschema.Schema) []*fastSchema {
		out := make([]*fastSchema, len(xs))
		for i, x := range xs {
			out[i] = one(x)
		}
		return out
	}
	if len(ls.Properties) > 0 {
		s.props = make(map[string]*fastSchema, len(ls.Properties))
		for name, x := range ls.Properties {
			s.props[name] = one(x)
		}
	}
	switch a := ls.AdditionalProperties.(type) {
	case bool:
		s.noAddl = !a
	case *jsonschema.Schema:
		s.addl = one(a)
	}
	s.propNames = one(ls.PropertyNames)
	s.items = one(ls.Items2020)
	s.ref = one(ls.Ref)
	s.allOf, s.anyOf, s.oneOf = list(ls.AllOf), list(ls.AnyOf), list(ls.OneOf)
	s.not, s.ifS, s.thenS, s.elseS = one(ls.Not), one(ls.If), one(ls.Then), one(ls.Else)
	return s, err
}

// unsupportedKeyword names a keyword of ls that the fast path does not decide.
func unsupportedKeyword(ls *jsonschema.Schema) error {
	var kw string
	switch {
	case ls.RecursiveRef != nil || ls.DynamicRef != nil:
		kw = "$recursiveRef/$dynamicRef"
	case ls.MinProperties >= 0 || ls.MaxProperties >= 0:
		kw = "minProperties/maxProperties"
	case len(ls.PatternProperties) > 0:
		kw = "patternProperties"
	case len(ls.Dependencies) > 0 || len(ls.DependentRequired) > 0 || len(ls.DependentSchemas) > 0:
		kw = "dependencies"
	case ls.UnevaluatedProperties != nil || ls.UnevaluatedItems != nil:
		kw = "unevaluated*"
	case ls.Items != nil || ls.AdditionalItems != nil || len(ls.PrefixItems) > 0 || ls.Contains != nil:
		kw = "items (array form)/prefixItems/contains"
	case ls.ExclusiveMinimum != nil || ls.ExclusiveMaximum != nil || ls.MultipleOf != nil:
		kw = "exclusiveMinimum/exclusiveMaximum/multipleOf"
	case ls.ContentEncoding != "" || ls.ContentMediaType != "" || ls.ContentSchema != nil:
		kw = "content*"
	case len(ls.Extensions) > 0:
		kw = "an extension keyword"
	default:
		return nil
	}
	return fmt.Errorf("%s: %s is not decided by the fast path", ls.Location, kw)
}

// check reports whether v, decoded with UseNumber, satisfies the schema.
func (s *fastSchema) check(v any) fastVerdict {
	if s.always != nil {
		if *s.always {
			return fastValid
		}
		return fastInvalid
	}
	if len(s.types) > 0 {
		t := typeFast(s.types, v)
		if t != fastValid {
			return t
		}
	}
	out := fastValid
	if s.hasConst {
		out = out.and(jsonEqual(v, s.constVal))
	}
	if s.enum != nil {
		e := fastInvalid
		for _, x := range s.enum {
			if e = e.or(jsonEqual(v, x)); e == fastValid {
				break
			}
		}
		out = out.and(e)
	}
	if s.format != nil && !s.format(v) {
		return fastInvalid
	}
	switch v := v.(type) {
	case map[string]any:
		for _, name := range s.required {
			if _, ok := v[name]; !ok {
				return fastInvalid
			}
		}
		for name, x := range v {
			ps, known := s.props[name]
			switch {
			case known:
				out = out.and(ps.check(x))
			case s.noAddl:
				return fastInvalid
			case s.addl != nil:
				out = out.and(s.addl.check(x))
			}
			if s.propNames != nil {
				out = out.and(s.propNames.check(name))
			}
			if out == fastInvalid {
				return out
			}
		}
	case []any:
		if s.minItems >= 0 && len(v) < s.minItems || s.maxItems >= 0 && len(v) > s.maxItems {
			return fastInvalid
		}
		if s.unique && len(v) > 1 {
			if len(v) > 64 {
				// Pairwise is quadratic; a list of strings (ids, members) is
				// checked with a set, anything else is left to the library.
				out = out.and(uniqueStrings(v))
			} else {
				for i := 1; i < len(v); i++ {
					for j := 0; j < i; j++ {
						out = out.and(notEqual(jsonEqual(v[i], v[j])))
					}
				}
			}
		}
		if s.items != nil {
			for _, x := range v {
				if out = out.and(s.items.check(x)); out == fastInvalid {
					return out
				}
			}
		}
	case string:
		if s.minLen >= 0 || s.maxLen >= 0 {
			n := utf8.RuneCountInString(v)
			if s.minLen >= 0 && n < s.minLen || s.maxLen >= 0 && n > s.maxLen {
				return fastInvalid
			}
		}
		if s.pattern != nil && !s.pattern.match(v) {
			return fastInvalid
		}
	case json.Number:
		if s.minimum != nil || s.maximum != nil {
			r, ok := new(big.Rat).SetString(string(v))
			if !ok {
				return fastUnsure
			}
			if s.minimum != nil && r.Cmp(s.minimum) < 0 || s.maximum != nil && r.Cmp(s.maximum) > 0 {
				return fastInvalid
			}
		}
	case nil, bool:
	default:
		return fastUnsure // not a decoded JSON value
	}
	if out == fastInvalid {
		return out
	}
	if s.ref != nil {
		if out = out.and(s.ref.check(v)); out == fastInvalid {
			return out
		}
	}
	if s.not != nil {
		switch s.not.check(v) {
		case fastValid:
			return fastInvalid
		case fastUnsure:
			out = out.and(fastUnsure)
		}
	}
	for _, x := range s.allOf {
		if out = out.and(x.check(v)); out == fastInvalid {
			return out
		}
	}
	if len(s.anyOf) > 0 {
		a := fastInvalid
		for _, x := range s.anyOf {
			if a = a.or(x.check(v)); a == fastValid {
				break
			}
		}
		if out = out.and(a); out == fastInvalid {
			return out
		}
	}
	if len(s.oneOf) > 0 {
		matched, unsure := 0, false
		for _, x := range s.oneOf {
			switch x.check(v) {
			case fastValid:
				matched++
			case fastUnsure:
				unsure = true
			}
		}
		switch {
		case unsure:
			out = out.and(fastUnsure)
		case matched != 1:
			return fastInvalid
		}
	}
	if s.ifS != nil {
		switch s.ifS.check(v) {
		case fastValid:
			if s.thenS != nil {
				out = out.and(s.thenS.check(v))
			}
		case fastInvalid:
			if s.elseS != nil {
				out = out.and(s.elseS.check(v))
			}
		default:
			out = out.and(fastUnsure)
		}
	}
	return out
}

// typeFast is the library's type check: "integer" admits a number with no
// fraction, however it is written.
func typeFast(types []string, v any) fastVerdict {
	var t string
	switch v.(type) {
	case nil:
		t = "null"
	case bool:
		t = "boolean"
	case string:
		t = "string"
	case json.Number:
		t = "number"
	case []any:
		t = "array"
	case map[string]any:
		t = "object"
	default:
		return fastUnsure
	}
	for _, want := range types {
		if want == t {
			return fastValid
		}
		if want == "integer" && t == "number" {
			n := string(v.(json.Number))
			if !strings.ContainsAny(n, ".eE") {
				return fastValid
			}
			if r, ok := new(big.Rat).SetString(n); !ok {
				return fastUnsure
			} else if r.IsInt() {
				return fastValid
			}
		}
	}
	return fastInvalid
}

// jsonEqual is the library's equality: numbers by value, objects by members.
func jsonEqual(a, b any) fastVerdict {
	switch a := a.(type) {
	case nil:
		return boolFast(b == nil)
	case bool:
		bb, ok := b.(bool)
		return boolFast(ok && a == bb)
	case string:
		bs, ok := b.(string)
		return boolFast(ok && a == bs)
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return fastInvalid
		}
		if a == bn {
			return fastValid
		}
		ra, ok1 := new(big.Rat).SetString(string(a))
		rb, ok2 := new(big.Rat).SetString(string(bn))
		if !ok1 || !ok2 {
			return fastUnsure
		}
		return boolFast(ra.Cmp(rb) == 0)
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return fastInvalid
		}
		out := fastValid
		for i := range a {
			if out = out.and(jsonEqual(a[i], bs[i])); out == fastInvalid {
				return out
			}
		}
		return out
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return fastInvalid
		}
		out := fastValid
		for k, x := range a {
			y, ok := bm[k]
			if !ok {
				return fastInvalid
			}
			if out = out.and(jsonEqual(x, y)); out == fastInvalid {
				return out
			}
		}
		return out
	}
	return fastUnsure
}

func boolFast(ok bool) fastVerdict {
	if ok {
		return fastValid
	}
	return fastInvalid
}

// notEqual turns "these two items are equal" into the uniqueItems fastVerdict.
func notEqual(eq fastVerdict) fastVerdict {
	switch eq {
	case fastValid:
		return fastInvalid
	case fastInvalid:
		return fastValid
	}
	return fastUnsure
}

// uniqueStrings is uniqueItems for a long list: valid when every item is a
// distinct string, invalid when two strings are equal, unsure when an item
// is not a string (the library, slower, decides then). The library's own
// check allocated 65 MB for 70,000 members, on every such request.
func uniqueStrings(v []any) fastVerdict {
	seen := make(map[string]struct{}, len(v))
	for _, x := range v {
		s, ok := x.(string)
		if !ok {
			return fastUnsure
		}
		if _, dup := seen[s]; dup {
			return fastInvalid
		}
		seen[s] = struct{}{}
	}
	return fastValid
}

// matcher is a pattern as the fast path checks it: the library's compiled
// regexp, asked less often. A case-insensitive list of words,
// (?i)^(?:a|b|c)$, the way the schemas spell a status in any case, is a set
// of lower-cased words; any other pattern remembers its answers for short
// strings, which repeat from request to request (regions, ids, names).
type matcher struct {
	re    *regexp.Regexp
	words map[string]bool // the lower-cased words; nil when the pattern is not a word list
	mu    sync.RWMutex
	seen  map[string]bool
}

// Bounds of a matcher's memory: strings up to this long, this many of them.
const (
	matcherKeyMax  = 64
	matcherEntries = 1024
)

// wordListPattern matches a case-insensitive list of plain words.
var wordListPattern = regexp.MustCompile(`^\(\?i\)\^\(\?:([A-Za-z0-9_:|]+)\)\$$`)

func newMatcher(re *regexp.Regexp) *matcher {
	if re == nil {
		return nil
	}
	m := &matcher{re: re}
	if g := wordListPattern.FindStringSubmatch(re.String()); g != nil {
		m.words = map[string]bool{}
		for w := range strings.SplitSeq(g[1], "|") {
			m.words[strings.ToLower(w)] = true
		}
		return m
	}
	m.seen = map[string]bool{}
	return m
}

func (m *matcher) match(s string) bool {
	if len(s) > matcherKeyMax {
		return m.re.MatchString(s)
	}
	if m.words != nil {
		// ASCII only: (?i) folds some other letters into ASCII ones (the
		// Kelvin sign into k), which the regexp knows and a lower-casing
		// here would not.
		var buf [matcherKeyMax]byte
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= utf8.RuneSelf {
				return m.re.MatchString(s)
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		return m.words[string(buf[:len(s)])]
	}
	m.mu.RLock()
	ok, known := m.seen[s]
	full := len(m.seen) >= matcherEntries
	m.mu.RUnlock()
	if known {
		return ok
	}
	ok = m.re.MatchString(s)
	if !full { // once full, a miss takes no write lock
		m.mu.Lock()
		if len(m.seen) < matcherEntries {
			m.seen[s] = ok
		}
		m.mu.Unlock()
	}
	return ok
}
