package evaluator

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/imgadmit/imgadmit/policies"
)

// everyRequest are the rules that must look at every request: they are about
// the request as a whole (a missing fact, an unknown operation), not about
// one operation.
var everyRequest = map[string]bool{"REQ-002": true, "REQ-003": true}

// TestRulesAreIndexedByOperation keeps the convention of docs/writing-rules.md
// that makes a decision cost only the rules of its operation: every reasons
// and missing_facts rule tests input.operation, then input.provider, in its own
// body before anything else, so that OPA's rule index skips it for every other
// request. A rule that starts with a helper is entered for every request.
func TestRulesAreIndexedByOperation(t *testing.T) {
	checked := 0
	for p, m := range ruleModules(t) {
		for _, r := range m.Rules {
			name := r.Head.Ref().String()
			if name != "reasons" && name != "missing_facts" {
				continue
			}
			if id := ruleID(r); everyRequest[id] {
				continue
			}
			checked++
			if len(r.Body) < 2 || !tests(r.Body[0], "operation") || !tests(r.Body[1], "provider") {
				t.Errorf("%s:%d: %s starts with %q: want input.operation == (or in) ..., then input.provider == ...",
					p, r.Location.Row, name, firstExprs(r.Body))
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d rules: the rulebook has more", checked)
	}
}

// ruleModules parses every rule file of the embedded rulebook (tests left
// out), by path.
func ruleModules(t *testing.T) map[string]*ast.Module {
	t.Helper()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(policies.FS, "rules", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		modules[p], err = ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return modules
}

func ruleID(r *ast.Rule) string {
	for _, a := range r.Annotations {
		if id, ok := a.Custom["id"].(string); ok {
			return id
		}
	}
	return ""
}

// tests reports whether expr is `input.<field> == "x"` or `input.<field> in {...}`.
func tests(expr *ast.Expr, field string) bool {
	if expr.Negated || !expr.IsCall() || len(expr.Operands()) != 2 {
		return false
	}
	op := expr.Operator().String()
	if op != ast.Equal.Name && op != ast.Member.Name && op != "internal.member_2" {
		return false
	}
	want := ast.MustParseRef("input." + field)
	lhs, ok := expr.Operand(0).Value.(ast.Ref)
	if !ok || !lhs.Equal(want) {
		return false
	}
	switch expr.Operand(1).Value.(type) {
	case ast.String, ast.Set:
		return true
	}
	return false
}

func firstExprs(b ast.Body) string {
	var out []string
	for i := 0; i < len(b) && i < 2; i++ {
		out = append(out, b[i].String())
	}
	return strings.Join(out, "; ")
}
