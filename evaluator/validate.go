package evaluator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// FieldError is one schema error: where (JSON pointer into the request) and what.
type FieldError struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"` // filled in later by the decoder's locator; leave 0
}

// req003 starts every message about an unknown provider or operation: the
// catalogue id people grep for.
const req003 = "REQ-003: "

// schemaBase is the URL the schema files are compiled under. It names no real
// place: every file is added to the compiler up front and nothing is fetched.
const schemaBase = "imgadmit:///"

// validator holds the schemas, each compiled once. It is read-only after
// newValidator (but for the lazy compilation of a schema on first use, which
// is guarded), so one validator serves every goroutine.
type validator struct {
	request    *schemaFile
	inventory  *schemaFile
	identities *schemaFile
	pairs      map[string]map[string]*schemaFile // provider -> operation -> schema
	ops        map[string][]string               // provider -> sorted operations
	providers  string                            // "alibabacloud, huaweicloud", for messages
	known      map[string]bool                   // every operation of any provider
	allOps     string                            // the same, for messages
	// compiler compiles what a lazy validator has not compiled yet; the
	// library's compiler is not safe for concurrent use.
	compiler  *jsonschema.Compiler
	compileMu sync.Mutex
}

// schemaFile is one schema file, compiled by the library on first use (or up
// front), with the fast checker built on the compiled schema
// (validate_fast.go: the verdict "valid"; nil if the file uses a keyword the
// fast path does not decide) and, once an error needs it, the index of its
// subschemas by location, which error messages read.
type schemaFile struct {
	path    string // request.json, inventory.json, <provider>/<operation>.json
	libOnce sync.Once
	lib     *jsonschema.Schema
	err     error
	fast    *fastSchema
	atOnce  sync.Once
	at      map[string]*jsonschema.Schema
}

// newValidator compiles request.json, inventory.json and every
// <provider>/<operation>.json in fsys. The pairs that exist are the files found.
func newValidator(fsys fs.FS) (*validator, error) { return buildValidator(fsys, true) }

