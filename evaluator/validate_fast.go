package evaluator

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
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
	pattern   *regexp.Regexp
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

// annotations are keywords that assert nothing.
var annotations = map[string]bool{
	"$schema": true, "$comment": true, "$defs": true, "definitions": true, "title": true,
	"description": true, "default": true, "examples": true, "deprecated": true,
	"readOnly": true, "writeOnly": true,
}

// fastCompiler compiles raw schema documents (by URL, as validator.raw holds
// them) into fastSchemas. Subschemas are compiled once by location, so
// recursive references close into cycles instead of looping.
type fastCompiler struct {
	raw  map[string]any
	done map[string]*fastSchema
}

func compileFast(raw map[string]any, loc string) (*fastSchema, error) {
	c := &fastCompiler{raw: raw, done: map[string]*fastSchema{}}
	return c.at(loc)
}

// at compiles the schema at an absolute location "URL#pointer", the target
// of a $ref.
func (c *fastCompiler) at(loc string) (*fastSchema, error) {
	u, frag, _ := strings.Cut(loc, "#")
	loc = u + "#" + frag
	if s, ok := c.done[loc]; ok {
		return s, nil
	}
	doc, ok := c.raw[u]
	if !ok {
		return nil, fmt.Errorf("%s: no such schema file", loc)
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, fmt.Errorf("%s: anchors are not supported", loc)
	}
	node := resolvePointer(doc, frag)
	if node == nil {
		return nil, fmt.Errorf("%s: no such location", loc)
	}
	return c.node(node, u, loc)
}

// node compiles the schema node found at loc in the file at URL base.
func (c *fastCompiler) node(node any, base, loc string) (*fastSchema, error) {
	if s, ok := c.done[loc]; ok {
		return s, nil
	}
	s := &fastSchema{minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	c.done[loc] = s
	return s, c.fill(s, node, base, loc)
}

func (c *fastCompiler) fill(s *fastSchema, node any, base, loc string) error {
	if b, ok := node.(bool); ok {
		s.always = &b
		return nil
	}
	m, ok := node.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: not a schema", loc)
	}
	var err error
	child := func(x any, path string) *fastSchema {
		if err != nil {
			return nil
		}
		var out *fastSchema
		out, err = c.node(x, base, loc+"/"+path)
		return out
	}
	sub := func(kw string) *fastSchema { return child(m[kw], kw) }
	list := func(kw string) []*fastSchema {
		arr, ok := m[kw].([]any)
		if !ok {
			err = fmt.Errorf("%s/%s: not an array", loc, kw)
			return nil
		}
		out := make([]*fastSchema, len(arr))
		for i, x := range arr {
			out[i] = child(x, kw+"/"+strconv.Itoa(i))
		}
		return out
	}
	count := func(kw string) int {
		n, ok := m[kw].(json.Number)
		if !ok {
			err = fmt.Errorf("%s/%s: not a number", loc, kw)
			return -1
		}
		i, perr := strconv.Atoi(string(n))
		if perr != nil || i < 0 {
			err = fmt.Errorf("%s/%s: not a count", loc, kw)
		}
		return i
	}
	for kw, v := range m {
		switch kw {
		case "type":
			switch t := v.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, x := range t {
					name, ok := x.(string)
					if !ok {
						return fmt.Errorf("%s/type: not a string", loc)
					}
					s.types = append(s.types, name)
				}
			default:
				return fmt.Errorf("%s/type: unsupported", loc)
			}
		case "const":
			s.hasConst, s.constVal = true, v
		case "enum":
			arr, ok := v.([]any)
			if !ok || len(arr) == 0 {
				return fmt.Errorf("%s/enum: unsupported", loc)
			}
			s.enum = arr
		case "format":
			name, _ := v.(string)
			f, ok := jsonschema.Formats[name]
			if !ok {
				return fmt.Errorf("%s/format: %q unsupported", loc, name)
			}
			s.format = f
		case "required":
			arr, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s/required: unsupported", loc)
			}
			for _, x := range arr {
				name, ok := x.(string)
				if !ok {
					return fmt.Errorf("%s/required: not a string", loc)
				}
				s.required = append(s.required, name)
			}
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/properties: unsupported", loc)
			}
			s.props = make(map[string]*fastSchema, len(props))
			for name, x := range props {
				s.props[name] = child(x, "properties/"+escapePointerToken(name))
			}
		case "additionalProperties":
			if b, ok := v.(bool); ok && !b {
				s.noAddl = true
			} else {
				s.addl = sub(kw)
			}
		case "propertyNames":
			s.propNames = sub(kw)
		case "items":
			if _, ok := v.([]any); ok {
				return fmt.Errorf("%s/items: the array form is not draft 2020-12", loc)
			}
			s.items = sub(kw)
		case "minItems":
			s.minItems = count(kw)
		case "maxItems":
			s.maxItems = count(kw)
		case "uniqueItems":
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("%s/uniqueItems: unsupported", loc)
			}
			s.unique = b
		case "minLength":
			s.minLen = count(kw)
		case "maxLength":
			s.maxLen = count(kw)
		case "pattern":
			p, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s/pattern: unsupported", loc)
			}
			// As the library compiles it: Go's regexp, unanchored.
			re, rerr := regexp.Compile(p)
			if rerr != nil {
				return fmt.Errorf("%s/pattern: %w", loc, rerr)
			}
			s.pattern = re
		case "minimum", "maximum":
			n, ok := v.(json.Number)
			r, ok2 := new(big.Rat).SetString(string(n))
			if !ok || !ok2 {
				return fmt.Errorf("%s/%s: unsupported", loc, kw)
			}
			if kw == "minimum" {
				s.minimum = r
			} else {
				s.maximum = r
			}
		case "$ref":
			ref, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s/$ref: unsupported", loc)
			}
			target, rerr := resolveRef(base, ref)
			if rerr != nil {
				return fmt.Errorf("%s/$ref: %w", loc, rerr)
			}
			if err == nil {
				s.ref, err = c.at(target)
			}
		case "allOf":
			s.allOf = list(kw)
		case "anyOf":
			s.anyOf = list(kw)
		case "oneOf":
			s.oneOf = list(kw)
		case "not":
			s.not = sub(kw)
		case "if":
			s.ifS = sub(kw)
		case "then":
			s.thenS = sub(kw)
		case "else":
			s.elseS = sub(kw)
		default:
			if !annotations[kw] {
				return fmt.Errorf("%s: keyword %q is not supported by the fast path", loc, kw)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// resolveRef resolves a $ref against the URL of the file it is in.
func resolveRef(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(r)
	frag := u.Fragment
	u.Fragment = ""
	return u.String() + "#" + frag, nil
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
			switch jsonEqual(v, x) {
			case fastValid:
				e = fastValid
			case fastUnsure:
				if e == fastInvalid {
					e = fastUnsure
				}
			}
			if e == fastValid {
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
		if s.pattern != nil && !s.pattern.MatchString(v) {
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
			switch x.check(v) {
			case fastValid:
				a = fastValid
			case fastUnsure:
				if a == fastInvalid {
					a = fastUnsure
				}
			}
			if a == fastValid {
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
