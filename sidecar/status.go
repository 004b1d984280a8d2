package sidecar

import (
	"net/http"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/fleet"
)

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request, _ *Identity) {
	e := s.eval.Load()
	writeJSON(w, r, http.StatusOK, struct {
		Revision string           `json:"revision"`
		Rules    []evaluator.Rule `json:"rules"`
	}{e.Revision(), e.Rules()})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *Identity) {
	writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// readyBody is /health/ready's answer.
type readyBody struct {
	Status    string                  `json:"status"`
	Revision  string                  `json:"revision,omitempty"`
	Rules     int                     `json:"rules,omitempty"`
	Inventory *inventoryStatus        `json:"inventory,omitempty"`
	Reloads   map[string]reloadStatus `json:"reloads,omitempty"`
	// Sync is the last sync, with serve --sync.
	Sync *syncStatus `json:"sync,omitempty"`
	// Bundles are the activated bundles, with --config-file.
	Bundles map[string]fleet.Bundle `json:"bundles,omitempty"`
}

type inventoryStatus struct {
	Source  string   `json:"source"`
	Files   []string `json:"files,omitempty"`
	Updated string   `json:"updated"`
}

// handleReady answers readiness to anyone; the details (revisions, files,
// reload errors) only to a caller with a valid token when the sidecar takes
// tokens: file paths and error messages are not for everyone who can reach
// the port.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request, id *Identity) {
	e := s.eval.Load()
	if e == nil || !s.bundlesReady() {
		setOutcome(w, CodeNotReady)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, r, http.StatusServiceUnavailable, readyBody{Status: "loading"})
		return
	}
	if id == nil {
		writeJSON(w, r, http.StatusOK, readyBody{Status: "ready"})
		return
	}
	s.statusMu.Lock()
	body := readyBody{
		Status:   "ready",
		Revision: e.Revision(),
		Rules:    len(e.Rules()),
		Inventory: &inventoryStatus{
			Source:  s.status.inventorySource,
			Files:   s.cfg.DataFiles,
			Updated: s.status.inventoryTime.Format(time.RFC3339Nano),
		},
	}
	if len(s.status.reloads) > 0 {
		body.Reloads = make(map[string]reloadStatus, len(s.status.reloads))
		for k, v := range s.status.reloads {
			body.Reloads[k] = v
		}
	}
	if s.cfg.Sync != nil {
		st := s.status.sync
		body.Sync = &st
	}
	s.statusMu.Unlock()
	if s.fleet != nil {
		body.Bundles = s.fleet.Bundles()
	}
	writeJSON(w, r, http.StatusOK, body)
}
