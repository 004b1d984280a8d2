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

// formats are the --format values of eval, in the order its usage lists them.
var formats = []string{"text", "json", "junit", "sarif", "github", "tap", "table"}

// writeResults writes the results in one of formats. rules is the rulebook's
// METADATA (Evaluator.Rules), which SARIF describes its rules from.
func writeResults(w io.Writer, format string, results []result, rules []evaluator.Rule, color bool) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	case "junit":
		return writeJUnit(w, results)
	case "sarif":
		return writeSARIF(w, results, rules)
	case "github":
		return writeGitHub(w, results)
	case "tap":
		return writeTAP(w, results)
	case "table":
		return writeTable(w, results)
	}
	return writeText(w, results, color)
}

// label names a result for people: its file, and for a plan's resource
// change its address and action ("plan.json aws_x.y[0] (create)"). Not
// escaped: a writer for a terminal passes it through printable.
func label(r result) string {
	if r.Address == "" {
		return r.File
	}
	if r.Action == "" {
		return r.File + " " + r.Address
	}
	return r.File + " " + r.Address + " (" + r.Action + ")"
}

// outcome is what a result came to: ALLOWED, DENIED, INVALID (the input) or
// ERROR (imgadmit's own failure).
func outcome(r result) string {
	switch {
	case r.Error != nil && r.Error.Code == evaluator.CodeInternal:
		return "ERROR"
	case r.Error != nil:
		return "INVALID"
	case r.Decision.Allowed:
		return "ALLOWED"
	}
	return "DENIED"
}

// summary is the last line of the text and table outputs:
// "3 requests: 1 allowed, 1 denied, 1 invalid (0 with warnings)".
func summary(results []result) string {
	counts := map[string]int{}
	warned := 0
	for _, r := range results {
		counts[outcome(r)]++
		if r.Error == nil && r.Decision.Warned() {
			warned++
		}
	}
	parts := []string{fmt.Sprintf("%d allowed", counts["ALLOWED"]), fmt.Sprintf("%d denied", counts["DENIED"])}
	if n := counts["INVALID"]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d invalid", n))
	}
	if n := counts["ERROR"]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", n))
	}
	one, many := "request", "requests"
	for _, r := range results {
		if r.Address != "" {
			// A plan's results are its resource changes, beside any requests.
			one, many = "result", "results"
			break
		}
	}
	extra := ""
	// Reasons the settings waived or ran dry are told only when there are some, so a
	// summary without waivers or dry runs reads as it always did.
	if waived, dryrun := settingsCounts(results); waived > 0 || dryrun > 0 {
		extra = fmt.Sprintf("; %d waived, %d run dry", waived, dryrun)
	}
	return fmt.Sprintf("%d %s: %s (%d with warnings%s)", len(results), plural(len(results), one, many), strings.Join(parts, ", "), warned, extra)
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

// effect is an effect padded to width (4, or 6 in a decision with a
// waived or dry-run reason), in its colour: what the settings relaxed is
// dim, so the eye goes to what refuses.
func (p palette) effect(e string, width int) string {
	c := p.cyan
	switch e {
	case evaluator.EffectDeny:
		c = p.red
	case evaluator.EffectWarn:
		c = p.yellow
	case evaluator.EffectWaived, evaluator.EffectDryrun:
		c = p.dim
	}
	return fmt.Sprintf("%s%-*s%s", c, width, e, p.reset)
}

// effectWidth is the width of a decision's effect column: 4 (deny, warn,
// note), wider when the settings gave a longer effect (waived, dryrun).
func effectWidth(d *evaluator.Decision) int {
	width := 4
	for _, r := range d.Reasons {
		width = max(width, len(r.Effect))
	}
	return width
}

