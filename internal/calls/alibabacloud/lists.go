package alibabacloud

import (
	"slices"
	"strconv"
	"strings"
)

// A list is a list parameter as the RPC API takes it, flattened into one
// parameter per item: Name.1, Name.2, ... for a list of values (AddAccount.N,
// InstanceId.N), Name.N.Field for a list of records (Tag.N.Key,
// DiskDeviceMapping.N.SnapshotId).
type list struct {
	name string
	// max is the API's limit on N (AddAccount.N: 1 to 10).
	max int
	// fields are a record's fields; nil for a list of values.
	fields []string
}

// The lists the translator reads, with the API reference's limits.
var (
	addAccounts    = list{name: "AddAccount", max: 10}
	removeAccounts = list{name: "RemoveAccount", max: 10}
	instanceIDs    = list{name: "InstanceId", max: 100}
	tags           = list{name: "Tag", max: 20, fields: []string{"Key", "Value"}}
	// One system disk and up to 16 data disks (CreateImage,
	// DiskDeviceMapping.N.DiskType).
	diskMappings = list{name: "DiskDeviceMapping", max: 17, fields: []string{"Device", "DiskType", "Size", "SnapshotId"}}
)

// keys are the parameters of every list item and field, built once:
// keys[name][field][i] (field "" for the item itself). Translating a call
// then builds no parameter names.
var keys = map[string]map[string][]string{}

func init() {
	for _, l := range []list{addAccounts, removeAccounts, instanceIDs, tags, diskMappings} {
		byField := map[string][]string{}
		for _, f := range append([]string{""}, l.fields...) {
			ks := make([]string, l.max+1)
			for i := 1; i <= l.max; i++ {
				ks[i] = l.name + "." + strconv.Itoa(i)
				if f != "" {
					ks[i] += "." + f
				}
				pointers[ks[i]] = "/call/params/" + ks[i]
			}
			byField[f] = ks
		}
		keys[l.name] = byField
	}
}

// key is the parameter of item i (from 1), or of its field.
func (l list) key(i int, field string) string {
	if ks := keys[l.name][field]; i < len(ks) {
		return ks[i]
	}
	k := l.name + "." + strconv.Itoa(i)
	if field != "" {
		k += "." + field
	}
	return k
}

// count reads list l among the call's parameters and returns its length n:
// items 1 to n are each given (a record with at least one field). A
// parameter of the list's name that is not of its form (AddAccount,
// AddAccount.x, AddAccount.01, AddAccount.0, Tag.1.Colour), an index past
// the API's limit, and a gap (AddAccount.1 and AddAccount.3 with no
// AddAccount.2) are problems, and then ok is false: the API would read such
// a list otherwise than it was written, or not at all, and a policy must
// not judge one list while the cloud acts on another.
func (c *call) count(l list) (n int, ok bool) {
	ok = true
	// first[i] is the first parameter of item i, "" for none (on the stack:
	// no list is longer than 100).
	var buf [101]string
	first := buf[:l.max+1]
	for _, k := range c.names {
		if !strings.HasPrefix(k, l.name) {
			continue
		}
		if len(k) == len(l.name) {
			c.d.Add(c.ptr(k), "parameter %s is a list: the API takes it flattened, as %s", k, l.example())
			ok = false
			continue
		}
		if k[len(l.name)] != '.' {
			continue // another parameter (InstanceIds is not InstanceId)
		}
		index, field, hasField := strings.Cut(k[len(l.name)+1:], ".")
		i, isNumber := atoi(index)
		switch {
		case !isNumber:
			c.d.Add(c.ptr(k), "parameter %s: %q is not an index; the items of %s.N are numbered from 1", k, index, l.name)
		case i == 0 || index[0] == '0':
			c.d.Add(c.ptr(k), "parameter %s: the items of %s.N are numbered from 1, with no leading zeros", k, l.name)
		case i > l.max:
			c.d.Add(c.ptr(k), "parameter %s is past the API's limit: %s.N takes N from 1 to %d", k, l.name, l.max)
		case l.fields == nil && hasField:
			c.d.Add(c.ptr(k), "parameter %s: %s.N is a list of values, whose items have no fields", k, l.name)
		case l.fields != nil && !hasField:
			c.d.Add(c.ptr(k), "parameter %s: the items of %s.N have fields (%s), as in %s", k, l.name, strings.Join(l.fields, ", "), l.key(i, l.fields[0]))
		case l.fields != nil && !slices.Contains(l.fields, field):
			c.d.Add(c.ptr(k), "parameter %s: %s.N has no field %q; its fields are %s (names are case-sensitive)", k, l.name, field, strings.Join(l.fields, ", "))
		default:
			if first[i] == "" {
				first[i] = k
			}
			n = max(n, i)
			continue
		}
		ok = false
	}
	for i := 1; i <= n; i++ {
		if first[i] != "" {
			continue
		}
		j := i + 1
		for first[j] == "" {
			j++
		}
		c.d.Add(c.ptr(first[j]), "parameter %s is given but %s.%d is not: the items of %s.N are numbered from 1 with no gaps", first[j], l.name, i, l.name)
		ok = false
		i = j
	}
	if !ok {
		return 0, false
	}
	return n, true
}

// example is how the list is written: AddAccount.1, AddAccount.2, ...
func (l list) example() string {
	field := ""
	if l.fields != nil {
		field = l.fields[0]
	}
	return l.key(1, field) + ", " + l.key(2, field) + ", ..."
}

// values reads a list of values: its items, in order, each with the
// parameter it came from.
func (c *call) values(l list) (vals, keys []string, ok bool) {
	n, ok := c.count(l)
	if !ok || n == 0 {
		return nil, nil, ok
	}
	vals, keys = make([]string, n), make([]string, n)
	for i := range n {
		keys[i] = l.key(i+1, "")
		vals[i], _ = c.get(keys[i])
	}
	return vals, keys, true
}
