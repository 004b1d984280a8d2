package main

import (
	"fmt"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// rulesMarkdown renders the rulebook as docs/rules.md: generated from the
// rules' METADATA, checked for staleness by a test.
func rulesMarkdown(rules []evaluator.Rule) string {
	var b strings.Builder
	b.WriteString("# The rulebook\n\n")
	b.WriteString("Generated from the rules' METADATA by `imgadmit rules --format markdown`; `make test` fails when it is stale.\n\n")
	fmt.Fprintf(&b, "%d rules.\n\n", len(rules))
	b.WriteString("| id | effect | category | title | source |\n|---|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), effectLabel(r), r.Category, cell(r.Title), cell(r.Source))
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** (%s, %s)\n\n%s\n\n", r.ID, r.Title, effectLabel(r), r.Category, r.Description)
		if r.Remediation != "" {
			fmt.Fprintf(&b, "- Remediation: %s\n", r.Remediation)
		}
		fmt.Fprintf(&b, "- Source: %s\n- Rule: `policies/%s:%d`\n", r.Source, r.File, r.Line)
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