// writeText prints, per request, a verdict line and one line per reason, then
// a summary: for people reading a pipeline log.
func writeText(w io.Writer, results []result, color bool) error {
	p := newPalette(color)
	for _, r := range results {
		name := printable(label(r))
		switch {
		case r.Error != nil:
			fmt.Fprintf(w, "%s%s: %s%s %s\n", p.red, name, outcome(r), p.reset, printable(r.Error.Message))
			for _, fe := range r.Error.Errors {
				fmt.Fprintf(w, "  %s\n", printable(fe.String()))
			}
			continue
		case r.Decision.Allowed:
			fmt.Fprintf(w, "%s%s: ALLOWED%s %s\n", p.green, name, p.reset, printable(subject(r.Decision)))
		default:
			fmt.Fprintf(w, "%s%s%s: DENIED%s %s\n", p.bold, p.red, name, p.reset, printable(subject(r.Decision)))
		}
		width := effectWidth(r.Decision)
		// indent puts a reason's further lines under its message.
		indent := strings.Repeat(" ", width+1+12+1)
		for i, reason := range r.Decision.Reasons {
			fmt.Fprintf(w, "  %s %-12s %s\n", p.effect(printable(reason.Effect), width), printable(reason.ID), printable(reason.Message))
			if note := settingsNote(reason); note != "" {
				fmt.Fprintf(w, "  %s%s%s%s\n", p.bold, indent, printable(note), p.reset)
			}
			if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
				fmt.Fprintf(w, "  %s%sfix: %s%s\n", p.dim, indent, printable(reason.Remediation), p.reset)
			}
			writeReasonExplanation(w, r.Explanation, i, indent, p)
		}
		writeTrace(w, r.Explanation)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summary(results))
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
	case len(d.Requests) == 0 && !d.Allowed:
		return fmt.Sprintf("%s %s (%s: refused before any rule could judge it)", d.Provider, name, d.Operation)
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

// JUnit: one test suite, one test case per request file, or for a Terraform
// plan per resource address (named by the address, its class the plan file;
// a replace's delete and create are one case). A deny is a failure, an
// invalid request or an internal error is an error; warnings, notes and what
// the settings relaxed (waived and dry-run denies, which never fail a case)
// go to system-out.
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
	s := junitSuite{Name: "imgadmit"}
	// byAddress finds the case of a plan's resource address: every result
	// of one address (a replace's delete and create) goes to one case.
	byAddress := map[[2]string]int{}
	for _, r := range results {
		if r.Address == "" {
			s.Cases = append(s.Cases, junitCase{Name: r.File, Classname: "imgadmit"})
			addToCase(&s.Cases[len(s.Cases)-1], r, "")
			continue
		}
		key := [2]string{r.File, r.Address}
		i, ok := byAddress[key]
		if !ok {
			i = len(s.Cases)
			byAddress[key] = i
			s.Cases = append(s.Cases, junitCase{Name: r.Address, Classname: r.File})
		}
		prefix := ""
		if r.Action != "" {
			prefix = r.Action + ": "
		}
		addToCase(&s.Cases[i], r, prefix)
	}
	s.Tests = len(s.Cases)
	for i := range s.Cases {
		c := &s.Cases[i]
		switch {
		case c.Error != nil && c.Failure != nil:
			// One address, an invalid action and a denied one: an error
			// (the worse), its body telling both.
			c.Error.Body += c.Failure.Body
			c.Failure = nil
			s.Errors++
		case c.Error != nil:
			s.Errors++
		case c.Failure != nil:
			s.Failures++
		}
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

// addToCase adds one result to a test case: an error makes it an error, a
// deny a failure; prefix ("create: ") tells a plan's actions apart in the
// bodies. A request's case (prefix "") takes its class from the decision.
func addToCase(c *junitCase, r result, prefix string) {
	if r.Error != nil {
		var body strings.Builder
		for _, fe := range r.Error.Errors {
			body.WriteString(prefix + fe.String() + "\n")
		}
		if c.Error == nil {
			c.Error = &junitProblem{Message: prefix + r.Error.Message, Type: r.Error.Code}
		}
		c.Error.Body += body.String()
		return
	}
	if r.Address == "" {
		c.Classname = "imgadmit." + r.Decision.Provider + "." + r.Decision.Operation
		if r.Decision.Call != nil {
			c.Classname = "imgadmit." + r.Decision.Provider + "." + r.Decision.Call.Label()
		}
	}
	var denies, others strings.Builder
	for _, reason := range r.Decision.Reasons {
		line := fmt.Sprintf("%s%s %s: %s", prefix, reason.Effect, reason.ID, reason.Message)
		if reason.Remediation != "" && reason.Effect != evaluator.EffectNote {
			line += " (fix: " + reason.Remediation + ")"
		}
		if note := settingsNote(reason); note != "" {
			line += "; " + note
		}
		if reason.Effect == evaluator.EffectDeny {
			denies.WriteString(line + "\n")
		} else {
			others.WriteString(line + "\n")
		}
	}
	if !r.Decision.Allowed {
		if c.Failure == nil {
			c.Failure = &junitProblem{Message: "denied", Type: "deny"}
		}
		c.Failure.Body += denies.String()
	}
	c.SystemOut += others.String()
}
