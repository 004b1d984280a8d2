package evaluator

import (
	"errors"
	"fmt"
	"os"
)

// The documents beside requests: the inventory (--data files, PUT
// /v1/data/inventory) and the sidecar's identities file. Each has one parser,
// which decodes it like a request and checks it against its schema.

// ParseInventory decodes an inventory document written in format f and checks
// it against schemas/inventory.json. Every error has code invalid_inventory;
// schema errors carry pointers and lines.
func ParseInventory(raw []byte, f Format) (map[string]any, error) {
	return parseDocument(raw, f, CodeInvalidInventory, "the inventory", (*validator).validateInventory)
}

// ParseIdentities decodes the sidecar's identities file and checks it against
// schemas/identities.json. Every error has code invalid_identities.
func ParseIdentities(raw []byte, f Format) (map[string]any, error) {
	return parseDocument(raw, f, CodeInvalidIdentities, "the identities file", (*validator).validateIdentities)
}

// DecodeDocument decodes a document written in format f as requests are
// decoded (JSON numbers as json.Number, duplicate keys refused); its errors
// carry lines and have the given code. Translators of documents the
// evaluator does not read itself (the clouds' responses) start here.
func DecodeDocument(raw []byte, f Format, code string) (any, error) {
	doc, err := decode(raw, f)
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			ee.Code = code
		}
		return nil, err
	}
	return doc, nil
}

// InventoryOf checks a decoded inventory document as ParseInventory does;
// raw and f, the document as written, locate its errors' lines.
func InventoryOf(doc any, raw []byte, f Format) (map[string]any, error) {
	return checkDocument(doc, raw, f, CodeInvalidInventory, "the inventory", (*validator).validateInventory)
}

// MergeInventory merges src into dst as ReadInventory merges files, and
// returns dst.
func MergeInventory(dst, src map[string]any) map[string]any { return mergeObjects(dst, src) }

// parseDocument decodes raw and checks it with check, whose schema requires
// an object; what names the document in messages.
func parseDocument(raw []byte, f Format, code, what string, check func(*validator, any) []FieldError) (map[string]any, error) {
	doc, err := DecodeDocument(raw, f, code)
	if err != nil {
		return nil, err
	}
	return checkDocument(doc, raw, f, code, what, check)
}

func checkDocument(doc any, raw []byte, f Format, code, what string, check func(*validator, any) []FieldError) (map[string]any, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	if errs := check(v, doc); len(errs) > 0 {
		locateLines(raw, f, errs)
		return nil, &Error{Code: code, Message: what + " does not match its schema", Errors: errs}
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		// The schema requires an object; this is a schema change, not input.
		return nil, &Error{Code: code, Message: fmt.Sprintf("%s must be a JSON object, but got %s", what, JSONTypeName(doc))}
	}
	return obj, nil
}

// ReadInventory reads inventory files (JSON or YAML, by extension) and merges
// them in order: objects merge key by key, and a later file's value replaces
// an earlier one's anywhere else. Each file is parsed on its own
// (ParseInventory), so an error names the file it is in.
func ReadInventory(paths []string) (map[string]any, error) {
	merged := map[string]any{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), File: p, err: err}
		}
		inv, err := ParseInventory(raw, FormatForName(p))
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.File = p
			}
			return nil, err
		}
		merged = mergeObjects(merged, inv)
	}
	return merged, nil
}

func mergeObjects(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = mergeObjects(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
	return dst
}
