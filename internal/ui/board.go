package ui

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"mtviz/internal/probe"
	"mtviz/internal/session"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// board is what the lesson screen shows, derived only from the engine's
// events and the probe's samples: it keeps no state of its own that could
// drift from them.
type board struct {
	sc     *spec.Scenario
	cores  int
	lanes  []*lane
	byName map[string]*lane

	counters []*counterView
	ctrIdx   map[string]*counterView
	locks    []*lockView
	lockIdx  map[string]*lockView

	log      []logLine
	round    int
	phase    string
	now      time.Duration // the latest time any event or sample carried
	paused   bool
	finished bool
	summary  *session.Summary

	rtUntil    time.Duration // the runtime trace has reported up to here
	prevSample time.Duration
	deadlocks  []string
	copies     map[string]string // task → its private copy, as "balance=8"

	sample   *probe.Sample
	coreHist [][]float64 // per core, oldest first
	cpuHist  []float64   // cores used by mtviz's tree, oldest first
	keyWait  map[string]keyPrompt

	queues   []*queueView
	queueIdx map[string]*queueView
	procs    map[int]*procView // every PID a task ran as, and what became of it
	gone     []int             // PIDs the probe saw disappear, newest last

	// Versions of the parts of the board, bumped when they change, so that
	// the screen redraws a panel only when what it shows changed.
	verLog, verCounters, verLocks, verSample, verKeys uint64
}

type keyPrompt struct{ key, label string }

type lane struct {
	name   string
	kind   string
	daemon bool
	segs   []seg // what the engine reported
	rt     []seg // what the Go runtime's trace (or, for a process, the OS) reported
	folded int64
	// osUntil: for a process task, the OS has reported its running state up
	// to here (a goroutine's is reported up to the board's rtUntil).
	osUntil time.Duration
}

type seg struct {
	t      time.Duration
	state  sim.State
	reason string
	object string
	holder string
	p      int // the P a running goroutine ran on (runtime segments)
}

type counterView struct {
	name      string
	v         int64
	lost      int64
	hist      []point // recent values, for a rate
	ends      []int64 // the value each round ended at
	init      int64
	totalLost int64 // over the rounds that ended
}

type point struct {
	t time.Duration
	v int64
}

type lockView struct {
	name    string
	kind    spec.ObjectKind
	file    string // a flock's file, as /proc/locks names it
	holder  string
	count   int
	waiters []string
}

type queueView struct {
	name    string
	items   []string
	waiters []string
}

// procView is what the board knows of one PID: which task it ran (from the
// engine), how it ended (from whoever reaped it), and when the probe last
// saw it.
type procView struct {
	pid      int
	task     string
	ppid     int // the last parent the probe read
	state    string
	name     string
	exit     string
	reaper   string
	goneAt   time.Duration
	lastSeen time.Duration
}

type logLine struct {
	t    time.Duration
	who  string
	text string
	kind sim.Kind
}

const (
	maxLog  = 2000
	maxHist = 120
	// keepLane is how much lane history is kept: more than the widest zoom shows.
	keepLane = 15 * time.Minute
)

func newBoard(sc *spec.Scenario, cores int) *board {
	b := &board{sc: sc, cores: cores, byName: map[string]*lane{}, ctrIdx: map[string]*counterView{},
		lockIdx: map[string]*lockView{}, keyWait: map[string]keyPrompt{}, queueIdx: map[string]*queueView{},
		procs: map[int]*procView{}, copies: map[string]string{}}
	for _, o := range sc.Objects {
		switch o.Kind {
		case spec.Counter:
			c := &counterView{name: o.Name, v: o.Value, init: o.Value}
			b.counters = append(b.counters, c)
			b.ctrIdx[o.Name] = c
		case spec.Lock, spec.RLock, spec.GIL, spec.FileLock:
			l := &lockView{name: o.Name, kind: o.Kind}
			b.locks = append(b.locks, l)
			b.lockIdx[o.Name] = l
		case spec.Event, spec.Condition:
			l := &lockView{name: o.Name, kind: o.Kind}
			b.locks = append(b.locks, l)
			b.lockIdx[o.Name] = l
		case spec.Queue:
			q := &queueView{name: o.Name}
			b.queues = append(b.queues, q)
			b.queueIdx[o.Name] = q
		}
	}
	return b
}

func (b *board) lane(name string) *lane {
	l := b.byName[name]
	if l == nil {
		l = &lane{name: name}
		b.byName[name] = l
		b.lanes = append(b.lanes, l)
	}
	return l
}

