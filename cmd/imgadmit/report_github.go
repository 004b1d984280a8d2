package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/imgadmit/imgadmit/evaluator"
)

// writeGitHub writes GitHub Actions workflow commands, which the runner turns
// into annotations on the input file: "::error" for a deny, "::warning" for
// a warn, "::notice" for a note and for a waived or dry-run deny (which do
// not refuse; the title marks them, the message names the waiver), titled by
// the rule's id; an invalid input is
// an error titled REQ-001 (at the line its first error names), an internal
// error one titled "imgadmit". The summary line ends the log.
func writeGitHub(w io.Writer, results []result) error {
	for _, r := range results {
		file := repoPath(r.File)
		if r.Error != nil {
			title, line := invalidInputID, 0
			if r.Error.Code == evaluator.CodeInternal {
				title = "imgadmit"
			}
			msg := []string{locationPrefix(r) + r.Error.Message}
			for _, fe := range r.Error.Errors {
				msg = append(msg, fe.String())
				if line == 0 && fe.Line > 0 {
					line = fe.Line
				}
			}
			workflowCommand(w, "error", file, line, title, msg...)
			continue
		}
		for _, reason := range r.Decision.Reasons {
			command := "notice"
			switch reason.Effect {
			case evaluator.EffectDeny:
				command = "error"
			case evaluator.EffectWarn:
				command = "warning"
			}
			label, note := settingsEffect(reason)
			msg := []string{locationPrefix(r) + reason.Message}
			if note != "" {
				msg = append(msg, note)
			}
			if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
				msg = append(msg, "fix: "+reason.Remediation)
			}
			title := reason.ID
			if label != "" {
				title += " (" + label + ")"
			}
			workflowCommand(w, command, file, 0, title, msg...)
		}
	}
	_, err := fmt.Fprintln(w, printable(summary(results)))
	return err
}

// workflowCommand writes "::command file=F,line=L,title=T::message", its
// lines joined by newlines. Each part is first made printable (no escape
// sequence reaches the log), then escaped by the workflow-command rules: %,
// CR and LF in the message; those and ':' and ',' in a property.
func workflowCommand(w io.Writer, command, file string, line int, title string, message ...string) {
	props := []string{"file=" + escapeProperty(printable(file))}
	if line > 0 {
		props = append(props, "line="+strconv.Itoa(line))
	}
	props = append(props, "title="+escapeProperty(printable(title)))
	lines := make([]string, len(message))
	for i, m := range message {
		lines[i] = printable(m)
	}
	fmt.Fprintf(w, "::%s %s::%s\n", command, strings.Join(props, ","), escapeData(strings.Join(lines, "\n")))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a workflow command's message (@actions/core's escapeData).
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a workflow command's property value (@actions/core's
// escapeProperty).
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
