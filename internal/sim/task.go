package sim

import (
	"context"
	"runtime/trace"
	"sync"
	"sync/atomic"

	"mtviz/internal/spec"
)

// task is one running copy of a spec.Task in one round.
type task struct {
	name string
	def  *spec.Task
	w    *world
	code []instr

	started  atomic.Bool
	done     chan struct{}
	daemon   bool          // cut off when the non-daemon tasks of its process end
	proc     *procHandle   // for a process task started by this process; guarded by mu
	value    string        // the value an each loop is on, for {value}
	epoch    int64         // the runtime trace the goroutine last named itself in
	copy     int64         // the task's private copy of a counter (read/write steps)
	stop     chan struct{} // closed when the task must stop: the run ended, a daemon was cut off, or a stop step
	haltOnce sync.Once
	why      atomic.Pointer[string] // why it was stopped

	// quiet is set by the collector while the task changes state faster than
	// a screen can show; its changes are then folded into one event a tick.
	quiet    atomic.Bool
	ops      atomic.Int64
	localOps int // changes counted by the task's own goroutine (see lock.changed)
	folded   atomic.Int64

	// The task's own event buffer: a task never waits for another task to
	// emit, which matters because a goroutine parked on a shared lock is woken
	// onto the waker's core and would stop racing.
	bufMu sync.Mutex
	buf   []Event

	mu      sync.Mutex // guards cur and sent
	cur     taskState
	sent    taskState
	waitsOn any // the object or task this task is blocked on, for the wait-for graph
}

type taskState struct {
	state  State
	reason string
	object string
	holder string
}

// set records a state change and emits it, unless the task is quiet.
func (t *task) set(s State, reason, object, holder string) {
	t.mu.Lock()
	t.cur = taskState{s, reason, object, holder}
	t.ops.Add(1)
	if t.quiet.Load() {
		t.folded.Add(1)
		t.mu.Unlock()
		return
	}
	t.sent = t.cur
	t.mu.Unlock()
	t.emit(Event{Kind: KState, Task: t.name, State: s, Reason: reason, Object: object, Holder: holder})
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
		t.w.e.emit(Event{Kind: KState, Task: t.name, State: cur.state, Reason: cur.reason, Object: cur.object, Holder: cur.holder, Folded: n})
	}
}

// emit records an event in the task's buffer, stamped under the buffer's
// lock so that the collector can cut batches in time order.
func (t *task) emit(ev Event) {
	ev.Round = t.w.round
	t.bufMu.Lock()
	ev.T = t.w.e.now()
	t.buf = append(t.buf, ev)
	t.bufMu.Unlock()
}

func (t *task) take() []Event {
	t.bufMu.Lock()
	b := t.buf
	t.buf = nil
	t.bufMu.Unlock()
	return b
}

func (t *task) state() taskState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

func (t *task) running() { t.set(Running, "", "", "") }

// halt makes the task stop at its next step or wait.
func (t *task) halt(why string) {
	t.haltOnce.Do(func() {
		t.why.Store(&why)
		close(t.stop)
	})
}

func (t *task) haltReason() string {
	if p := t.why.Load(); p != nil && !t.w.stopped.Load() {
		return *p
	}
	return ""
}

func (t *task) isDone() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// TraceCategory is the runtime/trace log category under which each task's
// goroutine names itself, so that a live trace reader can tell whose
// goroutine a traced state change is.
const TraceCategory = "mtviz.task"

var traceEpoch atomic.Int64

// NewTraceEpoch is called when a runtime trace starts: tasks name their
// goroutines again at their next step, in the new trace.
func NewTraceEpoch() { traceEpoch.Add(1) }

// label names the task's goroutine in the runtime trace, once per trace.
func (t *task) label() {
	if ep := traceEpoch.Load(); ep != t.epoch {
		t.epoch = ep
		if trace.IsEnabled() {
			trace.Log(context.Background(), TraceCategory, t.name)
		}
	}
}