// buildValidator is newValidator; with eager false it compiles each schema
// when it is first needed, not up front. That is for the embedded schemas,
// which the tests compile (eagerly) on every change: a command that decides
// one request compiles the library schema (and its fast checker) of one pair
// and the files it refers to, not all of them (the library validates every
// schema file against the draft's meta-schema as it compiles it: 15 ms for
// all of them, a tenth of a one-file `imgadmit eval`; a one-file eval took
// 49 ms before the fast checker was built on the compiled schema and after).
func buildValidator(fsys fs.FS, eager bool) (*validator, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	// Descriptions say what a pattern or format means, in error messages.
	c.ExtractAnnotations = true
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("%s is not among the schema files", s)
	}
	v := &validator{
		compiler: c,
		pairs:    map[string]map[string]*schemaFile{},
		ops:      map[string][]string{},
		known:    map[string]bool{},
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if err := c.AddResource(schemaBase+p, bytes.NewReader(b)); err != nil {
			return fmt.Errorf("schema %s: %w", p, err)
		}
		switch parts := strings.Split(p, "/"); len(parts) {
		case 1: // shared: request, inventory, identities, facts, common
		case 2:
			v.ops[parts[0]] = append(v.ops[parts[0]], strings.TrimSuffix(parts[1], ".json"))
		default:
			return fmt.Errorf("schema %s: nested too deep: want <provider>/<operation>.json", p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	v.request = &schemaFile{path: "request.json"}
	v.inventory = &schemaFile{path: "inventory.json"}
	v.identities = &schemaFile{path: "identities.json"}
	files := []*schemaFile{v.request, v.inventory, v.identities}
	for provider, ops := range v.ops {
		slices.Sort(ops)
		v.pairs[provider] = make(map[string]*schemaFile, len(ops))
		for _, op := range ops {
			v.known[op] = true
			v.pairs[provider][op] = &schemaFile{path: provider + "/" + op + ".json"}
			files = append(files, v.pairs[provider][op])
		}
	}
	if eager {
		// The envelope and the inventory first: a pair's schema refers to
		// the envelope, and its error says what is missing first.
		slices.SortFunc(files[3:], func(a, b *schemaFile) int { return strings.Compare(a.path, b.path) })
		for _, f := range files {
			if _, err := v.lib(f); err != nil {
				return nil, err
			}
		}
	}
	v.providers = strings.Join(slices.Sorted(maps.Keys(v.ops)), ", ")
	v.allOps = strings.Join(slices.Sorted(maps.Keys(v.known)), ", ")
	return v, nil
}

// lib is f compiled by the library, and its fast checker built, now if they
// were not yet.
func (v *validator) lib(f *schemaFile) (*jsonschema.Schema, error) {
	f.libOnce.Do(func() {
		v.compileMu.Lock()
		defer v.compileMu.Unlock()
		if f.lib, f.err = v.compiler.Compile(schemaBase + f.path); f.err != nil {
			f.err = fmt.Errorf("compile schema %s: %w", f.path, f.err)
			return
		}
		f.fast, _ = compileFast(f.lib)
	})
	return f.lib, f.err
}

// check validates doc against f: the fast checker when it says valid, else
// the library, which writes the errors. Only a lazy validator can fail to
// compile here, and its schemas are the embedded ones, which every test run
// compiles.
func (v *validator) check(f *schemaFile, doc any) []FieldError {
	if _, err := v.lib(f); err != nil {
		return []FieldError{{Pointer: "", Message: err.Error()}}
	}
	if f.fast != nil && f.fast.check(doc) == fastValid {
		return nil
	}
	return v.validate(f, doc)
}

// operations lists, per provider, the operations that have a schema, sorted.
// The map is the caller's to keep or change.
func (v *validator) operations() map[string][]string {
	out := make(map[string][]string, len(v.ops))
	for p, ops := range v.ops {
		out[p] = slices.Clone(ops)
	}
	return out
}

// validateRequest checks a request (decoded with UseNumber) against the schema
// of its provider/operation pair and returns every error, sorted by pointer
// then message; nil means valid. When the pair cannot be told, the errors are
// the REQ-003 ones plus whatever else the envelope schema finds.
func (v *validator) validateRequest(doc any) []FieldError {
	obj, ok := doc.(map[string]any)
	if !ok {
		return []FieldError{{Pointer: "", Message: "the request must be a JSON object, but got " + JSONTypeName(doc)}}
	}
	provider, perr := v.lookup(obj, "provider", "providers", v.providers, func(s string) bool { _, ok := v.pairs[s]; return ok })
	op, oerr := v.lookup(obj, "operation", "operations", v.allOps, func(s string) bool { return v.known[s] })
	if perr == nil && oerr == nil {
		if f, ok := v.pairs[provider][op]; ok {
			return v.check(f, doc)
		}
		oerr = &FieldError{Pointer: "/operation", Message: fmt.Sprintf("%soperation %q does not exist for provider %q; it has: %s",
			req003, op, provider, strings.Join(v.ops[provider], ", "))}
	}
	// No pair schema to use: check the envelope for everything else, and let
	// the REQ-003 errors speak for provider and operation.
	errs := slices.DeleteFunc(v.check(v.request, doc), func(e FieldError) bool {
		return e.Pointer == "/provider" || e.Pointer == "/operation"
	})
	for _, e := range []*FieldError{perr, oerr} {
		if e != nil {
			errs = append(errs, *e)
		}
	}
	sortFieldErrors(errs)
	return errs
}

// lookup reads obj[key] and reports, as a REQ-003 error at /key, a value that
// is missing, not a string or not known.
func (v *validator) lookup(obj map[string]any, key, plural, known string, isKnown func(string) bool) (string, *FieldError) {
	val, present := obj[key]
	s, isString := val.(string)
	var msg string
	switch {
	case !present:
		msg = fmt.Sprintf("missing required property %q", key)
	case !isString:
		msg = fmt.Sprintf("%s must be a string, but got %s", key, JSONTypeName(val))
	case !isKnown(s):
		msg = fmt.Sprintf("unknown %s %q", key, s)
	default:
		return s, nil
	}
	return "", &FieldError{Pointer: "/" + key, Message: fmt.Sprintf("%s%s; known %s: %s", req003, msg, plural, known)}
}

// validateIdentities checks an identities file (decoded with UseNumber).
func (v *validator) validateIdentities(doc any) []FieldError {
	return v.check(v.identities, doc)
}

// validateInventory checks an inventory document (decoded with UseNumber).
func (v *validator) validateInventory(doc any) []FieldError {
	return v.check(v.inventory, doc)
}

// validate runs the library's validation of doc against f (compiled) and
// turns its error tree into field errors.
func (v *validator) validate(f *schemaFile, doc any) []FieldError {
	err := f.lib.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		// A value JSON cannot hold (a decoder bug, not the caller's): say so
		// rather than pretend the document is valid.
		return []FieldError{{Pointer: "", Message: err.Error()}}
	}
	c := collector{at: f.subschemas(), doc: doc}
	c.walk(ve)
	sortFieldErrors(c.errs)
	return slices.Compact(c.errs)
}

// subschemas indexes every schema reachable from f's by its absolute
// location, which is how a ValidationError names the keyword that failed.
// Built on the first error, once.
func (f *schemaFile) subschemas() map[string]*jsonschema.Schema {
	f.atOnce.Do(func() {
		f.at = map[string]*jsonschema.Schema{}
		var walk func(s *jsonschema.Schema)
		walk = func(s *jsonschema.Schema) {
			if s == nil || f.at[s.Location] != nil {
				return
			}
			f.at[s.Location] = s
			for _, x := range s.Properties {
				walk(x)
			}
			if x, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
				walk(x)
			}
			for _, xs := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
				for _, x := range xs {
					walk(x)
				}
			}
			for _, x := range []*jsonschema.Schema{s.Ref, s.Not, s.If, s.Then, s.Else, s.PropertyNames, s.Items2020, s.Contains} {
				walk(x)
			}
		}
		walk(f.lib)
	})
	return f.at
}

