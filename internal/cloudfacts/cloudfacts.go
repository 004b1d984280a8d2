// Package cloudfacts turns the clouds' own describe and list responses into
// an imgadmit inventory (SPEC, "Facts from the clouds"): each response is
// recognized by its shape and read by its provider's package; responses
// read together complete one another (a server's backups from the backups'
// resource_id, a snapshot's images from the images' disk mappings).
package cloudfacts

import (
	"github.com/imgadmit/imgadmit/internal/cloudfacts/alibabacloud"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/huaweicloud"
)

// shapes are every response shape imgadmit reads.
var shapes = append(huaweicloud.Shapes(), alibabacloud.Shapes()...)

// Shapes lists every response shape imgadmit reads.
func Shapes() []facts.Shape { return shapes }

// Recognize is the shape of doc, or nil when doc is no response imgadmit
// reads (an imgadmit inventory, say).
func Recognize(doc map[string]any) *facts.Shape {
	for i := range shapes {
		if shapes[i].Recognizes(doc) {
			return &shapes[i]
		}
	}
	return nil
}

// Inventory reads responses together into the inventory they make. Every
// response must be of a shape Recognize knows.
func Inventory(responses []facts.Response) (map[string]any, error) {
	set := facts.NewSet()
	for _, r := range responses {
		shape := Recognize(r.Doc)
		if shape == nil {
			set.Problem(r, "", "not a response imgadmit reads; it reads: %s", shapeNames())
			continue
		}
		shape.Read(r, set)
	}
	return set.Inventory()
}

func shapeNames() string {
	out := ""
	for i, s := range shapes {
		if i > 0 {
			out += ", "
		}
		out += s.Provider + " " + s.Name
	}
	return out
}
