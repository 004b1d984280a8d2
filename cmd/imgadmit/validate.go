package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/calls"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check request files against their JSON Schemas, without evaluating them",
		ArgsUsage: "FILE|DIR|- ...",
		Flags:     inputFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("validate needs at least one FILE, DIR or -")
			}
			if _, err := maxInput(c); err != nil {
				return err
			}
			inputs, err := collectInputs(c.Args().Slice())
			if err != nil {
				return err
			}
			e, err := evaluator.New(c.Context, evaluator.Options{Translator: calls.Translator})
			if err != nil {
				return cli.Exit(err.Error(), codeFor(err))
			}
			invalid := 0
			for _, in := range inputs {
				raw, ferr := readInput(c, in)
				var req *evaluator.Request
				if ferr == nil {
					req, ferr = e.ParseRequest(raw, formatOf(in))
				}
				if ferr != nil {
					invalid++
					fmt.Fprintf(c.App.Writer, "%s: INVALID %s\n", printable(in.name), describeError(ferr))
					continue
				}
				fmt.Fprintf(c.App.Writer, "%s: valid%s\n", printable(in.name), printable(callSummary(req)))
			}
			fmt.Fprintf(c.App.Writer, "\n%d %s: %d valid, %d invalid\n", len(inputs), plural(len(inputs), "file", "files"), len(inputs)-invalid, invalid)
			if invalid > 0 {
				return cli.Exit("", exitInvalid)
			}
			return nil
		},
	}
}

// describeError is an input's error for the text output: its message, then
// each problem on a line of its own, everything escaped (printable).
func describeError(err error) string {
	var ee *evaluator.Error
	if !errors.As(err, &ee) {
		return printable(err.Error())
	}
	var b strings.Builder
	if ee.File != "" {
		// An error about another file than the one reported on (an import's
		// response, an inventory) names it.
		b.WriteString(printable(ee.File) + ": ")
	}
	b.WriteString(printable(ee.Message))
	for _, fe := range ee.Errors {
		b.WriteString("\n  ")
		b.WriteString(printable(fe.String()))
	}
	return b.String()
}

// callSummary says what a valid call document became: " (CreateWholeImage:
// 1 image.create request)"; nothing for a canonical request.
func callSummary(req *evaluator.Request) string {
	call, n := req.Call()
	if call == nil {
		return ""
	}
	name := call.Label()
	switch {
	case call.Access == evaluator.AccessRead:
		return fmt.Sprintf(" (%s: read-only, nothing to judge)", name)
	case req.Operation == "" && call.Name != "":
		return fmt.Sprintf(" (%s: refused, imgadmit cannot judge this use of it)", name)
	case req.Operation == "":
		return fmt.Sprintf(" (%s: a write imgadmit does not know, refused)", name)
	}
	return fmt.Sprintf(" (%s: %d %s %s)", name, n, req.Operation, plural(n, "request", "requests"))
}
