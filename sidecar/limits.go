package sidecar

import (
	"context"
	"net"
	"net/http"
	"runtime/debug"
	runtimemetrics "runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// gate bounds the requests decoded, validated and decided at once. Those are
// what take memory (a 700 kB share request is some 30 MB of Go and OPA
// values while it is decided) and CPU; the bodies waiting for a turn are only
// their bytes. A request beyond the slots waits, at most wait, among at most
// maxQueued others; beyond either it is turned away (429) rather than let
// memory grow with the number of callers.
type gate struct {
	slots     chan struct{}
	queued    atomic.Int64
	maxQueued int64
	wait      time.Duration
}

func newGate(inFlight, maxQueued int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, inFlight), maxQueued: int64(maxQueued), wait: wait}
}

// enter takes a slot; release gives it back. ok is false when the request is
// turned away: the queue is full, the wait ran out, or ctx ended.
func (g *gate) enter(ctx context.Context) (release func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	default:
	}
	if g.queued.Add(1) > g.maxQueued {
		g.queued.Add(-1)
		return nil, false
	}
	defer g.queued.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (g *gate) leave() { <-g.slots }

// busy is the answer to a request the gate turned away.
func busy() *APIError {
	return apiErrorf(http.StatusTooManyRequests, CodeTooManyRequests,
		"more requests are being decided than the server takes at once (--max-in-flight, --max-queued); retry shortly")
}

// limitListener closes a connection accepted beyond max open ones at once,
// before reading a byte of it: the caller sees the connection end and may
// retry, and the server keeps what it has. (golang.org/x/net/netutil's
// LimitListener stops accepting instead, which leaves every later caller,
// /health included, waiting in the kernel's queue behind the ones holding
// the connections.)
type limitListener struct {
	net.Listener
	open    atomic.Int64
	max     int64
	refused func()
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			c.Close()
			l.refused()
			continue
		}
		return &countedConn{Conn: c, l: l}, nil
	}
}

// countedConn gives its place back once, when it is closed.
type countedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// Memory limits (Config.MemoryLimit).
const (
	// MemoryLimitAuto sets a soft memory limit of DefaultMemoryFloor or 1.75
	// times the live heap after each inventory load, whichever is larger.
	MemoryLimitAuto = -1
	// DefaultMemoryFloor is the least soft memory limit MemoryLimitAuto sets:
	// the sidecar idles at about 35 MB, and at Go's GOGC=200 a burst of
	// large requests let garbage reach 190 MB before a collection.
	DefaultMemoryFloor = 100 << 20
)

// tuneMemory sets the runtime's soft memory limit as Config.MemoryLimit
// says: a size, MemoryLimitAuto (1.75 times the heap the rulebook and
// inventory hold, at least DefaultMemoryFloor), or nothing (0). The
// limit makes the collector run sooner as the heap nears it; it never
// refuses an allocation.
//
// It runs after a whole inventory is loaded, and first hands the memory the
// load used and no longer needs back to the system: reading a million
// resources leaves several times their size as garbage. Without a limit,
// GOGC=200 would let the heap grow to three times the inventory before the
// next collection; the inventory's records are bytes the collector never
// scans (factstore), so collecting sooner costs little. 1.5 times was too
// tight: after a stream of changes the heap's fragments and the runtime's
// own memory left the collector a few MB, and it ran a hundred times a
// second (make bench-scale, docs/performance.md).
func (s *Server) tuneMemory() {
	limit := s.cfg.MemoryLimit
	if limit == MemoryLimitAuto {
		debug.FreeOSMemory()
		sample := []runtimemetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		runtimemetrics.Read(sample)
		heap := int64(sample[0].Value.Uint64())
		limit = max(DefaultMemoryFloor, heap+heap*3/4)
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
		s.log.Info("memory limit", "bytes", limit, "auto", s.cfg.MemoryLimit == MemoryLimitAuto)
	}
}
