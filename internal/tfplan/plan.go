// Package tfplan turns a Terraform plan (`terraform show -json`) into the
// canonical requests imgadmit decides: each change of a governed resource
// type becomes an *evaluator.Translation, decided as one decision, the way a
// real API call is (SPEC "Real API calls"; REAL-SHAPES §3 maps every
// resource type).
package tfplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Parse decodes a `terraform show -json` document once, with JSON numbers
// kept as json.Number (as the evaluator reads requests), and checks what
// Translate relies on: a format_version of 1.x, resource_changes an array,
// every change with an address, a type and its actions. A document it
// cannot read is an *evaluator.Error with code invalid_request whose field
// errors point into the plan (/resource_changes/3/change/actions).
//
// Memory: raw and the decoded plan are held, nothing else; only a plan that
// fails to decode is read again (value by value, each element of
// resource_changes on its own) to say where it is wrong.
func Parse(raw []byte) (*tfjson.Plan, error) {
	p := &tfjson.Plan{}
	p.UseJSONNumber(true)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, diagnose(raw, err)
	}
	if err := check(p); err != nil {
		return nil, err
	}
	// A plan Terraform could not finish (it says "errored": true; the
	// library does not decode it) lists only some of its changes.
	var errored struct {
		Errored bool `json:"errored"`
	}
	if json.Unmarshal(raw, &errored) == nil && errored.Errored {
		return nil, invalid("the Terraform plan cannot be judged", evaluator.FieldError{Pointer: "/errored",
			Message: "the plan errored: Terraform could not plan every change, so the changes it lists are not all that apply would do; fix the errors and plan again"})
	}
	return p, nil
}

// LooksLikePlan reports whether raw, a JSON document, is a Terraform plan
// rather than a request or a call document: its top-level object has
// format_version and one of resource_changes, planned_values,
// terraform_version. It reads the top-level keys only (each value is
// skipped), so it is cheap next to decoding.
func LooksLikePlan(raw []byte) bool {
	// Every input of imgadmit eval is asked: a request or a call names no
	// format_version, and is not scanned at all.
	if !bytes.Contains(raw, []byte(`"format_version"`)) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	var format, planKey bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		k, _ := t.(string)
		switch k {
		case "format_version":
			format = true
		case "resource_changes", "planned_values", "terraform_version":
			planKey = true
		}
		if err := skipValue(dec); err != nil {
			return false
		}
	}
	return format && planKey
}

// skipValue reads past one JSON value without keeping it.
func skipValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == json.Delim('{') || t == json.Delim('[') {
		return skipRest(dec)
	}
	return nil
}

// invalid is the error for a plan that cannot be read.
func invalid(msg string, errs ...evaluator.FieldError) error {
	return &evaluator.Error{Code: evaluator.CodeInvalidRequest, Message: msg, Errors: errs}
}

// checkFormat checks a format_version: Terraform's JSON plan format 1.x.
func checkFormat(v string, present bool) *evaluator.FieldError {
	if !present || v == "" {
		return &evaluator.FieldError{Pointer: "/format_version", Message: "missing format_version: not a `terraform show -json` plan"}
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return &evaluator.FieldError{Pointer: "/format_version", Message: fmt.Sprintf("format_version %q is not supported: imgadmit reads the plan format 1.x of `terraform show -json` (Terraform 1.x)", v)}
	}
	return nil
}

// knownActions are the action lists a resource change may have (TFPLAN).
var knownActions = map[string]bool{
	"no-op": true, "create": true, "read": true, "update": true, "delete": true, "forget": true,
	"delete,create": true, "create,delete": true, "create,forget": true,
}

