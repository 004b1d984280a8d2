package sidecar

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
	"github.com/imgadmit/imgadmit/internal/cloudfacts"
	"github.com/imgadmit/imgadmit/internal/factstore"
)

// Error codes of the Data API's writes.
const (
	CodeResourceNotFound   = "resource_not_found"
	CodeResourceConflict   = "resource_conflict" // a PUT below a value that cannot hold it, as OPA names it
	CodePreconditionFailed = "precondition_failed"
)

// write is a change to the inventory as its request asks it: the path
// below /v1/data/inventory it changes, its query parameters, when it
// started and what it measured before the change (the body read).
type write struct {
	segs   []string
	params params
	start  time.Time
	timers timers
	// release gives back the write slot (writeTarget).
	release func()
}

// bodyRead records the time the body took to read and decode, under
// OPA's name for it.
func (wr *write) bodyRead() {
	wr.timers = timers{timerInputParse: time.Since(wr.start).Nanoseconds()}
}

// handlePutInventory answers PUT /v1/data/inventory (the whole inventory, or
// a cloud's describe or list response) and PUT below it (the value at the
// path, its missing parent objects made).
func (s *Server) handlePutInventory(w http.ResponseWriter, r *http.Request, id *Identity) {
	wr, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	defer wr.release()
	segs := wr.segs
	if len(segs) == 0 {
		s.putWholeInventory(w, r, id, wr)
		return
	}
	body, aerr := s.readInventoryBody(w, r, evaluator.CodeInvalidInventory)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	value, err := evaluator.DecodeDocument(body, evaluator.FormatJSON, evaluator.CodeInvalidInventory)
	if err != nil {
		writeError(w, r, fromEvaluator(err))
		return
	}
	if obj, ok := value.(map[string]any); ok && cloudfacts.Recognize(obj) != nil {
		writeError(w, r, apiErrorf(http.StatusBadRequest, evaluator.CodeInvalidInventory,
			"the body is a cloud's describe or list response: PUT it to %s, the whole inventory, not below it", PathInventory))
		return
	}
	wr.bodyRead()
	s.changeInventory(w, r, id, wr, bodyDigest(body), inventoryChange{
		paths: [][]string{segs},
		edit: func(doc map[string]any) (map[string]any, error) {
			return rootObject(edit(doc, segs, editPut, value))
		},
	})
}

// putWholeInventory answers PUT /v1/data/inventory. An imgadmit inventory
// is read as it arrives (evaluator.ReadInventoryStream), up to
// --max-inventory-body, never held whole as bytes; a cloud's response
// (or YAML) is read whole, then converted.
func (s *Server) putWholeInventory(w http.ResponseWriter, r *http.Request, id *Identity, wr write) {
	b, aerr := openBody(w, r, s.cfg.MaxInventoryBody, "--max-inventory-body")
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	defer b.close()
	digest := newBodyDigest()
	// --read-timeout bounds the wait for each part of the body, not the
	// whole: a fleet's inventory takes longer than a request to send.
	rd := &progressDeadline{r: b.rd, rc: http.NewResponseController(w), read: s.cfg.ReadTimeout, write: s.cfg.WriteTimeout}
	br := bufio.NewReaderSize(io.TeeReader(rd, digest), 64<<10)
	var next *factstore.Inventory
	var err error
	if !b.yaml && evaluator.IsInventoryHead(br) {
		next, err = evaluator.ReadInventoryStream(br)
	} else {
		var raw []byte
		if raw, err = io.ReadAll(br); err == nil {
			var inv map[string]any
			f := evaluator.FormatJSON
			if b.yaml {
				f = evaluator.FormatYAML
			}
			if inv, err = cloudfacts.ParseInventory(raw, f, "", s.cfg.DataRegion); err == nil {
				next, err = evaluator.FactsOf(inv)
			}
		}
	}
	if err != nil {
		s.metrics.invUpdates.WithLabelValues(resultFailure).Inc()
		var re *evaluator.Error
		if !errors.As(err, &re) {
			writeError(w, r, b.readError(err))
			return
		}
		if errors.As(err, new(*http.MaxBytesError)) {
			writeError(w, r, b.tooLarge)
			return
		}
		writeError(w, r, fromEvaluator(err))
		return
	}
	wr.bodyRead()
	s.changeInventory(w, r, id, wr, digest, inventoryChange{
		whole: func(*factstore.Inventory) (*factstore.Inventory, error) { return next, nil },
	})
}

// progressDeadline moves the connection's read deadline past each read:
// a body that keeps arriving is read to its end, one that stalls for
// --read-timeout is cut. The write deadline (--write-timeout, counted by
// net/http from the end of the headers) moves with it, so that the answer
// to a long upload is still written once the change is made.
type progressDeadline struct {
	r           io.Reader
	rc          *http.ResponseController
	read, write time.Duration
}

