package sidecar

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/factstore"
)

// editKind is what edit does at the end of its path.
type editKind int

const (
	editPut     editKind = iota // set the member or element, making missing parent objects (PUT)
	editAdd                     // JSON Patch add: set a member, insert an element ("-": append)
	editReplace                 // JSON Patch replace: the member or element must exist
	editRemove                  // JSON Patch remove, DELETE: the member or element must exist
)

// edit is doc with the change kind makes at path, which is not empty. doc
// itself is never changed: the objects and arrays along the path are
// copied, the rest shared, so a decision reading the inventory serving
// never sees the change half made.
func edit(doc any, path []string, kind editKind, value any) (any, error) {
	return editAt(doc, path, 0, kind, value)
}

// editAt is edit below path[:at], doc being the value there.
func editAt(doc any, full []string, at int, kind editKind, value any) (any, error) {
	path := full[:at+1] // up to the segment at hand, for the errors
	seg, rest := full[at], full[at+1:]
	switch v := doc.(type) {
	case map[string]any:
		child, ok := v[seg]
		out := maps.Clone(v)
		if len(rest) > 0 {
			if !ok {
				if kind != editPut {
					return nil, notFoundAt(path)
				}
				child = map[string]any{}
			}
			next, err := editAt(child, full, at+1, kind, value)
			if err != nil {
				return nil, err
			}
			out[seg] = next
			return out, nil
		}
		switch {
		case kind == editRemove && !ok, kind == editReplace && !ok:
			return nil, notFoundAt(path)
		case kind == editRemove:
			delete(out, seg)
		default:
			out[seg] = value
		}
		return out, nil
	case []any:
		if len(rest) == 0 && kind == editAdd {
			i := len(v)
			if seg != "-" {
				var ok bool
				if i, ok = factstore.ArrayIndex(seg, len(v)+1); !ok {
					return nil, notFoundAt(path)
				}
			}
			return slices.Insert(slices.Clone(v), i, value), nil
		}
		i, ok := factstore.ArrayIndex(seg, len(v))
		if !ok {
			if kind == editPut {
				return nil, conflictAt(path)
			}
			return nil, notFoundAt(path)
		}
		if len(rest) > 0 {
			next, err := editAt(v[i], full, at+1, kind, value)
			if err != nil {
				return nil, err
			}
			out := slices.Clone(v)
			out[i] = next
			return out, nil
		}
		if kind == editRemove {
			return slices.Delete(slices.Clone(v), i, i+1), nil
		}
		out := slices.Clone(v)
		out[i] = value
		return out, nil
	}
	if kind == editPut {
		return nil, conflictAt(path)
	}
	return nil, notFoundAt(path)
}

// conflictAt is the 404 of a PUT to a path the inventory cannot hold: below
// a value that is neither an object nor an array, or at an array index it
// does not have. OPA answers such a write 404 resource_conflict (a storage
// write conflict), and so does the sidecar.
func conflictAt(path []string) *APIError {
	return apiErrorf(http.StatusNotFound, CodeResourceConflict, "cannot put a value at %s: the inventory has no object, nor an array with that index, to hold it", pointer(path))
}

// notFoundAt is the 404 of a change to a path where there is nothing, as
// OPA answers it; path is as far as there was something to follow.
func notFoundAt(path []string) *APIError {
	return apiErrorf(http.StatusNotFound, CodeResourceNotFound, "nothing at %s in the inventory", pointer(path))
}

func pointer(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
	}
	return b.String()
}

// patchOp is one operation of a JSON Patch: add, remove or replace, as
// OPA's Data API takes them.
type patchOp struct {
	kind  editKind
	name  string
	path  []string // below the request's path
	value any
}

// parsePatch reads a JSON Patch (RFC 6902): an array of {"op", "path",
// "value"}, the paths JSON pointers (RFC 6901) below the request's path.
func parsePatch(body []byte) ([]patchOp, *APIError) {
	doc, err := evaluator.DecodeDocument(body, evaluator.FormatJSON, evaluator.CodeInvalidRequest)
	if err != nil {
		return nil, fromEvaluator(err)
	}
	list, ok := doc.([]any)
	if !ok {
		return nil, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, `the body must be a JSON Patch: an array of {"op", "path", "value"}`)
	}
	var ops []patchOp
	for i, item := range list {
		bad := func(format string, args ...any) *APIError {
			return &APIError{status: http.StatusBadRequest, Code: evaluator.CodeInvalidRequest, Message: "invalid JSON Patch",
				Errors: []evaluator.FieldError{{Pointer: "/" + strconv.Itoa(i), Message: fmt.Sprintf(format, args...)}}}
		}
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, bad(`an operation must be an object {"op", "path", "value"}`)
		}
		var op patchOp
		op.name, _ = obj["op"].(string)
		switch op.name {
		case "add":
			op.kind = editAdd
		case "replace":
			op.kind = editReplace
		case "remove":
			op.kind = editRemove
		default:
			return nil, bad(`op %v is not one of add, remove, replace`, mustEncodeString(obj["op"]))
		}
		p, ok := obj["path"].(string)
		if !ok || (p != "" && p[0] != '/') {
			return nil, bad(`path must be a JSON pointer ("" or starting with /), not %s`, mustEncodeString(obj["path"]))
		}
		if p != "" {
			for _, seg := range strings.Split(p[1:], "/") {
				op.path = append(op.path, strings.NewReplacer("~1", "/", "~0", "~").Replace(seg))
			}
		}
		if op.kind != editRemove {
			if op.value, ok = obj["value"]; !ok {
				return nil, bad(`%s needs a value`, op.name)
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// apply is doc with the operation made at base (the request's path) and
// the operation's path below it.
func (op patchOp) apply(doc any, base []string) (any, error) {
	path := append(slices.Clone(base), op.path...)
	if len(path) == 0 {
		if op.kind == editRemove {
			return map[string]any{}, nil
		}
		return op.value, nil
	}
	return edit(doc, path, op.kind, op.value)
}

func mustEncodeString(v any) string {
	return strings.TrimSuffix(string(mustEncode(v)), "\n")
}