func (b *board) apply(ev *sim.Event) {
	if ev.T > b.now {
		b.now = ev.T
	}
	switch ev.Kind {
	case sim.KCounter, sim.KRoundEnd:
		b.verCounters++
	case sim.KLock, sim.KQueue:
		b.verLocks++
	case sim.KProcess, sim.KExit:
		b.verSample++
	case sim.KKey:
		b.verKeys++
	}
	switch ev.Kind {
	case sim.KRound:
		b.round = int(ev.Value)
		b.addLog(ev.T, "", fmt.Sprintf("round %d of %d", ev.Value, b.sc.Rounds), ev.Kind)
	case sim.KTask:
		l := b.lane(ev.Task)
		l.kind, l.daemon = ev.Text, ev.Daemon
		l.add(seg{t: ev.T, state: sim.Created})
	case sim.KState:
		l := b.lane(ev.Task)
		l.add(seg{t: ev.T, state: ev.State, reason: ev.Reason, object: ev.Object, holder: ev.Holder})
		l.folded += ev.Folded
		if ev.State == sim.Blocked && ev.Reason == sim.ReasonKey {
			if p, ok := b.keyWait[ev.Task]; ok {
				p.key = ev.Object
				b.keyWait[ev.Task] = p
			}
		} else if _, ok := b.keyWait[ev.Task]; ok {
			delete(b.keyWait, ev.Task)
			b.verKeys++
		}
	case sim.KKey:
		b.keyWait[ev.Task] = keyPrompt{key: ev.Object, label: ev.Text}
		b.addLog(ev.T, ev.Task, fmt.Sprintf("waits for key %s: %s", ev.Object, ev.Text), ev.Kind)
	case sim.KCounter:
		name := ev.Object
		if ev.Task != "" {
			// A process's own copy of the counter: a row of its own.
			name = ev.Object + " @" + ev.Task
			if b.ctrIdx[name] == nil && b.ctrIdx[ev.Object] != nil {
				c := &counterView{name: name, init: b.ctrIdx[ev.Object].init}
				b.counters = append(b.counters, c)
				b.ctrIdx[name] = c
			}
		}
		if c := b.ctrIdx[name]; c != nil {
			c.v, c.lost = ev.Value, ev.Lost
			c.hist = append(c.hist, point{ev.T, ev.Value})
			if len(c.hist) > maxHist {
				c.hist = c.hist[len(c.hist)-maxHist:]
			}
		}
	case sim.KLock:
		if l := b.lockIdx[ev.Object]; l != nil {
			if id, ok := strings.CutPrefix(ev.Text, "file "); ok {
				l.file = id
			} else if l.kind != spec.FileLock {
				// A flock's holder is what /proc/locks says (see addSample):
				// each process only knows its own side of it.
				l.holder, l.count, l.waiters = ev.Holder, ev.Count, ev.Waiters
			}
		}
	case sim.KRuntime:
		if l := b.byName[ev.Task]; l != nil {
			l.addRT(seg{t: ev.T, state: ev.State, reason: ev.Text, p: int(ev.Value)})
		}
		if ev.T > b.rtUntil {
			b.rtUntil = ev.T
		}
	case sim.KDeadlock:
		b.deadlocks = append(b.deadlocks, ev.Text)
		b.verCounters++
		b.addLog(ev.T, "", ev.Text, sim.KError)
	case sim.KCopy:
		if strings.HasPrefix(ev.Text, "read") {
			// The task's private copy: what it read. A write changes the
			// counter, not the copy.
			b.copies[ev.Task] = fmt.Sprintf("%s=%d", ev.Object, ev.Value)
			b.verCounters++
		}
		b.addLog(ev.T, ev.Task, ev.Text, ev.Kind)
	case sim.KQueue:
		if q := b.queueIdx[ev.Object]; q != nil {
			q.items, q.waiters = ev.Items, ev.Waiters
		}
	case sim.KPut:
		b.addLog(ev.T, ev.Task, fmt.Sprintf("put %s on %s", ev.Text, ev.Object), ev.Kind)
	case sim.KGet:
		b.addLog(ev.T, ev.Task, fmt.Sprintf("got %s from %s", ev.Text, ev.Object), ev.Kind)
	case sim.KProcess:
		p := b.proc(ev.PID)
		p.task, p.ppid = ev.Task, int(ev.Value)
		b.addLog(ev.T, ev.Task, fmt.Sprintf("runs as PID %d, child of PID %d", ev.PID, ev.Value), ev.Kind)
	case sim.KExit:
		p := b.proc(ev.PID)
		p.exit, p.reaper = ev.Text, ev.Reason
		b.addLog(ev.T, ev.Task, fmt.Sprintf("PID %d reaped by %s: %s", ev.PID, ev.Reason, ev.Text), ev.Kind)
	case sim.KRun:
		b.addLog(ev.T, ev.Task, fmt.Sprintf("%s (PID %d) ended: %s", ev.Object, ev.PID, ev.Reason), ev.Kind)
	case sim.KRefused:
		b.addLog(ev.T, "", ev.Text, sim.KError)
	case sim.KLog:
		b.addLog(ev.T, ev.Task, ev.Text, ev.Kind)
	case sim.KPhase:
		b.phase = ev.Text
		b.addLog(ev.T, "", "phase "+ev.Text, ev.Kind)
	case sim.KError:
		b.addLog(ev.T, ev.Task, "error: "+ev.Text, ev.Kind)
	case sim.KPause:
		b.paused = ev.Value == 1
	case sim.KRoundEnd:
		keys := make([]string, 0, len(ev.Values))
		for k := range ev.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, c := range b.counters {
			if v, ok := ev.Values[c.name]; ok {
				c.ends = append(c.ends, v)
				c.totalLost += ev.LostBy[c.name]
			}
		}
		text := fmt.Sprintf("round %d ended", ev.Value)
		if len(keys) > 0 {
			text += ":"
		}
		for _, k := range keys {
			text += fmt.Sprintf(" %s=%d", k, ev.Values[k])
			if n := ev.LostBy[k]; n > 0 {
				text += fmt.Sprintf(" (%d lost)", n)
			}
		}
		b.addLog(ev.T, "", text, ev.Kind)
	case sim.KEnd:
		b.finished = true
	}
}

