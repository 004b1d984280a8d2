package evaluator

// Decision is the answer to a request (SPEC "The decision").
type Decision struct {
	Allowed    bool   `json:"allowed"`
	DecisionID string `json:"decision_id"`
	Provider   string `json:"provider"`
	Operation  string `json:"operation"`
	// Call and Requests are set for a real API call: which call it was, and
	// the canonical requests it became, as they were decided.
	Call     *Call            `json:"call,omitempty"`
	Requests []map[string]any `json:"requests,omitempty"`
	Reasons  []Reason         `json:"reasons"`
	Rulebook Rulebook         `json:"rulebook"`
	// Explanation is how the decision was reached, when DecideOptions.Explain
	// asked; never part of the decision's JSON.
	Explanation *Explanation `json:"-"`
}

// Reason is one rule's finding, built in Rego from the rule's METADATA.
type Reason struct {
	ID          string `json:"id"`
	Effect      string `json:"effect"`
	Category    string `json:"category"`
	Message     string `json:"message"`
	Remediation string `json:"remediation,omitempty"`
	Source      string `json:"source"`
	// Enforcement is the operator's enforcement of the rule's deny
	// (settings.enforcement: deny, warn or dryrun), when the settings name
	// the rule.
	Enforcement string `json:"enforcement,omitempty"`
	// Waiver is the waiver that waived this deny (effect waived).
	Waiver *Waiver `json:"waiver,omitempty"`
}

// Waiver is an exception to a rule's deny, from settings.waivers, as a
// decision shows it: which one, who approved it, why, until when, and of the
// resources and projects it names only those of the request (a waiver may
// name other tenants'; a decision never shows them).
type Waiver struct {
	// Index is the waiver's position in settings.waivers.
	Index      int      `json:"index"`
	Rule       string   `json:"rule"`
	Resources  []string `json:"resources,omitempty"`
	Projects   []string `json:"projects,omitempty"`
	Expires    string   `json:"expires"`
	Reason     string   `json:"reason"`
	ApprovedBy string   `json:"approved_by"`
}

// Rulebook identifies the rules that made a decision.
type Rulebook struct {
	Revision string `json:"revision"`
	Rules    int    `json:"rules"`
}

// Rule describes one rule of the rulebook, from its METADATA.
type Rule struct {
	ID          string `json:"id"`
	Effect      string `json:"effect"`
	EscalatesTo string `json:"escalates_to,omitempty"`
	Category    string `json:"category"`
	// Providers are the clouds whose requests the rule judges.
	Providers   []string `json:"providers"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Source      string   `json:"source"`
	Remediation string   `json:"remediation,omitempty"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
}

// Effects, in the order a decision lists them. A rule's own effect is deny,
// warn or note; waived and dryrun are a deny under the operator's settings
// (a waiver, or enforcement dryrun), which never refuse.
const (
	EffectDeny   = "deny"
	EffectWarn   = "warn"
	EffectNote   = "note"
	EffectWaived = "waived"
	EffectDryrun = "dryrun"
)

// decisionEffects are the effects a decision's reason may have.
var decisionEffects = map[string]bool{EffectDeny: true, EffectWarn: true, EffectNote: true, EffectWaived: true, EffectDryrun: true}

// Warned reports whether some reason warns.
func (d *Decision) Warned() bool {
	for _, r := range d.Reasons {
		if r.Effect == EffectWarn {
			return true
		}
	}
	return false
}
