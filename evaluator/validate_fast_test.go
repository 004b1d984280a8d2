package evaluator

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/schemas"
)

// mutationValues are values a mutated request puts anywhere: every JSON type,
// and the edges the schemas draw (lengths, limits, formats, duplicates).
var mutationValues = []any{
	nil, true, false, "", " ", "a", "web-1", " web", "web ", "镜像-1", "Aa", "a:b_c-d", "aliyun-x", "acs:x", "x http://y",
	strings.Repeat("n", 128), strings.Repeat("n", 129), strings.Repeat("d", 1025), "a<b", "cn-north-4", "CN-NORTH-4", "cn",
	"full_ecs", "system", "data", "iso", "server", "disk", "cbr_backup", "snapshot", "file", "available", "creating",
	"private", "public", "shared", "market", "pay_as_you_go", "subscription", "huaweicloud", "alibabacloud",
	"2026-11-24T00:00:00Z", "2026-11-24", "2026-13-01T00:00:00Z", "obs://bucket/file.vhd",
	json.Number("0"), json.Number("-1"), json.Number("39"), json.Number("40"), json.Number("1024"), json.Number("1025"),
	json.Number("2048"), json.Number("2049"), json.Number("40.0"), json.Number("40.5"), json.Number("4e1"), json.Number("1e400"),
	[]any{}, []any{"a"}, []any{"a", "a"}, []any{"a", "b"}, []any{json.Number("1"), json.Number("1.0")},
	[]any{map[string]any{"key": "env", "value": "prod"}, map[string]any{"key": "env", "value": "prod"}},
	[]any{map[string]any{"key": "env", "value": "prod"}}, map[string]any{}, map[string]any{"x": json.Number("1")},
	map[string]any{"type": "server", "id": "i-1"}, map[string]any{"type": "cbr_backup", "id": ""},
}

func mutationPaths(v any, prefix []any, out *[][]any) {
	*out = append(*out, slices.Clone(prefix))
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			mutationPaths(c, append(prefix, k), out)
		}
	case []any:
		for i, c := range x {
			mutationPaths(c, append(prefix, i), out)
		}
	}
}

// mutate returns a deep copy of doc with the value at path replaced by val,
// removed (del), or, for an object, given an extra member.
func mutate(doc any, path []any, val any, op int) any {
	b, _ := json.Marshal(doc)
	var cp any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	_ = d.Decode(&cp)
	if len(path) == 0 {
		return cp
	}
	cur := cp
	for i, p := range path {
		last := i == len(path)-1
		switch x := cur.(type) {
		case map[string]any:
			k := p.(string)
			if !last {
				cur = x[k]
				continue
			}
			switch op {
			case 0:
				x[k] = val
			case 1:
				delete(x, k)
			default:
				if m, ok := x[k].(map[string]any); ok {
					m["unexpected"] = val
				} else {
					x[k] = val
				}
			}
		case []any:
			k := p.(int)
			if !last {
				cur = x[k]
				continue
			}
			x[k] = val
		}
	}
	return cp
}

// TestFastValidatorAgreesWithLibrary holds the fast path to its contract on
// every fixture and thousands of mutations of them: when it says valid, the
// library finds no error. It also counts where it sends a request the library
// finds valid to the library anyway (allowed, but a sign it is too strict).
func TestFastValidatorAgreesWithLibrary(t *testing.T) {
	v, err := newValidator(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "requests", "*", "*.json"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	rnd := rand.New(rand.NewSource(5))
	n, accepted, tooStrict := 0, 0, 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := decode(raw, FormatJSON)
		if err != nil {
			continue
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			continue
		}
		provider, _ := obj["provider"].(string)
		op, _ := obj["operation"].(string)
		sf, ok := v.pairs[provider][op]
		if !ok {
			continue
		}
		if _, err := v.lib(sf); err != nil {
			t.Fatal(err)
		}
		fast := sf.fast
		if fast == nil {
			t.Fatalf("%s/%s: the shipped schema has no fast checker", provider, op)
		}
		var paths [][]any
		mutationPaths(doc, nil, &paths)
		variants := []any{doc}
		for _, p := range paths {
			for range 4 {
				variants = append(variants, mutate(doc, p, mutationValues[rnd.Intn(len(mutationValues))], rnd.Intn(3)))
			}
		}
		for _, x := range variants {
			n++
			libValid := len(v.validate(sf, x)) == 0
			switch fast.check(x) {
			case fastValid:
				accepted++
				if !libValid {
					b, _ := json.Marshal(x)
					t.Fatalf("%s: the fast path says valid, the library finds %v in %s", f, v.validate(sf, x), b)
				}
			case fastInvalid:
				if libValid {
					tooStrict++
					if tooStrict <= 3 {
						b, _ := json.Marshal(x)
						t.Errorf("%s: the fast path says invalid, the library valid: %s", f, b)
					}
				}
			}
		}
	}
	if accepted == 0 {
		t.Error("the fast path never said valid")
	}
	t.Logf("%d documents: %d valid by the fast path, %d sent to the library though valid", n, accepted, tooStrict)
}

// TestMatcherAgreesWithRegexp: a word list's set and a pattern's memory give
// the regexp's own answer, in any case, beyond ASCII, and past their bounds.
func TestMatcherAgreesWithRegexp(t *testing.T) {
	words := regexp.MustCompile(`(?i)^(?:available|protecting|OS::Nova::Server)$`)
	region := regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	long := strings.Repeat("a", matcherKeyMax+1)
	cases := []struct {
		re *regexp.Regexp
		s  string
	}{
		{words, "available"}, {words, "AVAILABLE"}, {words, "Protecting"}, {words, "os::nova::server"},
		{words, "availabl"}, {words, "available "}, {words, ""}, {words, "\u212available"},
		{words, "protecting\u212a"}, {words, long},
		{words, "O\u017f::Nova::Server"}, // the long s folds to s: only the regexp knows
		{region, "cn-north-4"}, {region, "CN-north-4"}, {region, "cn"}, {region, long + "-1"},
	}
	wl := newMatcher(words)
	if wl.words == nil {
		t.Fatal("a case-insensitive word list is not read as one")
	}
	if newMatcher(region).words != nil {
		t.Fatal("a pattern that is not a word list is read as one")
	}
	for _, tc := range cases {
		m := newMatcher(tc.re)
		for range 2 { // the second answer may come from memory
			if got, want := m.match(tc.s), tc.re.MatchString(tc.s); got != want {
				t.Errorf("%s on %q: %v, want %v", tc.re, tc.s, got, want)
			}
		}
	}
	m := newMatcher(region)
	for i := range matcherEntries + 10 {
		m.match(fmt.Sprintf("cn-%d", i))
	}
	if len(m.seen) != matcherEntries {
		t.Errorf("a matcher remembers %d strings, want at most %d", len(m.seen), matcherEntries)
	}
}
