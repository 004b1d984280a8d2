// Package jsonread is imgadmit's one JSON reader: requests, inventories,
// identities and the OPA Data API's {"input": ...} bodies are all read by it.
// It is built on go-json-experiment's jsontext, which refuses duplicate
// names and invalid UTF-8 and knows the byte offset and JSON pointer of
// every error, in the same pass that yields the values: nothing is parsed a
// second time to find where a problem is.
package jsonread

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Kind says what is wrong with a document.
type Kind int

// The kinds of Error.
const (
	// Syntax: not JSON; Message says what was found where (encoding/json's words).
	Syntax Kind = iota
	// EarlyEnd: the document ends inside a value; Offset is its length.
	EarlyEnd
	// Trailing: more data after the document's one value.
	Trailing
	// Duplicate: a name twice in one object; Pointer is the second's.
	Duplicate
	// TooDeep: nested deeper than Limits.MaxDepth.
	TooDeep
	// TooLong: a number longer than Limits.MaxNumber characters.
	TooLong
	// InvalidUTF8: bytes that are not UTF-8, in a string or between values.
	InvalidUTF8
	// NotObject: Member was asked of a document that is not an object.
	NotObject
	// Missing: the member Member was asked for is not there.
	Missing
)

// Error is a document that cannot be read: what is wrong, at which byte, and
// under which JSON pointer.
type Error struct {
	Kind    Kind
	Offset  int    // the byte at fault
	Pointer string // RFC 6901; "" for the document
	Message string // Syntax: what was found; else a short description
}

func (e *Error) Error() string {
	return fmt.Sprintf("at byte %d (%s): %s", e.Offset, e.Pointer, e.Message)
}

// Limits bound what a hostile document costs.
type Limits struct {
	MaxDepth  int // nesting of objects and arrays
	MaxNumber int // characters of one number
}

// decoders are reused: a decoder's buffers cost more than reading a small
// request. Each reads from its own bytes.Buffer, which jsontext reads in
// place, without copying.
var decoders = sync.Pool{New: func() any { return new(pooled) }}

type pooled struct {
	dec jsontext.Decoder
	in  bytes.Buffer
}

// decoder is a decoder of raw, with opts; p.done gives it back.
func decoder(raw []byte, opts ...jsontext.Options) *pooled {
	p := decoders.Get().(*pooled)
	p.in = *bytes.NewBuffer(raw)
	p.dec.Reset(&p.in, opts...)
	return p
}

func (p *pooled) done() {
	p.in = bytes.Buffer{}
	p.dec.Reset(&p.in) // nothing of raw stays reachable from the pool
	decoders.Put(p)
}

// Decode reads raw, which must be one JSON value and nothing more, into maps,
// slices, strings, booleans, nil and json.Number (numbers exactly as
// written). Strings found in intern (read-only) are returned as its copy, so
// the words a schema names cost no allocation.
//
// Bytes that are not UTF-8 are refused before anything is read. An escaped
// lone surrogate ("\ud800") is read as U+FFFD, as encoding/json reads it,
// and left to the schema to judge.
func Decode(raw []byte, lim Limits, intern map[string]string) (any, error) {
	if !utf8.Valid(raw) {
		return nil, &Error{Kind: InvalidUTF8, Offset: InvalidUTF8Offset(raw), Message: "invalid UTF-8"}
	}
	p := decoder(raw, jsontext.AllowInvalidUTF8(true))
	defer p.done()
	dec := &p.dec
	r := reader{dec: dec, raw: raw, lim: lim, intern: intern}
	v, err := r.value(0)
	if err != nil {
		return nil, err
	}
	return v, r.end()
}

type reader struct {
	dec    *jsontext.Decoder
	raw    []byte
	lim    Limits
	intern map[string]string
}

// value reads the value at depth (the document is at 0).
func (r *reader) value(depth int) (any, error) {
	switch r.dec.PeekKind() {
	case '{':
		return r.object(depth)
	case '[':
		return r.array(depth)
	case '"', '0':
		v, err := r.dec.ReadValue()
		if err != nil {
			return nil, r.fail(err)
		}
		if err := r.deep(depth); err != nil {
			return nil, err
		}
		if v[0] == '"' {
			return r.str(v), nil
		}
		if len(v) > r.lim.MaxNumber {
			return nil, &Error{Kind: TooLong, Offset: int(r.dec.InputOffset()) - len(v), Pointer: string(r.dec.StackPointer()),
				Message: fmt.Sprintf("number with %d characters is too long", len(v))}
		}
		return json.Number(v), nil
	}
	tok, err := r.dec.ReadToken() // a literal, or the error of whatever is there
	if err != nil {
		return nil, r.fail(err)
	}
	if err := r.deep(depth); err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 't', 'f':
		return tok.Bool(), nil
	}
	return nil, nil // 'n': PeekKind saw no other kind
}

