package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list the rulebook: id, effect, title and source of every rule, from its METADATA; with --data, its effect under the inventory's settings",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text, json or markdown"},
			&cli.StringFlag{Name: "policies", Usage: "rulebook `DIR` to list instead of the embedded one"},
			&cli.StringSliceFlag{Name: "data", Aliases: []string{"d"}, Usage: "inventory `FILE`: show each rule's effect under its settings (enforcement) and its active waivers; repeatable, merged in order"},
			&cli.StringFlag{Name: "now", Usage: "the time waivers are judged active at, RFC 3339; default: now"},
		},
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "json" && format != "markdown" {
				return usageError(fmt.Sprintf("--format %q: want text, json or markdown", format))
			}
			now, err := nowFlag(c)
			if err != nil {
				return err
			}
			if now.IsZero() {
				now = time.Now()
			}
			e, err := newEvaluator(c)
			if err != nil {
				return err
			}
			inv, _ := e.InventorySnapshot()
			settings, err := rulesUnderSettings(e.Rules(), inv.Rest(), now)
			if err != nil {
				return err
			}
			w := c.App.Writer
			rules := e.Rules()
			withData := len(c.StringSlice("data")) > 0
			switch format {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				out := map[string]any{"revision": e.Revision(), "rules": rules}
				if withData {
					out["settings"] = settings
				}
				return enc.Encode(out)
			case "markdown":
				_, err := fmt.Fprint(w, rulesMarkdown(rules, settings))
				return err
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			if withData {
				fmt.Fprintln(tw, "ID\tEFFECT\tUNDER SETTINGS\tWAIVERS\tTITLE\tSOURCE")
			} else {
				fmt.Fprintln(tw, "ID\tEFFECT\tTITLE\tSOURCE")
			}
			for _, r := range rules {
				if withData {
					st := settings[r.ID]
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, effectLabel(r), st.Effect, st.ActiveWaivers, r.Title, r.Source)
					continue
				}
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

// ruleSettings is a rule under the inventory's settings: the effect its
// deny has (settings.enforcement), and its waivers.
type ruleSettings struct {
	// Effect is the rule's effect under the settings: its own (as
	// effectLabel writes it) unless the enforcement relaxes its deny.
	Effect string `json:"effect"`
	// Enforcement is settings.enforcement's value for the rule, if any.
	Enforcement string `json:"enforcement,omitempty"`
	// ActiveWaivers counts its waivers not expired at --now; Waivers
	// counts them all, and LastExpiry is the latest expiry among them.
	ActiveWaivers int    `json:"active_waivers"`
	Waivers       int    `json:"waivers"`
	LastExpiry    string `json:"last_expiry,omitempty"`
}

// rulesUnderSettings is every rule under the inventory's settings, by id.
func rulesUnderSettings(rules []evaluator.Rule, inv map[string]any, now time.Time) (map[string]ruleSettings, error) {
	sets, _ := inv["settings"].(map[string]any)
	enforcement, _ := sets["enforcement"].(map[string]any)
	out := make(map[string]ruleSettings, len(rules))
	for _, r := range rules {
		st := ruleSettings{Effect: effectLabel(r)}
		if e, _ := enforcement[r.ID].(string); e != "" {
			st.Enforcement = e
			if e != evaluator.EffectDeny {
				// Only a deny is relaxed: an escalating rule warns as before,
				// and its escalation takes the enforcement's effect.
				st.Effect = e
				if r.EscalatesTo == evaluator.EffectDeny {
					st.Effect = r.Effect + "→" + e
				}
			}
		}
		out[r.ID] = st
	}
	waivers, err := inventoryWaivers(inv, now)
	if err != nil {
		return nil, err
	}
	// The latest expiry of each rule's waivers, as a time: their RFC 3339
	// strings may differ in offset and fraction, so they do not compare.
	latest := map[string]time.Time{}
	for _, w := range waivers {
		st, ok := out[w.Waiver.Rule]
		if !ok {
			// The evaluator refuses a waiver of a rule it does not have.
			return nil, cli.Exit(fmt.Sprintf("inventory /settings/waivers/%d: rule %s is not in the rulebook, yet the inventory was taken", w.Waiver.Index, w.Waiver.Rule), exitInternal)
		}
		st.Waivers++
		if w.State != waiverExpired {
			st.ActiveWaivers++
		}
		if w.expires.After(latest[w.Waiver.Rule]) {
			latest[w.Waiver.Rule], st.LastExpiry = w.expires, w.Waiver.Expires
		}
		out[w.Waiver.Rule] = st
	}
	return out, nil
}

// effectLabel shows an escalating rule as "warn→deny".
func effectLabel(r evaluator.Rule) string {
	if r.EscalatesTo != "" {
		return r.Effect + "→" + r.EscalatesTo
	}
	return r.Effect
}
