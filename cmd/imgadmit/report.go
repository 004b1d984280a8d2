package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/imgadmit/imgadmit/evaluator"
)

func writeResults(w io.Writer, format string, results []result, color bool) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	case "junit":
		return writeJUnit(w, results)
	}
	return writeText(w, results, color)
}

// colorEnabled: colour only on a terminal, and never with NO_COLOR set.
func colorEnabled(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type palette struct{ red, yellow, cyan, green, bold, dim, reset string }

func newPalette(color bool) palette {
	if !color {
		return palette{}
	}
	return palette{red: "\x1b[31m", yellow: "\x1b[33m", cyan: "\x1b[36m", green: "\x1b[32m", bold: "\x1b[1m", dim: "\x1b[2m", reset: "\x1b[0m"}
}

func (p palette) effect(e string) string {
	c := p.cyan
	switch e {
	case evaluator.EffectDeny:
		c = p.red
	case evaluator.EffectWarn:
		c = p.yellow
	}
	return fmt.Sprintf("%s%-4s%s", c, e, p.reset)
}

// writeText prints, per request, a verdict line and one line per reason, then
// a summary: for people reading a pipeline log.
func writeText(w io.Writer, results []result, color bool) error {
	p := newPalette(color)
	var allowed, denied, invalid, failed, warned int
	for _, r := range results {
		switch {
		case r.Error != nil:
			if r.Error.Code == evaluator.CodeInternal {
				failed++
				fmt.Fprintf(w, "%s%s: ERROR%s %s\n", p.red, r.File, p.reset, r.Error.Message)
			} else {
				invalid++
				fmt.Fprintf(w, "%s%s: INVALID%s %s\n", p.red, r.File, p.reset, r.Error.Message)
			}
			for _, fe := range r.Error.Errors {
				fmt.Fprintf(w, "  %s\n", fe.String())
			}
			continue
		case r.Decision.Allowed:
			allowed++
			fmt.Fprintf(w, "%s%s: ALLOWED%s %s %s\n", p.green, r.File, p.reset, r.Decision.Provider, r.Decision.Operation)
		default:
			denied++
			fmt.Fprintf(w, "%s%s%s: DENIED%s %s %s\n", p.bold, p.red, r.File, p.reset, r.Decision.Provider, r.Decision.Operation)
		}
		if r.Decision.Warned() {
			warned++
		}
		for _, reason := range r.Decision.Reasons {
			fmt.Fprintf(w, "  %s %-12s %s\n", p.effect(reason.Effect), reason.ID, reason.Message)
			if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
				fmt.Fprintf(w, "  %s     %-12s fix: %s%s\n", p.dim, "", reason.Remediation, p.reset)
			}
		}
	}
	parts := []string{fmt.Sprintf("%d allowed", allowed), fmt.Sprintf("%d denied", denied)}
	if invalid > 0 {
		parts = append(parts, fmt.Sprintf("%d invalid", invalid))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
	}
	_, err := fmt.Fprintf(w, "\n%d %s: %s (%d with warnings)\n", len(results), plural(len(results), "request", "requests"), strings.Join(parts, ", "), warned)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// JUnit: one test suite, one test case per request file. A deny is a
// failure, an invalid request or an internal error is an error; warnings and
// notes go to system-out.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, results []result) error {
	s := junitSuite{Name: "imgadmit", Tests: len(results)}
	for _, r := range results {
		c := junitCase{Name: r.File, Classname: "imgadmit"}
		switch {
		case r.Error != nil:
			s.Errors++
			var body strings.Builder
			for _, fe := range r.Error.Errors {
				body.WriteString(fe.String() + "\n")
			}
			c.Error = &junitProblem{Message: r.Error.Message, Type: r.Error.Code, Body: body.String()}
		default:
			c.Classname = "imgadmit." + r.Decision.Provider + "." + r.Decision.Operation
			var denies, others strings.Builder
			for _, reason := range r.Decision.Reasons {
				line := fmt.Sprintf("%s %s: %s", reason.Effect, reason.ID, reason.Message)
				if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
					line += " (fix: " + reason.Remediation + ")"
				}
				if reason.Effect == evaluator.EffectDeny {
					denies.WriteString(line + "\n")
				} else {
					others.WriteString(line + "\n")
				}
			}
			if !r.Decision.Allowed {
				s.Failures++
				c.Failure = &junitProblem{Message: "denied", Type: "deny", Body: denies.String()}
			}
			c.SystemOut = others.String()
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
