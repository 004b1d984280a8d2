package sidecar

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/jsonread"
)

// readBody reads a JSON body of at most --max-body bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *APIError) {
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "Content-Encoding %q is not supported: send the body uncompressed", ce)
	}
	ct := r.Header.Get(contentTypeKey)
	if ct == "" {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be JSON: send Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != jsonType && !strings.HasSuffix(mt, "+json")) {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be JSON, not %q: send Content-Type: application/json", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, apiErrorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be UTF-8 JSON, not charset %q", cs)
	}
	tooLarge := apiErrorf(http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the body is larger than the limit of %d bytes (--max-body)", s.cfg.MaxBody)
	if r.ContentLength > s.cfg.MaxBody {
		return nil, tooLarge
	}
	// Sized from Content-Length when the client sent one (the limit was
	// checked above), rather than grown from 512 bytes by doubling.
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 0)+bytes.MinRead))
	_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "could not read the body: %v", err)
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
