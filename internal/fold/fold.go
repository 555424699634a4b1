// Package fold folds a run's items (the engine's events, the Go
// runtime's trace changes and the probe's samples) into the run's state, once:
// lanes, the process tree with ended processes, locks, queues, counters, the
// log. The screen and the headless text read the same fold, and a recorded
// run folds to the same state as the live one. The verdicts are not here:
// package verdict reads the same items on its own.
//
// Memory is bounded whatever the number of events: lane histories are
// coarsened, and the log keeps its newest lines and counts the rest.
package fold

import (
	"maps"
	"slices"
	"sort"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/words"

	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// Item is what a run delivers (see package item).
type Item = item.Item

// Config says what run is folded.
type Config struct {
	Scenario *lesson.Scenario
	Cores    int // cores the run used
	Root     int // mtviz's own PID: the root of the observed process tree
	// Watch: a watched program, not a lesson. Lanes are its threads, as
	// /proc reads them, made from the samples alone.
	Watch bool
}

// Counter is a shared counter as the run last reported it.
type Counter struct {
	Name      string
	Task      string // a process's own copy of the counter ("" for mtviz's)
	Value     int64
	Lost      int64
	Init      int64
	Ends      []int64 // the value each round ended at
	TotalLost int64   // over the rounds that ended
	Round     int     // the round of its latest report
	hist      []point
}

type point struct {
	t time.Duration
	v int64
}

// Rate is the counter's change per second over the second before now. A
// counter is reported only when it changes: one that has not changed for a
// second has a rate of 0, however fast it went before.
func (c *Counter) Rate(now time.Duration) (float64, bool) {
	if len(c.hist) < 2 {
		return 0, false
	}
	from := now - time.Second
	first, last := c.hist[0], c.hist[len(c.hist)-1]
	if from < first.t {
		// Less than a second of history: the rate over what there is.
		dt := (last.t - first.t).Seconds()
		if dt <= 0 {
			return 0, false
		}
		return float64(last.v-first.v) / dt, true
	}
	base := first
	for _, p := range c.hist {
		if p.t > from {
			break
		}
		base = p
	}
	return float64(last.v-base.v) / time.Second.Seconds(), true
}

// Object is a lock, rlock, gil, flock, condition or event object.
type Object struct {
	Name    string
	Kind    lesson.ObjectKind
	Permits int    // a semaphore's
	File    string // a flock's file, as /proc/locks names it
	Holder  string
	Count   int
	Waiters []string
	Set     bool // an event object
}

// Queue is a queue's length, head and waiters.
type Queue struct {
	Name    string
	Cap     int // its size: put blocks when it holds this many (0: unbounded)
	Len     int
	Items   []string // the first items
	Waiters []string
}

// Proc is one process a run started, or the probe saw, and what became of it.
type Proc struct {
	PID       int
	PPID      int // the parent the probe last read
	FirstPPID int // the parent the probe first read: a change is a re-parenting
	Task      string
	Program   string // a run step's program
	Name      string
	State     probe.State // as /proc gives it
	CPU       float64
	Core      int
	NThreads  int
	Seen      bool
	LastSeen  time.Duration
	Gone      bool
	GoneAt    time.Duration
	Exit      *event.Event // how it ended, from whoever reaped it
}

// KeyPrompt is a key a task waits for.
type KeyPrompt struct {
	Task, Key, Label string
}

// Copy is a task's private copy of a counter (read and write steps).
type Copy struct {
	Counter string
	Value   int64
}

// Deadlock is a cycle found in the wait-for graph.
type Deadlock struct {
	T     time.Duration
	Cycle []string
	Edges []event.WaitEdge
}

// Timeline is the folded state of one run. Its fields are for reading;
// only Apply changes them.
type Timeline struct {
	Scenario *lesson.Scenario
	Cores    int
	Root     int

	Lanes    []*Lane
	byName   map[string]*Lane
	Counters []*Counter
	ctrIdx   map[string]*Counter
	Objects  []*Object
	objIdx   map[string]*Object
	Queues   []*Queue
	queueIdx map[string]*Queue
	Procs    map[int]*Proc
	Ended    []int // PIDs that ended, oldest first
	Copies   map[string]Copy
	Keys     []KeyPrompt // keys tasks wait for, in the order they asked

	Log       []Entry
	LogCount  int // entries ever added; LogCount-len(Log) were dropped
	Deadlocks []Deadlock

	Round    int
	Phase    string
	Now      time.Duration // the latest time an item carried
	Finished bool          // the engine said the run is over
	// RuntimeUntil: the runtime trace has reported goroutine states up to here.
	RuntimeUntil time.Duration

	Sample *probe.Sample // the latest
	// SwitchSample is the latest sample that read context switches.
	SwitchSample *probe.Sample
	PrevSample   time.Duration
	CoreHist     [][]float64 // per core, oldest first
	CPUHist      []float64   // cores used by mtviz's tree, oldest first

	// Versions, bumped when a part changes, so that a view redraws a panel
	// only when what it shows changed.
	VerLog, VerCounters, VerObjects, VerProcs, VerKeys uint64

	// Watch: lanes are a watched program's threads (see Config).
	Watch     bool
	byTID     map[int]*Lane
	lanesFull bool
}

// Limits that keep a long run's fold small.
const (
	MaxLog     = 2000
	maxHist    = 120
	maxEnded   = 1024
	maxCtrHist = 120
)

// New starts an empty fold.
func New(cfg Config) *Timeline {
	tl := &Timeline{Scenario: cfg.Scenario, Cores: cfg.Cores, Root: cfg.Root,
		byName: map[string]*Lane{}, ctrIdx: map[string]*Counter{}, objIdx: map[string]*Object{},
		queueIdx: map[string]*Queue{}, Procs: map[int]*Proc{}, Copies: map[string]Copy{}}
	for _, o := range cfg.Scenario.Objects {
		switch o.Kind {
		case lesson.Counter, lesson.Local:
			c := &Counter{Name: o.Name, Value: o.Value, Init: o.Value}
			tl.Counters = append(tl.Counters, c)
			tl.ctrIdx[o.Name] = c
		case lesson.Queue:
			q := &Queue{Name: o.Name, Cap: o.Size}
			tl.Queues = append(tl.Queues, q)
			tl.queueIdx[o.Name] = q
		case lesson.Server, lesson.Broker:
			// A process: the Processes panel shows it.
		default:
			ob := &Object{Name: o.Name, Kind: o.Kind}
			if o.Kind == lesson.Semaphore {
				ob.Permits = int(o.Value)
			}
			tl.Objects = append(tl.Objects, ob)
			tl.objIdx[o.Name] = ob
		}
	}
	tl.Watch = cfg.Watch
	for _, w := range cfg.Scenario.Warnings {
		tl.addLog(Entry{Who: "mtviz", Text: words.F("warning: %d:%d: %s", w.Pos.Line, w.Pos.Col, w.Msg), Class: NotDecided})
	}
	return tl
}

// OSUntil is how far a lane's runtime or OS view reaches. The runtime trace
// reports goroutines about 0.1 s late: later cells are the engine's alone.
// What /proc last read of a process holds until it reads something else (a
// zombie stays one, an exited process stays gone).
func (tl *Timeline) OSUntil(l *Lane) time.Duration {
	if l.Process() {
		return 1 << 62
	}
	return tl.RuntimeUntil
}

// Lane returns a task's lane, if it has one.
func (tl *Timeline) Lane(name string) *Lane { return tl.byName[name] }

func (tl *Timeline) lane(name string) *Lane {
	l := tl.byName[name]
	if l == nil {
		l = &Lane{Name: name, Kind: lesson.Goroutine}
		tl.byName[name] = l
		tl.Lanes = append(tl.Lanes, l)
	}
	return l
}

// Apply folds one item.
func (tl *Timeline) Apply(it Item) {
	if it.Sample != nil {
		tl.sample(it.Sample)
	}
	for i := range it.Events {
		tl.Event(&it.Events[i])
	}
}

// Event folds one event.
func (tl *Timeline) Event(ev *event.Event) {
	if ev.T > tl.Now {
		tl.Now = ev.T
	}
	if e, ok := Describe(tl.withCopies(ev), tl.Scenario.Rounds); ok {
		tl.addLog(e)
	}
	if fold := folds[ev.Kind()]; fold != nil {
		fold(tl, ev)
	}
}

// withCopies is a round's end as the Counters panel totals it: mtviz's
// own copy of each counter plus what each process of the round added to
// its own copy. Other events are as they came.
func (tl *Timeline) withCopies(ev *event.Event) *event.Event {
	if ev.Kind() != event.KRoundEnd {
		return ev
	}
	var vals map[string]int64
	for _, c := range tl.Counters {
		if c.Task == "" || c.Round != ev.Round {
			continue
		}
		if vals == nil {
			vals = maps.Clone(ev.RoundEnd().Values)
			if vals == nil {
				vals = map[string]int64{}
			}
		}
		vals[c.Name] += c.Value - c.Init
	}
	if vals == nil {
		return ev
	}
	e := *ev
	e.Data = event.RoundEnd{Values: vals, LostBy: ev.RoundEnd().LostBy}
	return &e
}

// objectOf is the object an event is about. Processes share no memory:
// each has its own copy of every lock, gil, condition and event (a flock
// is the OS's, one for all), shown as an object of its own, "gil @procs-2".
func (tl *Timeline) objectOf(ev *event.Event) *Object {
	o := tl.objIdx[ev.ObjectName()]
	if o == nil || o.Kind == lesson.FileLock || ev.PID == 0 || ev.PID == tl.Root {
		return o
	}
	p := tl.Procs[ev.PID]
	if p == nil || p.Task == "" {
		return o
	}
	name := lesson.ProcessCopy(ev.ObjectName(), p.Task)
	c := tl.objIdx[name]
	if c == nil {
		c = &Object{Name: name, Kind: o.Kind, Permits: o.Permits}
		tl.Objects = append(tl.Objects, c)
		tl.objIdx[name] = c
	}
	return c
}

func runtimeState(s event.State) OSState {
	switch s {
	case event.Running:
		return OSRunning
	case event.Runnable:
		return OSRunnable
	case event.Blocked:
		return OSWaiting
	case event.Done:
		return OSGone
	}
	return OSNone
}

func (tl *Timeline) state(ev *event.Event) {
	x := ev.StateChange()
	l := tl.lane(ev.Task)
	if !l.Process() && ev.PID != 0 && ev.PID != tl.Root {
		l.InPID = ev.PID
	}
	if x.State == event.Done && l.Current().State == event.Done && x.End == event.EndKilled {
		// The hub's "died without a word" after the task had ended on its
		// own is about the process, not the task: the task's end stands.
		return
	}
	l.add(Seg{T: ev.T, State: x.State, Reason: x.Reason, Object: x.Object, Holder: x.Holder, End: x.End, By: x.By})
	l.Folded += x.Folded
	if l.Process() && l.PID != 0 && (x.End == event.EndCrashed || x.End == event.EndKilled) {
		tl.endGoroutinesOf(l.PID, ev.T)
	}
	if x.State != event.Blocked || x.Reason != event.ReasonKey {
		tl.dropKey(ev.Task)
	}
	if x.State == event.Done {
		// A task that has ended waits for nothing.
		for _, o := range tl.Objects {
			if i := slices.Index(o.Waiters, ev.Task); i >= 0 {
				o.Waiters = slices.Delete(slices.Clone(o.Waiters), i, i+1)
				tl.VerObjects++
			}
		}
		for _, q := range tl.Queues {
			if i := slices.Index(q.Waiters, ev.Task); i >= 0 {
				q.Waiters = slices.Delete(slices.Clone(q.Waiters), i, i+1)
				tl.VerObjects++
			}
		}
	}
}

func (tl *Timeline) dropKey(task string) {
	for i, k := range tl.Keys {
		if k.Task == task {
			tl.Keys = slices.Delete(tl.Keys, i, i+1)
			tl.VerKeys++
			return
		}
	}
}

func (tl *Timeline) counter(ev *event.Event) {
	x := ev.CounterChange()
	name := x.Object
	if ev.Task != "" {
		// A process's own copy of the counter: a row of its own.
		name = lesson.ProcessCopy(x.Object, ev.Task)
		if tl.ctrIdx[name] == nil {
			base := tl.ctrIdx[x.Object]
			if base == nil {
				return
			}
			c := &Counter{Name: x.Object, Task: ev.Task, Init: base.Init}
			tl.Counters = append(tl.Counters, c)
			tl.ctrIdx[name] = c
		}
	}
	c := tl.ctrIdx[name]
	if c == nil {
		return
	}
	c.Value, c.Lost, c.Round = x.Value, x.Lost, ev.Round
	c.hist = append(c.hist, point{ev.T, x.Value})
	if len(c.hist) > maxCtrHist {
		c.hist = append(c.hist[:0], c.hist[len(c.hist)-maxCtrHist:]...)
	}
	tl.VerCounters++
}

func (tl *Timeline) proc(pid int) *Proc {
	p := tl.Procs[pid]
	if p == nil {
		p = &Proc{PID: pid}
		tl.Procs[pid] = p
	}
	return p
}

// gone marks a process ended: reaped, or vanished from /proc.
func (tl *Timeline) gone(p *Proc, t time.Duration) {
	if !p.Gone {
		p.Gone, p.GoneAt = true, t
		tl.Ended = append(tl.Ended, p.PID)
		if len(tl.Ended) > maxEnded {
			old := tl.Ended[0]
			tl.Ended = tl.Ended[1:]
			if q := tl.Procs[old]; q != nil && q.Gone {
				delete(tl.Procs, old)
			}
		}
	}
	if l := tl.byName[p.Task]; l != nil && p.Program == "" && l.PID == p.PID {
		l.addOS(OSSeg{T: t, State: OSGone})
	}
	tl.endGoroutinesOf(p.PID, t)
	tl.VerProcs++
}

func (tl *Timeline) addLog(e Entry) {
	tl.VerLog++
	tl.LogCount++
	tl.Log = append(tl.Log, e)
	if len(tl.Log) > MaxLog {
		tl.Log = append(tl.Log[:0], tl.Log[len(tl.Log)-MaxLog:]...)
	}
}

// AddLog adds a line of the viewer's own (a verdict, a failure to trace).
func (tl *Timeline) AddLog(e Entry) {
	if e.T == 0 {
		e.T = tl.Now
	}
	tl.addLog(e)
}

// Children are the live processes whose parent is pid, as /proc last read.
func (tl *Timeline) Children(pid int) []*Proc {
	var out []*Proc
	if tl.Sample == nil {
		return nil
	}
	for _, pp := range tl.Sample.Procs {
		if pp.PPID == pid && pp.State != probe.Zombie {
			if p := tl.Procs[pp.PID]; p != nil {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}
