package engine

import (
	"sync"
	"sync/atomic"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/rtrace"
)

// task is one running copy of a lesson.Task in one round.
type task struct {
	name string
	def  *lesson.Task
	w    *world
	code []instr

	started  atomic.Bool
	done     chan struct{}
	daemon   bool          // cut off when the non-daemon tasks of its process end
	proc     *procHandle   // for a process task started by this process; guarded by mu
	value    string        // the value an each loop is on, for {value}
	spawned  []*task       // what the task spawned last, for {child}
	epoch    int64         // the runtime trace the goroutine last named itself in
	copy     int64         // the task's private copy of a counter (read/write steps)
	stop     chan struct{} // closed when the task must stop: the run ended, a daemon was cut off, or a stop step
	haltOnce sync.Once
	why      atomic.Pointer[halt] // why it was stopped

	// quiet is set by the collector while the task changes state faster than
	// a screen can show; its changes are then folded into one event a tick.
	quiet atomic.Bool
	// own holds the task's own copy of each local it used.
	own map[*counter]*counter
	// timed is set while the task waits with a timeout: it will wake itself.
	timed    atomic.Bool
	ops      atomic.Int64
	localOps int // changes counted by the task's own goroutine (see lock.changed)
	folded   atomic.Int64

	// The task's own event buffer: a task never waits for another task to
	// emit, which matters because a goroutine parked on a shared lock is woken
	// onto the waker's core and would stop racing.
	bufMu   sync.Mutex
	buf     []evt.Event
	drained chan struct{} // closed when the collector takes a full buffer

	mu      sync.Mutex // guards cur and sent
	cur     taskState
	sent    taskState
	waitsOn any // the object or task this task is blocked on, for the wait-for graph
}

type taskState struct {
	state  evt.State
	reason evt.Reason
	object string
	holder string
	end    evt.End
	by     string
}

// event is the state event of the task, with folded changes not sent one
// by one.
func (s taskState) event(task string, folded int64) evt.Event {
	return evt.Event{Task: task, Data: evt.StateChange{State: s.state, Reason: s.reason, Object: s.object, Holder: s.holder, End: s.end, By: s.by,
		Folded: folded}}
}

// halt is why a task was told to stop.
type halt struct {
	end evt.End
	by  string
	was taskState // what it was doing when stopped
}

// set records a state change and emits it, unless the task is quiet.
func (t *task) set(s evt.State, reason evt.Reason, object, holder string) {
	t.setState(taskState{state: s, reason: reason, object: object, holder: holder})
}

func (t *task) setState(st taskState) {
	t.mu.Lock()
	t.cur = st
	t.ops.Add(1)
	if t.quiet.Load() {
		t.folded.Add(1)
		t.mu.Unlock()
		return
	}
	t.sent = t.cur
	t.mu.Unlock()
	t.emit(st.event(t.name, 0))
}

// flush emits the latest state of a quiet task if it changed since the last one
// sent, with the number of changes folded into it.
func (t *task) flush() {
	t.mu.Lock()
	cur, changed := t.cur, t.cur != t.sent
	t.sent = t.cur
	t.mu.Unlock()
	n := t.folded.Swap(0)
	if changed || n > 0 {
		t.w.e.emit(cur.event(t.name, n))
	}
}

// maxTaskBuf is how many events a task may hold before the collector takes
// them: a task that emits faster than the run can record waits, as a
// program writing to a full pipe does, instead of filling memory.
var maxTaskBuf = 8192 // a variable, for the tests

// emit records an event in the task's buffer, stamped under the buffer's
// lock so that the collector can cut batches in time order. When the buffer
// is full it waits for the collector (unless the task must stop: then
// nothing is waited for).
func (t *task) emit(ev evt.Event) {
	ev.Round = t.w.round
	for {
		t.bufMu.Lock()
		if len(t.buf) < maxTaskBuf || t.halted() {
			ev.T = t.w.e.now()
			t.buf = append(t.buf, ev)
			t.bufMu.Unlock()
			return
		}
		if t.drained == nil {
			t.drained = make(chan struct{})
		}
		wait := t.drained
		t.bufMu.Unlock()
		select {
		case <-wait:
		case <-t.stop:
		}
	}
}

func (t *task) take() []evt.Event {
	t.bufMu.Lock()
	b := t.buf
	t.buf = nil
	if t.drained != nil {
		close(t.drained)
		t.drained = nil
	}
	t.bufMu.Unlock()
	return b
}

func (t *task) state() taskState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

func (t *task) running() { t.set(evt.Running, "", "", "") }

// halt makes the task stop at its next step or wait.
func (t *task) halt(end evt.End, by string) {
	t.haltOnce.Do(func() {
		t.why.Store(&halt{end: end, by: by, was: t.state()})
		close(t.stop)
	})
}

// ending is the state a task ends in: done, and how.
func (t *task) ending() taskState {
	st := taskState{state: evt.Done}
	if t.w.stopped.Load() {
		st.end = evt.EndHalted
		return st
	}
	if h := t.why.Load(); h != nil {
		st.end, st.by = h.end, h.by
		if h.end == evt.EndStopped && h.was.state == evt.Blocked {
			// Stopped while blocked: say on what, for the learner and the checks.
			st.reason, st.object, st.holder = h.was.reason, h.was.object, h.was.holder
		}
	}
	return st
}

func (t *task) isDone() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// label names the task's goroutine in the runtime trace, once per trace.
func (t *task) label() {
	if ep := rtrace.Epoch(); ep != t.epoch {
		t.epoch = ep
		rtrace.Label(t.name)
	}
}

// localCopy is a task's own copy of a local, for the collector to report.
type localCopy struct {
	task string
	c    *counter
}

// mine is the copy of a counter the task uses: the shared one, or for a
// local, its own, made from the local's start on first use.
func (t *task) mine(c *counter) *counter {
	if c == nil || !c.local {
		return c
	}
	if own := t.own[c]; own != nil {
		return own
	}
	own := &counter{name: c.name, init: c.init}
	own.v.Store(c.init)
	if t.own == nil {
		t.own = map[*counter]*counter{}
	}
	t.own[c] = own
	t.w.localsMu.Lock()
	t.w.locals = append(t.w.locals, localCopy{t.name, own})
	t.w.localsMu.Unlock()
	return own
}
