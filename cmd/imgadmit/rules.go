package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list the rulebook: id, effect, title and source of every rule, from its METADATA",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text, json or markdown"},
			&cli.StringFlag{Name: "policies", Usage: "rulebook `DIR` to list instead of the embedded one"},
		},
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "json" && format != "markdown" {
				return usageError(fmt.Sprintf("--format %q: want text, json or markdown", format))
			}
			e, err := newEvaluator(c)
			if err != nil {
				return err
			}
			w := c.App.Writer
			rules := e.Rules()
			switch format {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"revision": e.Revision(), "rules": rules})
			case "markdown":
				_, err := fmt.Fprint(w, rulesMarkdown(rules))
				return err
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tEFFECT\tTITLE\tSOURCE")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, effectLabel(r), r.Title, r.Source)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "\n%d rules, revision %s\n", len(rules), e.Revision())
			return err
		},
	}
}

// effectLabel shows an escalating rule as "warn→deny".
func effectLabel(r evaluator.Rule) string {
	if r.EscalatesTo != "" {
		return r.Effect + "→" + r.EscalatesTo
	}
	return r.Effect
}
