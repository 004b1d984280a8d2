package sidecar

import (
	"fmt"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/imgadmit/imgadmit/evaluator"
)

// Error codes of the HTTP API beyond the evaluator's.
const (
	CodeUnauthorized         = "unauthorized"
	CodeForbidden            = "forbidden"
	CodeTooManyRequests      = "too_many_requests"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeRequestTooLarge      = "request_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeNotReady             = "not_ready"
)

// Paths of the API.
const (
	PathAdmit      = "/v1/admit"
	PathOPADecide  = "/v1/data/imgadmit/decision"
	PathInventory  = "/v1/data/inventory"
	PathRules      = "/v1/rules"
	PathHealth     = "/health"
	PathReady      = "/health/ready"
	PathMetrics    = "/metrics"
	endpointOther  = "other" // the metrics label of every unknown path
	inputPointer   = "/input"
	headerAllow    = "Allow"
	contentTypeKey = "Content-Type"
	jsonType       = "application/json"
)

// handler answers one request of a route; id is who asks (nil on an open
// route when the caller showed no valid token).
type handler func(w http.ResponseWriter, r *http.Request, id *Identity)

// route is one endpoint: its method and path, the role it needs (none: any
// valid token), whether it is open to anyone, and whether it needs a loaded
// rulebook.
type route struct {
	method, path string
	handle       handler
	role         string // RoleDecide, RoleInventory, or "" for any identity
	open         bool   // no token needed (/health, /health/ready)
	ready        bool   // 503 until the rulebook is loaded
}

func (s *Server) routeTable() []route {
	metricsHandler := s.metrics.handler()
	return []route{
		{method: http.MethodPost, path: PathAdmit, handle: s.handleAdmit, role: RoleDecide, ready: true},
		{method: http.MethodPost, path: PathOPADecide, handle: s.handleOPADecision, role: RoleDecide, ready: true},
		{method: http.MethodGet, path: PathOPADecide, handle: s.handleOPADecisionGet, role: RoleDecide, ready: true},
		{method: http.MethodGet, path: PathInventory, handle: s.handleGetInventory, role: RoleInventory, ready: true},
		{method: http.MethodPut, path: PathInventory, handle: s.handlePutInventory, role: RoleInventory, ready: true},
		{method: http.MethodPatch, path: PathInventory, handle: s.handlePatchInventory, role: RoleInventory, ready: true},
		{method: http.MethodDelete, path: PathInventory, handle: s.handleDeleteInventory, role: RoleInventory, ready: true},
		{method: http.MethodGet, path: pathInventoryBelow, handle: s.handleGetInventory, role: RoleInventory, ready: true},
		{method: http.MethodPut, path: pathInventoryBelow, handle: s.handlePutInventory, role: RoleInventory, ready: true},
		{method: http.MethodPatch, path: pathInventoryBelow, handle: s.handlePatchInventory, role: RoleInventory, ready: true},
		{method: http.MethodDelete, path: pathInventoryBelow, handle: s.handleDeleteInventory, role: RoleInventory, ready: true},
		{method: http.MethodGet, path: PathRules, handle: s.handleRules, ready: true},
		{method: http.MethodGet, path: PathHealth, handle: s.handleHealth, open: true},
		{method: http.MethodGet, path: PathReady, handle: s.handleReady, open: true},
		{method: http.MethodGet, path: PathMetrics, handle: func(w http.ResponseWriter, r *http.Request, _ *Identity) {
			metricsHandler.ServeHTTP(w, r)
		}},
	}
}

// routes is the sidecar's handler: a chain, outermost first, of
//
//	instrument    OPA's HTTP metrics for every answer
//	observe       imgadmit's metrics for every answer, and a panic answered
//	              as a 500
//	authenticate  the caller's identity from its token; 401 without one
//	              (but on the open routes)
//	mux           the route by method and path ("POST /v1/admit"); 404 for
//	              an unknown path, 405 for a known path and another method
//	authorize     403 without the route's role
//	whenReady     503 until the rulebook is loaded
//
// so a caller without a token learns nothing about the endpoints, and a
// handler runs only for a caller that may use it.
func (s *Server) routes() http.Handler {
	table := s.routeTable()
	mux := http.NewServeMux()
	open := map[string]bool{}
	allow := map[string][]string{} // the methods of every known path
	var paths []string
	for _, rt := range table {
		mux.Handle(rt.method+" "+rt.path, s.authorize(rt, s.whenReady(rt, rt.handle)))
		if allow[rt.path] == nil && !strings.HasSuffix(rt.path, "...}") {
			paths = append(paths, rt.path)
		}
		open[rt.path] = rt.open
		allow[rt.path] = append(allow[rt.path], rt.method)
		if rt.method == http.MethodGet { // net/http answers HEAD with GET's handler
			allow[rt.path] = append(allow[rt.path], http.MethodHead)
		}
	}
	for path, methods := range allow {
		mux.Handle(path, methodNotAllowed(strings.Join(methods, ", ")))
	}
	unknown := notFound(strings.Join(paths, ", "))
	mux.Handle("/", unknown)
	// Every path below the inventory counts as the inventory's endpoint:
	// the metrics' labels stay few.
	endpoint := func(path string) string {
		switch {
		case allow[path] != nil:
			return path
		case strings.HasPrefix(path, PathInventory+"/"):
			return PathInventory
		}
		return endpointOther
	}
	return s.metrics.instrument(s.observe(endpoint, s.authenticate(open, unknown, mux)))
}

