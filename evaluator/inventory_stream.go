package evaluator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/imgadmit/imgadmit/internal/factstore"
	"github.com/imgadmit/imgadmit/internal/jsonread"
)

// maxStreamErrors is how many schema errors a streamed inventory reports;
// the rest are counted. A million resources each wrong the same way is one
// mistake, not a million lines.
const maxStreamErrors = 100

// ReadInventoryStream reads one whole inventory, JSON, from r as it arrives:
// each resource of a keyed kind is read, checked against the inventory
// schema, and kept as canonical JSON (factstore), on every CPU, without the
// document ever being held whole, neither as bytes nor as Go values. The
// rest (settings, the account) is small and read as ParseInventory reads it.
//
// Errors are the schema's, each with its JSON pointer, and the syntax
// errors of the reader with the byte offset they are at (lines need the
// document, which is not kept: a caller with a file can ask
// ParseInventory for them).
func ReadInventoryStream(r io.Reader) (*factstore.Inventory, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	lines := &lineTracker{r: r}
	// Names are not tracked by the decoder (see once): each resource's
	// own are, by jsonread, and ids by the store.
	s := &stream{v: v, lines: lines, dec: jsontext.NewDecoder(lines, jsontext.AllowDuplicateNames(true)), rest: map[string]any{}}
	inv, err := s.read()
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Code = CodeInvalidInventory
		}
		return nil, err
	}
	return inv, nil
}

// IsInventoryHead tells whether the document br starts is an imgadmit
// inventory that ReadInventoryStream can read as it arrives: a JSON object
// whose first member is resources or settings (or that has none). Anything
// else (a cloud's describe response, YAML) is read whole. br is not
// advanced.
func IsInventoryHead(br *bufio.Reader) bool {
	head, _ := br.Peek(4 << 10)
	dec := jsontext.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return false
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return false
	}
	return tok.Kind() == '}' || tok.String() == "resources" || tok.String() == "settings"
}

type stream struct {
	v     *validator
	lines *lineTracker
	dec   *jsontext.Decoder
	rest  map[string]any
	// whole are the values read whole (settings, the account), where
	// their errors' lines are found.
	whole []located
}

// located is a value as read, where it starts (a JSON pointer and a line).
type located struct {
	ptr  string
	raw  []byte
	line int
}

// locate fills in the Line of each error whose pointer is in l's value.
func (l located) locate(errs []FieldError) {
	var lines map[string]int
	for i := range errs {
		rel, ok := strings.CutPrefix(errs[i].Pointer, l.ptr)
		if !ok || errs[i].Line != 0 || (rel != "" && rel[0] != '/') {
			continue
		}
		if lines == nil {
			lines = jsonread.Lines(l.raw, maxDepth)
		}
		// A missing property is reported at the pointer it should be at:
		// the nearest ancestor that exists says where.
		for p := rel; ; {
			if n, ok := lines[p]; ok {
				errs[i].Line = l.line + n - 1
				break
			}
			j := strings.LastIndexByte(p, '/')
			if j < 0 {
				errs[i].Line = l.line
				break
			}
			p = p[:j]
		}
	}
}

// job is one resource read, to check and encode.
type job struct {
	kind, id string
	at       located
}

type result struct {
	entry factstore.Entry
	errs  []FieldError
}

// syntax words an error of the decoder as decodeJSON words the same error
// of a document read whole.
func (s *stream) syntax(err error) *Error {
	if rerr := s.lines.err; rerr != nil && !errors.Is(rerr, io.EOF) {
		// The reader failed (a body over its limit, a connection cut),
		// not the document: the decoder words it as a syntax error.
		return &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", rerr), err: rerr}
	}
	var se *jsontext.SyntacticError
	switch {
	case errors.As(err, &se) && !errors.Is(se.Err, io.ErrUnexpectedEOF):
		line, col := s.lines.at(se.ByteOffset)
		if errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return invalidRequest("malformed request", FieldError{Pointer: string(se.JSONPointer),
				Message: fmt.Sprintf("duplicate key %q", se.JSONPointer.LastToken()), Line: line})
		}
		return invalidRequest(fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, jsonread.SyntaxMessage(se)))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		line, col := s.lines.at(s.lines.off)
		return invalidRequest(fmt.Sprintf("malformed JSON: the document ends early at line %d, column %d", line, col))
	}
	// The reader's own error (a body over its limit, a connection reset).
	return &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), err: err}
}

// lineTracker counts the lines of what is read through it, keeping the
// newlines' offsets only as far back as a value still being read can
// start (keep), so that a line is known for any offset the decoder reports
// without the document being kept.
type lineTracker struct {
	r   io.Reader
	off int64
	// before is the number of newlines before nl's; last the offset of
	// the last of them (-1: none).
	before int
	last   int64
	nl     []int64
	// err is the reader's last error.
	err error
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.off+int64(i+j))
		i += j + 1
	}
	t.off += int64(n)
	if err != nil {
		t.err = err
	}
	return n, err
}

