// Package factstore holds an inventory the size of a fleet: every resource's
// facts once, as canonical JSON bytes, keyed by kind and id, in a structure
// that a change to one resource copies only a small part of. OPA reads it
// through a storage.Store (store.go) that hands a decision the resources it
// names, never the whole inventory.
//
// An Inventory is immutable: a change (With) makes a new one sharing every
// part it did not touch, so a decision that started on the old one finishes
// on it, never seeing half a change.
package factstore

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Kinds are the kinds of resource keyed by id (schemas/facts.json's
// resources, but for account, which is one object), in the order the
// revision reads them.
var Kinds = [...]string{"images", "backups", "servers", "disks", "snapshots"}

const numKinds = len(Kinds)

// KindIndex is kind's index in Kinds, or -1 when kind is not keyed by id.
func KindIndex(kind string) int {
	for i, k := range Kinds {
		if k == kind {
			return i
		}
	}
	return -1
}

// numShards is how many parts a kind's resources are split into: a change
// copies one part (a thousand resources at a million), and a small
// inventory leaves most of them empty (nil).
const numShards = 256

// Inventory is one inventory, immutable.
type Inventory struct {
	// rest is the document without the keyed kinds' maps: settings, the
	// account, and "resources" (an object) whenever the document has it.
	// Canonical Go values (FromValue), read-only.
	rest map[string]any
	// restJSON is rest's canonical JSON.
	restJSON []byte
	// tables are the keyed kinds; nil when the document has no such member.
	tables   [numKinds]*table
	revision string
	// restDigest is a digest of restJSON alone: two inventories with the
	// same one have the same settings and account.
	restDigest string
}

// table is one kind's resources.
type table struct {
	shards [numShards]*shard
	n      int
}

// shard is part of a table: records [uvarint len(id)] id [uvarint len(value)]
// value, back to back in data in the order of their ids, their offsets, and
// the SHA-256 of data. A shard is never changed once built; a change builds
// a new one (and hashes it: a thousand records, a fraction of a
// millisecond).
type shard struct {
	data []byte
	offs []uint32
	sum  [32]byte
}

// shardOf places id: FNV-1a, the same in every process, so that the same
// inventory has the same shards and so the same revision wherever it is
// loaded. Ids made to pile into one shard only make changes to it slower.
func shardOf(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % numShards)
}

// record is the id and value of the record at off.
func (s *shard) record(off uint32) (id, value []byte) {
	b := s.data[off:]
	n, k := binary.Uvarint(b)
	id = b[k : k+int(n)]
	b = b[k+int(n):]
	m, j := binary.Uvarint(b)
	value = b[j : j+int(m) : j+int(m)]
	return id, value
}

// find is the position of id among the sorted records, and whether it is there.
func (s *shard) find(id string) (int, bool) {
	return sort.Find(len(s.offs), func(i int) int {
		rid, _ := s.record(s.offs[i])
		return -compareID(rid, id)
	})
}

// compareID is strings.Compare(string(rid), id) without making the string:
// a comparison operator on a conversion does not copy it.
func compareID(rid []byte, id string) int {
	switch {
	case string(rid) < id:
		return -1
	case string(rid) > id:
		return 1
	}
	return 0
}

// appendRecord appends id and value as a record.
func appendRecord(dst []byte, id string, value []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(id)))
	dst = append(dst, id...)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// span is the whole record at off, as appendRecord wrote it.
func (s *shard) span(off uint32) []byte {
	b := s.data[off:]
	n, k := binary.Uvarint(b)
	l := k + int(n)
	m, j := binary.Uvarint(b[l:])
	return b[: l+j+int(m) : l+j+int(m)]
}

