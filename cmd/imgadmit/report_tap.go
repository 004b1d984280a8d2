package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/imgadmit/imgadmit/evaluator"
)

// TAP version 13: one test point per result, "ok" unless denied, invalid or
// failed; a result's reasons, or its errors, in a YAML block below it.

type tapReason struct {
	ID          string     `yaml:"id"`
	Effect      string     `yaml:"effect"`
	Message     string     `yaml:"message"`
	Fix         string     `yaml:"fix,omitempty"`
	Enforcement string     `yaml:"enforcement,omitempty"`
	Waiver      *tapWaiver `yaml:"waiver,omitempty"`
}

// tapWaiver is the waiver of a waived reason.
type tapWaiver struct {
	Reason     string   `yaml:"reason"`
	ApprovedBy string   `yaml:"approved_by"`
	Expires    string   `yaml:"expires"`
	Resources  []string `yaml:"resources,omitempty"`
	Projects   []string `yaml:"projects,omitempty"`
}

type tapFieldError struct {
	Pointer string `yaml:"pointer"`
	Line    int    `yaml:"line,omitempty"`
	Message string `yaml:"message"`
}

type tapDiagnostic struct {
	Address string          `yaml:"address,omitempty"`
	Action  string          `yaml:"action,omitempty"`
	Code    string          `yaml:"code,omitempty"`
	Message string          `yaml:"message,omitempty"`
	Errors  []tapFieldError `yaml:"errors,omitempty"`
	Reasons []tapReason     `yaml:"reasons,omitempty"`
}

func writeTAP(w io.Writer, results []result) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "TAP version 13\n1..%d\n", len(results))
	for i, r := range results {
		status, what := "ok", ""
		var diag tapDiagnostic
		switch {
		case r.Error != nil:
			status, what = "not ok", strings.ToLower(outcome(r))
			diag.Code, diag.Message = r.Error.Code, printable(r.Error.Message)
			for _, fe := range r.Error.Errors {
				diag.Errors = append(diag.Errors, tapFieldError{Pointer: printable(fe.Pointer), Line: fe.Line, Message: printable(fe.Message)})
			}
		default:
			if !r.Decision.Allowed {
				status = "not ok"
			}
			what = subject(r.Decision)
			for _, reason := range r.Decision.Reasons {
				tr := tapReason{ID: printable(reason.ID), Effect: printable(reason.Effect), Message: printable(reason.Message)}
				if reason.Effect != evaluator.EffectNote {
					tr.Fix = printable(reason.Remediation)
				}
				tr.Enforcement = printable(reason.Enforcement)
				if w := reason.Waiver; w != nil {
					tr.Waiver = &tapWaiver{Reason: printable(w.Reason), ApprovedBy: printable(w.ApprovedBy), Expires: printable(w.Expires),
						Resources: printables(w.Resources), Projects: printables(w.Projects)}
				}
				diag.Reasons = append(diag.Reasons, tr)
			}
		}
		fmt.Fprintf(&b, "%s %d - %s\n", status, i+1, tapDescription(label(r)+" "+what))
		if diag.Code == "" && len(diag.Reasons) == 0 {
			continue
		}
		diag.Address, diag.Action = printable(r.Address), printable(r.Action)
		if err := tapYAML(&b, diag); err != nil {
			return err
		}
	}
	fmt.Fprintf(&b, "# %s\n", printable(summary(results)))
	_, err := w.Write(b.Bytes())
	return err
}

// tapDescription makes a test point's description one printable line that
// no TAP reader takes for a directive: '#' starts one unless escaped.
func tapDescription(s string) string {
	s = printable(s)
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, "#", `\#`)
}

// tapYAML writes the diagnostic block, indented two spaces between "---"
// and "...". Its strings are printable (as in the text output) and YAML
// quotes what else a string needs: no line of a message can end the block.
func tapYAML(b *bytes.Buffer, diag tapDiagnostic) error {
	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(diag); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	b.WriteString("  ---\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(y.String(), "\n"), "\n") {
		b.WriteString("  " + line)
	}
	b.WriteString("\n  ...\n")
	return nil
}

func printables(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, printable(s))
	}
	return out
}
