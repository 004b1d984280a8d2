package main

import (
	"fmt"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// What the operator's settings (settings.waivers, settings.enforcement) did
// to a reason, told the same way by every output format: a reader of a
// waived or dry-run reason must see at once that the rule did not refuse,
// and why (SPEC "Waivers and enforcement").

// settingsEffect says what the settings did to a reason, or "", "" when
// nothing: a short label, for titles and table cells ("waived", "dry run",
// "warn by enforcement"), and a note for people: a waived deny names its
// waiver (reason, approver, expiry), a dry run says it was not enforced, and
// a warn that the rule's deny was relaxed says so.
func settingsEffect(r evaluator.Reason) (label, note string) {
	switch {
	case r.Effect == evaluator.EffectWaived:
		if r.Waiver != nil {
			note = "waived: " + waiverJustification(r.Waiver)
		}
		return "waived", note
	case r.Effect == evaluator.EffectDryrun:
		return "dry run", "dry run, not enforced: the rule denies; settings.enforcement runs it dry"
	case r.Effect == evaluator.EffectWarn && r.Enforcement == evaluator.EffectWarn:
		return "warn by enforcement", "warn by enforcement: the rule denies; settings.enforcement relaxes it to warn"
	}
	return "", ""
}

// settingsNote is settingsEffect's note alone.
func settingsNote(r evaluator.Reason) string {
	_, note := settingsEffect(r)
	return note
}

// waiverJustification is a waiver for people: its reason, its approver, its
// expiry and, when it is narrowed, what it covers.
func waiverJustification(w *evaluator.Waiver) string {
	s := fmt.Sprintf("%s (approved by %s, expires %s", w.Reason, w.ApprovedBy, w.Expires)
	for _, narrowed := range waiverScope(*w) {
		s += "; " + narrowed
	}
	return s + ")"
}

// waiverScope is what a waiver is narrowed to ("resources bk-1, bk-2",
// "projects p-web"); none when it covers every request of its rule.
func waiverScope(w evaluator.Waiver) []string {
	var scope []string
	if len(w.Resources) > 0 {
		scope = append(scope, "resources "+strings.Join(w.Resources, ", "))
	}
	if len(w.Projects) > 0 {
		scope = append(scope, "projects "+strings.Join(w.Projects, ", "))
	}
	return scope
}

// settingsCounts counts the reasons of results the settings waived or ran
// dry, for the summary line.
func settingsCounts(results []result) (waived, dryrun int) {
	for _, r := range results {
		if r.Error != nil {
			continue
		}
		for _, reason := range r.Decision.Reasons {
			switch reason.Effect {
			case evaluator.EffectWaived:
				waived++
			case evaluator.EffectDryrun:
				dryrun++
			}
		}
	}
	return waived, dryrun
}
