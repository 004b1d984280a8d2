package factstore

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
)

// Entry is one resource ready to be added to a Builder: its kind, id and
// canonical JSON.
type Entry struct {
	kind  int
	id    string
	value []byte
}

// NewEntry is the entry for the resource of kind (keyed) with id and
// canonical JSON value.
func NewEntry(kind, id string, value []byte) (Entry, error) {
	k := KindIndex(kind)
	if k < 0 {
		return Entry{}, fmt.Errorf("%q is not a kind of resource keyed by id", kind)
	}
	return Entry{kind: k, id: id, value: value}, nil
}

// Builder makes an inventory from many resources at once (a whole document
// read), without the copying With does per change. It is not safe for
// concurrent use.
type Builder struct {
	rest   map[string]any
	tables [numKinds]*table
}

// NewBuilder starts an inventory whose document without the keyed kinds is
// rest (canonical Go values; nil: {}).
func NewBuilder(rest map[string]any) *Builder {
	if rest == nil {
		rest = map[string]any{}
	}
	return &Builder{rest: rest}
}

// Kind marks kind (keyed) as present, even if no resource of it is added.
func (b *Builder) Kind(kind string) error {
	k := KindIndex(kind)
	if k < 0 {
		return fmt.Errorf("%q is not a kind of resource keyed by id", kind)
	}
	b.table(k)
	return nil
}

func (b *Builder) table(k int) *table {
	if b.tables[k] == nil {
		b.tables[k] = &table{}
	}
	return b.tables[k]
}

// Add adds a resource. An id added twice under one kind is an error at Build.
func (b *Builder) Add(e Entry) {
	t := b.table(e.kind)
	i := shardOf(e.id)
	s := t.shards[i]
	if s == nil {
		s = &shard{}
		t.shards[i] = s
	}
	s.offs = append(s.offs, uint32(len(s.data)))
	s.data = appendRecord(s.data, e.id, e.value)
	t.n++
}

// finish sorts a shard built by Add, refuses an id in it twice, lays its
// records out in order and hashes them.
func (s *shard) finish(k int) error {
	slices.SortFunc(s.offs, func(x, y uint32) int {
		a, _ := s.record(x)
		b, _ := s.record(y)
		return bytes.Compare(a, b)
	})
	data := make([]byte, 0, len(s.data))
	offs := make([]uint32, len(s.offs))
	for i, off := range s.offs {
		if i > 0 {
			a, _ := s.record(s.offs[i-1])
			if b, _ := s.record(off); bytes.Equal(a, b) {
				return &DuplicateError{Kind: Kinds[k], ID: string(a)}
			}
		}
		offs[i] = uint32(len(data))
		data = append(data, s.span(off)...)
	}
	s.data, s.offs = data, offs
	s.sum = sha256.Sum256(data)
	return nil
}

// DuplicateError is an id added twice under one kind.
type DuplicateError struct{ Kind, ID string }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("resources/%s/%s is given twice", e.Kind, e.ID)
}

// Build is the inventory built. The Builder is spent. Each shard is sorted,
// copied in the order of its ids at its exact size (the grown one left to
// the collector) and hashed, the shards spread over the CPUs.
func (b *Builder) Build() (*Inventory, error) {
	type job struct {
		k int
		s *shard
	}
	jobs := make(chan job)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var first error
			for j := range jobs {
				if err := j.s.finish(j.k); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		})
	}
	for k, t := range b.tables {
		if t == nil {
			continue
		}
		for _, s := range t.shards {
			if s != nil {
				jobs <- job{k, s}
			}
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return build(b.rest, b.tables)
}

// FromValue makes an inventory of a whole decoded document (a map from
// ParseInventory): its keyed kinds' resources go to the tables, the rest
// stays as it is. doc is not changed. Validation is the caller's.
func FromValue(doc map[string]any) (*Inventory, error) {
	rest := doc
	res, _ := doc["resources"].(map[string]any)
	var kinds []string
	for _, kind := range Kinds {
		if _, ok := res[kind]; ok {
			kinds = append(kinds, kind)
		}
	}
	if len(kinds) > 0 {
		rest = maps.Clone(doc)
		restRes := maps.Clone(res)
		for _, kind := range kinds {
			delete(restRes, kind)
		}
		rest["resources"] = restRes
	}
	b := NewBuilder(rest)
	for _, kind := range kinds {
		byID, ok := res[kind].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resources/%s is not an object", kind)
		}
		if err := b.Kind(kind); err != nil {
			return nil, err
		}
		for id, r := range byID {
			raw, err := AppendCanonical(nil, r)
			if err != nil {
				return nil, fmt.Errorf("resources/%s/%s: %v", kind, id, err)
			}
			e, err := NewEntry(kind, id, raw)
			if err != nil {
				return nil, err
			}
			b.Add(e)
		}
	}
	return b.Build()
}

// SetRest makes rest (canonical Go values) the document without the keyed
// kinds.
func (b *Builder) SetRest(rest map[string]any) {
	if rest == nil {
		rest = map[string]any{}
	}
	b.rest = rest
}
