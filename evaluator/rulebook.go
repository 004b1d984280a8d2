package evaluator

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// rulebook is a compiled set of policies with what the decision needs to
// carry about it: its revision and its rules' METADATA.
type rulebook struct {
	compiler *ast.Compiler
	revision string
	rules    []Rule
}

// deniedBuiltins are refused at compile time: a rule can read only the request
// and the inventory, never a file, the network, or the process environment.
var deniedBuiltins = map[string]bool{
	"http.send":          true,
	"opa.runtime":        true,
	"net.lookup_ip_addr": true,
}

// capabilities is what the rulebook may use: this OPA's builtins less deniedBuiltins.
func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0]
	for _, b := range c.Builtins {
		if !deniedBuiltins[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	return c
}

// loadRulebook parses and compiles every .rego file under fsys except tests.
// The revision is a digest of the files' names and contents, so the same
// rulebook always has the same revision, on any machine.
func loadRulebook(fsys fs.FS) (*rulebook, error) { return loadRulebookOver(fsys, nil) }

// loadRulebookOver is loadRulebook, except that when the files are those
// of current (the same revision) current is returned without compiling
// again: a bundle polled anew carries the same rulebook most times.
func loadRulebookOver(fsys fs.FS, current *rulebook) (*rulebook, error) {
	caps := capabilities()
	modules := map[string]*ast.Module{}
	h := sha256.New()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Hidden entries are skipped: a Kubernetes ConfigMap mount holds every
		// file twice, once behind a ..<timestamp> directory.
		if p != "." && strings.HasPrefix(path.Base(p), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("read rulebook: %v", err), err: err}
	}
	if len(names) == 0 {
		return nil, &Error{Code: CodeInvalidRulebook, Message: "the rulebook has no .rego files"}
	}
	sort.Strings(names)
	srcs := make([]string, len(names))
	for i, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("read %s: %v", name, err), err: err}
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(src))
		h.Write(src)
		srcs[i] = string(src)
	}
	revision := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if current != nil && current.revision == revision {
		return current, nil
	}
	// The files are parsed on every core (start-up of a one-file `eval` is
	// mostly parsing and compiling the rulebook); the first error in file
	// order is the one reported, as when parsing one after the other.
	parsed := make([]*ast.Module, len(names))
	errs := make([]error, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(names); i = int(next.Add(1)) - 1 {
				parsed[i], errs[i] = ast.ParseModuleWithOpts(names[i], srcs[i], ast.ParserOptions{
					ProcessAnnotation: true,
					RegoVersion:       ast.RegoV1,
					Capabilities:      caps,
				})
			}
		})
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("parse rulebook: %v", errs[i]), err: errs[i]}
		}
		modules[name] = parsed[i]
	}
	c := ast.NewCompiler().WithCapabilities(caps).WithStrict(true).WithEnablePrintStatements(false)
	c.Compile(modules)
	if c.Failed() {
		return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("compile rulebook: %v", c.Errors), err: c.Errors}
	}
	rules, err := rulesFromMetadata(c)
	if err != nil {
		return nil, err
	}
	return &rulebook{
		compiler: c,
		revision: revision,
		rules:    rules,
	}, nil
}

var (
	validEffects    = map[string]bool{EffectDeny: true, EffectWarn: true, EffectNote: true}
	validCategories = map[string]bool{"constraint": true, "billing": true, "lifecycle": true, "missing_fact": true}
)

// rulesFromMetadata lists every rule that carries a custom.id, sorted by id.
// A rule without title, effect, category or source is a rulebook error: the
// reason it would give could not say what it is.
func rulesFromMetadata(c *ast.Compiler) ([]Rule, error) {
	var rules []Rule
	seen := map[string]string{}
	for _, ref := range c.GetAnnotationSet().Flatten() {
		a := ref.Annotations
		if a == nil || a.Scope != "rule" {
			continue
		}
		id, _ := a.Custom["id"].(string)
		if id == "" {
			continue
		}
		str := func(k string) string { s, _ := a.Custom[k].(string); return s }
		r := Rule{
			ID:          id,
			Effect:      str("effect"),
			EscalatesTo: str("escalates_to"),
			Category:    str("category"),
			Title:       a.Title,
			Description: strings.TrimSpace(a.Description),
			Source:      str("source"),
			Remediation: str("remediation"),
		}
		if a.Location != nil {
			r.File, r.Line = a.Location.File, a.Location.Row
		}
		where := fmt.Sprintf("%s:%d", r.File, r.Line)
		providers, err := ruleProviders(a.Custom["providers"])
		if err != nil {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule %s (%s) has custom.providers %v: %v", id, where, a.Custom["providers"], err)}
		}
		r.Providers = providers
		if prev, dup := seen[id]; dup {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule id %s is used twice: %s and %s", id, prev, where)}
		}
		seen[id] = where
		var missing []string
		for k, v := range map[string]string{"title": r.Title, "custom.effect": r.Effect, "custom.category": r.Category, "custom.source": r.Source} {
			if v == "" {
				missing = append(missing, k)
			}
		}
		if len(r.Providers) == 0 {
			missing = append(missing, "custom.providers")
		}
		if r.Effect == EffectDeny && r.Remediation == "" {
			missing = append(missing, "custom.remediation")
		}
		// A misspelt effect or category would make reasons no consumer
		// understands (and, for a deny, could be read as not refusing).
		if r.Effect != "" && !validEffects[r.Effect] {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule %s (%s) has custom.effect %q; want deny, warn or note", id, where, r.Effect)}
		}
		if r.EscalatesTo != "" && r.EscalatesTo != EffectDeny {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule %s (%s) has custom.escalates_to %q; want deny", id, where, r.EscalatesTo)}
		}
		if r.Category != "" && !validCategories[r.Category] {
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule %s (%s) has custom.category %q; want constraint, billing, lifecycle or missing_fact", id, where, r.Category)}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return nil, &Error{Code: CodeInvalidRulebook, Message: fmt.Sprintf("rule %s (%s) lacks METADATA %s", id, where, strings.Join(missing, ", "))}
		}
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, nil
}

// ruleProviderNames are the clouds a rule can judge.
var ruleProviderNames = map[string]bool{"huaweicloud": true, "alibabacloud": true}

// ruleProviders reads a rule's custom.providers: a list of known providers,
// each once, sorted.
func ruleProviders(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("want a list of providers")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		p, _ := x.(string)
		if !ruleProviderNames[p] {
			return nil, fmt.Errorf("%v is not a provider (huaweicloud, alibabacloud)", x)
		}
		if slices.Contains(out, p) {
			return nil, fmt.Errorf("%s is listed twice", p)
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}
