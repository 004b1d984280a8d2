package evaluator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkSettings holds the inventory's waivers and enforcement to the
// rulebook they apply to, which the schema cannot know: a waiver or an
// enforcement must name a rule of the rulebook, never one of REQ-001..004
// (what the request or the evaluation lacks is not the operator's to wave
// through), and an enforcement may relax only a rule that denies. The
// schema has checked the shapes (required members, times, the three
// enforcement values).
func checkSettings(book *rulebook, inv map[string]any) []FieldError {
	settings, _ := inv["settings"].(map[string]any)
	if settings == nil {
		return nil
	}
	rules := make(map[string]Rule, len(book.rules))
	for _, r := range book.rules {
		rules[r.ID] = r
	}
	var errs []FieldError
	check := func(ptr, id, what string) (Rule, bool) {
		r, known := rules[id]
		switch {
		case strings.HasPrefix(id, "REQ-"):
			errs = append(errs, FieldError{Pointer: ptr, Message: fmt.Sprintf("%s %s: REQ-001..004 cannot be %s (they say the request or the evaluation is incomplete, not that a rule refuses it)", what, id, relaxed(what))})
		case !known:
			errs = append(errs, FieldError{Pointer: ptr, Message: fmt.Sprintf("%s names rule %q, which the rulebook does not have (imgadmit rules lists them)", what, id)})
		default:
			return r, true
		}
		return Rule{}, false
	}
	// The schema has checked the shapes: a waiver that is not an object
	// with a rule cannot be here; the type assertions only keep a wrong
	// shape from panicking.
	ws, _ := settings["waivers"].([]any)
	for i, w := range ws {
		m, _ := w.(map[string]any)
		id, ok := m["rule"].(string)
		if !ok {
			continue
		}
		ptr := fmt.Sprintf("/settings/waivers/%d/rule", i)
		if r, ok := check(ptr, id, "waiver"); ok && !denies(r) {
			errs = append(errs, FieldError{Pointer: ptr, Message: fmt.Sprintf("waiver of %s: rule %s %ss, it never denies; a waiver waives a deny", id, id, r.Effect)})
		}
	}
	en, _ := settings["enforcement"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(en)) {
		ptr := "/settings/enforcement/" + escapePointer(id)
		if r, ok := check(ptr, id, "enforcement"); ok && !denies(r) {
			errs = append(errs, FieldError{Pointer: ptr, Message: fmt.Sprintf("enforcement %s: rule %s %ss, it never denies; only a deny can be relaxed", id, id, r.Effect)})
		}
	}
	return errs
}

// denies reports whether rule r can deny: its effect, or the effect it
// escalates to (ECS-IMG-005 warns, then denies).
func denies(r Rule) bool { return r.Effect == EffectDeny || r.EscalatesTo == EffectDeny }

func relaxed(what string) string {
	if what == "waiver" {
		return "waived"
	}
	return "relaxed"
}

// WaiverIndex is what imgadmit loads beside the inventory as
// data.imgadmit_index: settings.waivers by rule id and, within a rule, by
// the resource ids they name ("by_resource"), else by the projects they name
// ("by_project"), else under "any", each as [its position in
// settings.waivers, the waiver]. The rulebook (lib/settings.rego) reads a
// deny's candidates there, the few that can match the request's resources
// or its project, instead of every waiver of its rule, and takes the first
// by position: 1,000 waivers cost a
// decision almost nothing (BenchmarkDecideWaivers). Nil when there are no
// waivers; stock OPA, without it, scans the list and decides the same (a
// stock OPA given it as data does too: fixtures/waivers_test.go).
func WaiverIndex(inv map[string]any) map[string]any {
	settings, _ := inv["settings"].(map[string]any)
	ws, _ := settings["waivers"].([]any)
	if len(ws) == 0 {
		return nil
	}
	byRule := map[string]any{}
	for pos, w := range ws {
		m, _ := w.(map[string]any)
		id, _ := m["rule"].(string)
		rule, _ := byRule[id].(map[string]any)
		if rule == nil {
			// "any" is left out until a waiver goes there: the rulebook
			// reads its absence as "nothing for every request".
			rule = map[string]any{"by_resource": map[string]any{}, "by_project": map[string]any{}}
			byRule[id] = rule
		}
		entry := []any{pos, w}
		resources, _ := m["resources"].([]any)
		projects, _ := m["projects"].([]any)
		switch {
		case len(resources) > 0:
			addEntries(rule["by_resource"].(map[string]any), resources, entry)
		case len(projects) > 0:
			addEntries(rule["by_project"].(map[string]any), projects, entry)
		default:
			list, _ := rule["any"].([]any)
			rule["any"] = append(list, entry)
		}
	}
	return map[string]any{"waivers_by_rule": byRule}
}

// addEntries files entry under each of keys.
func addEntries(index map[string]any, keys []any, entry []any) {
	for _, k := range keys {
		if key, ok := k.(string); ok {
			list, _ := index[key].([]any)
			index[key] = append(list, entry)
		}
	}
}