func (r *reader) open(depth int) error {
	if _, err := r.dec.ReadToken(); err != nil {
		return r.fail(err)
	}
	return r.deep(depth)
}

// deep refuses the value just read when it is deeper than the limit.
func (r *reader) deep(depth int) error {
	if depth <= r.lim.MaxDepth {
		return nil
	}
	return &Error{Kind: TooDeep, Offset: int(r.dec.InputOffset()) - 1, Pointer: string(r.dec.StackPointer()),
		Message: fmt.Sprintf("nested deeper than %d levels", r.lim.MaxDepth)}
}

func (r *reader) object(depth int) (any, error) {
	if err := r.open(depth); err != nil {
		return nil, err
	}
	obj := make(map[string]any, 8)
	for r.dec.PeekKind() != '}' {
		nv, err := r.dec.ReadValue() // the name; jsontext refuses it if it is a duplicate
		if err != nil {
			return nil, r.fail(err)
		}
		name := r.str(nv) // a string, not boxed: keys cost nothing when interned
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		obj[name] = v
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.fail(err)
	}
	return obj, nil
}

func (r *reader) array(depth int) (any, error) {
	if err := r.open(depth); err != nil {
		return nil, err
	}
	arr := []any{}
	for r.dec.PeekKind() != ']' {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.fail(err)
	}
	return arr, nil
}

// str is the string a raw JSON string token stands for.
func (r *reader) str(v jsontext.Value) string {
	if bytes.IndexByte(v, '\\') < 0 {
		s := v[1 : len(v)-1]
		if x, ok := r.intern[string(s)]; ok {
			return x
		}
		return string(s)
	}
	// jsontext has checked the escapes; an error here is an escaped lone
	// surrogate, which u holds as U+FFFD.
	u, _ := jsontext.AppendUnquote(nil, v)
	return string(u)
}

// end checks that nothing but white space follows the document.
func (r *reader) end() error {
	after := int(r.dec.InputOffset())
	if _, err := r.dec.ReadToken(); err == io.EOF {
		return nil
	}
	at := after + len(r.raw[after:]) - len(bytes.TrimLeft(r.raw[after:], " \t\r\n"))
	return &Error{Kind: Trailing, Offset: at, Message: "unexpected data after the document"}
}

// fail turns a jsontext error into an *Error.
func (r *reader) fail(err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &Error{Kind: EarlyEnd, Offset: len(r.raw), Message: "the document ends early"}
		}
		return &Error{Kind: Syntax, Offset: int(r.dec.InputOffset()), Message: err.Error()}
	}
	e := &Error{Offset: int(se.ByteOffset), Pointer: string(se.JSONPointer)}
	switch {
	case errors.Is(se.Err, io.ErrUnexpectedEOF) || errors.Is(se.Err, io.EOF):
		e.Kind, e.Offset, e.Message = EarlyEnd, len(r.raw), "the document ends early"
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		e.Kind, e.Message = Duplicate, fmt.Sprintf("duplicate key %q", se.JSONPointer.LastToken())
	default:
		e.Kind, e.Message = Syntax, syntaxMessage(se.Err)
		trailingComma(r.raw, e)
	}
	return e
}

// trailingComma: jsontext faults the comma of "[1,]" and "{"a":1,}", where
// encoding/json, and so every message imgadmit has written, faults the
// bracket that closes too early. Say it the way users have been told it.
func trailingComma(raw []byte, e *Error) {
	if e.Offset >= len(raw) || raw[e.Offset] != ',' {
		return
	}
	at := e.Offset + 1
	for at < len(raw) && strings.IndexByte(" \t\r\n", raw[at]) >= 0 {
		at++
	}
	if at >= len(raw) {
		return
	}
	switch raw[at] {
	case '}':
		e.Offset, e.Message = at, "invalid character '}' looking for beginning of object key string"
	case ']':
		e.Offset, e.Message = at, "invalid character ']' looking for beginning of value"
	}
}