// merge is s with run made (changes sorted by id, one per id; a nil Value
// removes), and what that did to the table's count and sum. s may be nil
// (empty), and so may next. One pass over s's records copies each once,
// however many of them change: a sync's thousands of changes cost a shard
// copy per shard they touch, not per change. s itself comes back when
// nothing in it changes (a removal of what is not there).
func (s *shard) merge(run []placed) (next *shard, dn int) {
	if s == nil {
		s = &shard{}
	}
	size := len(s.data)
	for _, p := range run {
		size += len(p.c.ID) + len(p.c.Value) + 2*binary.MaxVarintLen64
	}
	next = &shard{data: make([]byte, 0, size), offs: make([]uint32, 0, len(s.offs)+len(run))}
	changed := false
	i, j := 0, 0
	for i < len(s.offs) || j < len(run) {
		var order int
		switch {
		case j == len(run):
			order = -1
		case i == len(s.offs):
			order = 1
		default:
			rid, _ := s.record(s.offs[i])
			order = compareID(rid, run[j].c.ID)
		}
		if order < 0 {
			next.offs = append(next.offs, uint32(len(next.data)))
			next.data = append(next.data, s.span(s.offs[i])...)
			i++
			continue
		}
		c := run[j].c
		j++
		if order == 0 {
			i++
			dn--
			changed = true
		}
		if c.Value != nil {
			next.offs = append(next.offs, uint32(len(next.data)))
			next.data = appendRecord(next.data, c.ID, c.Value)
			dn++
			changed = true
		}
	}
	switch {
	case !changed && len(s.offs) > 0:
		return s, 0
	case len(next.offs) == 0:
		return nil, dn
	}
	next.sum = sha256.Sum256(next.data)
	return next, dn
}

// Empty is the inventory {}.
func Empty() *Inventory {
	inv, _ := build(map[string]any{}, [numKinds]*table{})
	return inv
}

// build finishes an inventory from its parts: rest's JSON and the revision.
// A keyed kind lives in "resources": when there are tables and rest has
// none, rest gets an empty one (a copy: rest may be shared).
func build(rest map[string]any, tables [numKinds]*table) (*Inventory, error) {
	if _, ok := rest["resources"].(map[string]any); !ok && tables != ([numKinds]*table{}) {
		if _, there := rest["resources"]; there {
			return nil, fmt.Errorf("resources is not an object")
		}
		rest = maps.Clone(rest)
		rest["resources"] = map[string]any{}
	}
	if res, ok := rest["resources"].(map[string]any); ok {
		for _, kind := range Kinds {
			if _, ok := res[kind]; ok {
				// The kind's resources would be held twice, and written
				// twice into the document.
				return nil, fmt.Errorf("resources/%s belongs in the store's tables, not in the document without them", kind)
			}
		}
	}
	raw, err := AppendCanonical(nil, rest)
	if err != nil {
		return nil, err
	}
	restSum := sha256.Sum256(raw)
	inv := &Inventory{rest: rest, restJSON: raw, tables: tables, restDigest: hex.EncodeToString(restSum[:])}
	// The revision hashes the rest and, per kind, its shards' hashes in
	// order: a change rehashes the shards it rebuilt, not the whole.
	h := sha256.New()
	h.Write([]byte("imgadmit inventory 3\n"))
	h.Write(raw)
	var zero [32]byte
	for _, t := range tables {
		if t == nil {
			h.Write([]byte{0})
			continue
		}
		h.Write([]byte{1})
		for _, sh := range t.shards {
			if sh == nil {
				h.Write(zero[:])
				continue
			}
			h.Write(sh.sum[:])
		}
	}
	inv.revision = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return inv, nil
}

// Revision is "sha256:" and a digest of the inventory's facts and settings:
// the same facts and settings have the same revision however they were
// written or delivered (keys in any order, whitespace, YAML or JSON).
func (inv *Inventory) Revision() string { return inv.revision }

// RestDigest is a digest of the document without the keyed kinds
// (settings, the account): equal digests, equal settings.
func (inv *Inventory) RestDigest() string { return inv.restDigest }

// Len is how many resources the inventory holds under keyed kinds.
func (inv *Inventory) Len() int {
	n := 0
	for _, t := range inv.tables {
		if t != nil {
			n += t.n
		}
	}
	return n
}

// Settings is the inventory's settings object (read-only), or nil.
func (inv *Inventory) Settings() map[string]any {
	s, _ := inv.rest["settings"].(map[string]any)
	return s
}

// Rest is the inventory without the keyed kinds' resources (read-only):
// settings, the account, and the resources object without images, backups,
// servers, disks and snapshots.
func (inv *Inventory) Rest() map[string]any { return inv.rest }

// HasKind tells whether the inventory has a member for kind (a keyed kind),
// even an empty one.
func (inv *Inventory) HasKind(kind string) bool {
	k := KindIndex(kind)
	return k >= 0 && inv.tables[k] != nil
}

// Resource is the canonical JSON of the resource of kind (keyed) with id,
// and whether there is one. The bytes are the inventory's: read, never
// change them.
func (inv *Inventory) Resource(kind, id string) ([]byte, bool) {
	k := KindIndex(kind)
	if k < 0 || inv.tables[k] == nil {
		return nil, false
	}
	return inv.tables[k].get(id)
}