func sortFieldErrors(errs []FieldError) {
	slices.SortFunc(errs, func(a, b FieldError) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}

// collector flattens a ValidationError tree into leaf FieldErrors with
// messages that say what is wrong where, reading the failed keyword from the
// compiled schema it belongs to.
type collector struct {
	at   map[string]*jsonschema.Schema // subschemas by absolute location
	doc  any
	errs []FieldError
}

func (c *collector) add(ptr, msg string) {
	c.errs = append(c.errs, FieldError{Pointer: ptr, Message: msg})
}

func (c *collector) walk(ve *jsonschema.ValidationError) {
	kw := lastPointerToken(ve.KeywordLocation)
	sch := c.at[parentPointer(ve.AbsoluteKeywordLocation)] // the schema whose keyword failed; nil if not indexed
	if sch != nil && (kw == "oneOf" || kw == "anyOf") {
		// "needs one of these properties" would otherwise come out as one
		// "missing property" per alternative, each of them wrong on its own.
		branches := sch.OneOf
		if kw == "anyOf" {
			branches = sch.AnyOf
		}
		if alts := requiredAlternatives(branches); alts != nil {
			c.alternatives(ve, kw, alts)
			return
		}
	}
	if len(ve.Causes) > 0 {
		// A wrapper ($ref, allOf, if/then, "doesn't validate with"): its
		// causes say what is wrong.
		for _, cause := range ve.Causes {
			c.walk(cause)
		}
		return
	}
	ptr := jsonPointer(ve.InstanceLocation)
	inst := resolvePointer(c.doc, ve.InstanceLocation)
	if sch != nil && c.explain(kw, sch, ptr, inst) {
		return
	}
	switch kw {
	case "enum":
		if got, ok := scalarText(inst); ok {
			c.add(ptr, ve.Message+", but got "+got)
			return
		}
	}
	if strings.Contains(ve.KeywordLocation, "/propertyNames/") {
		c.add(ptr, "invalid property name: "+ve.Message)
		return
	}
	c.add(ptr, ve.Message)
}

// explain writes the message for a failed keyword kw of sch at ptr, where
// the document holds inst, when it can say more than the library's message.
func (c *collector) explain(kw string, sch *jsonschema.Schema, ptr string, inst any) bool {
	switch kw {
	case "required":
		obj, ok := inst.(map[string]any)
		if !ok {
			return false
		}
		for _, name := range sch.Required {
			if _, present := obj[name]; !present {
				c.add(ptr+"/"+escapePointerToken(name), fmt.Sprintf("missing required property %q", name))
			}
		}
		return true
	case "additionalProperties":
		obj, ok := inst.(map[string]any)
		if !ok || sch.AdditionalProperties != false || len(sch.PatternProperties) > 0 {
			return false
		}
		list := strings.Join(slices.Sorted(maps.Keys(sch.Properties)), ", ")
		if list == "" {
			list = "none"
		}
		for name := range obj {
			if _, known := sch.Properties[name]; !known {
				c.add(ptr+"/"+escapePointerToken(name), fmt.Sprintf("unknown property %q; allowed: %s", name, list))
			}
		}
		return true
	case "not":
		if names := requiredOnly(sch.Not); names != nil {
			c.add(ptr, quoteAnd(names)+" cannot be given together")
			return true
		}
		return c.explainFormat(sch, ptr, inst)
	case "pattern", "format":
		return c.explainFormat(sch, ptr, inst)
	case "maxItems", "minItems":
		arr, ok := inst.([]any)
		if !ok {
			return false
		}
		if kw == "maxItems" {
			c.add(ptr, fmt.Sprintf("must have at most %s, but has %d", itemCount(sch.MaxItems), len(arr)))
		} else {
			c.add(ptr, fmt.Sprintf("must have at least %s, but has %d", itemCount(sch.MinItems), len(arr)))
		}
		return true
	}
	return false
}

// explainFormat says what a value that fails a pattern or format should look
// like, from the schema's description.
func (c *collector) explainFormat(sch *jsonschema.Schema, ptr string, inst any) bool {
	if sch.Description == "" {
		return false
	}
	msg := "does not match the expected format: " + sch.Description
	// A list of words (a status, in any case) says which word it got: the
	// list is long, and the word may differ only in spelling.
	if sch.Pattern != nil && strings.HasPrefix(sch.Pattern.String(), "(?i)") {
		if got, ok := scalarText(inst); ok {
			msg += ", but got " + got
		}
	}
	c.add(ptr, msg)
	return true
}

// alternatives reports a failed oneOf/anyOf whose branches only require
// properties, as one error naming the alternatives.
func (c *collector) alternatives(ve *jsonschema.ValidationError, kw string, alts [][]string) {
	names := make([]string, len(alts))
	for i, a := range alts {
		names[i] = quoteAnd(a)
	}
	ptr := jsonPointer(ve.InstanceLocation)
	if kw == "anyOf" {
		c.add(ptr, fmt.Sprintf("at least one of %s is required, but none is given", strings.Join(names, ", ")))
		return
	}
	// Which branches the document satisfies: the ones whose names it all has.
	obj, _ := resolvePointer(c.doc, ve.InstanceLocation).(map[string]any)
	var given []string
	for i, a := range alts {
		if hasAll(obj, a) {
			given = append(given, names[i])
		}
	}
	if len(given) == 0 {
		c.add(ptr, fmt.Sprintf("exactly one of %s is required, but none is given", strings.Join(names, ", ")))
		return
	}
	if len(given) >= 2 {
		c.add(ptr, fmt.Sprintf("exactly one of %s is required, but %s and %s are both given", strings.Join(names, ", "), given[0], given[1]))
		return
	}
	c.add(ptr, fmt.Sprintf("exactly one of %s is required", strings.Join(names, ", ")))
}

func hasAll(obj map[string]any, names []string) bool {
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			return false
		}
	}
	return true
}

