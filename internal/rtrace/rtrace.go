// Package rtrace reads the Go runtime's own execution trace while it is
// being written, and reports when each task's goroutine was running (and on
// which P), runnable (waiting for a P) or waiting. The engine names its
// goroutines in the trace with Label; everything else here is what the
// runtime recorded. It knows nothing of the engine.
package rtrace

import (
	"context"
	"errors"
	"io"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	xtrace "golang.org/x/exp/trace"
)

// GoState is a goroutine's state as the runtime traced it.
type GoState uint8

// Goroutine states.
const (
	Unknown  GoState = iota
	Running          // on a P
	Runnable         // waiting for a P
	Waiting          // blocked: on a channel, a lock, a sleep...
	Syscall          // in a system call
	Gone             // ended
)

var goStateNames = [...]string{"unknown", "running", "runnable", "waiting", "syscall", "gone"}

func (s GoState) String() string {
	if int(s) < len(goStateNames) {
		return goStateNames[s]
	}
	return "unknown"
}

// Change is one state change of a task's goroutine, as the runtime traced it.
type Change struct {
	T     time.Duration // since the run started
	Task  string
	State GoState
	P     int    // the P it runs on, when running
	Why   string // the runtime's reason for a wait ("chan receive", "sync", "sleep"...)
}

// category is the runtime/trace log category under which each goroutine
// that wants to be followed names itself.
const category = "mtviz.task"

var epoch atomic.Int64

// Epoch changes each time a trace starts: a goroutine names itself again
// (Label) when the epoch it last named itself in is not the current one.
func Epoch() int64 { return epoch.Load() }

// Label names the calling goroutine in the running trace, if any; its state
// changes are then reported as the named task's.
func Label(name string) {
	if trace.IsEnabled() {
		trace.Log(context.Background(), category, name)
	}
}

const clockCategory = "mtviz.clock"

// fold is the smallest gap kept between two changes of one task: a task
// that switches state a million times a second is reported once a
// millisecond, with its latest state.
const fold = time.Millisecond

// Tracer runs the runtime trace and reads it live.
type Tracer struct {
	start  time.Time
	pr     *io.PipeReader
	pw     *io.PipeWriter
	mu     sync.Mutex
	buf    []Change
	out    chan []Change
	done   chan struct{}
	offset time.Duration
}

// ErrBusy means another runtime trace is already running in this process
// (go test -trace, for one).
var ErrBusy = errors.New("the runtime trace is already in use")

// Start begins tracing; start is the run's time zero.
func Start(start time.Time) (*Tracer, error) {
	if trace.IsEnabled() {
		return nil, ErrBusy
	}
	pr, pw := io.Pipe()
	if err := trace.Start(pw); err != nil {
		return nil, err
	}
	t := &Tracer{start: start, pr: pr, pw: pw, out: make(chan []Change, 64), done: make(chan struct{})}
	// A marker whose trace timestamp is known on the run's clock.
	trace.Log(context.Background(), clockCategory, "")
	t.offset = time.Since(start)
	epoch.Add(1)
	go t.read()
	return t, nil
}

// Changes delivers batches of changes; closed after Stop.
func (t *Tracer) Changes() <-chan []Change { return t.out }

// Stop ends the trace and waits for the reader to finish.
func (t *Tracer) Stop() {
	trace.Stop()
	t.pw.Close()
	<-t.done
}

func (t *Tracer) read() {
	defer close(t.done)
	defer close(t.out)
	flushDone := make(chan struct{})
	stopFlush := make(chan struct{})
	go func() {
		defer close(flushDone)
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				t.flush()
			case <-stopFlush:
				return
			}
		}
	}()
	defer func() {
		close(stopFlush)
		<-flushDone
		t.flush()
	}()
	r, err := xtrace.NewReader(t.pr)
	if err != nil {
		io.Copy(io.Discard, t.pr)
		return
	}
	tasks := map[xtrace.GoID]string{}
	last := map[string]time.Duration{}
	var t0 xtrace.Time
	synced := false
	for {
		ev, err := r.ReadEvent()
		if err != nil {
			io.Copy(io.Discard, t.pr)
			return
		}
		switch ev.Kind() {
		case xtrace.EventLog:
			l := ev.Log()
			switch l.Category {
			case clockCategory:
				t0, synced = ev.Time(), true
			case category:
				tasks[ev.Goroutine()] = l.Message
			}
		case xtrace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != xtrace.ResourceGoroutine || !synced {
				continue
			}
			g := st.Resource.Goroutine()
			name, ok := tasks[g]
			if !ok {
				continue
			}
			_, to := st.Goroutine()
			c := Change{T: t.offset + time.Duration(ev.Time()-t0), Task: name, State: stateName(to), Why: st.Reason}
			if to == xtrace.GoRunning {
				c.P = int(ev.Proc())
			}
			if to == xtrace.GoNotExist {
				delete(tasks, g)
			}
			if c.T-last[name] < fold && c.State != Gone {
				t.replaceLast(c)
				continue
			}
			last[name] = c.T
			t.mu.Lock()
			t.buf = append(t.buf, c)
			t.mu.Unlock()
		}
	}
}

// replaceLast keeps only the latest state of a task within one fold.
func (t *Tracer) replaceLast(c Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.buf) - 1; i >= 0; i-- {
		if t.buf[i].Task == c.Task {
			c.T = t.buf[i].T
			t.buf[i] = c
			return
		}
	}
	t.buf = append(t.buf, c)
}

func (t *Tracer) flush() {
	t.mu.Lock()
	b := t.buf
	t.buf = nil
	t.mu.Unlock()
	if len(b) > 0 {
		t.out <- b
	}
}

func stateName(s xtrace.GoState) GoState {
	switch s {
	case xtrace.GoRunning:
		return Running
	case xtrace.GoRunnable:
		return Runnable
	case xtrace.GoWaiting:
		return Waiting
	case xtrace.GoSyscall:
		return Syscall
	case xtrace.GoNotExist:
		return Gone
	}
	return Unknown
}
