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
	// Names are not tracked by the decoder: tracking a million ids cost
	// it more than the rest of reading. once does, for the objects the
	// stream reads itself; jsonread, within each resource.
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
	// rootLine and resLine are the lines the document and its resources
	// object start on: a schema error at either pointer is located there,
	// as ParseInventory locates it.
	rootLine, resLine int
	// seq numbers the resources in the order they are read.
	seq int
}

// located is a value as read, where it starts (a JSON pointer, a line and
// a column).
type located struct {
	ptr       string
	raw       []byte
	line, col int
}

// pos is the line and column of the byte at off in l's value.
func (l located) pos(off int) (int, int) {
	before := l.raw[:min(max(off, 0), len(l.raw))]
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		return l.line + bytes.Count(before, []byte{'\n'}), off - i
	}
	return l.line, l.col + off
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
		errs[i].Line = l.line
		if n, ok := nearestLine(lines, rel); ok {
			errs[i].Line = l.line + n - 1
		}
	}
}

// job is one resource read, to check and encode.
type job struct {
	kind, id string
	at       located
	// seq is the resource's place in the document; kindLine the line its
	// kind's object starts on.
	seq, kindLine int
}

// result is a resource checked: its entry, or its schema errors, or fatal,
// an error that stops the whole document as it stops ParseInventory (a
// value too deep, a number too long), at the resource seq.
type result struct {
	seq   int
	entry factstore.Entry
	errs  []FieldError
	fatal *Error
}

// syntax words an error of the decoder as decodeJSON words the same error
// of a document read whole.
func (s *stream) syntax(err error) *Error {
	if s.lines.err != nil {
		// The reader failed (a body over its limit, a connection reset):
		// whatever the decoder made of the bytes it got is not the
		// document's fault. jsontext wraps the reader's error, even in a
		// SyntacticError when it fails within a value.
		return s.readerError()
	}
	var se *jsontext.SyntacticError
	switch {
	case errors.As(err, &se) && !errors.Is(se.Err, io.ErrUnexpectedEOF):
		line, col := s.lines.at(se.ByteOffset)
		if errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return invalidRequest("malformed request", FieldError{Pointer: string(se.JSONPointer),
				Message: fmt.Sprintf("duplicate key %q", se.JSONPointer.LastToken()), Line: line})
		}
		if msg := jsonread.SyntaxMessage(se); msg == "invalid UTF-8" {
			// jsontext's sentinel for it is internal; decode words it so.
			return invalidRequest(fmt.Sprintf("invalid UTF-8 at line %d, column %d", line, col))
		}
		return invalidRequest(fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, jsonread.SyntaxMessage(se)))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		line, col := s.lines.at(s.lines.off)
		return invalidRequest(fmt.Sprintf("malformed JSON: the document ends early at line %d, column %d", line, col))
	}
	// Not a syntax error: the reader's own, had it not been recorded.
	return &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), err: err}
}

// readerError is the reader's own error, as it gave it (not as jsontext
// wraps it), so that a caller can tell a body over its limit.
func (s *stream) readerError() *Error {
	err := s.lines.err
	return &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), err: err}
}

