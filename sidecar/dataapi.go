package sidecar

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/server/types"

	"github.com/imgadmit/imgadmit/evaluator"
)

// pathInventoryBelow is the mux pattern of every path below the inventory.
const pathInventoryBelow = PathInventory + "/{path...}"

// inventoryPath is the path below /v1/data/inventory that r names, one
// segment each, percent-decoded: /v1/data/inventory/resources/images/img%2F1
// is [resources images img/1]. The inventory itself is no segment.
func inventoryPath(r *http.Request) ([]string, *APIError) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), PathInventory)
	if !ok || rest == "" {
		return nil, nil
	}
	var segs []string
	for _, raw := range strings.Split(strings.TrimPrefix(rest, "/"), "/") {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return nil, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidRequest, "the path segment %q is not percent-encoded correctly", raw)
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// etag is the ETag of an inventory revision: the revision, quoted.
func etag(revision string) string { return `"` + revision + `"` }

// handleGetInventory answers GET /v1/data/inventory[/path...] as OPA's Data
// API does: {"result": value}, or {} (200) when there is nothing at the
// path; the ETag is the revision of the inventory the value was read from.
func (s *Server) handleGetInventory(w http.ResponseWriter, r *http.Request, _ *Identity) {
	start := time.Now()
	p, aerr := parseParams(r, paramsDataGet)
	if aerr == nil && p.explain != types.ExplainOffV1 {
		// Reading the inventory evaluates no rule: there is no trace.
		aerr = paramErrorf("explain=%s is taken by the decision endpoints (%s); reading the inventory evaluates no rule, so there is nothing to explain", p.explain, PathOPADecide)
	}
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	segs, aerr := inventoryPath(r)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	e := s.eval.Load()
	// One snapshot: the inventory and its revision are read together.
	inv, revision := e.InventorySnapshot()
	raw, ok, err := inv.AppendJSON(nil, segs)
	if err != nil {
		writeError(w, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "read the inventory: %v", err))
		return
	}
	w.Header().Set("ETag", etag(revision))
	var a dataAnswer
	if ok {
		a.Result = raw
	}
	writeEncoded(w, r, http.StatusOK, s.answer(a, p, e.Revision(), nil, start))
}
