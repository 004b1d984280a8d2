package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/imgadmit/imgadmit/evaluator"
)

// expiringWithin is how close to its expiry a waiver is "expiring": time
// to renew it, or to fix what it waives, before requests start failing.
const expiringWithin = 14 * 24 * time.Hour

// Waiver states.
const (
	waiverActive   = "active"
	waiverExpiring = "expiring"
	waiverExpired  = "expired"
)

func waiversCommand() *cli.Command {
	return &cli.Command{
		Name:      "waivers",
		Usage:     "list the inventory's waivers: active, expiring within 14 days or expired, and whether any decision matched each",
		ArgsUsage: "[REQUEST FILE|DIR]...",
		Description: "Request files (as eval takes them) are decided with the inventory, and --decision-log files (the sidecar's\n" +
			"decision log) are read: a waiver that waived a reason in either is matched; one that neither shows is never matched.\n" +
			"Exit codes: 0 every waiver is active or expiring, and matched (when requests or logs were given);\n" +
			"1 some waiver has expired, or was never matched by the requests and logs given;\n" +
			"2 the inventory, a request or a log line is invalid, or a usage error; 3 an internal error.",
		Flags: append(append(evaluatorFlags(), inputFlags()...),
			&cli.StringFlag{Name: "now", Usage: "the time expiries are judged at (and requests decided at), RFC 3339; default: now"},
			&cli.StringSliceFlag{Name: "decision-log", Usage: "the sidecar's decision log `FILE` (JSON lines); repeatable"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output: text or json"},
		),
		Action: runWaivers,
	}
}

// waiverStatus is one waiver of the inventory and what became of it.
type waiverStatus struct {
	// Waiver is the waiver as the inventory has it; its Index is its place
	// in settings.waivers, as a decision shows it.
	Waiver evaluator.Waiver `json:"waiver"`
	// State is active, expiring (within 14 days) or expired, at --now.
	State string `json:"state"`
	// Matched is what matched the waiver; nil when neither request files
	// nor a decision log were given, so nothing could.
	Matched *waiverMatches `json:"matched"`
	// NeverMatched: requests or logs were given, and none matched it.
	NeverMatched bool `json:"never_matched"`

	expires time.Time
}

// waiverMatches are the decisions a waiver waived a reason of.
type waiverMatches struct {
	// Requests are the request files (a plan's resource changes by their
	// address) whose decision it waived a reason of.
	Requests []string `json:"requests"`
	// LoggedDecisions counts the decision-log lines it waived a reason
	// of; LastLogged is the latest of their timestamps.
	LoggedDecisions int    `json:"logged_decisions"`
	LastLogged      string `json:"last_logged,omitempty"`

	lastLogged time.Time
}

// waiversReport is the json output.
type waiversReport struct {
	Now     string         `json:"now"`
	Checked waiversChecked `json:"checked"`
	Waivers []waiverStatus `json:"waivers"`
}

// waiversChecked says what the waivers were matched against.
type waiversChecked struct {
	Requests        int `json:"requests"`
	LoggedDecisions int `json:"logged_decisions"`
}

func runWaivers(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usageError(fmt.Sprintf("--format %q: want text or json", format))
	}
	fixed, err := nowFlag(c)
	if err != nil {
		return err
	}
	now := fixed
	if now.IsZero() {
		now = time.Now()
	}
	limit, err := maxInput(c)
	if err != nil {
		return err
	}
	var inputs []input
	if c.NArg() > 0 {
		if inputs, err = collectInputs(c.Args().Slice()); err != nil {
			return err
		}
	}
	e, err := newEvaluator(c)
	if err != nil {
		return err
	}
	inv, _ := e.InventorySnapshot()
	statuses, err := inventoryWaivers(inv.Rest(), now)
	if err != nil {
		return err
	}
	logs := c.StringSlice("decision-log")
	checked := waiversChecked{}
	if len(inputs) > 0 || len(logs) > 0 {
		for i := range statuses {
			statuses[i].Matched = &waiverMatches{Requests: []string{}}
		}
	}

	// The requests, decided with the inventory at --now: their waived
	// reasons name the waiver that waived them.
	if len(inputs) > 0 {
		ev := evaluation{e: e, read: inputReader{stdin: c.App.Reader, max: limit}, opts: evaluator.DecideOptions{Now: fixed}}
		results := ev.all(c.Context, inputs)
		if err := resultsError(results); err != nil {
			return err
		}
		checked.Requests = len(results)
		for _, r := range results {
			for _, reason := range r.Decision.Reasons {
				if reason.Waiver == nil {
					continue
				}
				// Decided with this inventory: the waiver's position is its
				// row.
				if i := reason.Waiver.Index; i >= 0 && i < len(statuses) {
					if m := statuses[i].Matched; !slices.Contains(m.Requests, label(r)) {
						m.Requests = append(m.Requests, label(r))
					}
				}
			}
		}
	}

	for _, file := range logs {
		n, err := matchDecisionLog(statuses, file)
		if err != nil {
			return cli.Exit(err.Error(), exitInvalid)
		}
		checked.LoggedDecisions += n
	}

	failing := false
	for i := range statuses {
		s := &statuses[i]
		s.NeverMatched = s.Matched != nil && len(s.Matched.Requests) == 0 && s.Matched.LoggedDecisions == 0
		failing = failing || s.State == waiverExpired || s.NeverMatched
	}
	w := c.App.Writer
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(waiversReport{Now: now.UTC().Format(time.RFC3339), Checked: checked, Waivers: statuses})
	} else {
		err = writeWaiversText(w, statuses, checked, len(inputs) > 0 || len(logs) > 0)
	}
	if err != nil {
		return cli.Exit(fmt.Sprintf("write output: %v", err), exitInternal)
	}
	if failing {
		return cli.Exit("", exitDenied)
	}
	return nil
}

