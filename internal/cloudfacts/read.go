package cloudfacts

import (
	"bufio"
	"errors"
	"fmt"
	"os"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts/facts"
	"github.com/imgadmit/imgadmit/internal/factstore"
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

// ReadInventoryFacts is ReadInventory made the facts the evaluator serves.
// One --data file that is an imgadmit inventory in JSON (a fleet's, a
// million resources) is read as it is read from disk
// (evaluator.ReadInventoryStream), never held whole; anything else (YAML,
// the clouds' responses, files to merge) is read as ReadInventory reads it.
// An error in a streamed file is reported as ReadInventory reports it, with
// lines, by reading the file again.
func ReadInventoryFacts(paths []string, region string) (*factstore.Inventory, error) {
	if len(paths) == 1 && evaluator.FormatForName(paths[0]) == evaluator.FormatJSON {
		inv, ok, err := streamFile(paths[0])
		if ok {
			if err == nil {
				return inv, nil
			}
			if _, lined := ReadInventory(paths, region); lined != nil {
				return nil, lined
			}
			return nil, inFile(err, paths[0])
		}
	}
	doc, err := ReadInventory(paths, region)
	if err != nil {
		return nil, err
	}
	return evaluator.FactsOf(doc)
}

// streamFile reads the inventory in the file at p as it reads it, and is
// false when the file is not an imgadmit inventory (or cannot be opened:
// ReadInventory says why).
func streamFile(p string) (*factstore.Inventory, bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	if !evaluator.IsInventoryHead(br) {
		return nil, false, nil
	}
	inv, err := evaluator.ReadInventoryStream(br)
	return inv, true, err
}