// observe counts every answer by endpoint (known paths by name, the rest as
// "other") and outcome, and turns a panic into a 500 that still counts.
func (s *Server) observe(endpointOf func(path string) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &responseWriter{ResponseWriter: w, outcome: outcomeOK}
		endpoint := endpointOf(r.URL.Path)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { // net/http's own way to abort a response
					panic(p)
				}
				s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rw.wroteHeader {
					writeError(rw, r, apiErrorf(http.StatusInternalServerError, evaluator.CodeInternal, "internal error; see the server log"))
				}
				rw.outcome = evaluator.CodeInternal
			}
			s.metrics.observe(endpoint, rw.outcome, time.Since(start))
		}()
		next.ServeHTTP(rw, r)
	})
}

// authenticate finds who asks, and refuses (401) a caller without a valid
// token anywhere but on the open paths. A path that is not clean is refused
// here as unknown: net/http's mux would answer it with a redirect.
func (s *Server) authenticate(open map[string]bool, unknown, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.identify(r)
		if !open[r.URL.Path] && id == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="imgadmit"`)
			s.refuse(w, r, nil, apiErrorf(http.StatusUnauthorized, CodeUnauthorized, "a valid bearer token is required: Authorization: Bearer <token>"))
			return
		}
		if path.Clean(r.URL.Path) != r.URL.Path {
			unknown.ServeHTTP(w, r)
			return
		}
		// The identity rides with the exchange's writer (observe made it), not
		// in a copy of the request with a new context.
		w.(*responseWriter).id = id
		next.ServeHTTP(w, r)
	})
}

// authorize refuses (403) a caller whose identity lacks the route's role.
func (s *Server) authorize(rt route, next handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := w.(*responseWriter).id
		if rt.role != "" && !id.has(rt.role) {
			s.refuse(w, r, id, apiErrorf(http.StatusForbidden, CodeForbidden, "identity %q does not have the role %s that %s %s needs", id.Name, rt.role, r.Method, r.URL.Path))
			return
		}
		next(w, r, id)
	})
}

// whenReady answers 503 on a route that needs the rulebook until it is loaded.
func (s *Server) whenReady(rt route, next handler) handler {
	if !rt.ready {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request, id *Identity) {
		if s.eval.Load() == nil {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, apiErrorf(http.StatusServiceUnavailable, CodeNotReady, "the rulebook is still loading"))
			return
		}
		if !s.bundlesReady() {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, apiErrorf(http.StatusServiceUnavailable, CodeNotReady, "the bundles of --config-file have not all been activated yet"))
			return
		}
		next(w, r, id)
	}
}

func methodNotAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(headerAllow, allow)
		writeError(w, r, apiErrorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s does not take %s; it takes %s", r.URL.Path, r.Method, allow))
	})
}

// notFound answers an unknown path, naming the endpoints there are.
func notFound(endpoints string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, apiErrorf(http.StatusNotFound, CodeNotFound, "no endpoint at %s; the endpoints are %s", r.URL.Path, endpoints))
	})
}

// identify is the identity r's bearer token belongs to: nil when the
// sidecar takes tokens and r has no valid one, the anonymous identity when
// it takes none.
func (s *Server) identify(r *http.Request) *Identity {
	ids := s.ids.Load()
	if ids == nil {
		return anonymousIdentity
	}
	return ids.authenticate(r)
}

// responseWriter is the state of one exchange: the outcome for the metrics,
// and who asks (set by authenticate).
type responseWriter struct {
	http.ResponseWriter
	wroteHeader bool
	outcome     string
	id          *Identity
	noLines     bool // the body was YAML, handed on as JSON: its errors' lines are not the client's
}

func (w *responseWriter) WriteHeader(code int) {
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func setOutcome(w http.ResponseWriter, outcome string) {
	if rw, ok := w.(*responseWriter); ok {
		rw.outcome = outcome
	}
}