// inventoryWaivers reads settings.waivers and judges each one's expiry at
// now, as the rulebook does: a waiver is expired from its expiry on. The
// evaluator has validated them against the inventory schema (a waiver's
// members and types, its expiry an RFC 3339 time), so a waiver that cannot
// be read here is our bug: an internal error, not bad input.
func inventoryWaivers(inv map[string]any, now time.Time) ([]waiverStatus, error) {
	settings, _ := inv["settings"].(map[string]any)
	list, _ := settings["waivers"].([]any)
	out := make([]waiverStatus, 0, len(list))
	for i, raw := range list {
		var w evaluator.Waiver
		b, err := json.Marshal(raw)
		if err == nil {
			err = json.Unmarshal(b, &w)
		}
		var expires time.Time
		if err == nil {
			expires, err = time.Parse(time.RFC3339Nano, w.Expires)
		}
		if err != nil {
			return nil, cli.Exit(fmt.Sprintf("inventory /settings/waivers/%d, validated, cannot be read: %v", i, err), exitInternal)
		}
		w.Index = i
		state := waiverActive
		switch {
		case !expires.After(now):
			state = waiverExpired
		case expires.Sub(now) <= expiringWithin:
			state = waiverExpiring
		}
		out = append(out, waiverStatus{Waiver: w, State: state, expires: expires})
	}
	return out, nil
}

// matchDecisionLog counts, on each waiver's row, the decisions of a log that
// waived a reason with it, and returns how many decisions the log has. A
// decision counts once per row, however many of its reasons the waiver
// waived: a call's parts on two of its resources show it twice, with
// different resources.
func matchDecisionLog(statuses []waiverStatus, file string) (int, error) {
	return readDecisionLog(file, func(waivers []evaluator.Waiver, at time.Time) {
		seen := map[int]bool{}
		for _, w := range waivers {
			i := loggedWaiver(statuses, w)
			if i < 0 || seen[i] {
				continue
			}
			seen[i] = true
			m := statuses[i].Matched
			m.LoggedDecisions++
			if at.After(m.lastLogged) {
				m.lastLogged = at
				m.LastLogged = at.UTC().Format(time.RFC3339Nano)
			}
		}
	})
}

// loggedWaiver is the row of the waiver a logged decision shows, or -1. A
// log may be older than the inventory (its positions moved, an expiry was
// renewed), so a row matches by what a decision shows of it: the rule, the
// reason and the approver, and the resources and projects it showed among
// the row's. The row at the logged position is preferred.
func loggedWaiver(statuses []waiverStatus, w evaluator.Waiver) int {
	fits := func(i int) bool {
		s := statuses[i].Waiver
		return s.Rule == w.Rule && s.Reason == w.Reason && s.ApprovedBy == w.ApprovedBy &&
			within(w.Resources, s.Resources) && within(w.Projects, s.Projects)
	}
	if w.Index >= 0 && w.Index < len(statuses) && fits(w.Index) {
		return w.Index
	}
	for i := range statuses {
		if fits(i) {
			return i
		}
	}
	return -1
}

// within reports whether every one of shown is in names (a waiver naming
// none covers any).
func within(shown, names []string) bool {
	if len(names) == 0 {
		return len(shown) == 0
	}
	for _, x := range shown {
		if !slices.Contains(names, x) {
			return false
		}
	}
	return true
}

// resultsError is the first request that could not be decided, as the
// command's error: the matches would be incomplete.
func resultsError(results []result) error {
	for _, r := range results {
		if r.Error == nil {
			continue
		}
		msg := printable(label(r)) + ": " + printable(r.Error.Message)
		for _, fe := range r.Error.Errors {
			msg += "\n  " + printable(fe.String())
		}
		code := exitInvalid
		if r.Error.Code == evaluator.CodeInternal {
			code = exitInternal
		}
		return cli.Exit(msg, code)
	}
	return nil
}

