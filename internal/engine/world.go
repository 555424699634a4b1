package engine

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"mtviz/internal/contain"
	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// world is one round: fresh objects and fresh copies of every task.
type world struct {
	e     *Engine
	round int

	stop     chan struct{} // closed when the run must stop
	haltOnce sync.Once
	cutOnce  sync.Once
	stopped  atomic.Bool
	over     atomic.Bool // every task has ended

	counters    map[string]*counter
	counterList []*counter
	localsMu    sync.Mutex
	locals      []localCopy // each task's own copy of a local, as first used
	locks       map[string]*lock
	sems        map[string]*semaphore
	rwlocks     map[string]*rwlock
	lockList    []*lock
	gils        map[string]*gil
	gilList     []*gil

	tasks  []*task
	byName map[string][]*task // a counted task has several copies
	byCopy map[string]*task   // each copy by its own name
	queues map[string]*queue
	conds  map[string]*cond
	events map[string]*event
	self   *task        // in a child process, the task the process runs
	box    *contain.Box // the round's processes, in mtviz (nil in a child)
	turns  *Turns

	deadlocks map[string]int // cycles seen, by description, and for how many ticks
	stuckFor  int            // ticks in a row every live task was blocked for good

	main sync.WaitGroup // non-daemon tasks started and not yet ended
	all  sync.WaitGroup // every task goroutine
}

func defaultCores() int { return runtime.GOMAXPROCS(0) }

func newWorld(e *Engine, round int) (*world, error) {
	w := &world{
		e: e, round: round, turns: e.opt.Turns,
		stop:     make(chan struct{}),
		counters: map[string]*counter{}, locks: map[string]*lock{}, sems: map[string]*semaphore{}, rwlocks: map[string]*rwlock{}, gils: map[string]*gil{},
		byName: map[string][]*task{}, byCopy: map[string]*task{}, queues: map[string]*queue{},
		conds: map[string]*cond{}, events: map[string]*event{}, deadlocks: map[string]int{},
	}
	for _, o := range e.sc.Objects {
		switch o.Kind {
		case lesson.Counter:
			c := &counter{name: o.Name, init: o.Value}
			c.v.Store(o.Value)
			w.counters[o.Name] = c
			w.counterList = append(w.counterList, c)
		case lesson.Lock, lesson.RLock, lesson.FileLock:
			l := &lock{name: o.Name, reentrant: o.Kind == lesson.RLock, w: w, mu: newMutex()}
			if o.Kind == lesson.FileLock {
				l.file = &fileLock{path: filepath.Join(e.outlet.lockDir(), o.Name+".lock")}
				l.file.open()
				e.files = append(e.files, l.file)
			}
			w.locks[o.Name] = l
			w.lockList = append(w.lockList, l)
		case lesson.GIL:
			g := newGIL(o, w)
			w.gils[o.Name] = g
			w.gilList = append(w.gilList, g)
		case lesson.Queue:
			w.queues[o.Name] = newQueue(o.Name, o.Size)
		case lesson.Local:
			c := &counter{name: o.Name, init: o.Value, local: true}
			c.v.Store(o.Value)
			w.counters[o.Name] = c
		case lesson.Semaphore:
			w.sems[o.Name] = newSemaphore(o.Name, int(o.Value))
		case lesson.RWLock:
			w.rwlocks[o.Name] = newRWLock(o.Name)
		case lesson.Event:
			w.events[o.Name] = newEvent(o.Name)
		case lesson.Condition:
			// Its lock comes after every lock exists.
		case lesson.Server, lesson.Broker:
			// A process for the whole run (see startServers, startBrokers).
		default:
			return nil, fmt.Errorf("%s: %s objects are not supported by this version of the engine", o.Pos, o.Kind)
		}
	}
	for _, o := range e.sc.Objects {
		if o.Kind == lesson.Condition {
			c := &cond{name: o.Name, lock: w.locks[o.Lock]}
			if c.lock == nil {
				c.lock = &lock{name: o.Name + ".lock", w: w, mu: newMutex()}
				w.locks[c.lock.name] = c.lock
			}
			w.conds[o.Name] = c
		}
	}
	for i := range e.sc.Tasks {
		def := &e.sc.Tasks[i]
		n := def.Count
		if n == lesson.CountCores {
			n = e.opt.Cores
		}
		for k := 1; k <= n; k++ {
			name := def.Name
			if n > 1 || def.Count == lesson.CountCores {
				name = lesson.CopyName(def.Name, k)
			}
			t := &task{name: name, def: def, w: w, done: make(chan struct{}), daemon: def.Daemon}
			t.cur = taskState{state: evt.Created}
			t.sent = t.cur
			t.stop = make(chan struct{})
			w.tasks = append(w.tasks, t)
			w.byName[def.Name] = append(w.byName[def.Name], t)
			w.byCopy[name] = t
		}
	}
	for _, t := range w.tasks {
		code, err := w.compile(t.def.Steps)
		if err != nil {
			return nil, err
		}
		t.code = code
	}
	return w, nil
}