func (l *lane) add(s seg) {
	l.segs = append(l.segs, s)
	if len(l.segs) > 4096 && s.t-l.segs[0].t > keepLane {
		i := sort.Search(len(l.segs), func(i int) bool { return s.t-l.segs[i].t <= keepLane })
		l.segs = append(l.segs[:0], l.segs[i:]...)
	}
}

// addRT adds a runtime segment, keeping them in time order.
func (l *lane) addRT(s seg) {
	n := len(l.rt)
	if n == 0 || l.rt[n-1].t <= s.t {
		l.rt = append(l.rt, s)
	} else {
		i := sort.Search(n, func(i int) bool { return l.rt[i].t > s.t })
		l.rt = slices.Insert(l.rt, i, s)
	}
	if len(l.rt) > 8192 && s.t-l.rt[0].t > keepLane {
		i := sort.Search(len(l.rt), func(i int) bool { return s.t-l.rt[i].t <= keepLane })
		l.rt = append(l.rt[:0], l.rt[i:]...)
	}
}

// rtNow says what the runtime last reported of the task, if it is recent.
func (l *lane) rtNow(until time.Duration) string {
	if len(l.rt) == 0 {
		return ""
	}
	s := l.rt[len(l.rt)-1]
	switch s.state {
	case sim.Running:
		return fmt.Sprintf("running on P%d", s.p)
	case sim.Runnable:
		return "runnable: waiting for a P"
	}
	return ""
}

func (l *lane) current() seg {
	if len(l.segs) == 0 {
		return seg{}
	}
	return l.segs[len(l.segs)-1]
}

func (b *board) addLog(t time.Duration, who, text string, k sim.Kind) {
	b.verLog++
	b.log = append(b.log, logLine{t, who, text, k})
	if len(b.log) > maxLog {
		b.log = append(b.log[:0], b.log[len(b.log)-maxLog:]...)
	}
}

// interval is the probe's sampling interval, as the samples show it.
func (b *board) interval() time.Duration {
	if b.prevSample > 0 && b.sample != nil && b.sample.T > b.prevSample {
		return b.sample.T - b.prevSample
	}
	return 100 * time.Millisecond
}

// rootPID is mtviz's own process: the probe observes its tree.
func (b *board) rootPID() int { return os.Getpid() }

func (b *board) proc(pid int) *procView {
	p := b.procs[pid]
	if p == nil {
		p = &procView{pid: pid}
		b.procs[pid] = p
	}
	return p
}

// osStateSeg marks, on a process task's lane, a state only the OS knows:
// a zombie is a process that has ended but was not yet reaped.
const zombieState = sim.State(64)

