package cloudfacts

import (
	"errors"
	"fmt"
	"os"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
)

// ParseInventory reads one inventory document written in format f: an
// imgadmit inventory, checked as evaluator.ParseInventory checks it, or a
// cloud's describe or list response, read into the inventory it makes.
// name names the document in errors; region is the region a response that
// does not say its own is of (Huawei responses never do: --region).
func ParseInventory(raw []byte, f evaluator.Format, name, region string) (map[string]any, error) {
	doc, err := evaluator.DecodeDocument(raw, f, evaluator.CodeInvalidInventory)
	if err != nil {
		return nil, inFile(err, name)
	}
	if obj, ok := doc.(map[string]any); ok && Recognize(obj) != nil {
		inv, err := Inventory([]facts.Response{{Name: name, Doc: obj, Region: region}})
		return inv, inFile(err, name)
	}
	inv, err := evaluator.InventoryOf(doc, raw, f)
	return inv, inFile(err, name)
}

// ReadInventory reads --data files (JSON or YAML, by extension): imgadmit
// inventories and the clouds' responses, merged in order as
// evaluator.ReadInventory merges inventories. The responses are read
// together, so that one completes another (a server's backups from a
// backups list), and the inventory they make takes the place of the first
// of them. region is the region of responses that do not say theirs.
func ReadInventory(paths []string, region string) (map[string]any, error) {
	type part struct {
		inv       map[string]any
		responses bool // the place of the responses' inventory
	}
	var parts []part
	var responses []facts.Response
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, &evaluator.Error{Code: evaluator.CodeInvalidInventory, Message: fmt.Sprintf("read inventory: %v", err), File: p}
		}
		f := evaluator.FormatForName(p)
		doc, err := evaluator.DecodeDocument(raw, f, evaluator.CodeInvalidInventory)
		if err != nil {
			return nil, inFile(err, p)
		}
		if obj, ok := doc.(map[string]any); ok && Recognize(obj) != nil {
			if len(responses) == 0 {
				parts = append(parts, part{responses: true})
			}
			responses = append(responses, facts.Response{Name: p, Doc: obj, Region: region})
			continue
		}
		inv, err := evaluator.InventoryOf(doc, raw, f)
		if err != nil {
			return nil, inFile(err, p)
		}
		parts = append(parts, part{inv: inv})
	}
	var fromResponses map[string]any
	if len(responses) > 0 {
		var err error
		if fromResponses, err = Inventory(responses); err != nil {
			return nil, err
		}
	}
	merged := map[string]any{}
	for _, pt := range parts {
		inv := pt.inv
		if pt.responses {
			inv = fromResponses
		}
		merged = evaluator.MergeInventory(merged, inv)
	}
	return merged, nil
}

// inFile names the file an evaluator error is in, unless it names one.
func inFile(err error, name string) error {
	var e *evaluator.Error
	if errors.As(err, &e) && e.File == "" {
		e.File = name
	}
	return err
}
