// Package scalegen writes fleet-sized inventories for `make bench-scale`
// (issue 18): N resources of every kind, for both providers, in the
// proportions a large organization has, deterministic from a seed, valid
// against schemas/inventory.json. A base inventory (fixtures/inventory.yaml)
// goes in first and unchanged, so the request fixtures decide the same
// against the big inventory as against the base: the difference measured is
// the inventory's size, not its facts.
//
// The inventory is streamed to a writer: a million resources are about
// 170 MB of JSON, which the generator never holds as a Go value.
package scalegen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
)

// Kinds are the resource kinds generated, in the order they are written.
var Kinds = []string{"images", "backups", "servers", "disks", "snapshots"}

// share is each kind's part of the resources, in thousandths. A fleet has
// many more images, backups and snapshots than servers (one server gets
// backed up daily, imaged now and then, has two or three disks); backups are
// Huawei CBR's and snapshots Alibaba's, the other kinds both providers'.
var share = map[string]int{"images": 250, "backups": 250, "servers": 100, "disks": 200, "snapshots": 200}

// Config is what to generate.
type Config struct {
	// N is how many resources to generate (beside the base's).
	N int
	// Seed makes the inventory: the same seed and N, the same bytes.
	Seed uint64
	// Base is an inventory written first: its settings, and its resources
	// beside the generated ones (a generated id never equals one of them).
	Base map[string]any
}

// Counts is how many resources of each kind were generated.
type Counts map[string]int

// Total is the number of resources generated.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Plan splits n resources across the kinds: each its share, the rounding
// left to images.
func Plan(n int) Counts {
	c := Counts{}
	rest := n
	for _, k := range Kinds[1:] {
		c[k] = n * share[k] / 1000
		rest -= c[k]
	}
	c["images"] = rest
	return c
}

var (
	huaweiRegions  = []string{"cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1", "la-south-2"}
	alibabaRegions = []string{"cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1", "eu-central-1"}
)

// gen is one generation's state: the random source and the counts, from
// which any resource's id can be computed again (a server's disks, an
// image's backup), so references point at resources that exist.
type gen struct {
	seed   uint64
	counts Counts
	base   map[string]any
	// projects are the tenants' project (Huawei) or account (Alibaba) ids.
	projects [2][]string
}

// Write writes the inventory as one JSON document (compact, keys of the
// generated resources in generation order) and returns the counts.
func Write(w io.Writer, cfg Config) (Counts, error) {
	if cfg.N < 0 {
		return nil, fmt.Errorf("scalegen: N is %d: want 0 or more resources", cfg.N)
	}
	g := &gen{seed: cfg.Seed, counts: Plan(cfg.N), base: cfg.Base}
	r := g.rand("projects", 0)
	for i := range 200 {
		g.projects[0] = append(g.projects[0], hex(r, 32))
		g.projects[1] = append(g.projects[1], fmt.Sprintf("%d", 1_000_000_000_000_000+r.Int64N(9e15)+int64(i)))
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := g.write(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("scalegen: write: %w", err)
	}
	return g.counts, nil
}

func (g *gen) write(w *bufio.Writer) error {
	w.WriteString("{")
	if s, ok := g.base["settings"]; ok {
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("scalegen: the base inventory's settings: %w", err)
		}
		w.WriteString(`"settings":`)
		w.Write(b)
		w.WriteString(",")
	}
	baseRes, _ := g.base["resources"].(map[string]any)
	w.WriteString(`"resources":{`)
	for ki, kind := range Kinds {
		if ki > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, "%q:{", kind)
		first := true
		baseKind, _ := baseRes[kind].(map[string]any)
		ids := make([]string, 0, len(baseKind))
		for id := range baseKind {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if err := member(w, &first, id, baseKind[id]); err != nil {
				return fmt.Errorf("scalegen: the base inventory's %s %q: %w", kind, id, err)
			}
		}
		for i := range g.counts[kind] {
			id, facts := g.resource(kind, i)
			if _, clash := baseKind[id]; clash {
				return fmt.Errorf("scalegen: generated %s id %q is in the base inventory: choose another seed", kind, id)
			}
			if err := member(w, &first, id, facts); err != nil {
				return err
			}
		}
		w.WriteString("}")
	}
	// Other members of the base's resources (account) as they are.
	var others []string
	for k := range baseRes {
		if !slices.Contains(Kinds, k) {
			others = append(others, k)
		}
	}
	slices.Sort(others)
	for _, k := range others {
		b, err := json.Marshal(baseRes[k])
		if err != nil {
			return fmt.Errorf("scalegen: the base inventory's %s: %w", k, err)
		}
		fmt.Fprintf(w, ",%q:", k)
		w.Write(b)
	}
	w.WriteString("}}\n")
	return nil
}

