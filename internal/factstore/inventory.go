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
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"maps"
	"math/bits"
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
	sum    digest // the sum of every entry's digest
}

// shard is part of a table: records [uvarint len(id)] id [uvarint len(value)]
// value, back to back in data, and their offsets sorted by id. A shard is
// never changed once built; a change builds a new one.
type shard struct {
	data []byte
	offs []uint32
}

// seed makes shard placement differ from process to process, which is
// harmless (nothing depends on it) and keeps hostile ids from piling into
// one shard.
var seed = maphash.MakeSeed()

func shardOf(id string) int { return int(maphash.String(seed, id) % numShards) }

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
		return strings.Compare(id, string(rid))
	})
}

// appendRecord appends id and value as a record.
func appendRecord(dst []byte, id string, value []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(id)))
	dst = append(dst, id...)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// with is s with id's value replaced (value nil: removed), and the records
// removed and added, for the table's sum. s may be nil (empty).
func (s *shard) with(id string, value []byte) (next *shard, old []byte, had bool) {
	if s == nil {
		s = &shard{}
	}
	i, found := s.find(id)
	size := len(s.data) + len(id) + len(value) + 2*binary.MaxVarintLen32
	next = &shard{data: make([]byte, 0, size), offs: make([]uint32, 0, len(s.offs)+1)}
	for j, off := range s.offs {
		rid, rv := s.record(off)
		if j == i {
			if value != nil {
				next.offs = append(next.offs, uint32(len(next.data)))
				next.data = appendRecord(next.data, id, value)
			}
			if found {
				old, had = rv, true
				continue
			}
		}
		next.offs = append(next.offs, uint32(len(next.data)))
		next.data = appendRecord(next.data, string(rid), rv)
	}
	if i == len(s.offs) && value != nil {
		next.offs = append(next.offs, uint32(len(next.data)))
		next.data = appendRecord(next.data, id, value)
	}
	if len(next.offs) == 0 {
		return nil, old, had
	}
	return next, old, had
}

// digest is a 256-bit number; a table's digest is the sum of its entries'
// (mod 2^256), so a change adds one and takes one away instead of hashing
// the whole again.
type digest [4]uint64

func entryDigest(kind int, id string, value []byte) digest {
	h := sha256.New()
	h.Write([]byte(Kinds[kind]))
	h.Write([]byte{0})
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(value)
	var sum [32]byte
	h.Sum(sum[:0])
	var d digest
	for i := range d {
		d[i] = binary.BigEndian.Uint64(sum[8*i:])
	}
	return d
}

func (d digest) add(o digest) digest {
	var carry uint64
	for i := 3; i >= 0; i-- {
		d[i], carry = bits.Add64(d[i], o[i], carry)
	}
	return d
}

func (d digest) neg() digest {
	for i := range d {
		d[i] = ^d[i]
	}
	return d.add(digest{0, 0, 0, 1})
}

func (d digest) sub(o digest) digest { return d.add(o.neg()) }

// Empty is the inventory {}.
func Empty() *Inventory {
	inv, _ := build(map[string]any{}, [numKinds]*table{})
	return inv
}

// build finishes an inventory from its parts: rest's JSON and the revision.
func build(rest map[string]any, tables [numKinds]*table) (*Inventory, error) {
	raw, err := AppendCanonical(nil, rest)
	if err != nil {
		return nil, err
	}
	restSum := sha256.Sum256(raw)
	inv := &Inventory{rest: rest, restJSON: raw, tables: tables, restDigest: hex.EncodeToString(restSum[:])}
	h := sha256.New()
	h.Write([]byte("imgadmit inventory 2\n"))
	h.Write(raw)
	for _, t := range tables {
		if t == nil {
			h.Write([]byte{0})
			continue
		}
		h.Write([]byte{1})
		var b [32]byte
		for i, w := range t.sum {
			binary.BigEndian.PutUint64(b[8*i:], w)
		}
		h.Write(b[:])
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
func (inv *Inventory) With(rest map[string]any, changes []Change) (*Inventory, error) {
	tables := inv.tables
	copied := [numKinds]bool{}
	for _, c := range changes {
		k := KindIndex(c.Kind)
		if k < 0 {
			return nil, fmt.Errorf("%q is not a kind of resource keyed by id", c.Kind)
		}
		t := tables[k]
		if t == nil {
			if c.Value == nil {
				continue
			}
			t = &table{}
			copied[k] = true
		} else if !copied[k] {
			cp := *t
			t, copied[k] = &cp, true
		}
		i := shardOf(c.ID)
		next, old, had := t.shards[i].with(c.ID, c.Value)
		t.shards[i] = next
		if had {
			t.sum = t.sum.sub(entryDigest(k, c.ID, old))
			t.n--
		}
		if c.Value != nil {
			t.sum = t.sum.add(entryDigest(k, c.ID, c.Value))
			t.n++
		}
		tables[k] = t
	}
	if rest == nil {
		rest = inv.rest
	}
	if _, ok := rest["resources"].(map[string]any); !ok && tables != ([numKinds]*table{}) {
		// A keyed kind lives in "resources".
		res, isObj := rest["resources"]
		if res != nil || isObj {
			return nil, fmt.Errorf("resources is not an object")
		}
		rest = maps.Clone(rest)
		rest["resources"] = map[string]any{}
	}
	return build(rest, tables)
}
