package evaluator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/imgadmit/imgadmit/internal/jsonread"
	yaml "go.yaml.in/yaml/v3"
)

// Format is how a document is written.
type Format int

// Formats a document can be written in.
const (
	// FormatAuto sniffs: a document whose first non-space byte is '{' or '[' is JSON.
	FormatAuto Format = iota
	FormatJSON
	FormatYAML
)

// FormatForName picks the format from a file name's extension.
func FormatForName(name string) Format {
	switch {
	case strings.HasSuffix(name, ".json"):
		return FormatJSON
	case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
		return FormatYAML
	}
	return FormatAuto
}

// Limits on a decoded document, so that hostile input costs bounded time and memory.
const (
	maxDepth      = 64
	maxYAMLNodes  = 100_000 // after alias expansion
	maxNumberSize = 64      // digits; longer is not a number anyone meant
)

// decode turns raw bytes into a JSON value: maps, slices, strings, bools, nil
// and json.Number (numbers kept exact, as written). Duplicate keys, invalid
// UTF-8, trailing data and anything JSON cannot hold are errors with a line.
func decode(raw []byte, f Format) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, invalidRequest("the document is empty")
	}
	if f == FormatAuto {
		f = FormatYAML
		if c := bytes.TrimLeft(raw, " \t\r\n\ufeff"); len(c) > 0 && (c[0] == '{' || c[0] == '[') {
			f = FormatJSON
		}
	}
	if f == FormatJSON {
		return decodeJSON(raw)
	}
	// The JSON reader refuses what is not UTF-8 as it reads; YAML's does not.
	if !utf8.Valid(raw) {
		off := jsonread.InvalidUTF8Offset(raw)
		line, col := lineCol(raw, off)
		return nil, invalidRequest(fmt.Sprintf("invalid UTF-8 at line %d, column %d", line, col))
	}
	return decodeYAML(raw)
}

// lineCol is the 1-based line and column of a byte offset.
func lineCol(raw []byte, off int) (int, int) {
	if off > len(raw) {
		off = len(raw)
	}
	before := raw[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return line, col
}

func decodeJSON(raw []byte) (any, error) {
	v, err := jsonread.Decode(raw, jsonread.Limits{MaxDepth: maxDepth, MaxNumber: maxNumberSize}, schemaStrings())
	if err != nil {
		return nil, readError(raw, err)
	}
	return v, nil
}

// readError words an error of the JSON reader as the evaluator's.
func readError(raw []byte, err error) *Error {
	var re *jsonread.Error
	if !errors.As(err, &re) {
		return invalidRequest("malformed JSON: " + err.Error())
	}
	line, col := lineCol(raw, re.Offset)
	switch re.Kind {
	case jsonread.EarlyEnd:
		return invalidRequest(fmt.Sprintf("malformed JSON: the document ends early at line %d, column %d", line, col))
	case jsonread.Trailing:
		return invalidRequest(fmt.Sprintf("unexpected data after the document at line %d, column %d", line, col))
	case jsonread.InvalidUTF8:
		return invalidRequest(fmt.Sprintf("invalid UTF-8 at line %d, column %d", line, col))
	case jsonread.Duplicate, jsonread.TooDeep, jsonread.TooLong:
		return invalidRequest("malformed request", FieldError{Pointer: re.Pointer, Message: re.Message, Line: line})
	}
	return invalidRequest(fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, re.Message))
}

// escapePointer escapes one JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// jsonNumber matches the JSON number grammar: YAML numbers that already are
// JSON numbers are kept as written, exactly.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func decodeYAML(raw []byte) (any, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalidRequest("the document is empty")
		}
		return nil, invalidRequest("malformed YAML: " + strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, invalidRequest(fmt.Sprintf("more than one YAML document (the second starts at line %d): one request per file", extra.Line))
	}
	budget := maxYAMLNodes
	return yamlValue(&doc, 0, "", &budget)
}

