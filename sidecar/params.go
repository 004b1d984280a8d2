package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/server/types"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"

	"github.com/imgadmit/imgadmit/evaluator"
)

// CodeInvalidParameter is the code of a query parameter the endpoint does not
// take, or a value it cannot read.
const CodeInvalidParameter = "invalid_parameter"

// The query parameters OPA defines on its Data API (OPA's server/types).
const (
	paramPretty     = "pretty"
	paramMetrics    = "metrics"
	paramProvenance = "provenance"
	paramInstrument = "instrument"
	paramExplain    = "explain"
	paramStrict     = "strict-builtin-errors"
	paramInput      = "input"
)

// Which parameters each endpoint takes. /v1/admit answers the decision
// itself, with no member beside it for metrics or provenance: pretty only.
// So does a change to the inventory, which answers no document.
var (
	paramsAdmit   = []string{paramPretty}
	paramsOPAPost = []string{paramPretty, paramMetrics, paramProvenance, paramInstrument, paramExplain, paramStrict}
	paramsOPAGet  = append(slices.Clone(paramsOPAPost), paramInput)
	paramsDataGet = paramsOPAPost
	// A change answers 204 with no body (pretty indents its errors), or,
	// asked for metrics, {"metrics": ...} as OPA's writes do.
	paramsDataWrite = []string{paramPretty, paramMetrics}
)

// params are the query parameters of a Data API call, as OPA reads them.
type params struct {
	metrics, provenance bool
	// explain is OPA's explain mode: off, notes, fails, full or debug.
	explain types.ExplainModeV1
	// input are the values of input (GET of the decision), read with the
	// rest so the handler does not parse the query again.
	input []string
}

// explains reports whether p asks for an explanation, which keeps the
// evaluation's trace: never for params{} (no explain read is none asked
// for), since a trace of a large request costs hundreds of megabytes.
func (p params) explains() bool {
	return p.explain != "" && p.explain != types.ExplainOffV1
}

// parseParams reads r's query against the parameters the endpoint takes:
// any other is a 400 naming it (never silently ignored), and so is a value
// OPA would not read (pretty=maybe). OPA's booleans: present without a value,
// or true/false in any case. explain takes OPA's modes (off, the default,
// notes, fails, full, debug); another value is refused where OPA would
// quietly answer without an explanation.
func parseParams(r *http.Request, takes []string) (params, *APIError) {
	p := params{explain: types.ExplainOffV1}
	if r.URL.RawQuery == "" {
		return p, nil
	}
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(takes, name) {
			return p, paramErrorf("unknown query parameter %q; %s %s takes: %s", name, r.Method, endpointName(r.URL.Path), strings.Join(takes, ", "))
		}
		values := q[name]
		switch name {
		case paramInput: // checked by the handler
			p.input = values
			continue
		case paramExplain:
			mode, aerr := explainParam(values)
			if aerr != nil {
				return p, aerr
			}
			p.explain = mode
			continue
		}
		on, aerr := boolParam(name, values)
		if aerr != nil {
			return p, aerr
		}
		switch name {
		case paramMetrics:
			p.metrics = on
		case paramProvenance:
			p.provenance = on
		case paramInstrument:
			// OPA adds its evaluator's finer timers; the sidecar's are the
			// ones it has, given as metrics gives them.
			p.metrics = p.metrics || on
		}
	}
	return p, nil
}

// explainParam reads explain's values: OPA takes the first mode it knows;
// here every value must be one (the last one wins, as for the booleans).
func explainParam(values []string) (types.ExplainModeV1, *APIError) {
	mode := types.ExplainOffV1
	for _, v := range values {
		switch m := types.ExplainModeV1(v); m {
		case types.ExplainOffV1, types.ExplainNotesV1, types.ExplainFailsV1, types.ExplainFullV1, types.ExplainDebugV1:
			mode = m
		default:
			return mode, paramErrorf("the query parameter explain takes notes, fails, full, debug or off, not %q", v)
		}
	}
	return mode, nil
}

// The most an explanation may be: a trace grows with the request (every
// member of a large share is a few hundred events, each with its bindings),
// and a small request must not buy gigabytes of answer.
// Variables, so a test can lower them.
var (
	maxExplainEvents = 100_000
	maxExplainBytes  = 8 << 20
)

// errExplainTooLarge is an explanation past maxExplainEvents or
// maxExplainBytes.
var errExplainTooLarge = errors.New("the explanation is larger than the sidecar answers")