// check checks a decoded plan for what Translate relies on.
func check(p *tfjson.Plan) error {
	if fe := checkFormat(p.FormatVersion, true); fe != nil {
		return invalid("the Terraform plan cannot be read", *fe)
	}
	if p.ResourceChanges == nil && !emptyConfiguration(p) {
		return invalid("the Terraform plan cannot be read", evaluator.FieldError{Pointer: "/resource_changes",
			Message: "missing resource_changes: a plan lists its resource changes (only a configuration with no resources at all has none)"})
	}
	var errs []evaluator.FieldError
	for i, rc := range p.ResourceChanges {
		ptr := "/resource_changes/" + strconv.Itoa(i)
		switch {
		case rc == nil:
			errs = append(errs, evaluator.FieldError{Pointer: ptr, Message: "a resource change must be an object, but got null"})
			continue
		case rc.Address == "":
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/address", Message: "missing address"})
		}
		switch rc.Mode {
		case tfjson.DataResourceMode:
			continue // a data source reads; nothing governs it
		case tfjson.ManagedResourceMode:
		default:
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/mode", Message: fmt.Sprintf("%s: mode %q is neither managed nor data", rc.Address, rc.Mode)})
			continue
		}
		if rc.Type == "" {
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/type", Message: fmt.Sprintf("%s: missing type", rc.Address)})
		}
		if rc.Change == nil {
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/change", Message: fmt.Sprintf("%s: missing change", rc.Address)})
			continue
		}
		if len(rc.Change.Actions) == 0 {
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/change/actions", Message: fmt.Sprintf("%s: missing actions: what the plan does to the resource cannot be told", rc.Address)})
			continue
		}
		if a := actionKey(rc.Change.Actions); !knownActions[a] {
			errs = append(errs, evaluator.FieldError{Pointer: ptr + "/change/actions", Message: fmt.Sprintf("%s: unknown actions [%s]", rc.Address, a)})
		}
	}
	if len(errs) > 0 {
		return invalid("the Terraform plan cannot be read", errs...)
	}
	return nil
}

func actionKey(a tfjson.Actions) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

// emptyConfiguration reports whether the plan plans no resources at all:
// Terraform omits resource_changes then (it is "omitempty"), and only then.
func emptyConfiguration(p *tfjson.Plan) bool {
	pv := p.PlannedValues
	if pv == nil || pv.RootModule == nil {
		return false
	}
	return len(pv.RootModule.Resources) == 0 && len(pv.RootModule.ChildModules) == 0 &&
		(p.PriorState == nil || p.PriorState.Values == nil || p.PriorState.Values.RootModule == nil ||
			len(p.PriorState.Values.RootModule.Resources)+len(p.PriorState.Values.RootModule.ChildModules) == 0)
}

// diagnose says where a plan that terraform-json could not decode is
// wrong: it reads raw again value by value (each resource change on its
// own, so a big plan is never held twice) and checks each against the type
// terraform-json decodes it into.
func diagnose(raw []byte, decodeErr error) error {
	var syntax *json.SyntaxError
	if errors.As(decodeErr, &syntax) {
		return invalid("the Terraform plan is not valid JSON", evaluator.FieldError{Pointer: "", Message: fmt.Sprintf("%v (at byte %d)", syntax, syntax.Offset)})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return invalid("the Terraform plan cannot be read", evaluator.FieldError{Pointer: "", Message: "a plan must be a JSON object"})
	}
	var errs []evaluator.FieldError
	add := func(ptr, format string, args ...any) {
		errs = append(errs, evaluator.FieldError{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	format, hasFormat := "", false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := t.(string)
		ptr := pointer("", key)
		switch key {
		case "format_version":
			var v any
			if err := dec.Decode(&v); err != nil {
				return invalid("the Terraform plan cannot be read", evaluator.FieldError{Pointer: ptr, Message: err.Error()})
			}
			s, ok := v.(string)
			if !ok {
				add(ptr, "format_version must be a string, but got %s", evaluator.JSONTypeName(v))
				continue
			}
			format, hasFormat = s, true
		case "resource_changes":
			diagnoseChanges(dec, ptr, add)
		default:
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return invalid("the Terraform plan cannot be read", evaluator.FieldError{Pointer: ptr, Message: err.Error()})
			}
			if msg := typeError(v, planField(key)); msg != "" {
				add(ptr, "%s", msg)
			}
		}
	}
	if fe := checkFormat(format, hasFormat); fe != nil && !hasErrorAt(errs, "/format_version") {
		errs = append([]evaluator.FieldError{*fe}, errs...)
	}
	if len(errs) == 0 {
		errs = append(errs, evaluator.FieldError{Pointer: "", Message: decodeErr.Error()})
	}
	return invalid("the Terraform plan cannot be read", errs...)
}

func hasErrorAt(errs []evaluator.FieldError, ptr string) bool {
	for _, e := range errs {
		if e.Pointer == ptr {
			return true
		}
	}
	return false
}

// diagnoseChanges checks resource_changes, element by element.
func diagnoseChanges(dec *json.Decoder, ptr string, add func(string, string, ...any)) {
	// Peek: an array is read element by element, anything else whole.
	t, err := dec.Token()
	if err != nil {
		add(ptr, "%v", err)
		return
	}
	if t != json.Delim('[') {
		if d, ok := t.(json.Delim); ok && d == '{' {
			_ = skipRest(dec)
			add(ptr, "resource_changes must be an array, but got object")
			return
		}
		add(ptr, "resource_changes must be an array, but got %s", evaluator.JSONTypeName(t))
		return
	}
	for i := 0; dec.More(); i++ {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			add(ptr, "%v", err)
			return
		}
		eptr := ptr + "/" + strconv.Itoa(i)
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if err := d.Decode(&m); err != nil || m == nil {
			var x any
			_ = json.Unmarshal(v, &x)
			add(eptr, "a resource change must be an object, but got %s", evaluator.JSONTypeName(x))
			continue
		}
		address, _ := m["address"].(string)
		for k, fv := range m {
			b, _ := json.Marshal(fv)
			if k == "change" {
				ch, ok := fv.(map[string]any)
				if !ok {
					add(eptr+"/change", "%s: change must be an object, but got %s", address, evaluator.JSONTypeName(fv))
					continue
				}
				for ck, cv := range ch {
					cb, _ := json.Marshal(cv)
					if msg := typeError(cb, changeField(ck)); msg != "" {
						add(pointer(eptr+"/change", ck), "%s: %s", address, msg)
					}
				}
				continue
			}
			if msg := typeError(b, resourceChangeField(k)); msg != "" {
				add(pointer(eptr, k), "%s%s", prefix(address), msg)
			}
		}
	}
	_, _ = dec.Token() // ']'
}