// requiredAlternatives returns each branch's required names when every
// branch is only a "required" list.
func requiredAlternatives(branches []*jsonschema.Schema) [][]string {
	if len(branches) == 0 {
		return nil
	}
	out := make([][]string, len(branches))
	for i, b := range branches {
		if out[i] = requiredOnly(b); out[i] == nil {
			return nil
		}
	}
	return out
}

// requiredOnly returns the names of a schema that asserts nothing but
// {"required": [...]}, as the "needs one of" and "cannot be given together"
// schemas are written.
func requiredOnly(s *jsonschema.Schema) []string {
	if s == nil || len(s.Required) == 0 || s.Always != nil || s.Ref != nil || len(s.Types) > 0 ||
		len(s.Enum) > 0 || len(s.Constant) > 0 || len(s.Properties) > 0 || s.AdditionalProperties != nil ||
		s.Not != nil || s.If != nil || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Pattern != nil || s.Format != "" {
		return nil
	}
	return s.Required
}

// resolve follows a JSON pointer as the schema library writes it (tokens
// JSON-pointer escaped, then percent-escaped) into a decoded JSON value.
func resolvePointer(doc any, ptr string) any {
	if ptr == "" {
		return doc
	}
	if ptr[0] != '/' {
		return nil
	}
	for tok := range strings.SplitSeq(ptr[1:], "/") {
		tok = unescapePointerToken(tok)
		switch d := doc.(type) {
		case map[string]any:
			doc = d[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) {
				return nil
			}
			doc = d[i]
		default:
			return nil
		}
	}
	return doc
}

