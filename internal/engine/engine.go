package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"mtviz/internal/contain"
	evt "mtviz/internal/event"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
)

// Options tune a run.
type Options struct {
	// Cores is the number of cores the run may use; `count: cores` tasks get
	// one copy per core. Zero means runtime.GOMAXPROCS(0).
	Cores int
	// Start is the run's time zero; events are stamped with the time since.
	Start time.Time
	// AutoKeys presses every key a `key` step waits for after its `auto`
	// delay, for headless runs.
	AutoKeys bool
	// Tick is how often batches of events go out (default 100ms, the
	// screen's frame rate).
	Tick time.Duration
	// Turns, when set, holds every goroutine task before each visible step
	// until it is given its turn (see Turns); nil runs them freely, at no
	// cost.
	Turns *Turns
}

// Engine runs one scenario once. Restart means a new Engine.
type Engine struct {
	sc  *lesson.Scenario
	opt Options
	out chan []evt.Event

	bufMu   sync.Mutex
	buf     []evt.Event
	drained chan struct{} // closed when the collector takes the buffer

	cur atomic.Pointer[world]

	worldsMu sync.Mutex
	worlds   []*world // rounds whose task events are not all collected yet

	pauseMu sync.Mutex
	paused  atomic.Bool
	resume  chan struct{}

	keyMu sync.Mutex
	keys  map[rune][]chan struct{}

	outlet  outlet            // the engine's role: local in mtviz, remote in a child process
	hub     *hub              // mtviz's end of its child processes, when the scenario has any
	box     *contain.Box      // every process of the run and all they start (mtviz's engine only)
	dir     string            // lock files, when there is no hub
	files   []*fileLock       // opened by this process, closed when the run ends
	servers []*server         // the run's server processes (mtviz's engine only)
	addrs   map[string]string // each server object's address, here and in children
	brokers []*broker         // the run's brokers' processes (mtviz's engine only)
	// brokerInfo is each broker's address and key, here and in children.
	brokerInfo map[string]brokerInfo
	collectMu  sync.Mutex
	last       map[string]evt.Event
	pending    []evt.Event
}

// New prepares an engine for a loaded scenario.
func New(sc *lesson.Scenario, opt Options) *Engine {
	if opt.Cores <= 0 {
		opt.Cores = defaultCores()
	}
	if opt.Start.IsZero() {
		opt.Start = time.Now()
	}
	if opt.Tick <= 0 {
		opt.Tick = 100 * time.Millisecond
	}
	// A few batches in flight: a reader that falls behind holds the
	// engine back instead of letting batches pile up in memory.
	e := &Engine{sc: sc, opt: opt, out: make(chan []evt.Event, 4), keys: map[rune][]chan struct{}{}, last: map[string]evt.Event{}}
	e.outlet = local{e}
	return e
}

// Events delivers the run's events in batches; it is closed when Run returns.
func (e *Engine) Events() <-chan []evt.Event { return e.out }

