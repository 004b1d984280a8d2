package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/imgadmit/imgadmit/evaluator"
)

// invalidInputID is the rule an invalid input is reported under in SARIF and
// in GitHub annotations: the catalogue's id for a request that does not
// match its schema (README, "Request-level ids"), here any input imgadmit
// could not judge (unreadable, malformed, not matching its schema).
const invalidInputID = "REQ-001"

// sarifFingerprint is the key of a result's partial fingerprint: a hash of
// what the finding is about (rule, file, resource, operation), never of the
// decision id or anything else that changes from run to run, so code
// scanning follows one alert across runs.
const sarifFingerprint = "imgadmitFinding/v1"

// sarifLevel is the SARIF level of an effect: a deny is an error, a warn a
// warning; a waived deny and a dry run are notes (notes are not results, but
// a rule's default may be one). A waived deny also carries its suppression,
// but not every consumer reads suppressions (GitHub code scanning documents
// none), and one that does not must not show it as an open error.
func sarifLevel(effect string) string {
	switch effect {
	case evaluator.EffectDeny:
		return "error"
	case evaluator.EffectWarn:
		return "warning"
	}
	return "note"
}

// sarifFinding is one SARIF result before it is built.
type sarifFinding struct {
	ruleID, level, message string
	r                      result
	line                   int
	// reason is the decision's reason the finding reports (nil for an
	// invalid input): its waiver becomes a suppression, its enforcement a
	// property.
	reason *evaluator.Reason
	// nth tells apart two findings of one rule in one result (two REQ-002
	// reasons), for the fingerprint.
	nth int
}

// writeSARIF writes SARIF 2.1.0 for GitHub code scanning: one result per
// deny or warn (notes are left out), per waived deny (with a suppression, so
// code scanning shows it dismissed, with the waiver as its justification)
// and per dry-run deny (a note), and one per invalid input (under
// REQ-001); each located at its input file (line 1 unless an error names
// one) and, for a plan, at its resource address as a logical location. An
// internal error is a tool execution notification, and the run did not
// succeed. rules describe the rules the results name; a reason no rule's
// METADATA describes still gets a descriptor, from the reason.
func writeSARIF(w io.Writer, results []result, rules []evaluator.Rule) error {
	var findings []sarifFinding
	var failures []*sarif.Notification
	reasonOf := map[string]evaluator.Reason{} // a reason per rule id, for rules without METADATA
	for _, r := range results {
		switch {
		case r.Error != nil && r.Error.Code == evaluator.CodeInternal:
			failures = append(failures, sarif.NewNotification().WithLevel("error").
				WithMessage(sarif.NewTextMessage(locationPrefix(r)+r.Error.Message)).
				WithLocations([]*sarif.Location{sarifLocation(r, 1)}))
		case r.Error != nil:
			msg := r.Error.Message
			line := 1
			for _, fe := range r.Error.Errors {
				msg += "\n" + fe.String()
				if line == 1 && fe.Line > 0 {
					line = fe.Line
				}
			}
			findings = append(findings, sarifFinding{ruleID: invalidInputID, level: "error", message: locationPrefix(r) + msg, r: r, line: line})
		default:
			seen := map[string]int{}
			for _, reason := range r.Decision.Reasons {
				if reason.Effect == evaluator.EffectNote {
					continue
				}
				if _, ok := reasonOf[reason.ID]; !ok {
					reasonOf[reason.ID] = reason
				}
				findings = append(findings, sarifFinding{ruleID: reason.ID, level: sarifLevel(reason.Effect),
					message: locationPrefix(r) + reason.Message, r: r, line: 1, nth: seen[reason.ID], reason: &reason})
				seen[reason.ID]++
			}
		}
	}

	// The descriptors of the rules the results name, by id.
	byID := make(map[string]evaluator.Rule, len(rules))
	for _, rule := range rules {
		byID[rule.ID] = rule
	}
	var used []string
	for _, f := range findings {
		if !slices.Contains(used, f.ruleID) {
			used = append(used, f.ruleID)
		}
	}
	sort.Strings(used)
	driver := &sarif.ToolComponent{Name: "imgadmit", Version: &version, Rules: []*sarif.ReportingDescriptor{}}
	for _, id := range used {
		rule, ok := byID[id]
		switch {
		case ok:
		case id == invalidInputID:
			rule = evaluator.Rule{ID: id, Effect: evaluator.EffectDeny, Category: "invalid_input",
				Title:       "The input is invalid",
				Description: "imgadmit could not read the input, or it is not a request, a call or a plan it knows, or it does not match its schema: nothing was judged (an invalid_request error, exit 2).",
				Remediation: "Fix the input where the error points, then run imgadmit again.",
				Source:      "imgadmit request-level rules: the request schema"}
		default:
			reason := reasonOf[id]
			rule = evaluator.Rule{ID: id, Effect: reason.Effect, Category: reason.Category, Title: id,
				Description: id + " (" + reason.Category + ")", Remediation: reason.Remediation, Source: reason.Source}
		}
		driver.Rules = append(driver.Rules, sarifRule(rule))
	}

	run := sarif.NewRun(sarif.Tool{Driver: driver})
	for _, f := range findings {
		res := sarif.NewRuleResult(f.ruleID).WithLevel(f.level).WithMessage(sarif.NewTextMessage(f.message)).
			WithLocations([]*sarif.Location{sarifLocation(f.r, f.line)}).
			WithPartialFingerPrints(map[string]any{sarifFingerprint: fingerprint(f)})
		addSettings(res, f)
		run.AddResult(res)
	}
	ok := len(failures) == 0
	run.AddInvocations(&sarif.Invocation{ExecutionSuccessful: &ok, ToolExecutionNotifications: failures})

	report, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	report.AddRun(run)
	if err := report.PrettyWrite(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// sarifRule describes a rule from its METADATA: its title as the short
// description, its description as the full one, and help telling the
// remediation, the source and where the rule is written.
func sarifRule(rule evaluator.Rule) *sarif.ReportingDescriptor {
	text := strings.TrimSpace(rule.Description)
	md := "**" + rule.Title + "**\n\n" + text + "\n"
	if rule.Remediation != "" {
		text += "\n\nRemediation: " + rule.Remediation
		md += "\n- Remediation: " + rule.Remediation
	}
	if rule.Source != "" {
		text += "\n\nSource: " + rule.Source
		md += "\n- Source: " + rule.Source
	}
	props := sarif.Properties{"tags": append([]string{"imgadmit", rule.Category}, rule.Providers...)}
	if rule.Category == "" {
		props["tags"] = []string{"imgadmit"}
	}
	if rule.File != "" {
		where := "policies/" + rule.File + ":" + strconv.Itoa(rule.Line)
		text += "\n\nRule: " + where
		md += "\n- Rule: `" + where + "`"
		props["rule"] = where
	}
	if rule.EscalatesTo != "" {
		props["escalates_to"] = rule.EscalatesTo
	}
	return sarif.NewRule(rule.ID).
		WithShortDescription(sarif.NewMultiformatMessageString(rule.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString(strings.TrimSpace(rule.Description))).
		WithHelp(sarif.NewMultiformatMessageString(text).WithMarkdown(md)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(rule.Effect))).
		WithProperties(props)
}

// sarifLocation locates a result: its input file at a line, and a plan's
// resource address as a logical location.
func sarifLocation(r result, line int) *sarif.Location {
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(sarifURI(r.File))).
		WithRegion(sarif.NewRegion().WithStartLine(line)))
	if r.Address != "" {
		loc.WithLogicalLocations([]*sarif.LogicalLocation{sarif.NewLogicalLocation().
			WithFullyQualifiedName(r.Address).WithKind("resource")})
	}
	return loc
}

