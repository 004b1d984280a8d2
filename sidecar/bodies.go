package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
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
//
// A valid body is scanned in place (scanInputMember); anything else, or a
// key written with escapes, goes through encoding/json's tokenizer, which
// says what is wrong and where.
func inputMember(body []byte) ([]byte, int, *APIError) {
	if json.Valid(body) {
		if input, line, ok := scanInputMember(body); ok {
			return input, line, nil
		}
	}
	return inputMemberTokens(body)
}

// scanInputMember is inputMember for a body that is valid JSON: ok is false
// when the body is not an object, has no input or two, or has a key with an
// escape in it, so that the tokenizer's answer (and error) is given instead.
func scanInputMember(body []byte) (input []byte, line int, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, 0, false
	}
	i++
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			return input, line, input != nil
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		// A key: valid JSON puts a string here.
		end := bytes.IndexByte(body[i+1:], '"') + i + 1
		key := body[i+1 : end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, 0, false
		}
		i = skipSpace(body, end+1) + 1 // past the colon
		i = skipSpace(body, i)
		vend := skipValue(body, i)
		if string(key) == "input" {
			if input != nil {
				return nil, 0, false
			}
			input, line = body[i:vend], bytes.Count(body[:i], []byte{'\n'})
		}
		i = vend
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i]; b is valid.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 { // the end of the enclosing object: a scalar ended here
				return i
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// inputMemberTokens is inputMember by encoding/json's tokenizer.
func inputMemberTokens(body []byte) ([]byte, int, *APIError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	malformed := func(err error) *APIError {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		line := bytes.Count(body[:min(int(off), len(body))], []byte{'\n'}) + 1
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: the body ends early at line %d", line)
		}
		return apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON at line %d: %s", line, strings.TrimPrefix(err.Error(), "json: "))
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, 0, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body must be a JSON object {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: "", Message: "the body must be an object with an input member"}}}
	}
	var input []byte
	line := 0
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, 0, malformed(err)
		}
		key, _ := kt.(string)
		after := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, malformed(err)
		}
		if key != "input" {
			continue
		}
		if input != nil {
			return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
				Message: "malformed request",
				Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: `duplicate key "input"`}}}
		}
		input = raw
		start := after + bytes.IndexFunc(body[after:], func(r rune) bool { return !strings.ContainsRune(" \t\r\n:", r) })
		line = bytes.Count(body[:start], []byte{'\n'})
	}
	if _, err := dec.Token(); err != nil {
		return nil, 0, malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "malformed JSON: unexpected data after the body's object")
	}
	if input == nil {
		return nil, 0, &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest,
			Message: `the body has no input: send {"input": request}`,
			Errors:  []evaluator.FieldError{{Pointer: inputPointer, Message: `missing required property "input"`}}}
	}
	return input, line, nil
}