// keep forgets the newlines before off, which nothing asks about again.
func (t *lineTracker) keep(off int64) {
	i, _ := slices.BinarySearch(t.nl, off)
	if i < 64 {
		return
	}
	t.before += i
	t.last = t.nl[i-1]
	t.nl = append(t.nl[:0], t.nl[i:]...)
}

// at is the 1-based line and column of offset off.
func (t *lineTracker) at(off int64) (int, int) {
	i, _ := slices.BinarySearch(t.nl, off)
	last := t.last
	if t.before == 0 {
		last = -1
	}
	if i > 0 {
		last = t.nl[i-1]
	}
	return t.before + i + 1, int(off - last)
}

func (s *stream) read() (*factstore.Inventory, error) {
	if tok, err := s.dec.ReadToken(); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalidRequest("the document is empty")
		}
		return nil, s.syntax(err)
	} else if tok.Kind() != '{' {
		return nil, invalidRequest("the inventory must be a JSON object", FieldError{Pointer: "", Message: "got " + tok.Kind().String()})
	}

	// Resources go to the workers in batches: one channel send per
	// resource costs more than checking it.
	jobs := make(chan []job, 2*runtime.GOMAXPROCS(0))
	results := make(chan []result, 2*runtime.GOMAXPROCS(0))
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Go(func() {
			for batch := range jobs {
				out := make([]result, len(batch))
				for i, j := range batch {
					out[i] = s.check(j)
				}
				results <- out
			}
		})
	}
	b := factstore.NewBuilder(nil)
	var errs []FieldError
	more := 0
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for batch := range results {
			for _, r := range batch {
				if r.errs == nil {
					b.Add(r.entry)
					continue
				}
				for _, e := range r.errs {
					if len(errs) < maxStreamErrors {
						errs = append(errs, e)
					} else {
						more++
					}
				}
			}
		}
	}()
	kinds, err := s.members(jobs)
	close(jobs)
	workers.Wait()
	close(results)
	<-collected
	if err != nil {
		return nil, err
	}
	if fe := s.v.validateInventory(s.rest); len(fe) > 0 {
		for _, at := range s.whole {
			at.locate(fe)
		}
		errs = append(fe, errs...)
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		msg := "the inventory does not match its schema"
		if more > 0 {
			msg += fmt.Sprintf(" (%d more errors not shown)", more)
		}
		return nil, &Error{Code: CodeInvalidInventory, Message: msg, Errors: errs}
	}
	for _, k := range kinds {
		_ = b.Kind(k)
	}
	b.SetRest(s.rest)
	inv, err := b.Build()
	var dup *factstore.DuplicateError
	if errors.As(err, &dup) {
		// The decoder leaves names of the kinds' objects to the store:
		// tracking a million of them cost it more than the rest of reading.
		return nil, invalidRequest("malformed request", FieldError{
			Pointer: "/resources/" + escapePointer(dup.Kind) + "/" + escapePointer(dup.ID), Message: fmt.Sprintf("duplicate key %q", dup.ID)})
	}
	if err != nil {
		return nil, invalidRequest(err.Error())
	}
	return inv, nil
}

// members reads the document's members after its '{', sending the keyed
// kinds' resources to jobs; it returns the keyed kinds present.
func (s *stream) members(jobs chan<- []job) ([]string, error) {
	var kinds []string
	seen := map[string]bool{}
	for s.dec.PeekKind() != '}' {
		tok, err := s.dec.ReadToken()
		if err != nil {
			return nil, s.syntax(err)
		}
		// A token is the decoder's until its next call.
		name := tok.String()
		if err := s.once(seen, name); err != nil {
			return nil, err
		}
		if name != "resources" || s.dec.PeekKind() != '{' {
			if err := s.small(s.rest, name); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := s.dec.ReadToken(); err != nil {
			return nil, s.syntax(err)
		}
		res := map[string]any{}
		seenKinds := map[string]bool{}
		for s.dec.PeekKind() != '}' {
			tok, err := s.dec.ReadToken()
			if err != nil {
				return nil, s.syntax(err)
			}
			kind := tok.String()
			if err := s.once(seenKinds, kind); err != nil {
				return nil, err
			}
			if factstore.KindIndex(kind) < 0 || s.dec.PeekKind() != '{' {
				if err := s.small(res, kind); err != nil {
					return nil, err
				}
				continue
			}
			kinds = append(kinds, kind)
			if err := s.kind(kind, jobs); err != nil {
				return nil, err
			}
		}
		if _, err := s.dec.ReadToken(); err != nil {
			return nil, s.syntax(err)
		}
		s.rest["resources"] = res
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return nil, s.syntax(err)
	}
	if _, err := s.dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, invalidRequest(fmt.Sprintf("unexpected data after the document at byte offset %d", s.dec.InputOffset()))
	}
	return kinds, nil
}