func member(w *bufio.Writer, first *bool, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !*first {
		w.WriteString(",")
	}
	*first = false
	k, _ := json.Marshal(id)
	w.Write(k)
	w.WriteString(":")
	w.Write(b)
	return nil
}

// rand is the random source of one resource: seeded by the generation's
// seed, the kind and the index, so any resource can be made again alone.
func (g *gen) rand(kind string, i int) *rand.Rand {
	h := uint64(14695981039346656037) // FNV-1a of the kind
	for _, c := range []byte(kind) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return rand.New(rand.NewPCG(g.seed^h, uint64(i)))
}

// provider of a resource: backups are Huawei's, snapshots Alibaba's, the
// rest alternate (0 Huawei, 1 Alibaba).
func provider(kind string, i int) int {
	switch kind {
	case "backups":
		return 0
	case "snapshots":
		return 1
	}
	return i % 2
}

// ID is the id of resource i of kind, as its provider writes ids: Huawei
// UUIDs; Alibaba a kind prefix and 22 lowercase letters and digits
// (m-bp1..., i-bp1..., d-bp1..., s-bp1...).
func (g *gen) ID(kind string, i int) string {
	r := g.rand("id/"+kind, i)
	if provider(kind, i) == 0 {
		return uuid(r)
	}
	prefix := map[string]string{"images": "m-", "servers": "i-", "disks": "d-", "snapshots": "s-"}[kind]
	return prefix + "bp1" + base36(r, 19)
}

