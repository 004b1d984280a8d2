package evaluator

import (
	"encoding/json"
	"io/fs"
	"path"
	"sync"
	"unicode/utf8"
)

// The fast path of decodeJSON. Nearly every request is well-formed JSON
// within the limits, and for those encoding/json's token reader costs more
// than the schema check and the evaluation together (one interface value and
// one allocation per token). fastDecodeJSON reads such a document in one pass
// and returns exactly what the token reader would; on anything else (a syntax
// error, a duplicate key, a limit) it gives up and decodeJSON runs the token
// reader, which alone writes error messages. So the fast path changes no
// answer, only what a valid document costs.

// fastDecodeJSON decodes raw, valid UTF-8, or reports ok=false when raw is not
// a well-formed document within the limits.
func fastDecodeJSON(raw []byte, intern map[string]string) (v any, ok bool) {
	p := fastParser{b: raw, intern: intern}
	p.skipSpace()
	v, ok = p.value(0)
	if !ok {
		return nil, false
	}
	p.skipSpace()
	return v, p.i == len(p.b)
}

type fastParser struct {
	b      []byte
	i      int
	intern map[string]string // strings the schemas name: keys and enum values, shared, read-only
}

func (p *fastParser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value(depth int) (any, bool) {
	if depth > maxDepth || p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; c {
	case '{':
		return p.object(depth)
	case '[':
		return p.array(depth)
	case '"':
		s, ok := p.str()
		return s, ok
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return nil, p.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return p.number()
		}
		return nil, false
	}
}

func (p *fastParser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *fastParser) object(depth int) (any, bool) {
	p.i++ // {
	obj := make(map[string]any, 8)
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return obj, true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		if _, dup := obj[k]; dup {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		obj[k] = v
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return obj, true
		default:
			return nil, false
		}
	}
}

func (p *fastParser) array(depth int) (any, bool) {
	p.i++ // [
	arr := []any{}
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return arr, true
	}
	for {
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			return arr, true
		default:
			return nil, false
		}
	}
}

// str reads a string token. One with escapes is rare: it is unquoted by
// encoding/json itself, so escapes mean exactly what they mean there.
func (p *fastParser) str() (string, bool) {
	start := p.i
	p.i++ // "
	escaped := false
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			tok := p.b[start+1 : p.i-1]
			if escaped {
				var s string
				if json.Unmarshal(p.b[start:p.i], &s) != nil {
					return "", false
				}
				return s, true
			}
			if s, ok := p.intern[string(tok)]; ok {
				return s, true
			}
			return string(tok), true
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			p.i++
		default:
			p.i++ // UTF-8 was checked before decoding; continuation bytes pass through
		}
	}
	return "", false
}

// number reads a number in the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastParser) number() (any, bool) {
	start := p.i
	b := p.b
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(b) && b[p.i] == '0':
		p.i++
	case p.i < len(b) && b[p.i] >= '1' && b[p.i] <= '9':
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
	default:
		return nil, false
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return nil, false
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return nil, false
		}
	}
	if p.i-start > maxNumberSize {
		return nil, false
	}
	return json.Number(b[start:p.i]), true
}

func (p *fastParser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
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