func (p *progressDeadline) Read(b []byte) (int, error) {
	now := time.Now()
	if p.read > 0 {
		_ = p.rc.SetReadDeadline(now.Add(p.read))
	}
	if p.write > 0 {
		_ = p.rc.SetWriteDeadline(now.Add(p.write))
	}
	return p.r.Read(b)
}

// handleDeleteInventory answers DELETE /v1/data/inventory (the inventory
// becomes empty) and DELETE below it (404 when there is nothing there, as
// OPA answers).
func (s *Server) handleDeleteInventory(w http.ResponseWriter, r *http.Request, id *Identity) {
	wr, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	defer wr.release()
	if len(wr.segs) == 0 {
		s.changeInventory(w, r, id, wr, bodyDigest(nil), inventoryChange{
			whole: func(*factstore.Inventory) (*factstore.Inventory, error) { return factstore.Empty(), nil },
		})
		return
	}
	s.changeInventory(w, r, id, wr, bodyDigest(nil), inventoryChange{
		paths: [][]string{wr.segs},
		edit: func(doc map[string]any) (map[string]any, error) {
			return rootObject(edit(doc, wr.segs, editRemove, nil))
		},
	})
}

// handlePatchInventory answers PATCH /v1/data/inventory[/path...]: a JSON
// Patch (RFC 6902) whose paths are below the request's path, applied as a
// whole or not at all.
func (s *Server) handlePatchInventory(w http.ResponseWriter, r *http.Request, id *Identity) {
	wr, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	defer wr.release()
	body, aerr := s.readInventoryBody(w, r, evaluator.CodeInvalidRequest)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	ops, aerr := parsePatch(body)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	wr.bodyRead()
	paths := make([][]string, len(ops))
	for i, op := range ops {
		paths[i] = append(slices.Clone(wr.segs), op.path...)
	}
	s.changeInventory(w, r, id, wr, bodyDigest(body), inventoryChange{
		paths: paths,
		edit: func(doc map[string]any) (map[string]any, error) {
			var out any = doc
			for _, op := range ops {
				var err error
				if out, err = op.apply(out, wr.segs); err != nil {
					return nil, err
				}
			}
			return rootObject(out, nil)
		},
	})
}

// writeTarget is the change r asks for: the path below /v1/data/inventory
// it changes and its query parameters, checked, and the one slot in which
// an inventory write reads its body, taken (a body may be up to
// --max-inventory-body: N clients must not hold N of them); false when the
// request is answered (an error) or its client went away while it waited.
// The caller gives the slot back with wr.release.
func (s *Server) writeTarget(w http.ResponseWriter, r *http.Request) (write, bool) {
	wr := write{}
	var aerr *APIError
	if wr.params, aerr = parseParams(r, paramsDataWrite); aerr != nil {
		writeError(w, r, aerr)
		return wr, false
	}
	if wr.segs, aerr = inventoryPath(r); aerr != nil {
		writeError(w, r, aerr)
		return wr, false
	}
	// A free slot is taken even from a client already gone (select would
	// pick at random): what its body holds is still read and applied whole.
	select {
	case s.inventoryWrites <- struct{}{}:
	default:
		select {
		case s.inventoryWrites <- struct{}{}:
		case <-r.Context().Done():
			return wr, false
		}
	}
	wr.release = func() { <-s.inventoryWrites }
	wr.start = time.Now()
	return wr, true
}

// errNotModified refuses a PUT whose If-None-Match the inventory matches.
var errNotModified = errors.New("not modified")

// noneMatch tells whether a PUT's If-None-Match header matches the
// inventory, so the PUT is not made (304, as OPA answers "*"): "*" matches
// when there is a value at the path (the inventory itself always is one),
// and a tag when it is the inventory's ETag.
func noneMatch(header string, cur *factstore.Inventory, revision string, segs []string) (bool, error) {
	for _, tag := range strings.Split(header, ",") {
		switch tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/"); tag {
		case "*":
			if ok, err := cur.Exists(segs); ok || err != nil {
				return ok, err
			}
		case etag(revision):
			return true, nil
		}
	}
	return false, nil
}

