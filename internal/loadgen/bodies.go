package loadgen

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Requests reads the request fixtures under dir (fixtures/requests): every
// .json file except the invalid ones (REQ-001, REQ-003, which are refused
// before evaluation, not decided). The mix is the one BenchmarkDecide uses:
// allowed, denied, multi-reason, both providers.
func Requests(dir string) ([][]byte, []string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".json" {
			return nil
		}
		if strings.Contains(p, "REQ-001") || strings.Contains(p, "REQ-003") {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read fixtures: %w", err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no request fixtures under %s", dir)
	}
	reqs := make([][]byte, len(files))
	for i, f := range files {
		if reqs[i], err = os.ReadFile(f); err != nil {
			return nil, nil, err
		}
		if !json.Valid(reqs[i]) {
			return nil, nil, fmt.Errorf("%s is not JSON", f)
		}
	}
	return reqs, files, nil
}

// DataBodies wraps requests as OPA Data API bodies, {"input": request},
// compacted: what any OPA client sends to /v1/data/imgadmit/decision.
func DataBodies(reqs [][]byte) [][]byte {
	out := make([][]byte, len(reqs))
	for i, r := range reqs {
		var b strings.Builder
		b.WriteString(`{"input":`)
		var c strings.Builder
		compact(&c, r)
		b.WriteString(c.String())
		b.WriteString("}")
		out[i] = []byte(b.String())
	}
	return out
}

func compact(b *strings.Builder, raw []byte) {
	var v json.RawMessage = raw
	out, err := json.Marshal(v) // Marshal of a RawMessage compacts it
	if err != nil {
		b.Write(raw)
		return
	}
	b.Write(out)
}
