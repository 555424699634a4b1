package engine

import (
	"sync"
	"sync/atomic"
	"time"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
)

// counter is a shared integer. add reads and writes in two steps, like
// `balance = balance + n` does, so a task can be overtaken between them. Both
// steps are atomic operations: the lost update is a real interleaving that
// `go test -race` accepts, not undefined behaviour.
type counter struct {
	name  string
	init  int64
	v     atomic.Int64
	lost  atomic.Int64
	local bool // a per-task value: each task uses its own copy (see task.own)
}

func (c *counter) add(n int64) {
	old := c.v.Load()
	// The compare-and-swap only notices that another write slipped in since
	// the read; the write below happens either way, overwriting it.
	if !c.v.CompareAndSwap(old, old+n) {
		c.lost.Add(1)
		c.v.Store(old + n)
	}
}

// mutex is a lock whose wait can be abandoned when the run stops, so that a
// task stuck in a deadlock never outlives its run. The lock word is the
// holder itself, so taking the lock and recording who holds it is one
// compare-and-swap. Waiters are woken through a one-slot channel and retry;
// a newcomer may barge in, as with sync.Mutex.
type mutex struct {
	holder  atomic.Pointer[task]
	waiters atomic.Int32
	wake    chan struct{}
}

func newMutex() mutex { return mutex{wake: make(chan struct{}, 1)} }

func (m *mutex) tryLock(t *task) bool { return m.holder.CompareAndSwap(nil, t) }

// lockSlow waits for the lock; false if stop closed first.
func (m *mutex) lockSlow(t *task, stop <-chan struct{}) bool {
	m.waiters.Add(1)
	defer m.waiters.Add(-1)
	for {
		if m.holder.CompareAndSwap(nil, t) {
			return true
		}
		select {
		case <-m.wake:
		case <-stop:
			return false
		}
	}
}

