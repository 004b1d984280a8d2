package sidecar

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/jsonread"
)

// readBody reads a body of at most --max-body bytes, as JSON: a body
// without a Content-Type is JSON, as OPA reads it; a YAML one
// (application/yaml, application/x-yaml) is decoded as the CLI decodes YAML
// and handed on as JSON, its errors from then on without lines (they would
// be the JSON's); a gzip one (Content-Encoding: gzip) is decompressed, and
// --max-body bounds it compressed and decompressed. code is the error code
// of a malformed YAML body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, code string) ([]byte, *APIError) {
	return s.readBodyUpTo(w, r, code, s.cfg.MaxBody, "--max-body")
}

// readInventoryBody is readBody for the inventory's writes, bounded by
// --max-inventory-body.
func (s *Server) readInventoryBody(w http.ResponseWriter, r *http.Request, code string) ([]byte, *APIError) {
	return s.readBodyUpTo(w, r, code, s.cfg.MaxInventoryBody, "--max-inventory-body")
}

// body is a request body opened as readBody reads it: its reader, bounded
// (compressed and decompressed), and whether it is YAML.
type body struct {
	rd       io.Reader
	yaml     bool
	tooLarge *APIError
	close    func()
}

// openBody checks r's Content-Type and Content-Encoding and opens its body
// with limit (named by flag in the 413).
func openBody(w http.ResponseWriter, r *http.Request, limit int64, flag string) (*body, *APIError) {
	gz := false
	if ce := r.Header.Get("Content-Encoding"); strings.EqualFold(ce, "gzip") {
		gz = true
	} else if ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "Content-Encoding %q is not supported: send the body uncompressed or gzip", ce)
	}
	b := &body{close: func() {}}
	if ct := r.Header.Get(contentTypeKey); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		b.yaml = err == nil && (mt == "application/yaml" || mt == "application/x-yaml")
		if err != nil || (mt != jsonType && !strings.HasSuffix(mt, "+json") && !b.yaml) {
			return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be JSON or YAML, not %q: send Content-Type: application/json", ct)
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be UTF-8, not charset %q", cs)
		}
	}
	b.tooLarge = apiErrorf(http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the body is larger than the limit of %d bytes (%s)", limit, flag)
	if r.ContentLength > limit {
		return nil, b.tooLarge
	}
	b.rd = http.MaxBytesReader(w, r.Body, limit)
	if gz {
		zr, err := gzip.NewReader(b.rd)
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return nil, b.tooLarge
			}
			return nil, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "the body is not gzip: %v", err)
		}
		// The decompressed body has the same limit, and the same error past it.
		b.rd = http.MaxBytesReader(w, zr, limit)
		b.close = func() { zr.Close() }
	}
	return b, nil
}

// readError is the answer to an error reading b.
func (b *body) readError(err error) *APIError {
	if errors.As(err, new(*http.MaxBytesError)) {
		return b.tooLarge
	}
	return apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "could not read the body: %v", err)
}

func (s *Server) readBodyUpTo(w http.ResponseWriter, r *http.Request, code string, limit int64, flag string) ([]byte, *APIError) {
	b, aerr := openBody(w, r, limit, flag)
	if aerr != nil {
		return nil, aerr
	}
	defer b.close()
	// Sized from Content-Length when the client sent one (the limit was
	// checked), rather than grown from 512 bytes by doubling; but never
	// past --max-body before the bytes arrive: a header alone must not
	// make the server hold --max-inventory-body (512 MiB) per request.
	size := bytes.MinRead
	if r.ContentLength > 0 && r.Header.Get("Content-Encoding") == "" {
		size += int(min(r.ContentLength, s.cfg.MaxBody))
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(b.rd); err != nil {
		return nil, b.readError(err)
	}
	body := buf.Bytes()
	if b.yaml {
		doc, err := evaluator.DecodeDocument(body, evaluator.FormatYAML, code)
		if err != nil {
			return nil, fromEvaluator(err)
		}
		body = mustEncode(doc)
		if rw, ok := w.(*responseWriter); ok {
			rw.noLines = true
		}
	}
	return body, nil
}

// inputMember finds the input member of an OPA Data API request body, and
// how many lines precede it. Other members are ignored, as OPA does (its
// clients may send metadata beside input); input twice is refused, since two
// parsers could disagree on which one counts.
func inputMember(body []byte) ([]byte, int, *APIError) {
	input, at, err := jsonread.Member(body, "input")
	if err == nil {
		return input, bytes.Count(body[:at], []byte{'\n'}), nil
	}
	var re *jsonread.Error
	if !errors.As(err, &re) {
		return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: %v", err)
	}
	line := bytes.Count(body[:min(re.Offset, len(body))], []byte{'\n'}) + 1
	switch re.Kind {
	case jsonread.NotObject:
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body must be a JSON object {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: "", Message: "the body must be an object with an input member"}}}
	case jsonread.Missing:
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body has no input: send {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: re.Message}}}
	case jsonread.Duplicate:
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: "malformed request", Errors: []evaluator.FieldError{{Pointer: inputPointer, Message: re.Message}}}
	case jsonread.EarlyEnd:
		return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: the body ends early at line %d", line)
	case jsonread.Trailing:
		return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: unexpected data after the body's object")
	}
	return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON at line %d: %s", line, re.Message)
}