// Supported reports, before anything runs, a step, object or task kind of a
// scenario that this engine cannot run yet.
func Supported(sc *lesson.Scenario) error {
	for _, o := range sc.Objects {
		if !objectKinds[o.Kind] {
			return fmt.Errorf("%s: %s objects are not supported by this version of the engine", o.Pos, o.Kind)
		}
	}
	var err error
	for _, t := range sc.Tasks {
		lesson.Walk(t.Steps, func(st *lesson.Step) {
			if err == nil && !HasExecutor(st.Op) {
				err = fmt.Errorf("%s: step %q is not supported by this version of the engine", st.Pos, st.Op)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func usesKind(sc *lesson.Scenario, k lesson.ObjectKind) bool {
	for _, o := range sc.Objects {
		if o.Kind == k {
			return true
		}
	}
	return false
}

// HasProcesses reports whether a scenario has process tasks.
func HasProcesses(sc *lesson.Scenario) bool {
	for _, t := range sc.Tasks {
		if t.Kind == lesson.Process {
			return true
		}
	}
	return false
}

// ProcessCount is how many processes a round can have at once: a process
// per copy of a process task, one more per copy of a task with a run step
// (its program), and one per server object.
func ProcessCount(sc *lesson.Scenario, cores int) int {
	n := 0
	for _, o := range sc.Objects {
		if o.Kind == lesson.Server || o.Kind == lesson.Broker {
			n++
		}
	}
	for _, t := range sc.Tasks {
		copies := t.Count
		if copies == lesson.CountCores {
			copies = cores
		}
		if t.Kind == lesson.Process {
			n += copies
		}
		if runs(t.Steps) {
			n += copies
		}
	}
	return n
}

// TaskCount is how many task copies a round has: goroutines, and the
// processes that stand for process tasks.
func TaskCount(sc *lesson.Scenario, cores int) int {
	n := 0
	for _, t := range sc.Tasks {
		if t.Count == lesson.CountCores {
			n += cores
		} else {
			n += t.Count
		}
	}
	return n
}

func runs(ss []lesson.Step) bool {
	return lesson.Has(ss, lesson.OpRun)
}

// ErrStopped is returned by Run when its context ended the run early.
var ErrStopped = errors.New("run stopped before its end")

// Run runs every round, then returns: mtviz's engine, the host of the run
// (a child process's engine runs its one task with RunChild). Cancelling ctx
// stops every task at its next step or wait. The Events channel is closed
// when Run returns.
func (e *Engine) Run(ctx context.Context) error {
	defer close(e.out)
	defer e.opt.Turns.runEnded()
	if ProcessCount(e.sc, e.opt.Cores) > 0 {
		// Last of all, whatever the run's processes left running goes:
		// daemons that left their group and session included.
		e.box = contain.New()
		defer e.box.Close()
	}
	if HasProcesses(e.sc) {
		h, err := newHub(e)
		if err != nil {
			return err
		}
		e.hub = h
		defer h.close()
	} else if usesKind(e.sc, lesson.FileLock) {
		d, err := RunDir()
		if err != nil {
			return err
		}
		e.dir = d.Path
		defer d.Remove()
	}
	defer func() {
		for _, f := range e.files {
			f.close()
		}
	}()
	// Servers and brokers live as long as the run, and are gone before it ends.
	defer e.stopServers()
	defer e.stopBrokers()
	if err := e.startServers(); err != nil {
		return err
	}
	if err := e.startBrokers(); err != nil {
		return err
	}
	collectorDone := make(chan struct{})
	stopCollector := make(chan struct{})
	go func() {
		defer guard.Recover()
		defer close(collectorDone)
		e.collect(stopCollector)
	}()
	var err error
	for r := 1; r <= e.sc.Rounds && err == nil; r++ {
		err = e.round(ctx, r)
	}
	e.stopServers()
	e.stopBrokers()
	e.emit(evt.Event{Data: evt.Finish{}})
	close(stopCollector)
	<-collectorDone
	return err
}

// Pause stops every task at its next step; Resume lets them go on.
func (e *Engine) Pause() {
	e.pauseMu.Lock()
	defer e.pauseMu.Unlock()
	if e.paused.Load() {
		return
	}
	e.resume = make(chan struct{})
	e.paused.Store(true)
	e.outlet.paused(true)
}

// Resume undoes Pause.
func (e *Engine) Resume() {
	e.pauseMu.Lock()
	defer e.pauseMu.Unlock()
	if !e.paused.Load() {
		return
	}
	e.paused.Store(false)
	close(e.resume)
	e.outlet.paused(false)
}

// Paused reports whether the run is paused.
func (e *Engine) Paused() bool { return e.paused.Load() }

func (e *Engine) resumeCh() chan struct{} {
	e.pauseMu.Lock()
	defer e.pauseMu.Unlock()
	if !e.paused.Load() {
		return nil
	}
	return e.resume
}

// Key presses a key for the `key` steps waiting for it. It reports whether a
// step was waiting.
func (e *Engine) Key(r rune) bool {
	e.outlet.pressed(r)
	e.keyMu.Lock()
	waiters := e.keys[r]
	delete(e.keys, r)
	e.keyMu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	return len(waiters) > 0
}

func (e *Engine) waitKey(r rune) chan struct{} {
	ch := make(chan struct{})
	e.keyMu.Lock()
	e.keys[r] = append(e.keys[r], ch)
	e.keyMu.Unlock()
	return ch
}

// Cores is the number of cores the run uses.
func (e *Engine) Cores() int { return e.opt.Cores }

func (e *Engine) now() time.Duration { return time.Since(e.opt.Start) }

// current is the round under way (nil before the first).
func (e *Engine) current() *world { return e.cur.Load() }

// assignment is what a child process of the run is told when it says
// hello: the scenario as mtviz loaded and checked it, its task, and the
// run's settings and objects' addresses.
func (e *Engine) assignment(task string, round int) *assign {
	return &assign{Scenario: e.sc, Task: task, Round: round, Cores: e.opt.Cores, AutoKeys: e.opt.AutoKeys,
		Start: e.opt.Start.UnixNano(), Paused: e.paused.Load(), Servers: e.addrs, Brokers: e.brokerInfo}
}

func (e *Engine) emit(ev evt.Event) {
	e.bufMu.Lock()
	ev.T = e.now()
	if w := e.cur.Load(); w != nil && ev.Round == 0 {
		ev.Round = w.round
	}
	e.buf = append(e.buf, ev)
	e.bufMu.Unlock()
}

// quietAbove is the number of changes in one tick above which a task is quiet.
const quietAbove = 200

// collect sends batches of events every tick and folds the events of tasks
// that change state faster than anyone can watch.
//
// Events are stamped under the lock of the buffer they go into, and a batch
// is cut at a time taken before any buffer is emptied: everything stamped up
// to the cut is then in hand, so batches go out in time order. Events from
// child processes arrive a little late; while children are connected, the
// cut is held back to let them catch up.
func (e *Engine) collect(stop chan struct{}) {
	tk := time.NewTicker(e.opt.Tick)
	defer tk.Stop()
	for {
		final := false
		select {
		case <-tk.C:
		case <-stop:
			final = true
		}
		e.collectOnce(final)
		if final {
			return
		}
	}
}

// flushNow collects and delivers everything recorded so far.
func (e *Engine) flushNow() { e.collectOnce(true) }

func (e *Engine) collectOnce(final bool) {
	e.collectMu.Lock()
	defer e.collectMu.Unlock()
	if w := e.cur.Load(); w != nil {
		w.tick(e.last)
	}
	cut := e.now()
	if !final {
		cut -= e.outlet.lag()
	}
	pending := e.takeTaskEvents(e.pending)
	e.bufMu.Lock()
	pending = append(pending, e.buf...)
	e.buf = nil
	if e.drained != nil {
		close(e.drained)
		e.drained = nil
	}
	e.bufMu.Unlock()
	sort.SliceStable(pending, func(i, j int) bool { return pending[i].T < pending[j].T })
	n := sort.Search(len(pending), func(i int) bool { return pending[i].T > cut })
	if final {
		n = len(pending)
	}
	if n > 0 {
		batch := make([]evt.Event, n)
		copy(batch, pending[:n])
		pending = append(pending[:0], pending[n:]...)
		e.outlet.deliver(batch)
	}
	e.pending = pending
}

// childTick is how often a child process sends its events.
const childTick = 20 * time.Millisecond

// maxInjected is how many events from child processes may wait for the
// collector; beyond it the hub stops reading that child, whose own writes
// then wait in turn.
const maxInjected = 16384

// inject adds events that a child process recorded, with their own stamps.
// It waits while too many are pending, until the collector takes them or
// stop closes.
func (e *Engine) inject(evs []evt.Event, stop <-chan struct{}) {
	for {
		e.bufMu.Lock()
		if len(e.buf) < maxInjected {
			e.buf = append(e.buf, evs...)
			e.bufMu.Unlock()
			return
		}
		if e.drained == nil {
			e.drained = make(chan struct{})
		}
		wait := e.drained
		e.bufMu.Unlock()
		select {
		case <-wait:
		case <-stop:
			return
		}
	}
}

// takeTaskEvents empties the event buffers of the tasks of every world not
// yet fully collected. A world is dropped once it was over before its
// buffers were emptied, so no event of a finished round is left behind.
func (e *Engine) takeTaskEvents(into []evt.Event) []evt.Event {
	e.worldsMu.Lock()
	ws := append([]*world(nil), e.worlds...)
	e.worldsMu.Unlock()
	var keep []*world
	for _, w := range ws {
		over := w.over.Load()
		for _, t := range w.tasks {
			into = append(into, t.take()...)
		}
		if !over {
			keep = append(keep, w)
		}
	}
	e.worldsMu.Lock()
	// Rounds that began while we were collecting stay on the list.
	e.worlds = append(keep, e.worlds[len(ws):]...)
	e.worldsMu.Unlock()
	return into
}

func (e *Engine) round(ctx context.Context, r int) error {
	w, err := newWorld(e, r)
	if err != nil {
		return err
	}
	e.worldsMu.Lock()
	e.worlds = append(e.worlds, w)
	e.worldsMu.Unlock()
	e.cur.Store(w)
	w.box = e.box.Sub(strconv.Itoa(r))
	e.opt.Turns.attach(w)
	e.emit(evt.Event{Round: r, Data: evt.RoundStart{}})
	for _, t := range w.tasks {
		e.emit(evt.Event{Task: t.name, Data: evt.TaskStart{TaskKind: t.def.Kind, Daemon: t.def.Daemon, State: evt.Created}})
	}
	for _, l := range w.lockList {
		if l.file != nil {
			// The file's identity, so that what the probe reads in
			// /proc/locks can be matched to this lock.
			e.emit(evt.Event{Data: evt.LockFile{Object: l.name, File: l.file.id()}})
		}
	}
	stopWatch := context.AfterFunc(ctx, w.halt)
	defer stopWatch()
	stopMonitor := e.watchBrokers(w)
	// Tasks that nobody spawns start together, so that racers really overlap.
	var first []*task
	for _, t := range w.tasks {
		if !t.def.Spawned {
			first = append(first, t)
		}
	}
	w.startAll(first, nil)
	w.main.Wait()
	w.cutDaemons()
	w.all.Wait()
	stopMonitor()
	var round *task // the round itself reaps what is left, not a task
	for _, t := range w.tasks {
		round.reapChild(t)
	}
	if e.hub != nil {
		e.hub.endRound(r)
	}
	// Whatever the round's processes left behind (a run step's setsid
	// daemon) ends with the round; those mtviz adopted are reaped.
	if w.box != nil {
		w.box.Close()
		e.reapLeftovers()
	}
	w.over.Store(true)
	final := map[string]int64{}
	lost := map[string]int64{}
	for _, c := range w.counterList {
		final[c.name] = c.v.Load()
		lost[c.name] = c.lost.Load()
		e.emit(evt.Event{Data: evt.CounterChange{Object: c.name, Value: final[c.name], Lost: lost[c.name]}})
	}
	e.emit(evt.Event{Round: r, Data: evt.RoundEnd{Values: final, LostBy: lost}})
	if ctx.Err() != nil {
		return ErrStopped
	}
	return nil
}
