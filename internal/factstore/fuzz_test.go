package factstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FuzzFromValue: whatever document FromValue takes, it never panics, Map
// gives the document back, AppendJSON writes it canonically (reading that
// back is the same inventory, revision and all), and OPA's value of it is
// ast.InterfaceToValue's. `go test` runs the seeds only.
func FuzzFromValue(f *testing.F) {
	for _, s := range docs {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"resources": {"images": {"a": 1, "b": [1.50, -0, 1e3]}}, "resources2": 1}`))
	f.Add([]byte(`{"resources": {"images": []}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil || doc == nil {
			return
		}
		inv, err := FromValue(doc)
		if err != nil {
			// Only a keyed kind that is not an object is refused.
			res, _ := doc["resources"].(map[string]any)
			for _, k := range Kinds {
				if v, there := res[k]; there {
					if _, ok := v.(map[string]any); !ok {
						return
					}
				}
			}
			t.Fatalf("FromValue(%s): %v", raw, err)
		}
		m, err := inv.Map()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(roundTrip(t, m), roundTrip(t, doc)) {
			t.Fatalf("Map() = %s, want %s", canon(t, m), canon(t, doc))
		}
		out, ok, err := inv.AppendJSON(nil, nil)
		if err != nil || !ok {
			t.Fatalf("AppendJSON: %v, %v", ok, err)
		}
		if want := canon(t, doc); !bytes.Equal(out, want) {
			t.Fatalf("AppendJSON = %s, want %s", out, want)
		}
		again := fromJSON(t, string(out))
		if again.Revision() != inv.Revision() || again.Len() != inv.Len() {
			t.Fatalf("FromValue of AppendJSON's document: revision %s, want %s", again.Revision(), inv.Revision())
		}
		want, err := ast.InterfaceToValue(doc)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ASTValue(out); err != nil || got.Compare(want) != 0 {
			t.Fatalf("ASTValue = %v, %v; want %v", got, err, want)
		}
	})
}
