package evaluator

import (
	"errors"
	"fmt"
	"os"
)

// ReadInventory reads inventory files (JSON or YAML, by extension) and merges
// them in order: objects merge key by key, and a later file's value replaces
// an earlier one's anywhere else. Each file is checked against the inventory
// schema on its own, so an error names the file it is in.
func ReadInventory(paths []string) (map[string]any, error) {
	v, err := embeddedValidator()
	if err != nil {
		return nil, internalError("compile schemas", err)
	}
	merged := map[string]any{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, &Error{Code: CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), File: p, err: err}
		}
		doc, err := decode(raw, FormatForName(p))
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Code, e.File = CodeInvalidInventory, p
			}
			return nil, err
		}
		if errs := v.validateInventory(doc); len(errs) > 0 {
			locateLines(raw, FormatForName(p), errs)
			return nil, &Error{Code: CodeInvalidInventory, Message: "the inventory does not match its schema", Errors: errs, File: p}
		}
		merged = mergeObjects(merged, doc.(map[string]any))
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
