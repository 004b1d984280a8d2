package alibabacloud_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/alibabacloud"
	"github.com/imgadmit/imgadmit/schemas"
)

// TestRecognizes: each response is recognized by exactly its shape, through
// cloudfacts.Recognize too; nothing else is.
func TestRecognizes(t *testing.T) {
	tests := []struct {
		name string
		doc  map[string]any
		want string // the shape's Name; "" for none
	}{
		{"DescribeImages", response(t, "", describeImages(region, image("m-1", "self", account, "Available", "s-1"))).Doc, "ECS DescribeImages"},
		{"DescribeSnapshots", response(t, "", describeSnapshots(snapshot("s-bp1c0doj0taqyzzogwvd", "system", "accomplished", "none"))).Doc, "ECS DescribeSnapshots"},
		{"DescribeInstances", response(t, "", describeInstances(instance("i-bp67acfmxazb4ph8ozrs", "Running", "PostPaid", ""))).Doc, "ECS DescribeInstances"},
		{"DescribeDisks", response(t, "", describeDisks(disk("d-1", region, ""))).Doc, "ECS DescribeDisks"},
		{"an empty DescribeImages page", response(t, "", describeImages(region)).Doc, "ECS DescribeImages"},
		{"a truncated page is still recognized (and reported when read)", doc(`{"RequestId": "r", "Instances": "oops"}`), "ECS DescribeInstances"},
		{"the real API's NextToken paging", doc(`{"RequestId": "r", "NextToken": "t", "MaxResults": 10, "Disks": {"Disk": []}}`), "ECS DescribeDisks"},

		{"an imgadmit inventory", doc(`{"resources": {"images": {}}, "settings": {}}`), ""},
		{"an imgadmit inventory beside an Alibaba list", doc(`{"RequestId": "r", "Images": {"Image": []}, "resources": {}}`), ""},
		{"a request", doc(`{"provider": "alibabacloud", "operation": "snapshot.delete", "params": {"snapshot_id": "s-1"}}`), ""},
		{"a call document", doc(`{"provider": "alibabacloud", "call": {"action": "DescribeImages", "params": {"RegionId": "cn-hangzhou"}}}`), ""},
		{"two lists at once", doc(`{"RequestId": "r", "Images": {"Image": []}, "Snapshots": {"Snapshot": []}}`), ""},
		{"no RequestId", doc(`{"RegionId": "cn-hangzhou", "Images": {"Image": []}}`), ""},
		{"an error response", doc(`{"RequestId": "r", "HostId": "ecs.aliyuncs.com", "Code": "Throttling", "Message": "Request was denied due to request throttling."}`), ""},
		{"DescribeImageFromFamily (one image, not a list)", doc(`{"RequestId": "r", "Image": {"ImageId": "m-1"}}`), ""},
		{"Huawei IMS ListImages", doc(`{"images": [{"id": "i", "__imagetype": "private"}]}`), ""},
		{"Huawei ECS ListServersDetails", doc(`{"count": 1, "servers": [{"id": "s"}]}`), ""},
		{"lowercase Alibaba-like keys", doc(`{"requestId": "r", "images": {"image": []}}`), ""},
		{"an empty document", doc(`{}`), ""},
	}
	shapes := alibabacloud.Shapes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range shapes {
				if s.Recognizes(tt.doc) {
					got = append(got, s.Name)
				}
			}
			want := []string{}
			if tt.want != "" {
				want = []string{tt.want}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("recognized as %q, want %q", got, want)
			}
			s := cloudfacts.Recognize(tt.doc)
			switch {
			case tt.want == "" && s != nil && s.Provider == "alibabacloud":
				t.Errorf("cloudfacts.Recognize: %s %s, want none", s.Provider, s.Name)
			case tt.want != "" && (s == nil || s.Provider != "alibabacloud" || s.Name != tt.want):
				t.Errorf("cloudfacts.Recognize: %v, want alibabacloud %s", s, tt.want)
			}
		})
	}
}

func doc(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// TestWordsAreTheSchemas: the values a reader keeps for an enum fact are
// exactly the values schemas/facts.json accepts for it (its pattern's
// alternatives, in any case), so a value the reader keeps always passes the
// inventory schema and one it refuses never would.
func TestWordsAreTheSchemas(t *testing.T) {
	raw, err := schemas.FS.ReadFile("facts.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Pattern string `json:"pattern"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	alternatives := regexp.MustCompile(`^\(\?i\)\^\(\?:(.*)\)\$$`)
	for _, f := range alibabacloud.EnumFacts() {
		pattern := schema.Defs[f.Kind].Properties[f.Fact].Pattern
		m := alternatives.FindStringSubmatch(pattern)
		if m == nil {
			t.Errorf("%s.%s: pattern %q is not a list of words", f.Kind, f.Fact, pattern)
			continue
		}
		schemaWords := map[string]bool{}
		for _, w := range strings.Split(m[1], "|") {
			schemaWords[strings.ToLower(w)] = true
		}
		readerWords := map[string]bool{}
		for _, w := range f.Words {
			readerWords[strings.ToLower(w)] = true
		}
		if fmt.Sprint(sortedKeys(schemaWords)) != fmt.Sprint(sortedKeys(readerWords)) {
			t.Errorf("%s.%s: the reader keeps %v, the schema accepts %v", f.Kind, f.Fact, sortedKeys(readerWords), sortedKeys(schemaWords))
		}
		// And the evaluator's own check agrees, word by word.
		for _, w := range f.Words {
			inv := fmt.Sprintf(`{"resources": {%q: {"x-1": {%q: %q}}}}`, f.Kind+"s", f.Fact, w)
			if _, err := evaluator.ParseInventory([]byte(inv), evaluator.FormatJSON); err != nil {
				t.Errorf("%s: %v", inv, err)
			}
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
