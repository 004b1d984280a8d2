package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Modes of eval --explain.
const (
	explainOff     = ""
	explainReasons = "reasons"
	explainFull    = "full"
)

// explainFlag is the value of eval --explain: a flag that takes a value but
// may stand alone. It tells Go's flag parser (under urfave/cli v2) that it
// is a boolean (IsBoolFlag), so plain --explain sets "true" (the reasons)
// and --explain=full sets "full"; --explain full, with a space, is joined
// into --explain=full before the parser sees it (explainArgs), since a
// boolean flag leaves the next word alone and the first word that is not a
// flag ends the flags.
type explainFlag struct{ mode string }

func (f *explainFlag) Set(s string) error {
	switch s {
	case "true", explainReasons:
		f.mode = explainReasons
	case explainFull:
		f.mode = explainFull
	case "false", "off":
		f.mode = explainOff
	default:
		return fmt.Errorf("want reasons or full, not %q", s)
	}
	return nil
}

func (f *explainFlag) String() string {
	if f == nil {
		return ""
	}
	return f.mode
}

// IsBoolFlag lets --explain stand alone.
func (f *explainFlag) IsBoolFlag() bool { return true }

// explainArgs joins eval's --explain and a mode written after it with a
// space into one word, --explain=MODE; a file named "full" is then written
// ./full. Only eval's words are looked at, up to "--" (after which every
// word is a file); a flag's value is never "--explain".
func explainArgs(args []string) []string {
	i := slices.Index(args, "eval")
	if i < 0 || slices.Contains(args[1:i], "--") {
		return args
	}
	out := slices.Clone(args[:i+1])
	for j := i + 1; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			return append(out, args[j:]...)
		}
		if (a == "--explain" || a == "-explain") && j+1 < len(args) && (args[j+1] == explainFull || args[j+1] == explainReasons) {
			out = append(out, "--explain="+args[j+1])
			j++
			continue
		}
		out = append(out, a)
	}
	return out
}

// explanation is what eval --explain shows of one result: per reason, the
// rule that gave it and the facts it read; with --explain full, OPA's trace
// too (lineage.Full, as `opa eval --explain full` prints it).
type explanation struct {
	Reasons []evaluator.ReasonExplanation `json:"reasons"`
	Trace   []string                      `json:"trace,omitempty"`
}

// explain fills in the results' explanations from their decisions'.
func explain(results []result, mode string) {
	for i := range results {
		d := results[i].Decision
		if d == nil || d.Explanation == nil {
			continue
		}
		x := &explanation{Reasons: d.Explanation.Reasons}
		if mode == explainFull {
			var buf bytes.Buffer
			topdown.PrettyTraceWithLocation(&buf, lineage.Full(d.Explanation.Trace))
			x.Trace = strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		}
		results[i].Explanation = x
	}
}

// writeReasonExplanation prints, under a reason in text, its rule and the
// facts it read, each with where it came from.
func writeReasonExplanation(w io.Writer, x *explanation, i int, indent string, p palette) {
	if x == nil || i >= len(x.Reasons) {
		return
	}
	re := x.Reasons[i]
	fmt.Fprintf(w, "  %s%srule: %s (%s:%d)%s\n", p.dim, indent, printable(re.Rule.Name), printable(re.Rule.File), re.Rule.Line, p.reset)
	if len(re.Facts) == 0 {
		fmt.Fprintf(w, "  %s%sread: no fact about a resource%s\n", p.dim, indent, p.reset)
	}
	for _, f := range re.Facts {
		what := f.Kind + " " + f.ID
		if f.ID == "" {
			what = f.Kind
		}
		fmt.Fprintf(w, "  %s%sread: %s.%s from the %s%s\n", p.dim, indent, printable(what), printable(f.Field), f.Origin, p.reset)
	}
}

// writeTrace prints OPA's trace under a result in text.
func writeTrace(w io.Writer, x *explanation) {
	if x == nil || len(x.Trace) == 0 {
		return
	}
	fmt.Fprintf(w, "  trace:\n")
	for _, line := range x.Trace {
		fmt.Fprintf(w, "    %s\n", printable(line))
	}
}