func (b *board) addSample(s *probe.Sample) {
	b.verSample++
	if b.sample != nil {
		b.prevSample = b.sample.T
	}
	for _, p := range s.Procs {
		pv := b.procs[p.PID]
		if pv == nil {
			continue
		}
		pv.ppid, pv.name, pv.lastSeen = p.PPID, p.Name, s.T
		if l := b.byName[pv.task]; l != nil && p.State != "Z" {
			// Running or waiting for a CPU, from the OS: in state R, a process
			// that got CPU time over the last interval ran; one that did not
			// was runnable. (/proc's R covers both.)
			st := sim.Blocked
			if p.State == "R" {
				st = sim.Runnable
				if p.CPU > 0 {
					st = sim.Running
				}
			} else if p.CPU > 1 {
				st = sim.Running
			}
			core := 0
			if len(p.Threads) > 0 {
				core = p.Threads[0].Core
			}
			if n := len(l.rt); n == 0 || l.rt[n-1].state != st {
				l.addRT(seg{t: s.T - b.interval(), state: st, p: core})
			}
			l.osUntil = s.T
		}
		if p.State != pv.state {
			pv.state = p.State
			if l := b.byName[pv.task]; l != nil && p.State == "Z" {
				l.add(seg{t: s.T, state: zombieState, reason: "zombie", object: "read from /proc"})
			}
		}
	}
	for _, l := range b.locks {
		if l.file == "" {
			continue
		}
		holder, waiters := "", []string(nil)
		for _, fl := range s.Locks {
			if fl.File != l.file {
				continue
			}
			who := fmt.Sprintf("PID %d", fl.PID)
			if pv := b.procs[fl.PID]; pv != nil && pv.task != "" {
				who = fmt.Sprintf("%s (PID %d)", pv.task, fl.PID)
			}
			if fl.Waiting {
				waiters = append(waiters, who)
			} else {
				holder = who
			}
		}
		if holder != l.holder || !slices.Equal(waiters, l.waiters) {
			l.holder, l.waiters, l.count = holder, waiters, 1
			b.verLocks++
		}
	}
	for _, pid := range s.Gone {
		if pv := b.procs[pid]; pv != nil {
			pv.goneAt = s.T
			if l := b.byName[pv.task]; l != nil && l.current().state == zombieState {
				l.add(seg{t: s.T, state: sim.Done, reason: "reaped"})
			}
		}
		b.gone = append(b.gone, pid)
	}
	if s.T > b.now {
		b.now = s.T
	}
	b.sample = s
	if len(b.coreHist) != len(s.Cores) {
		b.coreHist = make([][]float64, len(s.Cores))
	}
	for i, v := range s.Cores {
		h := append(b.coreHist[i], v)
		if len(h) > maxHist {
			h = h[len(h)-maxHist:]
		}
		b.coreHist[i] = h
	}
	b.cpuHist = append(b.cpuHist, s.TotalCPU())
	if len(b.cpuHist) > maxHist {
		b.cpuHist = b.cpuHist[len(b.cpuHist)-maxHist:]
	}
}

func (b *board) finish(sum session.Summary) {
	b.finished = true
	b.summary = &sum
	for _, r := range sum.Checks {
		mark := "PASS"
		if !r.OK {
			mark = "FAIL"
		}
		b.addLog(b.now, "", fmt.Sprintf("%s %s: %s", mark, r.Name, r.Detail), "verdict")
	}
}

// rate is a counter's change per second over about the last second.
func (c *counterView) rate() (float64, bool) {
	if len(c.hist) < 2 {
		return 0, false
	}
	last := c.hist[len(c.hist)-1]
	i := len(c.hist) - 2
	for i > 0 && last.t-c.hist[i].t < time.Second {
		i--
	}
	first := c.hist[i]
	dt := (last.t - first.t).Seconds()
	if dt <= 0 {
		return 0, false
	}
	return float64(last.v-first.v) / dt, true
}

// describe says in words what a lane's task is doing now.
func (s seg) describe() string {
	switch s.state {
	case sim.Blocked:
		switch s.reason {
		case sim.ReasonJoin:
			return "blocked: joining " + s.object
		case sim.ReasonKey:
			return "blocked: waiting for key " + s.object
		case sim.ReasonPaused:
			return "blocked: paused"
		}
		d := "blocked on " + s.reason
		if s.object != "" && s.object != s.reason {
			d += " " + s.object
		}
		if s.holder != "" {
			d += " held by " + s.holder
		}
		return d
	case sim.Done:
		if s.reason != "" {
			return "done (" + s.reason + ")"
		}
		return "done"
	case sim.NoState:
		return ""
	case zombieState:
		return "zombie: ended, not yet reaped (Z in /proc)"
	}
	return s.state.String()
}
