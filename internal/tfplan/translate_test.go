package tfplan

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const project = "0605767a3300d5762fb7c0186d8d2b3b"

// planOf is a plan of one resource change of typ, with a provider
// configuration whose region is a constant (cn-north-4, cn-hangzhou).
func planOf(typ, actions, before, after, unknown string) []byte {
	provider, short, region := "registry.terraform.io/huaweicloud/huaweicloud", "huaweicloud", "cn-north-4"
	if strings.HasPrefix(typ, "alicloud_") {
		provider, short, region = "registry.terraform.io/aliyun/alicloud", "alicloud", "cn-hangzhou"
	}
	if unknown == "" {
		unknown = "{}"
	}
	return []byte(fmt.Sprintf(`{"format_version": "1.2", "terraform_version": "1.9.8",
	  "planned_values": {"root_module": {}},
	  "resource_changes": [{"address": "%[1]s.x", "mode": "managed", "type": "%[1]s", "name": "x", "provider_name": "%[2]s",
	    "change": {"actions": %[3]s, "before": %[4]s, "after": %[5]s, "after_unknown": %[6]s}}],
	  "configuration": {"provider_config": {"%[7]s": {"name": "%[7]s", "full_name": "%[2]s", "expressions": {"region": {"constant_value": "%[8]s"}}}},
	    "root_module": {"resources": [{"address": "%[1]s.x", "mode": "managed", "type": "%[1]s", "name": "x", "provider_config_key": "%[7]s"}]}}}`,
		typ, provider, actions, before, after, unknown, short, region))
}

// outcome is what a test expects of one Change: its action, the canonical
// requests (whole, with facts) and the decision (allowed, reasons as
// "effect ID" sorted and unique), or why it is skipped.
type outcome struct {
	action   string
	requests string
	allowed  bool
	reasons  string
	unknown  string // a part of Translation.Unknown
	skipped  string // a part of Skipped
}

func (o outcome) String() string {
	return fmt.Sprintf("%s requests=%s allowed=%v reasons=%q unknown=%q skipped=%q", o.action, o.requests, o.allowed, o.reasons, o.unknown, o.skipped)
}

func outcomesOf(t *testing.T, changes []Change) []outcome {
	t.Helper()
	e := newEvaluator(t)
	var out []outcome
	for _, c := range changes {
		if c.Err != nil {
			t.Fatalf("%s: %v", c.Address, c.Err)
		}
		o := outcome{action: c.Action, skipped: c.Skipped}
		if c.Translation != nil {
			var reqs []any
			for _, p := range c.Translation.Parts {
				reqs = append(reqs, p.Request)
			}
			if reqs != nil {
				b, _ := json.Marshal(reqs)
				o.requests = string(b)
			}
			o.unknown = c.Translation.Unknown
			d := decide(t, e, c)
			o.allowed = d.Allowed
			var rs []string
			for _, r := range d.Reasons {
				rs = append(rs, r.Effect+" "+r.ID)
			}
			sort.Strings(rs)
			rs = compact(rs)
			o.reasons = strings.Join(rs, ",")
		}
		out = append(out, o)
	}
	return out
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func check1(t *testing.T, got, want []outcome) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.action != w.action || !sameJSON(g.requests, w.requests) || g.allowed != w.allowed || g.reasons != w.reasons ||
			!strings.Contains(g.unknown, w.unknown) || (w.unknown == "" && g.unknown != "") ||
			!strings.Contains(g.skipped, w.skipped) || (w.skipped == "" && g.skipped != "") {
			t.Errorf("change %d:\n got %v\nwant %v", i, g, w)
		}
	}
}

type planCase struct {
	name, typ, actions, before, after, unknown string
	want                                       []outcome
}

func runCases(t *testing.T, cases []planCase) {
	for _, tc := range cases {
		t.Run(tc.typ+"/"+tc.name, func(t *testing.T) {
			changes, err := TranslateJSON(planOf(tc.typ, tc.actions, tc.before, tc.after, tc.unknown), Options{ProjectID: project})
			if err != nil {
				t.Fatal(err)
			}
			got := outcomesOf(t, changes)
			if os.Getenv("TFPLAN_PRINT") != "" {
				for _, o := range got {
					fmt.Printf("// %s\n{action: %q, requests: `%s`, allowed: %v, reasons: %q, unknown: %q, skipped: %q},\n", tc.typ+"/"+tc.name, o.action, o.requests, o.allowed, o.reasons, o.unknown, o.skipped)
				}
			}
			check1(t, got, tc.want)
		})
	}
}