// logLine is what a decision-log line is read for: the sidecar's decision
// events ("event": "decision"; OPA's decision-log events, which carry no
// "event", are read when they have a decision_id and a result).
type logLine struct {
	Event      *string         `json:"event"`
	DecisionID string          `json:"decision_id"`
	Result     json.RawMessage `json:"result"`
	Timestamp  string          `json:"timestamp"`
}

// readDecisionLog calls decided with the waivers of every decision of the
// log (one per waived reason), and returns how many decisions it read. Other
// events (refused, inventory) are skipped; a line that is not JSON, or a
// decision whose result is not one, is an error naming the file and line.
func readDecisionLog(file string, decided func([]evaluator.Waiver, time.Time)) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, fmt.Errorf("--decision-log %s: %v", file, unwrapPathError(err))
	}
	defer f.Close()
	r := bufio.NewReader(f)
	decisions := 0
	for n := 1; ; n++ {
		raw, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("%s:%d: %v", file, n, err)
		}
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			decision, lerr := readLogLine(line, decided)
			if lerr != nil {
				return 0, fmt.Errorf("%s:%d: %v", file, n, lerr)
			}
			if decision {
				decisions++
			}
		}
		if err != nil {
			return decisions, nil
		}
	}
}

func (l logLine) isDecision() bool {
	if l.Event != nil {
		return *l.Event == "decision"
	}
	return l.DecisionID != "" && len(l.Result) > 0
}

// readLogLine reads one line of a decision log: whether it is a decision,
// and the waivers its reasons carry (to decided).
func readLogLine(line []byte, decided func([]evaluator.Waiver, time.Time)) (bool, error) {
	var l logLine
	if err := json.Unmarshal(line, &l); err != nil {
		return false, fmt.Errorf("not a decision-log event (a JSON object per line): %v", err)
	}
	if !l.isDecision() {
		return false, nil
	}
	var result struct {
		Reasons []evaluator.Reason `json:"reasons"`
	}
	if err := json.Unmarshal(l.Result, &result); err != nil {
		return false, fmt.Errorf("decision %s: its result is not a decision: %v", printable(l.DecisionID), err)
	}
	at, err := time.Parse(time.RFC3339Nano, l.Timestamp)
	if err != nil && l.Timestamp != "" {
		return false, fmt.Errorf("decision %s: timestamp %q is not an RFC 3339 time", printable(l.DecisionID), printable(l.Timestamp))
	}
	var waivers []evaluator.Waiver
	for _, reason := range result.Reasons {
		if reason.Waiver != nil {
			waivers = append(waivers, *reason.Waiver)
		}
	}
	decided(waivers, at)
	return true, nil
}

// writeWaiversText writes one row per waiver, then a summary.
func writeWaiversText(w io.Writer, statuses []waiverStatus, checked waiversChecked, matching bool) error {
	if len(statuses) == 0 {
		_, err := fmt.Fprintln(w, "no waivers in the inventory (settings.waivers)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tRULE\tCOVERS\tSTATE\tEXPIRES\tMATCHED\tAPPROVED BY\tREASON")
	counts := map[string]int{}
	never := 0
	for _, s := range statuses {
		counts[s.State]++
		if s.NeverMatched {
			never++
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Waiver.Index, printable(s.Waiver.Rule), printable(waiverCovers(s.Waiver)), s.State,
			printable(s.Waiver.Expires), printable(matchedCell(s)), printable(s.Waiver.ApprovedBy), printable(s.Waiver.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	line := fmt.Sprintf("\n%d %s: %d active, %d expiring within 14 days, %d expired", len(statuses), plural(len(statuses), "waiver", "waivers"),
		counts[waiverActive], counts[waiverExpiring], counts[waiverExpired])
	if matching {
		line += fmt.Sprintf("; %d never matched by %d %s and %d logged %s", never, checked.Requests, plural(checked.Requests, "request", "requests"),
			checked.LoggedDecisions, plural(checked.LoggedDecisions, "decision", "decisions"))
	} else {
		line += "; matches not checked (give request files or --decision-log)"
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// waiverCovers says what a waiver narrows to: its resources and projects,
// or every request.
func waiverCovers(w evaluator.Waiver) string {
	if scope := waiverScope(w); len(scope) > 0 {
		return strings.Join(scope, "; ")
	}
	return "any request"
}

// matchedCell says what matched a waiver: "2 requests, 5 logged (last
// 2026-11-20T10:00:00Z)", "never", or "-" when nothing was checked.
func matchedCell(s waiverStatus) string {
	m := s.Matched
	switch {
	case m == nil:
		return "-"
	case s.NeverMatched:
		return "never"
	}
	var parts []string
	if n := len(m.Requests); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, "request", "requests")))
	}
	if m.LoggedDecisions > 0 {
		parts = append(parts, fmt.Sprintf("%d logged (last %s)", m.LoggedDecisions, m.LastLogged))
	}
	return strings.Join(parts, ", ")
}
