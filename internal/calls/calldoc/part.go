package calldoc

import (
	"maps"
	"slices"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Part builds one canonical request of a call, remembering where each value
// came from so that a schema error is reported where the caller wrote it.
type Part struct {
	request map[string]any
	params  map[string]any
	origins []evaluator.Origin
}

// NewPart starts the canonical request for operation, with the document's
// provider, region, project and facts. paramsFrom is where the call's
// parameters are (/call/body, /call/params): a schema error about params
// that no parameter explains (a required one missing) points there.
func (d *Document) NewPart(operation, paramsFrom string) *Part {
	p := &Part{
		request: map[string]any{"provider": d.Provider, "operation": operation},
		params:  map[string]any{},
		origins: make([]evaluator.Origin, 0, 16),
	}
	p.origins = append(p.origins, evaluator.Origin{Path: "", From: "/call"}, evaluator.Origin{Path: "/params", From: paramsFrom},
		evaluator.Origin{Path: "/provider", From: "/provider"})
	if d.regionFrom != "" {
		p.request["region"] = d.region
		p.origins = append(p.origins, evaluator.Origin{Path: "/region", From: d.regionFrom})
	}
	if d.projectFrom != "" {
		p.request["project_id"] = d.project
		p.origins = append(p.origins, evaluator.Origin{Path: "/project_id", From: d.projectFrom})
	}
	if d.Resources != nil {
		p.request["resources"] = d.Resources
		p.origins = append(p.origins, evaluator.Origin{Path: "/resources", From: "/resources"})
	}
	return p
}

// Set sets params[name] to v, which the caller wrote at pointer from.
func (p *Part) Set(name string, v any, from string) {
	p.params[name] = v
	p.origins = append(p.origins, evaluator.Origin{Path: Pointer("/params", name), From: from})
}

// Origin records that params at pointer sub (below /params, such as
// "/source/id") came from pointer from, for a value set whole with Set.
func (p *Part) Origin(sub, from string) {
	p.origins = append(p.origins, evaluator.Origin{Path: "/params" + sub, From: from})
}

// Name names the value at sub (below /params) for its errors, where the
// pointer it came from cannot: a parameter of a raw query string, whose
// pointer is the whole string. It names what Set or Origin recorded last
// for sub.
func (p *Part) Name(sub, name string) {
	path := "/params" + sub
	for i := len(p.origins) - 1; i >= 0; i-- {
		if p.origins[i].Path == path {
			p.origins[i].Name = name
			return
		}
	}
}

// Clone is a copy of the part so far, for calls that make one request per
// resource from shared parameters.
func (p *Part) Clone() *Part {
	return &Part{request: maps.Clone(p.request), params: maps.Clone(p.params), origins: slices.Clone(p.origins)}
}

func (p *Part) done() evaluator.Part {
	p.request["params"] = p.params
	return evaluator.Part{Request: p.request, Origins: p.origins}
}
