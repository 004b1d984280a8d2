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

// Effects, in the order a decision lists them.
const (
	EffectDeny = "deny"
	EffectWarn = "warn"
	EffectNote = "note"
)

// Warned reports whether some reason warns.
func (d *Decision) Warned() bool {
	for _, r := range d.Reasons {
		if r.Effect == EffectWarn {
			return true
		}
	}
	return false
}