// InvalidUTF8Offset is the offset of the first byte of raw that is not
// UTF-8, or len(raw): where a message says the problem is.
func InvalidUTF8Offset(raw []byte) int {
	for i := 0; i < len(raw); {
		c, n := utf8.DecodeRune(raw[i:])
		if c == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(raw)
}

// syntaxMessage words a syntax error as encoding/json does, as imgadmit's
// messages always have (and as the library's own encoding/json port words
// them): jsontext says "object name" and "at start of value" where
// encoding/json says "object key" and "looking for beginning of value".
func syntaxMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " (expecting"); i >= 0 && !strings.Contains(msg, " in literal") {
		msg = msg[:i]
	}
	return v1Words.Replace(msg)
}

var v1Words = strings.NewReplacer(
	"object name", "object key",
	"at start of value", "looking for beginning of value",
	"at start of string", "looking for beginning of object key string",
	"after object value", "after object key:value pair",
	"in number", "in numeric literal",
	"in string", "in string literal",
)

// Lines maps the JSON pointer of every value of raw, down to maxDepth, to the
// line it starts on: error messages say where. It reads as far as raw is
// well formed.
func Lines(raw []byte, maxDepth int) map[string]int {
	out := map[string]int{}
	p := decoder(raw)
	defer p.done()
	dec := &p.dec
	// Lines are counted forward from the last value's start, so the whole
	// walk reads the document once (a count from the start per value would
	// be quadratic on a one-line document).
	lineAt, line := 0, 1
	for {
		// InputOffset is the end of the previous token; the next starts after
		// white space and a ':' or ','.
		start := int(dec.InputOffset())
		for start < len(raw) && strings.IndexByte(" \t\r\n:,", raw[start]) >= 0 {
			start++
		}
		kind := dec.PeekKind()
		if kind == 0 {
			return out // the end, or an error
		}
		in, n := dec.StackIndex(dec.StackDepth())
		isName := in == '{' && n%2 == 0 && kind != '}'
		if _, err := dec.ReadToken(); err != nil {
			return out
		}
		depth := dec.StackDepth() // of a scalar; a container just opened counts itself
		if kind == '{' || kind == '[' {
			depth--
		}
		if isName || kind == '}' || kind == ']' || depth > maxDepth {
			continue
		}
		if start > lineAt {
			line += bytes.Count(raw[lineAt:min(start, len(raw))], []byte{'\n'})
			lineAt = start
		}
		out[string(dec.StackPointer())] = line
	}
}

// Member finds the member name of the object raw: its value as written and
// the offset it starts at. Other members are read (so raw must be well
// formed) and ignored; name given twice is an error, so that no two readers
// can disagree on which one counts. What is inside the values (duplicate
// names, bytes that are not UTF-8) is left to the reader of the value.
func Member(raw []byte, name string) (value []byte, offset int, err error) {
	p := decoder(raw, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	defer p.done()
	dec := &p.dec
	r := reader{dec: dec, raw: raw}
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return nil, 0, r.fail(err)
		}
		return nil, 0, &Error{Kind: NotObject, Message: "not an object"}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, r.fail(err)
	}
	found := false
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, 0, r.fail(err)
		}
		named := tok.String() == name // a token is good only until the next read
		after := int(dec.InputOffset())
		v, err := dec.ReadValue()
		if err != nil {
			return nil, 0, r.fail(err)
		}
		if named {
			if found {
				return nil, 0, &Error{Kind: Duplicate, Offset: after, Pointer: "/" + name, Message: fmt.Sprintf("duplicate key %q", name)}
			}
			found = true
			offset = after + bytes.IndexFunc(raw[after:], func(c rune) bool { return !strings.ContainsRune(" \t\r\n:", c) })
			value = raw[offset : offset+len(v)]
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, r.fail(err)
	}
	if err := r.end(); err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, 0, &Error{Kind: Missing, Pointer: "/" + name, Message: fmt.Sprintf("missing required property %q", name)}
	}
	return value, offset, nil
}

// SyntaxMessage words a jsontext syntax error as Decode's errors word it
// (as encoding/json does), for readers that stream with jsontext.
func SyntaxMessage(err error) string {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		err = se.Err
	}
	return syntaxMessage(err)
}