// halt stops every task of the round.
func (w *world) halt() {
	w.haltOnce.Do(func() {
		w.stopped.Store(true)
		close(w.stop)
		for _, t := range w.tasks {
			t.halt(evt.EndHalted, "")
		}
	})
}

// cutDaemons ends the daemon tasks, as a process ends its daemon threads
// when its last ordinary thread ends.
func (w *world) cutDaemons() {
	w.cutOnce.Do(func() {
		for _, t := range w.tasks {
			if t.daemon {
				t.halt(evt.EndCutOff, "")
			}
		}
	})
}

// stuck reports whether the round cannot go on: a deadlock was found, and
// every task that has not ended is a goroutine of this process blocked on
// something only another task of it could release (a process, a key or a
// sleep might still move things).
func (w *world) stuck() bool {
	if w.e.paused.Load() || w.e.outlet.outside(w.round) {
		return false
	}
	live := 0
	for _, t := range w.tasks {
		if !t.started.Load() || t.isDone() {
			continue
		}
		if t.def.Kind == lesson.Process && t != w.self {
			return false
		}
		live++
		st := t.state()
		if st.state != evt.Blocked || t.timed.Load() {
			return false
		}
		switch st.reason {
		case evt.ReasonLock, evt.ReasonJoin, evt.ReasonCond, evt.ReasonEvent, evt.ReasonQueue, evt.ReasonGIL:
		default:
			return false
		}
		if t.waitsForFree() {
			return false
		}
	}
	return live > 0
}

// waitsForFree says whether t waits for a lock or a GIL nobody holds: one
// just let go, which a waiter is about to take (its goroutine woken, not
// yet run, on a busy machine). Such a wait ends by itself.
func (t *task) waitsForFree() bool {
	t.mu.Lock()
	on := t.waitsOn
	t.mu.Unlock()
	switch o := on.(type) {
	case *lock:
		return o.mu.holder.Load() == nil
	case *gil:
		return o.holder.Load() == nil
	}
	return false
}

// stuckTicks is how many ticks in a row a run must be stuck before it is
// ended: a reading of the tasks one by one can mix two moments.
const stuckTicks = 3

// endIfStuck ends a run in which every live task waits for another and
// nothing alive can wake any of them: it would wait forever. A cycle is
// a deadlock (reported as one); any other stuck run is reported with who
// waits for what, and who holds it.
func (w *world) endIfStuck() {
	if !w.stuck() {
		w.stuckFor = 0
		return
	}
	w.stuckFor++
	if w.stuckFor != stuckTicks {
		return
	}
	cycle := false
	for _, n := range w.deadlocks {
		cycle = cycle || n < 0
	}
	why := words.T("mtviz: every task was blocked, in a deadlock")
	if !cycle {
		why = words.T("mtviz: every task was blocked, and no task could wake one")
		w.e.emit(evt.Event{Data: evt.Stuck{Edges: w.waitEdges()}})
	}
	for _, t := range w.tasks {
		t.halt(evt.EndStopped, why)
	}
}

// waitEdges says, for each blocked task, what it waits for and who holds it.
func (w *world) waitEdges() []evt.WaitEdge {
	var out []evt.WaitEdge
	for _, t := range w.tasks {
		if !t.started.Load() || t.isDone() {
			continue
		}
		t.mu.Lock()
		on, st := t.waitsOn, t.cur
		t.mu.Unlock()
		e := evt.WaitEdge{Task: t.name, Reason: st.reason, Object: st.object}
		switch o := on.(type) {
		case *lock:
			if h := o.mu.holder.Load(); h != nil {
				e.Holder, e.Ended = h.name, h.isDone()
			}
		case *semaphore:
			e.Holder = o.holderNames()
		case *rwlock:
			e.Holder = o.holderNames()
		case *task:
			e.Holder, e.Ended = o.name, o.isDone()
		}
		out = append(out, e)
	}
	return out
}

// gate holds tasks started together until every one of them is on a core,
// so that tasks meant to race really overlap. Woken goroutines queue on the
// waker's core, and an idle core (an idle virtual CPU, often) can take longer
// to wake than a short task takes to finish; so, when there are enough cores
// for all of them, arrivals spin, keeping their core busy, until the others
// have been taken by other cores. The spin is bounded; with more tasks than
// cores they wait on a channel instead.
type gate struct {
	n       int32
	spin    bool
	arrived atomic.Int32
	open    chan struct{}
}

const gateSpin = 50 * time.Millisecond

func (g *gate) wait(stop chan struct{}) {
	last := g.arrived.Add(1) == g.n
	if g.spin {
		deadline := time.Now().Add(gateSpin)
		for g.arrived.Load() < g.n && time.Now().Before(deadline) {
			for i := 0; i < 100; i++ {
				sink.Add(1)
			}
		}
		return
	}
	if last {
		close(g.open)
		return
	}
	select {
	case <-g.open:
	case <-stop:
	}
}

