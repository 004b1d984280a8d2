// Package calldoc reads a call document's envelope and gives the provider
// translators what they share: problems reported with JSON pointers into the
// document, readers of typed members, a strict query-string parser, and a
// builder of canonical requests that remembers where each value came from.
package calldoc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Providers are the providers a call document may name, sorted.
var Providers = []string{"alibabacloud", "huaweicloud"}

// Document is a call document (SPEC, "Real API calls") whose envelope has
// been read: provider, call, and the region and project it resolves to as
// the translator finds them in the call.
type Document struct {
	Provider string
	// Call is the /call member.
	Call map[string]any
	// Resources is the /resources member as written (request facts), nil
	// when absent; every canonical request carries it.
	Resources any

	region, regionFrom   string
	project, projectFrom string
	Problems
}

// envelopeKeys are the members a call document may have.
var envelopeKeys = []string{"call", "project_id", "provider", "region", "resources"}

// Read reads the envelope of doc, a document with a call member. Problems
// are collected on the Document; a translator adds its own and ends with
// Err.
func Read(doc map[string]any) *Document {
	d := &Document{}
	for _, k := range []string{"operation", "params"} {
		if _, ok := doc[k]; ok {
			d.Add("/"+k, "a call document says what it does in /call and has no %q: send either a call document or a canonical request (provider, operation, params), not both", k)
		}
	}
	for k := range doc {
		if !slices.Contains(envelopeKeys, k) && k != "operation" && k != "params" {
			d.Add(Pointer("", k), "unknown member %q; a call document has: %s", k, strings.Join(envelopeKeys, ", "))
		}
	}
	if p, ok := d.String(doc, "provider", "/provider"); ok {
		if !slices.Contains(Providers, p) {
			d.Add("/provider", "unknown provider %q; known providers: %s", p, strings.Join(Providers, ", "))
		}
		d.Provider = p
	} else if _, present := doc["provider"]; !present {
		d.Add("/provider", "missing required property \"provider\" (one of %s)", strings.Join(Providers, ", "))
	}
	if call, ok := d.Object(doc, "call", "/call"); ok {
		d.Call = call
	}
	if r, ok := d.String(doc, "region", "/region"); ok {
		d.SetRegion(r, "/region")
	}
	if p, ok := d.String(doc, "project_id", "/project_id"); ok {
		d.SetProject(p, "/project_id", "the document's project_id")
	}
	d.Resources = doc["resources"]
	return d
}

// SetRegion records the region a call names at pointer from. A region that
// differs from one named elsewhere in the document is a problem: which one
// the caller meant cannot be told.
func (d *Document) SetRegion(region, from string) {
	if d.regionFrom != "" && region != d.region {
		d.Add(from, "region %q differs from region %q at %s; a call has one region", region, d.region, d.regionFrom)
		return
	}
	if d.regionFrom == "" {
		d.region, d.regionFrom = region, from
	}
}

// SetProject records the project (Huawei) or account (Alibaba) a call names
// at pointer from; what says where it was found ("the path's {project_id}").
// As with regions, two that differ are a problem.
func (d *Document) SetProject(project, from, what string) {
	if d.projectFrom != "" && project != d.project {
		d.Add(from, "%s %q differs from project %q at %s; a call is made as one project", what, project, d.project, d.projectFrom)
		return
	}
	if d.projectFrom == "" {
		d.project, d.projectFrom = project, from
	}
}

// Region and Project are what the call resolved to ("" when it names none).
func (d *Document) Region() string  { return d.region }
func (d *Document) Project() string { return d.project }

// Translation is the document's translation into parts (canonical
// requests) of one operation, or the problems found on the way.
func (d *Document) Translation(call evaluator.Call, operation string, parts []*Part) (*evaluator.Translation, error) {
	if err := d.Err(call); err != nil {
		return nil, err
	}
	t := &evaluator.Translation{Provider: d.Provider, Operation: operation, ProjectID: d.project, Call: call, Redact: Redact}
	for _, p := range parts {
		t.Parts = append(t.Parts, p.done())
	}
	return t, nil
}

// Unknown is the translation of a call that maps onto no operation: a read
// is allowed with no reasons; a write is refused (REQ-003) with why and the
// calls the translator knows.
func (d *Document) Unknown(call evaluator.Call, why string, known []string) (*evaluator.Translation, error) {
	if err := d.Err(call); err != nil {
		return nil, err
	}
	t := &evaluator.Translation{Provider: d.Provider, ProjectID: d.project, Call: call, Redact: Redact}
	if call.Access != evaluator.AccessRead {
		t.Unknown = fmt.Sprintf("%s; a write imgadmit does not know is refused (fail closed). Known calls: %s", why, strings.Join(known, "; "))
	}
	return t, nil
}

// Problems collects what is wrong with a document, each at its pointer.
type Problems struct {
	list []evaluator.FieldError
}

// Add records a problem at pointer ptr.
func (p *Problems) Add(ptr, format string, args ...any) {
	p.list = append(p.list, evaluator.FieldError{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

// Failed reports whether some problem has been recorded.
func (p *Problems) Failed() bool { return len(p.list) > 0 }

// Err is nil when nothing is wrong, else an invalid_request error with
// every problem.
func (p *Problems) Err(call evaluator.Call) error {
	if len(p.list) == 0 {
		return nil
	}
	errs := slices.Clone(p.list)
	slices.SortStableFunc(errs, func(a, b evaluator.FieldError) int { return strings.Compare(a.Pointer, b.Pointer) })
	what := "the call document"
	if n := call.Label(); n != "" {
		what = "the " + n + " call"
	}
	return &evaluator.Error{Code: evaluator.CodeInvalidRequest, Message: what + " cannot be read", Errors: slices.Compact(errs)}
}

// pointerEscaper escapes a JSON pointer token (RFC 6901), built once: a
// Replacer builds its tables on first use, which cost more than the rest of
// a translation.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// Pointer appends tokens to the JSON pointer base, escaped (RFC 6901).
func Pointer(base string, tokens ...string) string {
	if len(tokens) == 1 && !strings.ContainsAny(tokens[0], "~/") {
		return base + "/" + tokens[0]
	}
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		if strings.ContainsAny(t, "~/") {
			t = pointerEscaper.Replace(t)
		}
		b.WriteString(t)
	}
	return b.String()
}