func yamlValue(n *yaml.Node, depth int, ptr string, budget *int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, invalidRequest("malformed request", FieldError{Pointer: ptr, Message: fmt.Sprintf("more than %d values (after expanding aliases)", maxYAMLNodes), Line: n.Line})
	}
	if depth > maxDepth {
		return nil, invalidRequest("malformed request", FieldError{Pointer: ptr, Message: fmt.Sprintf("nested deeper than %d levels", maxDepth), Line: n.Line})
	}
	bad := func(msg string) error {
		return invalidRequest("malformed request", FieldError{Pointer: ptr, Message: msg, Line: n.Line})
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, invalidRequest("the document is empty")
		}
		return yamlValue(n.Content[0], depth, ptr, budget)
	case yaml.AliasNode:
		return yamlValue(n.Alias, depth+1, ptr, budget)
	case yaml.MappingNode:
		obj := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
				return nil, bad("YAML merge keys (<<) are not supported: write the keys out")
			}
			if kn.Kind != yaml.ScalarNode || (kn.Tag != "!!str" && kn.Tag != "!!int" && kn.Tag != "!!bool" && kn.Tag != "!!float" && kn.Tag != "!!null") {
				return nil, bad("object key is not a string")
			}
			k := kn.Value
			kp := ptr + "/" + escapePointer(k)
			if _, dup := obj[k]; dup {
				return nil, invalidRequest("malformed request", FieldError{Pointer: kp, Message: fmt.Sprintf("duplicate key %q", k), Line: kn.Line})
			}
			v, err := yamlValue(vn, depth+1, kp, budget)
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		return obj, nil
	case yaml.SequenceNode:
		arr := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := yamlValue(c, depth+1, ptr+"/"+strconv.Itoa(i), budget)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, bad(err.Error())
			}
			return b, nil
		case "!!int", "!!float":
			if len(n.Value) > maxNumberSize {
				return nil, bad(fmt.Sprintf("number with %d characters is too long", len(n.Value)))
			}
			if jsonNumber.MatchString(n.Value) {
				return json.Number(n.Value), nil
			}
			// YAML-only spellings (0x1F, 1_000, +5, .5): take the value YAML means.
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, bad(fmt.Sprintf("number %q: %v", n.Value, err))
			}
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, bad(fmt.Sprintf("number %q cannot be represented in JSON", n.Value))
			}
			var i int64
			if n.Tag == "!!int" && n.Decode(&i) == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		case "!!str", "!!timestamp", "!!binary", "":
			return n.Value, nil
		default:
			return nil, bad(fmt.Sprintf("YAML tag %s is not supported", n.Tag))
		}
	}
	return nil, bad("unsupported YAML node")
}

// locateLines fills in the Line of each field error from the raw document,
// best effort: a pointer that does not resolve keeps Line 0. It runs only on
// the error path, so the fast path never pays for positions.
func locateLines(raw []byte, f Format, errs []FieldError) {
	if len(errs) == 0 {
		return
	}
	lines := pointerLines(raw, f)
	for i := range errs {
		if errs[i].Line != 0 {
			continue
		}
		errs[i].Line, _ = nearestLine(lines, errs[i].Pointer)
	}
}

// nearestLine is the line of the value at ptr in lines (pointerLines), or,
// for a missing property (reported at the pointer it should be at), of its
// nearest ancestor that exists; false when none does.
func nearestLine(lines map[string]int, ptr string) (int, bool) {
	for p := ptr; ; {
		if l, ok := lines[p]; ok {
			return l, true
		}
		j := strings.LastIndexByte(p, '/')
		if j < 0 {
			return 0, false
		}
		p = p[:j]
	}
}

// pointerLines maps every JSON pointer in the document to the line its value starts on.
func pointerLines(raw []byte, f Format) map[string]int {
	out := map[string]int{}
	if f == FormatAuto {
		f = FormatYAML
		if c := bytes.TrimLeft(raw, " \t\r\n\ufeff"); len(c) > 0 && (c[0] == '{' || c[0] == '[') {
			f = FormatJSON
		}
	}
	if f == FormatYAML {
		var doc yaml.Node
		if yaml.Unmarshal(raw, &doc) == nil && len(doc.Content) > 0 {
			yamlLines(doc.Content[0], "", out, 0)
		}
		return out
	}
	return jsonread.Lines(raw, maxDepth)
}

func yamlLines(n *yaml.Node, ptr string, out map[string]int, depth int) {
	if depth > maxDepth {
		return
	}
	out[ptr] = n.Line
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			kp := ptr + "/" + escapePointer(n.Content[i].Value)
			yamlLines(n.Content[i+1], kp, out, depth+1)
			out[kp] = n.Content[i].Line
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			yamlLines(c, ptr+"/"+strconv.Itoa(i), out, depth+1)
		}
	case yaml.AliasNode:
		// Lines of an alias are those of its anchor; not worth following.
	}
}
