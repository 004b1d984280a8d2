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

// settingsNote says what the settings did to a reason, or "" when nothing:
// a waived deny names its waiver (reason, approver, expiry), a dry run says
// it was not enforced, and a warn that the rule's deny was relaxed says so.
func settingsNote(r evaluator.Reason) string {
	switch {
	case r.Effect == evaluator.EffectWaived && r.Waiver != nil:
		return "waived: " + waiverJustification(r.Waiver)
	case r.Effect == evaluator.EffectDryrun:
		return "dry run, not enforced: the rule denies; settings.enforcement runs it dry"
	case r.Effect == evaluator.EffectWarn && r.Enforcement == evaluator.EffectWarn:
		return "warn by enforcement: the rule denies; settings.enforcement relaxes it to warn"
	}
	return ""
}

// waiverJustification is a waiver for people: its reason, its approver, its
// expiry and, when it is narrowed, what it covers.
func waiverJustification(w *evaluator.Waiver) string {
	s := fmt.Sprintf("%s (approved by %s, expires %s", w.Reason, w.ApprovedBy, w.Expires)
	if len(w.Resources) > 0 {
		s += "; resources " + strings.Join(w.Resources, ", ")
	}
	if len(w.Projects) > 0 {
		s += "; projects " + strings.Join(w.Projects, ", ")
	}
	return s + ")"
}

// settingsLabel is a short mark of an effect the settings gave, for titles
// ("waived", "dry run"); "" for a rule's own effect.
func settingsLabel(r evaluator.Reason) string {
	switch r.Effect {
	case evaluator.EffectWaived:
		return "waived"
	case evaluator.EffectDryrun:
		return "dry run"
	}
	if r.Effect == evaluator.EffectWarn && r.Enforcement == evaluator.EffectWarn {
		return "warn by enforcement"
	}
	return ""
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