// lineTracker counts the lines of what is read through it, keeping the
// newlines' offsets only as far back as a value still being read can
// start (keep), so that a line is known for any offset the decoder reports
// without the document being kept.
type lineTracker struct {
	r   io.Reader
	off int64
	// err is the reader's error, other than io.EOF.
	err error
	// before is the number of newlines before nl's; last the offset of
	// the last of them (-1: none).
	before int
	last   int64
	nl     []int64
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
	if err != nil && err != io.EOF && t.err == nil {
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
	if k := s.dec.PeekKind(); k != '{' {
		return nil, s.notObject()
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return nil, s.syntax(err)
	}
	s.rootLine, _ = s.lines.at(s.dec.InputOffset() - 1)

	// Resources go to the workers in batches: a channel send per resource
	// cost more than checking it.
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
	var fatal *result
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for batch := range results {
			for _, r := range batch {
				if r.fatal != nil {
					if fatal == nil || r.seq < fatal.seq {
						fatal = &r
					}
					continue
				}
				if r.errs != nil {
					for _, e := range r.errs {
						if len(errs) < maxStreamErrors {
							errs = append(errs, e)
						} else {
							more++
						}
					}
					continue
				}
				b.Add(r.entry)
			}
		}
	}()
	kinds, err := s.members(jobs)
	close(jobs)
	workers.Wait()
	close(results)
	<-collected
	switch {
	case s.lines.err != nil:
		return nil, s.readerError()
	case fatal != nil:
		// Earlier in the document than any error members met (which
		// stopped it), as ParseInventory's decode meets it first.
		return nil, fatal.fatal
	case err != nil:
		return nil, err
	}
	if fe := s.v.validateInventory(s.rest); len(fe) > 0 {
		for _, at := range s.whole {
			at.locate(fe)
		}
		for i := range fe {
			switch {
			case fe[i].Line != 0:
			case fe[i].Pointer == "":
				fe[i].Line = s.rootLine
			case fe[i].Pointer == "/resources":
				fe[i].Line = s.resLine
			}
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
		name, err := s.name(seen)
		if err != nil {
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
		s.resLine, _ = s.lines.at(s.dec.InputOffset() - 1)
		res := map[string]any{}
		seenKinds := map[string]bool{}
		for s.dec.PeekKind() != '}' {
			kind, err := s.name(seenKinds)
			if err != nil {
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
	if err := s.end(); err != nil {
		return nil, err
	}
	return kinds, nil
}

// end refuses anything but white space after the document, where decode
// refuses it: at the first byte that is not white space.
func (s *stream) end() *Error {
	if s.dec.PeekKind() == 0 {
		if _, err := s.dec.ReadToken(); errors.Is(err, io.EOF) {
			return nil
		} else if s.lines.err != nil {
			return s.readerError()
		}
	}
	// The unread buffer starts right after the document and holds at
	// least the byte PeekKind stopped at.
	buf := s.dec.UnreadBuffer()
	ws := len(buf) - len(bytes.TrimLeft(buf, " \t\r\n"))
	line, col := s.lines.at(s.dec.InputOffset() + int64(ws))
	return invalidRequest(fmt.Sprintf("unexpected data after the document at line %d, column %d", line, col))
}

// notObject reads a document that is not an object, to refuse it as
// ParseInventory does: its syntax errors first, then the schema's
// "expected object".
func (s *stream) notObject() *Error {
	raw, err := s.dec.ReadValue()
	if err != nil {
		if errors.Is(err, io.EOF) && s.lines.err == nil {
			return invalidRequest("the document is empty")
		}
		return s.syntax(err)
	}
	start := s.dec.InputOffset() - int64(len(raw))
	line, col := s.lines.at(start)
	at := located{ptr: "", raw: bytes.Clone(raw), line: line, col: col}
	if err := s.end(); err != nil {
		return err
	}
	v, err := jsonread.Decode(at.raw, jsonread.Limits{MaxDepth: maxDepth, MaxNumber: maxNumberSize}, schemaStrings())
	if err != nil {
		return decodeError(at, err)
	}
	errs := s.v.validateInventory(v)
	at.locate(errs)
	return &Error{Code: CodeInvalidInventory, Message: "the inventory does not match its schema", Errors: errs}
}

// name reads an object's member name; one seen already in the object is
// refused (once).
func (s *stream) name(seen map[string]bool) (string, error) {
	tok, err := s.dec.ReadToken()
	if err != nil {
		return "", s.syntax(err)
	}
	// A token is the decoder's until its next call.
	name := tok.String()
	return name, s.once(seen, name)
}

// once refuses a member name seen before in the same object, as the
// decoder does when it tracks names (here it does not: see
// ReadInventoryStream).
func (s *stream) once(seen map[string]bool, name string) error {
	if seen[name] {
		line, _ := s.lines.at(s.dec.InputOffset())
		return invalidRequest("malformed request", FieldError{Pointer: string(s.dec.StackPointer()),
			Message: fmt.Sprintf("duplicate key %q", name), Line: line})
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
	ids := map[string]bool{}
	if _, err := s.dec.ReadToken(); err != nil {
		return s.syntax(err)
	}
	kindLine, _ := s.lines.at(s.dec.InputOffset() - 1)
	for s.dec.PeekKind() != '}' {
		id, err := s.name(ids)
		if err != nil {
			return err
		}
		at, err := s.value("/resources/" + escapePointer(kind) + "/" + escapePointer(id))
		if err != nil {
			return err
		}
		s.seq++
		batch = append(batch, job{kind: kind, id: id, seq: s.seq, kindLine: kindLine, at: at})
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

// value reads the next value whole, for the JSON pointer ptr, with where it
// starts; the lines before it are forgotten.
func (s *stream) value(ptr string) (located, error) {
	raw, err := s.dec.ReadValue()
	if err != nil {
		return located{}, s.syntax(err)
	}
	start := s.dec.InputOffset() - int64(len(raw))
	line, col := s.lines.at(start)
	s.lines.keep(start)
	// ReadValue's bytes are the decoder's buffer, reused by the next read.
	return located{ptr: ptr, raw: bytes.Clone(raw), line: line, col: col}, nil
}

// small reads one value that is not a keyed kind's resources into m[name].
func (s *stream) small(m map[string]any, name string) error {
	at, err := s.value(string(s.dec.StackPointer())) // the member's, its name read
	if err != nil {
		return err
	}
	v, err := jsonread.Decode(at.raw, jsonread.Limits{MaxDepth: maxDepth - depthOf(at.ptr), MaxNumber: maxNumberSize}, schemaStrings())
	if err != nil {
		return decodeError(at, err)
	}
	s.whole = append(s.whole, at)
	m[name] = v
	return nil
}

// depthOf is how deep in the document the value at ptr is (the document
// is at 0): a value read alone is allowed what is left of maxDepth.
func depthOf(ptr string) int { return strings.Count(ptr, "/") }

// decodeError words an error of jsonread in the value at as decodeJSON
// words it in a whole document.
func decodeError(at located, err error) *Error {
	var re *jsonread.Error
	if !errors.As(err, &re) {
		return invalidRequest("malformed JSON: " + err.Error())
	}
	line, col := at.pos(re.Offset)
	switch re.Kind {
	case jsonread.TooDeep:
		// The limit is the document's, not what was left of it.
		return invalidRequest("malformed request", FieldError{Pointer: at.ptr + re.Pointer,
			Message: fmt.Sprintf("nested deeper than %d levels", maxDepth), Line: line})
	case jsonread.Duplicate, jsonread.TooLong:
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
		return result{seq: j.seq, fatal: decodeError(j.at, err)}
	}
	doc := map[string]any{"resources": map[string]any{j.kind: map[string]any{j.id: v}}}
	if errs := s.v.validateInventory(doc); len(errs) > 0 {
		j.at.locate(errs)
		for i := range errs {
			// An error of the kind's object (a bad id, by propertyNames)
			// is on the line that object starts on.
			if errs[i].Line == 0 && errs[i].Pointer == "/resources/"+escapePointer(j.kind) {
				errs[i].Line = j.kindLine
			}
		}
		return result{seq: j.seq, errs: errs}
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