func (g *gen) resource(kind string, i int) (string, map[string]any) {
	r := g.rand(kind, i)
	p := provider(kind, i)
	regions := huaweiRegions
	if p == 1 {
		regions = alibabaRegions
	}
	region := regions[r.IntN(len(regions))]
	project := g.projects[p][r.IntN(len(g.projects[p]))]
	// ref is the id of a resource of another kind related to this one: the
	// same provider's (indexes of the alternating kinds keep their parity).
	ref := func(k string) string {
		n := g.counts[k]
		if n == 0 {
			return ""
		}
		j := r.IntN(n)
		if k != "backups" && k != "snapshots" {
			// Alternating kinds: the indexes of this provider (j%2 == p).
			m := (n - p + 1) / 2
			if m == 0 {
				return ""
			}
			j = 2*r.IntN(m) + p
		}
		return g.ID(k, j)
	}
	refs := func(k string, most int) []any {
		out := []any{}
		for range r.IntN(most + 1) {
			if id := ref(k); id != "" && !slices.Contains(out, any(id)) {
				out = append(out, id)
			}
		}
		return out
	}
	f := map[string]any{}
	switch kind {
	case "images":
		types := []string{"system", "system", "system", "data", "full_ecs", "iso"}
		f["image_type"] = types[r.IntN(len(types))]
		f["region"] = region
		f["status"] = pick(r, p, []string{"active", "active", "active", "saving", "queued"}, []string{"Available", "Available", "Available", "Creating", "Deprecated"})
		if r.IntN(20) == 0 {
			f["visibility"] = pick(r, p, []string{"gold"}, []string{"system"})
			f["owner_project_id"] = nil
		} else {
			f["visibility"] = pick(r, p, []string{"private", "private", "shared"}, []string{"self", "self", "others"})
			f["owner_project_id"] = project
			members := []any{}
			for range r.IntN(3) {
				if m := g.projects[p][r.IntN(len(g.projects[p]))]; m != project && !slices.Contains(members, any(m)) {
					members = append(members, m)
				}
			}
			f["members"] = members
		}
		if srv := ref("servers"); srv != "" {
			f["source_instance_id"] = srv
		}
		if p == 0 {
			f["backup_id"] = ""
			if f["image_type"] == "full_ecs" {
				f["backup_id"] = ref("backups")
				f["from_shared_backup"] = r.IntN(10) == 0
			}
			f["encrypted_with_default_key"] = r.IntN(10) == 0
		} else {
			f["snapshot_ids"] = refs("snapshots", 2)
			f["is_copied"] = r.IntN(8) == 0
		}
		f["replica_of_region"] = nil
		if r.IntN(10) == 0 {
			f["replica_of_region"] = regions[r.IntN(len(regions))]
		}
	case "backups":
		if r.IntN(4) == 0 {
			f["resource_type"] = "OS::Cinder::Volume"
			f["resource_id"] = ref("disks")
			f["includes_system_disk"] = false
		} else {
			f["resource_type"] = "OS::Nova::Server"
			f["resource_id"] = ref("servers")
			f["includes_system_disk"] = true
		}
		if f["resource_id"] == "" {
			delete(f, "resource_id")
		}
		f["status"] = []string{"available", "available", "available", "protecting", "error"}[r.IntN(5)]
		f["image_creatable"] = r.IntN(2) == 0
		f["image_id"] = nil
		if img := ref("images"); img != "" && r.IntN(5) == 0 {
			f["image_id"] = img
		}
		f["shared"] = r.IntN(20) == 0
		f["auto_generated"] = r.IntN(3) > 0
	case "servers":
		f["status"] = pick(r, p, []string{"ACTIVE", "ACTIVE", "SHUTOFF", "BUILD"}, []string{"Running", "Running", "Stopped", "Pending"})
		f["region"] = region
		f["cloud_init"] = r.IntN(5) > 0
		f["image_creation_in_progress"] = r.IntN(50) == 0
		f["billing_method"] = pick(r, p, []string{"postPaid", "prePaid"}, []string{"PostPaid", "PrePaid"})
		if f["billing_method"] == "prePaid" || f["billing_method"] == "PrePaid" {
			f["expired_at"] = fmt.Sprintf("2027-%02d-%02dT16:00:00Z", 1+r.IntN(12), 1+r.IntN(28))
		}
		if p == 0 {
			f["backup_ids"] = refs("backups", 3)
		}
		f["image_ids"] = refs("images", 2)
	case "disks":
		f["region"] = region
		if p == 0 {
			f["backup_ids"] = refs("backups", 2)
		}
		f["image_ids"] = refs("images", 1)
	case "snapshots":
		f["disk_type"] = []string{"system", "data"}[r.IntN(2)]
		f["status"] = []string{"accomplished", "accomplished", "accomplished", "progressing", "failed"}[r.IntN(5)]
		f["image_ids"] = refs("images", 1)
	}
	return g.ID(kind, i), f
}

// pick is one of the provider's spellings (p 0 Huawei, 1 Alibaba).
func pick(r *rand.Rand, p int, huawei, alibaba []string) string {
	if p == 0 {
		return huawei[r.IntN(len(huawei))]
	}
	return alibaba[r.IntN(len(alibaba))]
}

func uuid(r *rand.Rand) string {
	h := hex(r, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func hex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

func base36(r *rand.Rand, n int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(36)]
	}
	return string(b)
}

// ID is the id Write gives resource i of kind with seed: a measure can name
// a resource of the inventory it generated (to change it) without reading it.
func ID(seed uint64, kind string, i int) string { return (&gen{seed: seed}).ID(kind, i) }
