package sim

import (
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

	started atomic.Bool
	done    chan struct{}
	daemon  bool          // cut off when the non-daemon tasks of its process end
	proc    *procHandle   // for a process task started by this process; guarded by mu
	value   string        // the value an each loop is on, for {value}
	stop    chan struct{} // the round's stop, or its daemon stop for a daemon

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

func (t *task) isDone() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}
