package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/imgadmit/imgadmit/evaluator"
)

// writeTable writes an aligned table for people: FILE, ADDRESS (when some
// result has one: a plan's resource change and its action), DECISION and
// REASONS (the rule ids, a warn's or a note's marked; an invalid input's
// error message), then the summary line. Every cell is printable: no tab or
// newline can break the columns.
func writeTable(w io.Writer, results []result) error {
	addresses := false
	for _, r := range results {
		addresses = addresses || r.Address != ""
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells ...string) {
		if !addresses {
			cells = append(cells[:1], cells[2:]...)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("FILE", "ADDRESS", "DECISION", "REASONS")
	for _, r := range results {
		address := "-"
		if r.Address != "" {
			address = printable(r.Address)
			if r.Action != "" {
				address += " (" + printable(r.Action) + ")"
			}
		}
		row(printable(r.File), address, outcome(r), printable(reasonsCell(r)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", printable(summary(results)))
	return err
}

// reasonsCell lists a result's reasons by id, a warn's and a note's marked,
// and a reason the settings changed by their label as the other formats
// title it ("CBR-004, IMS-FE-002 (warn)", "CBR-004 (waived)", "IMS-FE-009
// (dry run)", "IMS-IMG-003 (warn by enforcement)"); for an error, its
// message.
func reasonsCell(r result) string {
	if r.Error != nil {
		return r.Error.Message
	}
	if len(r.Decision.Reasons) == 0 {
		return "-"
	}
	ids := make([]string, len(r.Decision.Reasons))
	for i, reason := range r.Decision.Reasons {
		ids[i] = reason.ID
		if label, _ := settingsEffect(reason); label != "" {
			ids[i] += " (" + label + ")"
		} else if reason.Effect != evaluator.EffectDeny {
			ids[i] += " (" + reason.Effect + ")"
		}
	}
	return strings.Join(ids, ", ")
}
