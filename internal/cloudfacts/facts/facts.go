// Package facts is what every reader of the clouds' describe and list
// responses shares: the response as read, the facts it gives, and problems
// reported with the response's name and a JSON pointer into it. A provider
// package (internal/cloudfacts/huaweicloud, alibabacloud) recognizes its
// responses by their shape and puts the facts they hold into a Set, in
// imgadmit's inventory vocabulary (schemas/facts.json); the inventory the
// Set makes is validated by the evaluator like any other.
package facts

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Kinds are the kinds of resources an inventory holds (schemas/facts.json).
var Kinds = []string{"images", "backups", "servers", "disks", "snapshots"}

// Response is one describe or list response as the cloud sent it.
type Response struct {
	// Name says where it came from, for errors: a file name, or the call
	// and page that fetched it ("ListImages cn-north-4 page 3").
	Name string
	// Doc is the response body, decoded with numbers as json.Number.
	Doc map[string]any
	// Region is the region the response describes when the response does
	// not say (Huawei responses never do); "" when unknown.
	Region string
}

// Shape is one kind of response a provider package reads.
type Shape struct {
	// Provider is huaweicloud or alibabacloud; Name the API's name for the
	// call that answers it ("IMS ListImages", "ECS DescribeInstances").
	Provider, Name string
	// Recognizes reports whether doc is this shape's. It is asked of every
	// document given as inventory data, so it must be cheap and exact: an
	// imgadmit inventory ({"resources", "settings"}) is never a response.
	Recognizes func(doc map[string]any) bool
	// Read puts the facts of r into set. A value it cannot read is a
	// problem at its pointer (set.Problem), never a guess.
	Read func(r Response, set *Set)
}

// Set gathers the facts of several responses: per kind and id, each fact
// with the response and pointer it came from, so that two responses that
// disagree about one fact are a problem naming both.
type Set struct {
	resources map[string]map[string]map[string]any
	from      map[string]string // kind/id/fact -> "response pointer"
	problems  []Problem
	// finishers run once every response is read: the cross-references one
	// response completes in another (a server's backups from the backups'
	// resource_id).
	finishers []func(*Set)
	// state is each provider's own, for its cross-references (State).
	state map[any]any
}

// Problem is what is wrong with one response, and where.
type Problem struct {
	Response string
	Pointer  string
	Message  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Response, cmpOr(p.Pointer, "/"), p.Message)
}

func cmpOr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// NewSet is an empty set.
func NewSet() *Set {
	return &Set{resources: map[string]map[string]map[string]any{}, from: map[string]string{}}
}

// Problem records that response r is wrong at pointer ptr.
func (s *Set) Problem(r Response, ptr, format string, args ...any) {
	s.problems = append(s.problems, Problem{Response: r.Name, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

// Put records fact = value for the resource kind/id, which response r says
// at pointer ptr. The same fact said twice with different values is a
// problem: which one is true cannot be told (a list read while the resource
// changed, or two regions' responses mixed up).
func (s *Set) Put(r Response, ptr, kind, id, fact string, value any) {
	res := s.Resource(kind, id)
	key := kind + "/" + id + "/" + fact
	if old, ok := res[fact]; ok && !reflect.DeepEqual(old, value) {
		s.problems = append(s.problems, Problem{Response: r.Name, Pointer: ptr, Message: fmt.Sprintf(
			"%s %s: %s is %v here but %v in %s; two responses disagree about one resource", strings.TrimSuffix(kind, "s"), id, fact,
			show(value), show(old), s.from[key])})
		return
	}
	res[fact] = value
	s.from[key] = r.Name + " " + ptr
}

// Resource is the facts of kind/id, created empty when the set has none
// (a resource a response names is known, even with no fact).
func (s *Set) Resource(kind, id string) map[string]any {
	byID := s.resources[kind]
	if byID == nil {
		byID = map[string]map[string]any{}
		s.resources[kind] = byID
	}
	res := byID[id]
	if res == nil {
		res = map[string]any{}
		byID[id] = res
	}
	return res
}

// Lookup is the facts of kind/id, or nil when no response named it.
func (s *Set) Lookup(kind, id string) map[string]any { return s.resources[kind][id] }

// IDs are the ids of a kind, sorted.
func (s *Set) IDs(kind string) []string {
	ids := slices.Collect(maps.Keys(s.resources[kind]))
	sort.Strings(ids)
	return ids
}

// State is a provider's own state for this set under key, made by init on
// first use: what its responses say beyond their facts, for the
// cross-references its finisher makes (init registers the finisher).
func (s *Set) State(key any, init func() any) any {
	if v, ok := s.state[key]; ok {
		return v
	}
	if s.state == nil {
		s.state = map[any]any{}
	}
	v := init()
	s.state[key] = v
	return v
}

// Finish registers f to run once every response is read.
func (s *Set) Finish(f func(*Set)) { s.finishers = append(s.finishers, f) }

// Inventory runs the finishers and returns the inventory document the
// responses make ({"resources": {kind: {id: facts}}}), or the problems as
// an invalid_inventory error.
func (s *Set) Inventory() (map[string]any, error) {
	for _, f := range s.finishers {
		f(s)
	}
	s.finishers = nil
	if len(s.problems) > 0 {
		return nil, s.Err()
	}
	resources := map[string]any{}
	for kind, byID := range s.resources {
		m := make(map[string]any, len(byID))
		for id, res := range byID {
			m[id] = res
		}
		resources[kind] = m
	}
	return map[string]any{"resources": resources}, nil
}

// Err is the problems as an invalid_inventory error: each with its
// response's name as the file and its pointer.
func (s *Set) Err() error {
	if len(s.problems) == 0 {
		return nil
	}
	e := &evaluator.Error{Code: evaluator.CodeInvalidInventory, Message: "the cloud responses cannot be read as facts"}
	files := map[string]bool{}
	for _, p := range s.problems {
		files[p.Response] = true
		e.Errors = append(e.Errors, evaluator.FieldError{Pointer: p.Pointer, Message: p.Message})
	}
	if len(files) == 1 {
		e.File = s.problems[0].Response
	} else {
		for i, p := range s.problems {
			e.Errors[i].Message = p.Response + ": " + p.Message
		}
	}
	return e
}

func show(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// TypeName names a decoded JSON value's type for a message ("a string",
// "an array"), as both providers' readers write it.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return "a value of another type"
	}
}