// startAll starts tasks together (see gate).
func (w *world) startAll(ts []*task, by *task) {
	g := &gate{open: make(chan struct{})}
	var fresh []*task
	for _, t := range ts {
		if w.claim(t, by) {
			fresh = append(fresh, t)
		}
	}
	g.n = int32(len(fresh))
	g.spin = g.n > 1 && int(g.n) <= runtime.GOMAXPROCS(0) && w.turns == nil // taking turns, nothing races
	for _, t := range fresh {
		w.launch(t, g)
	}
}

// claim marks a task started; false (and an error event) if it already was.
func (w *world) claim(t *task, by *task) bool {
	if t.started.Swap(true) {
		who := "the round"
		if by != nil {
			who = by.name
		}
		w.e.emit(evt.Event{Task: t.name, Data: evt.Failure{Error: fmt.Sprintf("%s tried to start %s a second time; a task starts once", who, t.name)}})
		return false
	}
	return true
}

func (w *world) launch(t *task, g *gate) {
	if t.def.Kind == lesson.Process && t != w.self {
		w.launchProcess(t, g)
		return
	}
	if !t.daemon {
		w.main.Add(1)
	}
	w.all.Add(1)
	t.set(evt.Runnable, "", "", "")
	go t.run(g)
}

func (t *task) run(g *gate) {
	w := t.w
	defer w.all.Done()
	if !t.daemon {
		defer w.main.Done()
	}
	defer close(t.done)
	if t.def.Locked {
		// The thread is handed back at the end, not ended with the
		// goroutine: a child started from it keeps its Pdeathsig.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	defer func() {
		end := t.ending()
		if r := recover(); r != nil {
			// An engine bug must not take the learner's terminal down with it.
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Error: fmt.Sprintf("engine fault: %v", r)}})
			end = taskState{state: evt.Done, end: evt.EndFault}
		}
		t.quiet.Store(false)
		t.setState(end)
	}()
	g.wait(t.stop)
	t.label()
	t.running()
	t.exec(t.code)
}

// halted reports whether the task must stop now.
func (t *task) halted() bool {
	select {
	case <-t.stop:
		return true
	default:
		return false
	}
}

// tick runs once per collector tick: it decides which tasks are quiet, sends
// their folded state, and sends counters and locks whose value changed.
func (w *world) tick(last map[string]evt.Event) {
	w.findDeadlocks()
	w.endIfStuck()
	for _, t := range w.tasks {
		n := t.ops.Swap(0)
		if t.quiet.Load() {
			t.flush()
		}
		t.quiet.Store(n > quietAbove && !t.isDone())
	}
	for _, c := range w.counterList {
		// A process has its own copy of every counter.
		ev := evt.Event{Task: w.e.outlet.owner(), Data: evt.CounterChange{Object: c.name, Value: c.v.Load(), Lost: c.lost.Load()}}
		if p, ok := last["c:"+c.name]; !ok || p.Data != ev.Data { // CounterChange is comparable
			last["c:"+c.name] = ev
			w.e.emit(ev)
		}
	}
	w.localsMu.Lock()
	for _, lc := range w.locals {
		ev := evt.Event{Task: lc.task, Data: evt.CounterChange{Object: lc.c.name, Value: lc.c.v.Load()}}
		if k := "c:" + lc.c.name + "@" + lc.task; last[k].Kind() == "" || last[k].CounterChange().Value != ev.CounterChange().Value {
			last[k] = ev
			w.e.emit(ev)
		}
	}
	w.localsMu.Unlock()
	emitIfChanged := func(ev evt.Event) {
		x := ev.LockChange()
		key := "l:" + x.Object
		if p, ok := last[key]; !ok || p.LockChange().Holder != x.Holder || p.LockChange().Count != x.Count || !slices.Equal(p.LockChange().Waiters, x.Waiters) {
			last[key] = ev
			w.e.emit(ev)
		}
	}
	for _, l := range w.lockList {
		emitIfChanged(l.snapshot())
	}
	for _, g := range w.gilList {
		emitIfChanged(g.snapshot())
	}
}

// objectKinds are the kinds of shared object a round makes (the switch in
// newWorld): Supported refuses the others before anything runs, and a test
// holds the two, and the vocabulary, to each other.
var objectKinds = map[lesson.ObjectKind]bool{
	lesson.Counter: true, lesson.Lock: true, lesson.RLock: true, lesson.FileLock: true, lesson.GIL: true, lesson.Queue: true,
	lesson.Local: true, lesson.Semaphore: true, lesson.RWLock: true, lesson.Event: true, lesson.Condition: true,
	lesson.Server: true, lesson.Broker: true,
}
