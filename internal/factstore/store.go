package factstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// NewStore is OPA's view of inv: data.inventory is inv's document, with rest
// (nil: inv's own) in place of inv's document without the keyed kinds, and
// extra's members beside it (data.imgadmit_index). It is read-only.
//
// A read of data.inventory.resources.<kind>.<id> (what every rule reads, by
// lib/facts.rego) converts that resource alone to an OPA value, when the
// decision reads it; a read of a whole kind or above converts every
// resource in it, as inmem would have held them all.
func NewStore(inv *Inventory, rest map[string]any, extra map[string]any) storage.Store {
	if rest == nil {
		rest = inv.rest
	}
	data := maps.Clone(extra)
	if data == nil {
		data = map[string]any{}
	}
	data["inventory"] = rest
	return &store{
		Store: inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true), inmem.OptRoundTripOnWrite(false)),
		inv:   inv,
	}
}

// store answers reads of the keyed kinds from the inventory and every other
// read from an inmem store of the small rest.
type store struct {
	storage.Store
	inv *Inventory
}

// errReadOnly refuses a write: decisions only read, and the inventory
// changes by replacing the store.
var errReadOnly = &storage.Error{Code: storage.InvalidTransactionErr, Message: "the inventory store is read-only: change the inventory through imgadmit"}

func (s *store) Write(context.Context, storage.Transaction, storage.PatchOp, storage.Path, any) error {
	return errReadOnly
}

// Truncate is refused as Write is: the store is read-only.
func (s *store) Truncate(context.Context, storage.Transaction, storage.TransactionParams, storage.Iterator) error {
	return errReadOnly
}

func notFound(path storage.Path) error {
	return &storage.Error{Code: storage.NotFoundErr, Message: path.String() + ": document does not exist"}
}

func (s *store) Read(ctx context.Context, txn storage.Transaction, path storage.Path) (any, error) {
	if len(path) >= 3 && path[0] == "inventory" && path[1] == "resources" {
		if k := KindIndex(path[2]); k >= 0 {
			return s.readKind(k, path)
		}
	}
	v, err := s.Store.Read(ctx, txn, path)
	if err != nil || s.inv.tables == ([numKinds]*table{}) || len(path) > 2 ||
		(len(path) >= 1 && path[0] != "inventory") || (len(path) == 2 && path[1] != "resources") {
		return v, err
	}
	// A read of data, data.inventory or data.inventory.resources: the
	// tables go in where they belong, as new objects (inmem's stay as they
	// are).
	return s.splice(v, path)
}

// splice is v, the value inmem holds at path (above the keyed kinds), with
// the keyed kinds put in.
func (s *store) splice(v any, path storage.Path) (any, error) {
	obj, ok := v.(ast.Object)
	if !ok {
		return v, nil
	}
	if len(path) < 2 {
		name := "inventory"
		if len(path) == 1 {
			name = "resources"
		}
		key := ast.StringTerm(name)
		inner := obj.Get(key)
		if inner == nil {
			return v, nil
		}
		sub, err := s.splice(inner.Value, append(path[:len(path):len(path)], name)) // a new slice: path is the caller's
		if err != nil {
			return nil, err
		}
		out := ast.NewObject()
		obj.Foreach(func(k, x *ast.Term) {
			if k.Equal(key) {
				x = ast.NewTerm(sub.(ast.Value))
			}
			out.Insert(k, x)
		})
		return out, nil
	}
	out := ast.NewObject()
	obj.Foreach(func(k, x *ast.Term) { out.Insert(k, x) })
	for k, t := range s.inv.tables {
		if t == nil {
			continue
		}
		tv, err := tableValue(t)
		if err != nil {
			return nil, err
		}
		out.Insert(ast.StringTerm(Kinds[k]), ast.NewTerm(tv))
	}
	return out, nil
}

// readKind reads path, below data.inventory.resources.<kind>.
func (s *store) readKind(k int, path storage.Path) (any, error) {
	t := s.inv.tables[k]
	if t == nil {
		return nil, notFound(path)
	}
	if len(path) == 3 {
		return tableValue(t)
	}
	raw, ok := t.get(path[3])
	if !ok {
		return nil, notFound(path)
	}
	v, err := ASTValue(raw)
	if err != nil {
		return nil, fmt.Errorf("data.inventory.resources.%s[%q]: %w", Kinds[k], path[3], err)
	}
	for _, seg := range path[4:] {
		var next *ast.Term
		switch x := v.(type) {
		case ast.Object:
			next = x.Get(ast.StringTerm(seg))
		case *ast.Array:
			if i, ok := ArrayIndex(seg, x.Len()); ok {
				next = x.Elem(i)
			}
		}
		if next == nil {
			return nil, notFound(path)
		}
		v = next.Value
	}
	return v, nil
}

func tableValue(t *table) (ast.Value, error) {
	obj := ast.NewObject()
	var err error
	t.each(func(id string, raw []byte) bool {
		var v ast.Value
		if v, err = ASTValue(raw); err != nil {
			return false
		}
		obj.Insert(ast.StringTerm(id), ast.NewTerm(v))
		return true
	})
	return obj, err
}

// ASTValue is the OPA value of a stored resource's canonical JSON, read
// straight into OPA's terms (no Go map between).
func ASTValue(raw []byte) (ast.Value, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	v, err := astValue(dec)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func astValue(dec *jsontext.Decoder) (ast.Value, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return ast.Null{}, nil
	case 't', 'f':
		return ast.Boolean(tok.Bool()), nil
	case '"':
		return ast.String(tok.String()), nil
	case '0':
		return ast.Number(tok.String()), nil
	case '[':
		var terms []*ast.Term
		for dec.PeekKind() != ']' {
			v, err := astValue(dec)
			if err != nil {
				return nil, err
			}
			terms = append(terms, ast.NewTerm(v))
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return ast.NewArray(terms...), nil
	case '{':
		var items [][2]*ast.Term
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			// A token is the decoder's until its next call.
			name := ast.StringTerm(tok.String())
			v, err := astValue(dec)
			if err != nil {
				return nil, err
			}
			items = append(items, ast.Item(name, ast.NewTerm(v)))
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return ast.NewObject(items...), nil
	}
	return nil, errors.New("not a JSON value")
}
