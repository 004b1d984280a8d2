package evaluator

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/imgadmit/imgadmit/schemas"
)

// wordList matches the schemas' case-insensitive word lists.
var wordList = regexp.MustCompile(`^\(\?i\)\^\(\?:([^()]*)\)\$$`)

// TestSpellingsAgree: the facts the clouds write in their own words (a
// server's ACTIVE or Running, a backup's OS::Nova::Server) are accepted by
// the schema exactly when the rulebook knows what they mean. A spelling the
// schema accepts and the rulebook does not read would pass validation and
// then match no rule; one the rulebook reads and the schema refuses could
// never arrive. Every spelling is accepted in any case.
func TestSpellingsAgree(t *testing.T) {
	e := newTestEvaluator(t, Options{})
	rs, err := rego.New(rego.Query("data.imgadmit.lib.facts._words"), rego.Compiler(e.state.Load().book.compiler)).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("read the rulebook's spellings: %v %v", rs, err)
	}
	words, _ := rs[0].Expressions[0].Value.(map[string]any)
	raw, err := fs.ReadFile(schemas.FS, "facts.json")
	if err != nil {
		t.Fatal(err)
	}
	var facts any
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatal(err)
	}
	singular := map[string]string{"backups": "backup", "servers": "server", "images": "image", "snapshots": "snapshot"}
	v := mustValidator(t)
	fields := 0
	for kind, byField := range words {
		for field, table := range byField.(map[string]any) {
			mapped := table.(map[string]any)
			fields++
			where := fmt.Sprintf("%s.%s", kind, field)
			pattern, _ := resolvePointer(facts, "/$defs/"+singular[kind]+"/properties/"+field+"/pattern").(string)
			m := wordList.FindStringSubmatch(pattern)
			if m == nil {
				t.Errorf("%s: facts.json has no word list for it (pattern %q)", where, pattern)
				continue
			}
			var schemaWords []string
			for w := range strings.SplitSeq(m[1], "|") {
				schemaWords = append(schemaWords, strings.ToLower(w))
			}
			slices.Sort(schemaWords)
			regoWords := slices.Sorted(maps.Keys(mapped))
			if !slices.Equal(schemaWords, regoWords) {
				t.Errorf("%s: the schema accepts %v, the rulebook reads %v", where, schemaWords, regoWords)
			}
			for _, word := range mapped {
				if _, ok := mapped[word.(string)]; !ok {
					t.Errorf("%s: %q is imgadmit's word for a spelling, but not itself a spelling", where, word)
				}
			}
			for _, w := range regoWords {
				for _, spelled := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
					if errs := v.validateRequest(factRequest(kind, field, spelled)); len(errs) != 0 {
						t.Errorf("%s %q: %v", where, spelled, errs)
					}
				}
			}
			if errs := v.validateRequest(factRequest(kind, field, "not-a-word")); len(errs) != 1 {
				t.Errorf("%s %q: %v, want one error", where, "not-a-word", errs)
			}
		}
	}
	if fields < 8 {
		t.Errorf("checked %d fields: the rulebook reads more spellings", fields)
	}
}

// factRequest is a valid request carrying one fact of one resource.
func factRequest(kind, field, value string) any {
	return map[string]any{
		"provider": "huaweicloud", "operation": "server.start", "region": "cn-north-4",
		"params":    map[string]any{"server_id": "srv-1"},
		"resources": map[string]any{kind: map[string]any{"r-1": map[string]any{field: value}}},
	}
}