// changeInventory makes the change c to the inventory serving, under
// If-Match (and, on a PUT, If-None-Match): one change at a time (with file
// reloads and syncs: reloadMu), checked, swapped atomically or refused with
// the last good inventory kept. An *APIError or an evaluator error refuses
// the change. The answer to a change is 204 with the new ETag, or 200 with
// the timers when ?metrics asks, as OPA answers; a PUT that If-None-Match
// stops is 304 with the ETag of the inventory unchanged.
func (s *Server) changeInventory(w http.ResponseWriter, r *http.Request, id *Identity, wr write, body *bodySum, c inventoryChange) {
	release, ok := s.gate.enter(r.Context())
	if !ok {
		s.refuse(w, r, id, busy())
		return
	}
	// One change at a time, with file reloads too: the revisions the event
	// names are this change's own, and If-Match is checked against the
	// inventory the change is made to.
	s.reloadMu.Lock()
	e := s.eval.Load()
	cur, before := e.InventorySnapshot()
	var err error
	var notModified bool
	if owner := s.inventoryBundle(); owner != "" {
		// As OPA refuses a write below a bundle's root: the next activation
		// would silently undo it.
		err = apiErrorf(http.StatusBadRequest, CodeInvalidParameter, "path %s is owned by bundle %q", strings.TrimPrefix(r.URL.Path, "/v1/data/"), owner)
	} else if tags := r.Header.Get("If-Match"); tags != "" && !etagMatches(tags, before) {
		err = apiErrorf(http.StatusPreconditionFailed, CodePreconditionFailed,
			"the inventory changed: its ETag is %s, not %s; read it again and retry", etag(before), tags)
	} else if tags := r.Header.Get("If-None-Match"); tags != "" && r.Method == http.MethodPut {
		if notModified, err = noneMatch(tags, cur, before, wr.segs); err == nil && notModified {
			err = errNotModified
		}
	}
	if err == nil {
		// The change is whole: a client that hangs up now does not leave
		// it half made, nor turn it into a failure.
		err = applyChange(context.WithoutCancel(r.Context()), e, cur, c)
	}
	after := e.InventoryRevision()
	s.reloadMu.Unlock()
	release()
	if errors.Is(err, errNotModified) {
		w.Header().Set("ETag", etag(before))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if err != nil {
		s.metrics.invUpdates.WithLabelValues(resultFailure).Inc()
		var aerr *APIError
		switch {
		case errors.As(err, &aerr):
			writeError(w, r, aerr)
		case evaluator.CodeOf(err) == evaluator.CodeInvalidInventory:
			writeError(w, r, fromEvaluator(err))
		default:
			s.log.Error("inventory update failed; the previous inventory keeps serving", "err", err.Error())
			writeError(w, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "the inventory could not be applied: %v", err))
		}
		return
	}
	s.metrics.invUpdates.WithLabelValues(resultSuccess).Inc()
	s.setInventoryStatus("http")
	if c.whole != nil {
		s.tuneMemory()
	}
	_ = s.dlog.writeEvent(inventoryEvent{
		Event: eventInventory, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: "http",
		Method: r.Method, Path: r.URL.EscapedPath(),
		RemoteAddr: r.RemoteAddr, RequestedBy: id.Name, SHA256: body.hex(), Bytes: body.n,
		PreviousRevision: before, Revision: after,
	})
	s.log.Info("inventory changed", "source", "http", "method", r.Method, "path", r.URL.EscapedPath(),
		"requested_by", id.Name, "remote_addr", r.RemoteAddr, "bytes", body.n, "revision", after)
	w.Header().Set("ETag", etag(after))
	if wr.params.metrics {
		writeEncoded(w, r, http.StatusOK, s.answer(dataAnswer{}, wr.params, "", wr.timers, wr.start))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// bodySum is the SHA-256 and size of a change's body, for the audit event,
// taken as the body is read.
type bodySum struct {
	h hash.Hash
	n int64
}

func newBodyDigest() *bodySum { return &bodySum{h: sha256.New()} }

func (b *bodySum) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	return b.h.Write(p)
}

func (b *bodySum) hex() string { return hex.EncodeToString(b.h.Sum(nil)) }

// bodyDigest is the bodySum of a body read whole.
func bodyDigest(body []byte) *bodySum {
	d := newBodyDigest()
	_, _ = d.Write(body)
	return d
}

// etagMatches tells whether an If-Match header names the revision: "*", or
// one of its comma-separated tags (weak or strong) is the revision's ETag.
func etagMatches(header, revision string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag(revision) {
			return true
		}
	}
	return false
}

// rootObject is the inventory a change made: it must be an object.
func rootObject(doc any, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	inv, ok := doc.(map[string]any)
	if !ok {
		return nil, &evaluator.Error{Code: evaluator.CodeInvalidInventory, Message: "the inventory does not match its schema",
			Errors: []evaluator.FieldError{{Pointer: "", Message: "the inventory must be an object"}}}
	}
	return inv, nil
}