func (m *mutex) unlock() {
	m.holder.Store(nil)
	if m.waiters.Load() > 0 {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// waitList is the tasks waiting on an object, in the order they came.
type waitList struct {
	mu sync.Mutex
	ts []*task
}

func (wl *waitList) add(t *task, on any) {
	wl.mu.Lock()
	wl.ts = append(wl.ts, t)
	wl.mu.Unlock()
	t.mu.Lock()
	t.waitsOn = on
	t.mu.Unlock()
}

func (wl *waitList) remove(t *task) {
	wl.mu.Lock()
	for i, x := range wl.ts {
		if x == t {
			wl.ts = append(wl.ts[:i], wl.ts[i+1:]...)
			break
		}
	}
	wl.mu.Unlock()
	t.mu.Lock()
	t.waitsOn = nil
	t.mu.Unlock()
}

func (wl *waitList) names() []string {
	wl.mu.Lock()
	defer wl.mu.Unlock()
	if len(wl.ts) == 0 {
		return nil
	}
	out := make([]string, len(wl.ts))
	for i, x := range wl.ts {
		out[i] = x.name
	}
	return out
}

func holderName(p *atomic.Pointer[task]) string {
	if h := p.Load(); h != nil {
		return h.name
	}
	return ""
}

// lock is an instrumented lock, plain or re-entrant, that knows its holder,
// hold count and waiters.
type lock struct {
	name      string
	reentrant bool
	w         *world
	mu        mutex
	count     atomic.Int32 // holds by the holder, for a re-entrant lock
	waiters   waitList
	file      *fileLock // for a flock: the lock the OS sees, across processes
}

// acquire takes the lock for t; false if the run stopped while it waited.
func (l *lock) acquire(t *task) bool { return l.acquireUntil(t, t.stop) }

// acquireUntil takes the lock for t; false if stop closed while it waited.
func (l *lock) acquireUntil(t *task, stop <-chan struct{}) bool {
	if l.reentrant && l.mu.holder.Load() == t {
		l.count.Add(1)
		l.changed(t)
		return true
	}
	if l.mu.tryLock(t) {
		if l.reentrant {
			l.count.Store(1)
		}
		if l.file != nil && !l.lockFile(t) {
			return false
		}
		l.changed(t)
		return true
	}
	l.waiters.add(t, l)
	t.set(evt.Blocked, evt.ReasonLock, l.name, holderName(&l.mu.holder))
	l.changed(t)
	ok := l.mu.lockSlow(t, stop)
	l.waiters.remove(t)
	if !ok {
		return false
	}
	if l.reentrant {
		l.count.Store(1)
	}
	if l.file != nil && !l.lockFile(t) {
		return false
	}
	t.running()
	l.changed(t)
	return true
}

// lockFile takes the OS lock once the task holds the lock in its process;
// another process may hold it, which only the OS knows.
func (l *lock) lockFile(t *task) bool {
	t.set(evt.Blocked, evt.ReasonFileLock, l.name, "")
	if !l.file.lock(t.stop) {
		l.mu.unlock()
		return false
	}
	t.running()
	return true
}

// release gives the lock back; false if t does not hold it.
func (l *lock) release(t *task) bool {
	if l.mu.holder.Load() != t {
		return false
	}
	if l.reentrant && l.count.Add(-1) > 0 {
		l.changed(t)
		return true
	}
	if l.file != nil {
		l.file.unlock()
	}
	l.mu.unlock()
	l.changed(t)
	return true
}

// changed emits the lock's new state unless the task is quiet (then the
// collector sends a snapshot once a tick). Only the task's own goroutine
// counts its changes here, so the count is a plain integer, handed to the
// collector's atomic counter in steps.
func (l *lock) changed(t *task) {
	if t.localOps++; t.localOps&31 == 0 {
		t.ops.Add(32)
	}
	if t.quiet.Load() {
		return
	}
	t.emit(l.snapshot())
}

func (l *lock) holds() int {
	if l.mu.holder.Load() == nil {
		return 0
	}
	if l.reentrant {
		return int(l.count.Load())
	}
	return 1
}

func (l *lock) snapshot() evt.Event {
	x := evt.LockChange{Object: l.name, Holder: holderName(&l.mu.holder), Waiters: l.waiters.names()}
	if x.Holder != "" {
		x.Count = l.holds()
	}
	return evt.Event{Data: x}
}

// gil is a global interpreter lock: one token, handed from holder to waiter.
// A channel gives the token to waiters in the order they came, as CPython's
// GIL hand-off does.
type gil struct {
	name     string
	interval time.Duration
	tok      chan struct{}
	holder   atomic.Pointer[task]
	waiting  atomic.Int32
	waiters  waitList
	w        *world
}

func newGIL(o lesson.Object, w *world) *gil {
	g := &gil{name: o.Name, interval: o.Interval, tok: make(chan struct{}, 1), w: w}
	if g.interval <= 0 {
		g.interval = 5 * time.Millisecond
	}
	g.tok <- struct{}{}
	return g
}

// take blocks until t holds the GIL; false if the run stopped first.
func (g *gil) take(t *task) bool {
	select {
	case <-g.tok:
	default:
		g.waiting.Add(1)
		g.waiters.add(t, g)
		t.set(evt.Blocked, evt.ReasonGIL, g.name, holderName(&g.holder))
		ok := true
		select {
		case <-g.tok:
		case <-t.stop:
			ok = false
		}
		g.waiters.remove(t)
		g.waiting.Add(-1)
		if !ok {
			return false
		}
		t.running()
	}
	g.holder.Store(t)
	return true
}

func (g *gil) give() {
	g.holder.Store(nil)
	g.tok <- struct{}{}
}

func (g *gil) snapshot() evt.Event {
	x := evt.LockChange{Object: g.name, Holder: holderName(&g.holder), Waiters: g.waiters.names()}
	if x.Holder != "" {
		x.Count = 1
	}
	return evt.Event{Data: x}
}

// sink keeps the busy loop's result alive so the compiler cannot drop the work.
var sink atomic.Uint64
