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
	if ws, ok := settings["waivers"].([]any); ok {
		for i, w := range ws {
			if m, ok := w.(map[string]any); ok {
				if id, ok := m["rule"].(string); ok {
					check(fmt.Sprintf("/settings/waivers/%d/rule", i), id, "waiver")
				}
			}
		}
	}
	if en, ok := settings["enforcement"].(map[string]any); ok {
		for _, id := range slices.Sorted(maps.Keys(en)) {
			ptr := "/settings/enforcement/" + escapePointer(id)
			if r, ok := check(ptr, id, "enforcement"); ok && r.Effect != EffectDeny && r.EscalatesTo != EffectDeny {
				errs = append(errs, FieldError{Pointer: ptr, Message: fmt.Sprintf("enforcement %s: rule %s %ss, it never denies; only a deny can be relaxed", id, id, r.Effect)})
			}
		}
	}
	return errs
}

func relaxed(what string) string {
	if what == "waiver" {
		return "waived"
	}
	return "relaxed"
}

// waiverIndex is settings.waivers by rule id, in the settings' order,
// loaded beside the inventory as data.imgadmit_index.waivers_by_rule: the
// rulebook (lib/settings.rego) reads a rule's few waivers there instead of
// scanning them all for every deny. Nil when there are no waivers; stock
// OPA, without it, scans the list and decides the same.
func waiverIndex(inv map[string]any) map[string]any {
	settings, _ := inv["settings"].(map[string]any)
	ws, _ := settings["waivers"].([]any)
	if len(ws) == 0 {
		return nil
	}
	byRule := map[string]any{}
	for _, w := range ws {
		m, _ := w.(map[string]any)
		id, _ := m["rule"].(string)
		list, _ := byRule[id].([]any)
		byRule[id] = append(list, w)
	}
	return map[string]any{"waivers_by_rule": byRule}
}
