package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
				fmt.Fprintf(w, "%s%s: ERROR%s %s\n", p.red, printable(r.File), p.reset, printable(r.Error.Message))
			} else {
				invalid++
				fmt.Fprintf(w, "%s%s: INVALID%s %s\n", p.red, printable(r.File), p.reset, printable(r.Error.Message))
			}
			for _, fe := range r.Error.Errors {
				fmt.Fprintf(w, "  %s\n", printable(fe.String()))
			}
			continue
		case r.Decision.Allowed:
			allowed++
			fmt.Fprintf(w, "%s%s: ALLOWED%s %s\n", p.green, printable(r.File), p.reset, printable(subject(r.Decision)))
		default:
			denied++
			fmt.Fprintf(w, "%s%s%s: DENIED%s %s\n", p.bold, p.red, printable(r.File), p.reset, printable(subject(r.Decision)))
		}
		if r.Decision.Warned() {
			warned++
		}
		for _, reason := range r.Decision.Reasons {
			fmt.Fprintf(w, "  %s %-12s %s\n", p.effect(printable(reason.Effect)), printable(reason.ID), printable(reason.Message))
			if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
				fmt.Fprintf(w, "  %s     %-12s fix: %s%s\n", p.dim, "", printable(reason.Remediation), p.reset)
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

// subject says what a decision is about: the provider and operation of a
// request; for a real API call, the call, the operation it became and how
// many requests it made, or that it only reads.
func subject(d *evaluator.Decision) string {
	if d.Call == nil {
		return d.Provider + " " + d.Operation
	}
	name := d.Call.Label()
	switch {
	case d.Call.Access == evaluator.AccessRead:
		return fmt.Sprintf("%s %s (read-only: nothing to judge)", d.Provider, name)
	case d.Operation == "" && d.Call.Name != "":
		return fmt.Sprintf("%s %s (refused: imgadmit cannot judge this use of it)", d.Provider, name)
	case d.Operation == "":
		return fmt.Sprintf("%s %s (a write imgadmit does not know)", d.Provider, name)
	case len(d.Requests) == 0:
		return fmt.Sprintf("%s %s (%s of nothing a rule governs)", d.Provider, name, d.Operation)
	case len(d.Requests) == 1:
		return fmt.Sprintf("%s %s (%s)", d.Provider, name, d.Operation)
	}
	return fmt.Sprintf("%s %s (%s, %d requests)", d.Provider, name, d.Operation, len(d.Requests))
}

// printable escapes what a terminal would act on rather than show: control
// characters (a newline that starts a fake "ALLOWED" line, an escape that
// starts a terminal sequence retitling the window or moving the cursor), the
// invisible format characters (bidirectional overrides, zero-width spaces)
// and bytes that are not UTF-8, as Go writes them in a string literal
// (\n, \x1b, \u202e). File names come from the disk, and ids and messages
// may carry what a request said.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029
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
			if r.Decision.Call != nil {
				c.Classname = "imgadmit." + r.Decision.Provider + "." + r.Decision.Call.Label()
			}
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