func prefix(address string) string {
	if address == "" {
		return ""
	}
	return address + ": "
}

// skipRest reads past the rest of an object or array whose opening
// delimiter was read.
func skipRest(dec *json.Decoder) error {
	depth := 1
	for depth > 0 {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// typeError is why v does not decode into a value of target's type ("" when
// it does or target is nil: a member terraform-json does not read).
func typeError(v []byte, target any) string {
	if target == nil {
		return ""
	}
	err := json.Unmarshal(v, target)
	if err == nil {
		return ""
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := ""
		if te.Field != "" {
			where = " at " + te.Field
		}
		return fmt.Sprintf("must be %s%s, but got %s", jsonKind(te.Type), where, te.Value)
	}
	return err.Error()
}

// jsonKind names what JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Interface:
		return "a value"
	}
	return "a number"
}

// planField is a fresh value of the type terraform-json decodes the plan's
// top-level member key into (nil for one it does not read).
func planField(key string) any {
	switch key {
	case "terraform_version", "timestamp":
		return new(string)
	case "variables":
		return new(map[string]*tfjson.PlanVariable)
	case "planned_values":
		return new(tfjson.StateValues)
	case "resource_drift":
		return new([]*tfjson.ResourceChange)
	case "deferred_changes":
		return new([]*tfjson.DeferredResourceChange)
	case "complete":
		return new(bool)
	case "output_changes":
		return new(map[string]*tfjson.Change)
	case "prior_state":
		return new(tfjson.State)
	case "configuration":
		return new(tfjson.Config)
	case "relevant_attributes":
		return new([]tfjson.ResourceAttribute)
	case "checks":
		return new([]tfjson.CheckResultStatic)
	case "action_invocations":
		return new([]*tfjson.ActionInvocation)
	}
	return nil
}

func resourceChangeField(key string) any {
	switch key {
	case "address", "previous_address", "module_address", "type", "name", "provider_name", "deposed":
		return new(string)
	case "mode":
		return new(tfjson.ResourceMode)
	case "action_reason":
		return new(tfjson.ActionReason)
	}
	return nil
}

func changeField(key string) any {
	switch key {
	case "actions":
		return new(tfjson.Actions)
	case "importing":
		return new(tfjson.Importing)
	case "replace_paths":
		return new([]any)
	}
	return nil
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer appends a token to the JSON pointer base, escaped (RFC 6901).
func pointer(base string, tokens ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}