// locationPrefix starts a message about a plan's resource change with its
// address and action; a request's or a call's message has none.
func locationPrefix(r result) string {
	switch {
	case r.Address == "":
		return ""
	case r.Action == "":
		return r.Address + ": "
	}
	return r.Address + " (" + r.Action + "): "
}

// fingerprint hashes what a finding is about: its rule, file, resource
// address and action, what was asked (provider and operation or call) and
// which of its rule's findings in that result it is. Never the decision id,
// a time or the message (which may tell an age that grows every day).
func fingerprint(f sarifFinding) string {
	what := ""
	if d := f.r.Decision; d != nil {
		what = d.Provider + " " + d.Operation
		if d.Call != nil {
			what += " " + d.Call.Label()
		}
	}
	h := sha256.New()
	for _, part := range []string{f.ruleID, repoPath(f.r.File), f.r.Address, f.r.Action, what, strconv.Itoa(f.nth)} {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// repoPath is an input file as code scanning and workflow annotations want
// it: relative to the repository's root when it lies below it (in GitHub
// Actions GITHUB_WORKSPACE, the checkout, even when the step runs in a
// subdirectory; elsewhere the working directory), with forward slashes. A
// path outside it stays as given; standard input is "-".
func repoPath(file string) string {
	if file == "-" {
		return file
	}
	p := file
	wd, err := os.Getwd()
	if err != nil {
		return filepath.ToSlash(filepath.Clean(p))
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(wd, p)
	}
	root := wd
	if ws := os.Getenv("GITHUB_WORKSPACE"); ws != "" && filepath.IsAbs(ws) {
		root = ws
	}
	if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		p = rel
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// sarifURI is repoPath as a URI reference: relative, escaped ("my plans/a
// b.json" is "my%20plans/a%20b.json"); a path outside the working directory
// is a file: URI.
func sarifURI(file string) string {
	p := repoPath(file)
	if filepath.IsAbs(file) && (path.IsAbs(p) || filepath.IsAbs(filepath.FromSlash(p))) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive: file:///C:/...
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// addSettings adds to a finding's result what the operator's settings did:
// a waived deny is suppressed (kind external: the waiver lives in the
// inventory, not in the file), its justification the waiver's reason,
// approver and expiry; a relaxed deny (warn, dryrun) carries its
// enforcement as a property. go-sarif writes a suppression's unset members
// as null, which the SARIF schema refuses, so each is set: status accepted
// (the waiver was approved), the finding's location, and a guid derived
// from the finding and the waiver, the same from run to run.
func addSettings(res *sarif.Result, f sarifFinding) {
	if f.reason == nil {
		return
	}
	if res.Properties == nil {
		res.Properties = sarif.Properties{}
	}
	if e := f.reason.Enforcement; e != "" {
		res.Add("enforcement", e)
	}
	if f.reason.Effect != evaluator.EffectWaived || f.reason.Waiver == nil {
		return
	}
	justification := waiverJustification(f.reason.Waiver)
	guid := uuid.NewSHA1(suppressionSpace, []byte(fingerprint(f)+"\n"+justification)).String()
	res.WithSuppression([]*sarif.Suppression{sarif.NewSuppression("external").WithStatus("accepted").
		WithLocation(sarifLocation(f.r, f.line)).WithGuid(guid).WithJustifcation(justification)})
	res.Add("waiver", f.reason.Waiver)
}

// suppressionSpace is the namespace of the suppressions' name-based guids.
var suppressionSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/imgadmit/imgadmit/sarif/suppression"))