// explanation is OPA's explanation of a decision in mode, as OPA's server
// makes it for its Data API (server.go, getExplainResponse; types.NewTraceV1
// for the encoding): the trace filtered by topdown/lineage, lines when
// pretty, events otherwise. It is built within maxExplainEvents and
// maxExplainBytes, or refused with errExplainTooLarge.
func explanation(x *evaluator.Explanation, mode types.ExplainModeV1, pretty bool) (types.TraceV1, error) {
	if x == nil || mode == types.ExplainOffV1 {
		return nil, nil
	}
	var events []*topdown.Event
	switch mode {
	case types.ExplainNotesV1:
		events = lineage.Notes(x.Trace)
	case types.ExplainFailsV1:
		events = lineage.Fails(x.Trace)
	case types.ExplainFullV1:
		events = lineage.Full(x.Trace)
	case types.ExplainDebugV1:
		events = lineage.Debug(x.Trace)
	}
	if len(events) > maxExplainEvents {
		return nil, errExplainTooLarge
	}
	if pretty {
		buf := &cappedBuffer{max: maxExplainBytes}
		topdown.PrettyTraceWithLocation(buf, events)
		if buf.over {
			return nil, errExplainTooLarge
		}
		return json.Marshal(strings.Split(strings.Trim(buf.String(), "\n"), "\n"))
	}
	// OPA's TraceV1Raw, one event at a time, so the budget stops it early.
	out := []byte{'['}
	for i, e := range events {
		te := types.TraceEventV1{Op: strings.ToLower(string(e.Op)), QueryID: e.QueryID, ParentID: e.ParentID,
			Locals: types.NewBindingsV1(e.Locals), Message: e.Message}
		if e.Node != nil {
			te.Type, te.Node = ast.TypeName(e.Node), e.Node
		}
		b, err := json.Marshal(te)
		if err != nil {
			return nil, err
		}
		if len(out)+len(b) > maxExplainBytes {
			return nil, errExplainTooLarge
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, ']'), nil
}

// cappedBuffer keeps at most max bytes and says whether more were written.
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.over || b.Len()+len(p) > b.max {
		b.over = true
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// boolParam reads a boolean parameter as OPA does: present without a value,
// or true/false in any case; anything else is refused.
func boolParam(name string, values []string) (bool, *APIError) {
	on := false
	for _, v := range values {
		switch {
		case v == "" || strings.EqualFold(v, "true"):
			on = true
		case strings.EqualFold(v, "false"):
		default:
			return false, paramErrorf("the query parameter %s takes true or false, not %q", name, v)
		}
	}
	return on, nil
}

func paramErrorf(format string, args ...any) *APIError {
	return apiErrorf(http.StatusBadRequest, CodeInvalidParameter, format, args...)
}

// endpointName is the path for the messages: every path below the
// inventory is the inventory's endpoint.
func endpointName(path string) string {
	if strings.HasPrefix(path, PathInventory+"/") {
		return PathInventory + "/..."
	}
	return path
}

// timers are what one call measured, by OPA's metric names, in nanoseconds.
type timers map[string]int64

// OPA's names of the timers the sidecar measures.
const (
	timerInputParse = "timer_rego_input_parse_ns" // the request read and validated
	timerQueryEval  = "timer_rego_query_eval_ns"  // the rulebook evaluated
	timerHandler    = "timer_server_handler_ns"   // the whole call, until its answer is encoded
)

// provenance is OPA's ProvenanceV1 for the sidecar, member for member:
// imgadmit's version and build (build_commit, build_timestamp and
// build_hostname always present, empty when the build does not record them,
// as OPA's are; imgadmit's build records no host), the rulebook revision,
// and the bundles serving (--config-file), left out when there are none, as
// OPA leaves them.
type provenance struct {
	Version        string                    `json:"version"`
	BuildCommit    string                    `json:"build_commit"`
	BuildTimestamp string                    `json:"build_timestamp"`
	BuildHostname  string                    `json:"build_hostname"`
	Revision       string                    `json:"revision"`
	Bundles        map[string]bundleRevision `json:"bundles,omitempty"`
}

var buildInfo = sync.OnceValues(func() (commit, timestamp string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			timestamp = s.Value
		}
	}
	return commit, timestamp
})

func (s *Server) provenance(revision string) *provenance {
	commit, timestamp := buildInfo()
	return &provenance{Version: s.version(), BuildCommit: commit, BuildTimestamp: timestamp, Revision: revision, Bundles: s.bundleRevisions()}
}

// dataAnswer is OPA's DataResponseV1, in its members' order: decision_id,
// provenance, explanation, metrics, result (a missing result is no member,
// as OPA's answer for an undefined document).
type dataAnswer struct {
	DecisionID  string          `json:"decision_id,omitempty"`
	Provenance  *provenance     `json:"provenance,omitempty"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
	Metrics     timers          `json:"metrics,omitempty"`
	Result      json.RawMessage `json:"result,omitempty"`
}

// answer completes a Data API answer with what p asks for: the provenance
// (revision: the rulebook's) and the timers, the handler's measured to now.
func (s *Server) answer(a dataAnswer, p params, revision string, t timers, start time.Time) []byte {
	if p.provenance {
		a.Provenance = s.provenance(revision)
	}
	if p.metrics {
		if t == nil {
			t = timers{}
		}
		t[timerHandler] = time.Since(start).Nanoseconds()
		a.Metrics = t
	}
	return a.encode()
}

// encode is the answer as encode writes it. The common answer, a decision
// id, perhaps the timers, and a result the sidecar encoded itself, is
// appended member by member rather than reflected on and the result scanned
// again; one with provenance or an explanation is rare, and left to encode.
func (a *dataAnswer) encode() []byte {
	if a.Provenance != nil || a.Explanation != nil {
		return mustEncode(a)
	}
	b := make([]byte, 0, len(a.DecisionID)+len(a.Result)+64+48*len(a.Metrics))
	b = append(b, '{')
	comma := false
	if a.DecisionID != "" {
		b = appendKey(b, comma, "decision_id")
		b = appendString(b, a.DecisionID)
		comma = true
	}
	if len(a.Metrics) > 0 {
		b = appendKey(b, comma, "metrics")
		b = appendTimers(b, a.Metrics)
		comma = true
	}
	if len(a.Result) > 0 {
		b = appendKey(b, comma, "result")
		b = appendRaw(b, a.Result)
	}
	return append(b, '}', '\n')
}