// pointer turns the library's instance location into an RFC 6901 JSON
// pointer: the library percent-escapes tokens (a key "a b" becomes "a%20b").
func jsonPointer(loc string) string {
	if !strings.Contains(loc, "%") {
		return loc
	}
	toks := strings.Split(loc, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			toks[i] = u
		}
	}
	return strings.Join(toks, "/")
}

func unescapePointerToken(tok string) string {
	if u, err := url.PathUnescape(tok); err == nil {
		tok = u
	}
	if strings.Contains(tok, "~") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
	}
	return tok
}

func escapePointerToken(tok string) string {
	if strings.ContainsAny(tok, "~/") {
		tok = strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
	}
	return tok
}

func lastPointerToken(loc string) string {
	return loc[strings.LastIndexByte(loc, '/')+1:]
}

func parentPointer(loc string) string {
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		return loc[:i]
	}
	return loc
}

func itemCount(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

// quoteAnd renders names as `"a"`, `"a" and "b"`, `"a", "b" and "c"`.
func quoteAnd(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// scalar renders a string, number, boolean or null for a message, cut short.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		if r := []rune(v); len(r) > 64 {
			v = string(r[:64]) + "..."
		}
		return strconv.Quote(v), true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "null", true
	}
	return "", false
}

// JSONTypeName is the JSON type of a decoded value, in the schema library's words.
func JSONTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64, float32, int, int64, int32, uint64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// schemaStrings are the property names and enum and const values of the
// embedded schemas: what most strings of a request are. Decoding looks each
// string up here and keeps the shared copy, so "provider" or "huaweicloud"
// costs no allocation.
var schemaStrings = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	add := func(s string) { out[s] = s }
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				add(k)
				switch k {
				case "enum", "const", "required":
					if list, ok := c.([]any); ok {
						for _, x := range list {
							if s, ok := x.(string); ok {
								add(s)
							}
						}
					} else if s, ok := c.(string); ok {
						add(s)
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	_ = fs.WalkDir(schemasFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		b, err := fs.ReadFile(schemasFS(), p)
		if err != nil {
			return nil
		}
		var doc any
		if json.Unmarshal(b, &doc) == nil {
			walk(doc)
		}
		return nil
	})
	return out
})