// once refuses a member name seen before in the same object, as the
// decoder would if it tracked names (it does not: see Build's duplicates).
func (s *stream) once(seen map[string]bool, name string) error {
	if seen[name] {
		ptr := string(s.dec.StackPointer())
		line, _ := s.lines.at(s.dec.InputOffset())
		return invalidRequest("malformed request", FieldError{Pointer: ptr, Message: fmt.Sprintf("duplicate key %q", name), Line: line})
	}
	seen[name] = true
	return nil
}

// batchSize is how many resources go to a worker at once.
const batchSize = 256

// kind reads one keyed kind's object of resources.
func (s *stream) kind(kind string, jobs chan<- []job) error {
	batch := make([]job, 0, batchSize)
	defer func() {
		if len(batch) > 0 {
			jobs <- batch
		}
	}()
	if _, err := s.dec.ReadToken(); err != nil {
		return s.syntax(err)
	}
	for s.dec.PeekKind() != '}' {
		tok, err := s.dec.ReadToken()
		if err != nil {
			return s.syntax(err)
		}
		id := tok.String()
		raw, err := s.dec.ReadValue()
		if err != nil {
			return s.syntax(err)
		}
		start := s.dec.InputOffset() - int64(len(raw))
		line, _ := s.lines.at(start)
		s.lines.keep(start)
		// ReadValue's bytes are the decoder's buffer, reused by the next read.
		batch = append(batch, job{kind: kind, id: id, at: located{
			ptr: "/resources/" + escapePointer(kind) + "/" + escapePointer(id), raw: bytes.Clone(raw), line: line}})
		if len(batch) == batchSize {
			jobs <- batch
			batch = make([]job, 0, batchSize)
		}
	}
	_, err := s.dec.ReadToken()
	if err != nil {
		return s.syntax(err)
	}
	return nil
}

// small reads one value that is not a keyed kind's resources into m[name].
func (s *stream) small(m map[string]any, name string) error {
	ptr := string(s.dec.StackPointer()) // the member's, its name read
	raw, err := s.dec.ReadValue()
	if err != nil {
		return s.syntax(err)
	}
	start := s.dec.InputOffset() - int64(len(raw))
	line, _ := s.lines.at(start)
	s.lines.keep(start)
	at := located{ptr: ptr, raw: bytes.Clone(raw), line: line}
	v, err := jsonread.Decode(at.raw, jsonread.Limits{MaxDepth: maxDepth - 2, MaxNumber: maxNumberSize}, schemaStrings())
	if err != nil {
		return s.decodeError(at, err)
	}
	s.whole = append(s.whole, at)
	m[name] = v
	return nil
}

// decodeError words an error of jsonread in the value at as decodeJSON
// words it in a whole document.
func (s *stream) decodeError(at located, err error) *Error {
	var re *jsonread.Error
	if !errors.As(err, &re) {
		return invalidRequest("malformed JSON: " + err.Error())
	}
	line, col := s.lines.at(s.dec.InputOffset() - int64(len(at.raw)) + int64(re.Offset))
	switch re.Kind {
	case jsonread.Duplicate, jsonread.TooDeep, jsonread.TooLong:
		return invalidRequest("malformed request", FieldError{Pointer: at.ptr + re.Pointer, Message: re.Message, Line: line})
	case jsonread.InvalidUTF8:
		return invalidRequest(fmt.Sprintf("invalid UTF-8 at line %d, column %d", line, col))
	}
	return invalidRequest(fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, re.Message))
}

// check decodes, validates and encodes one resource.
func (s *stream) check(j job) result {
	v, err := jsonread.Decode(j.at.raw, jsonread.Limits{MaxDepth: maxDepth - 3, MaxNumber: maxNumberSize}, schemaStrings())
	if err != nil {
		msg, ptr, line := err.Error(), j.at.ptr, j.at.line
		var re *jsonread.Error
		if errors.As(err, &re) {
			ptr += re.Pointer
			msg = re.Message
			line += bytes.Count(j.at.raw[:min(re.Offset, len(j.at.raw))], []byte{'\n'})
		}
		return result{errs: []FieldError{{Pointer: ptr, Message: msg, Line: line}}}
	}
	doc := map[string]any{"resources": map[string]any{j.kind: map[string]any{j.id: v}}}
	if errs := s.v.validateInventory(doc); len(errs) > 0 {
		j.at.locate(errs)
		return result{errs: errs}
	}
	raw, err := factstore.AppendCanonical(j.at.raw[:0], v)
	if err != nil {
		return result{errs: []FieldError{{Pointer: j.at.ptr, Message: err.Error(), Line: j.at.line}}}
	}
	e, err := factstore.NewEntry(j.kind, j.id, raw)
	if err != nil {
		return result{errs: []FieldError{{Pointer: j.at.ptr, Message: err.Error(), Line: j.at.line}}}
	}
	return result{entry: e}
}
