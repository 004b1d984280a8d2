package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
)

func (s *Server) handlePutInventory(w http.ResponseWriter, r *http.Request, id *Identity) {
	body, aerr := s.readBody(w, r)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	release, ok := s.gate.enter(r.Context())
	if !ok {
		s.refuse(w, r, id, busy())
		return
	}
	// One change at a time, with file reloads too: the revisions the event
	// names are this change's own.
	s.reloadMu.Lock()
	e := s.eval.Load()
	before := e.InventoryRevision()
	// The body is an inventory, or a cloud's describe or list response.
	inv, err := cloudfacts.ParseInventory(body, evaluator.FormatJSON, "", s.cfg.DataRegion)
	if err == nil {
		// A fact dated by when it was first seen keeps the date the
		// inventory serving gives it.
		inv = cloudfacts.KeepFirstSeen(e.Inventory(), inv)
		// The body is whole: a client that hangs up now does not leave the
		// change half made, nor turn it into a failure.
		err = e.SetInventory(context.WithoutCancel(r.Context()), inv)
	}
	after := e.InventoryRevision()
	s.reloadMu.Unlock()
	release()
	if err != nil {
		s.metrics.invUpdates.WithLabelValues(resultFailure).Inc()
		if evaluator.CodeOf(err) == evaluator.CodeInvalidInventory {
			writeError(w, r, fromEvaluator(err))
			return
		}
		s.log.Error("inventory update failed; the previous inventory keeps serving", "err", err.Error())
		writeError(w, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "the inventory could not be applied: %v", err))
		return
	}
	s.metrics.invUpdates.WithLabelValues(resultSuccess).Inc()
	s.setInventoryStatus("http")
	s.tuneMemory()
	sum := sha256.Sum256(body)
	_ = s.dlog.writeEvent(inventoryEvent{
		Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "http",
		RemoteAddr: r.RemoteAddr, RequestedBy: id.Name, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(body)),
		PreviousRevision: before, Revision: after,
	})
	s.log.Info("inventory replaced", "source", "http", "requested_by", id.Name, "remote_addr", r.RemoteAddr, "bytes", len(body), "revision", after)
	w.WriteHeader(http.StatusNoContent)
}