func (t *table) get(id string) ([]byte, bool) {
	s := t.shards[shardOf(id)]
	if s == nil {
		return nil, false
	}
	i, ok := s.find(id)
	if !ok {
		return nil, false
	}
	_, v := s.record(s.offs[i])
	return v, true
}

// Each calls f with every resource of kind, sorted by id, until f returns
// false.
func (inv *Inventory) Each(kind string, f func(id string, value []byte) bool) {
	k := KindIndex(kind)
	if k < 0 || inv.tables[k] == nil {
		return
	}
	inv.tables[k].each(f)
}

func (t *table) each(f func(id string, value []byte) bool) {
	type ref struct {
		s   *shard
		off uint32
		id  []byte
	}
	refs := make([]ref, 0, t.n)
	for _, s := range t.shards {
		if s == nil {
			continue
		}
		for _, off := range s.offs {
			id, _ := s.record(off)
			refs = append(refs, ref{s, off, id})
		}
	}
	slices.SortFunc(refs, func(a, b ref) int { return bytes.Compare(a.id, b.id) })
	for _, r := range refs {
		id, v := r.s.record(r.off)
		if !f(string(id), v) {
			return
		}
	}
}

// placed is a change with where it goes: its kind's index, its shard, and
// its place among the changes.
type placed struct {
	kind, shard, seq int
	c                *Change
}

// Change is one resource of a keyed kind replaced, added or removed.
type Change struct {
	Kind string
	ID   string
	// Value is the resource's canonical JSON (AppendCanonical); nil removes it.
	Value []byte
}

// With is inv with the changes made in order, and rest (when not nil) as
// the document without the keyed kinds. A change to a kind the inventory
// has no member for makes the member (and "resources"); removing what is
// not there is no change. inv is not changed.
//
// The changes are grouped by kind and shard, and each shard they touch is
// rebuilt once, the last change to an id being the one that counts: the
// answer is the changes made one at a time, without a copy per change.
func (inv *Inventory) With(rest map[string]any, changes []Change) (*Inventory, error) {
	order := make([]placed, len(changes))
	var adds, touched [numKinds]bool
	for j := range changes {
		c := &changes[j]
		k := KindIndex(c.Kind)
		if k < 0 {
			return nil, fmt.Errorf("%q is not a kind of resource keyed by id", c.Kind)
		}
		order[j] = placed{kind: k, shard: shardOf(c.ID), seq: j, c: c}
		touched[k] = true
		adds[k] = adds[k] || c.Value != nil
	}
	// Sorted by kind, shard, id and then as given: one shard's changes are
	// a run, and the last of an id's changes is the last in the run.
	slices.SortFunc(order, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.shard, b.shard),
			strings.Compare(a.c.ID, b.c.ID), cmp.Compare(a.seq, b.seq))
	})
	tables := inv.tables
	for k, t := range tables {
		switch {
		case t == nil && adds[k]:
			// A kind made by a change stays, even if a later one empties it,
			// as one change at a time would leave it.
			tables[k] = &table{}
		case t != nil && touched[k]:
			// A copy to change: t is inv's.
			cp := *t
			tables[k] = &cp
		}
	}
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && order[hi].kind == order[lo].kind && order[hi].shard == order[lo].shard {
			hi++
		}
		run := order[lo:hi]
		lo = hi
		t := tables[run[0].kind]
		if t == nil {
			// Only removals from a kind that is not there: no change.
			continue
		}
		// Each id's last change only, and only if it changes something:
		// a sync hands over every resource it read, most of them as they
		// were, and a shard is rebuilt only for what differs.
		last := run[:0]
		cur := t.shards[run[0].shard]
		for i, p := range run {
			if i+1 < len(run) && run[i+1].c.ID == p.c.ID {
				continue
			}
			var old []byte
			had := false
			if cur != nil {
				if j, ok := cur.find(p.c.ID); ok {
					_, old = cur.record(cur.offs[j])
					had = true
				}
			}
			if (p.c.Value == nil && !had) || (p.c.Value != nil && had && bytes.Equal(old, p.c.Value)) {
				continue
			}
			last = append(last, p)
		}
		if len(last) == 0 {
			continue
		}
		next, dn := t.shards[run[0].shard].merge(last)
		t.shards[run[0].shard] = next
		t.n += dn
	}
	if rest == nil {
		rest = inv.rest
	}
	return build(rest, tables)
}
