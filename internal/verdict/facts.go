package verdict

import (
	"slices"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/words"
)

// facts is what the checks are decided from: what every check may need
// (the PIDs of each task, what the probe saw of each, the CPU used in each
// phase, how processes ended), and each check's own judge. All of it is
// bounded by the run's length and its number of processes, not by its
// number of events.
type facts struct {
	sc        *lesson.Scenario
	root      int // mtviz's PID
	coreCount int
	// machineCores is the machine's, as the probe read it: other programs
	// use these too.
	machineCores int
	judges       []judge
	ends         []event.Event // round ends
	errors       []string
	errCount     int
	duration     time.Duration

	phase     string
	phaseFrom time.Duration
	windows   map[string][]window

	cpu        []cpuPoint
	work       workSpan
	firstT     time.Duration
	lastT      time.Duration
	nsamples   int
	stuck      *event.Event // the run could not go on: every live task waited for good
	tree       tree
	counts     counts
	pids       map[string][]int // task copy → PIDs it ran as (one per round)
	seen       map[int]*sighting
	exits      []event.Event   // how processes ended, in the order they were reaped
	signalled  map[string]bool // task copies a signal was sent to
	ran        map[string]bool // tasks the engine saw running
	done       map[string]bool // tasks that ended this round
	outside    []outsideEnd    // processes that ended by a signal or without a word
	outsideSet map[int]bool
}

// window is a stretch of the run's time.
type window struct{ from, to time.Duration }

// cpuPoint is one sample's CPU: what mtviz's tree used, and what the whole
// machine did, in cores.
type cpuPoint struct {
	t       time.Duration
	tree    float64
	machine float64
}

// sighting is what the probe saw of one PID, kept compact: the first and
// last readings, and each change of state or parent between.
type sighting struct {
	changes    []reading // the first reading, then each change (at most maxChanges)
	firstAlive time.Duration
	lastAlive  time.Duration
	alive      bool // seen alive at least once
	notAliveAt time.Duration
	notAlive   bool
	last       time.Duration
	goneAt     time.Duration
	gone       bool
	threads    int     // the most threads read in one sample
	cpu        float64 // CPU seconds: each sample's share of a core times the time it covers
}

type reading struct {
	t     time.Duration
	state probe.State
	ppid  int
}

const (
	maxChanges = 64
	maxErrors  = 100
	// maxPoints bounds the per-sample history the judge keeps (CPU,
	// switches): past it, neighbours are merged two by two, so a long run
	// or a long recording keeps a coarser history, never a longer one
	// (65,536 samples are 1.8 hours at 10 a second).
	maxPoints = 1 << 16
	// maxWindows and maxPhases bound the runs of phases kept: a lesson has
	// a few phases in each of its rounds.
	maxWindows = 4096
	maxPhases  = 256
	maxExits   = 4096
)

func (f *facts) init(cfg Config) {
	sc := cfg.Scenario
	f.sc, f.root, f.coreCount = sc, cfg.Root, cfg.Cores
	f.windows = map[string][]window{}
	f.pids = map[string][]int{}
	f.seen = map[int]*sighting{}
	f.signalled = map[string]bool{}
	f.ran = map[string]bool{}
	f.done = map[string]bool{}
	f.outsideSet = map[int]bool{}
	f.work.counters, f.work.workers = workCounters(sc)
	f.tree.init(cfg.Root)
	f.counts.init(sc)
	for _, c := range sc.Checks {
		f.judges = append(f.judges, newJudge(c, sc))
	}
}

func (f *facts) event(ev *event.Event) {
	f.work.event(ev)
	switch ev.Kind() {
	case event.KRoundEnd:
		// A lesson has at most lesson.MaxRounds rounds; a recording that
		// claims more round ends cannot make the judge keep them all.
		if len(f.ends) < lesson.MaxRounds {
			f.ends = append(f.ends, *ev)
		}
		for _, lost := range ev.RoundEnd().LostBy {
			f.counts.lost += lost
		}
	case event.KError:
		f.errCount++
		if len(f.errors) < maxErrors {
			f.errors = append(f.errors, ev.Task+": "+ev.Failure().Error)
		}
	case event.KEnd:
		f.duration = ev.T
	case event.KStuck:
		if f.stuck == nil {
			e := *ev
			f.stuck = &e
		}
	case event.KProcess:
		f.tree.add(ev.PID)
		if ev.Process().Program == "" && ev.PID > 0 {
			f.pids[ev.Task] = append(f.pids[ev.Task], ev.PID)
		}
	case event.KCounter:
		f.counts.event(ev)
	case event.KExit:
		x := ev.Exit()
		if len(f.exits) < maxExits {
			f.exits = append(f.exits, *ev)
		}
		if x.Signal != 0 {
			f.fromOutside(ev.Task, ev.PID, event.ExitText(x.Code, x.Signal))
		}
	case event.KSignal:
		f.signalled[ev.SignalSent().Target] = true
	case event.KTask:
		delete(f.done, ev.Task)
	case event.KState:
		x := ev.StateChange()
		if x.State == event.Running {
			f.ran[ev.Task] = true
		}
		if x.State != event.Done {
			break
		}
		if x.End == event.EndKilled && !f.done[ev.Task] {
			f.fromOutside(ev.Task, ev.PID, words.T("its process died without a word"))
		}
		f.done[ev.Task] = true
	}
	f.phases(ev)
	for _, j := range f.judges {
		j.event(f, ev)
	}
}

// fromOutside records a process that ended by a signal, or died without a
// word. Unless a step of the lesson signalled it (which the record may
// say a little later: the signal can come from another process), what it
// was doing was lost, and the checks cannot be decided.
func (f *facts) fromOutside(task string, pid int, how string) {
	if pid == 0 {
		if ps := f.pids[task]; len(ps) > 0 {
			pid = ps[len(ps)-1]
		}
	}
	if f.outsideSet[pid] || len(f.outside) >= maxErrors {
		return
	}
	f.outsideSet[pid] = true
	f.outside = append(f.outside, outsideEnd{task, pid, how})
}

// outsideEnd is a process that ended by something the lesson may not have done.
type outsideEnd struct {
	task string
	pid  int
	how  string
}

// killedOutside lists the processes that ended by something no step of
// the lesson did.
func (f *facts) killedOutside() []string {
	var out []string
	for _, o := range f.outside {
		if !f.signalled[o.task] {
			out = append(out, words.F("%s (PID %d): %s", o.task, o.pid, o.how))
		}
	}
	return out
}

// phases finds where each run of a phase began and ended: a phase ends
// where the next phase or the round begins or ends.
func (f *facts) phases(ev *event.Event) {
	boundary := ev.Kind() == event.KPhase || ev.Kind() == event.KRoundEnd || ev.Kind() == event.KRound || ev.Kind() == event.KEnd
	if !boundary {
		return
	}
	if f.phase != "" {
		ws := f.windows[f.phase]
		if len(ws) < maxWindows && (ws != nil || len(f.windows) < maxPhases) {
			f.windows[f.phase] = append(ws, window{f.phaseFrom, ev.T})
		}
		f.phase = ""
	}
	if ev.Kind() == event.KPhase {
		f.phase, f.phaseFrom = ev.PhaseStart().Phase, ev.T
	}
}

func (f *facts) sample(s *probe.Sample) {
	f.tree.sample(s)
	var dt time.Duration // the time this sample's CPU shares cover
	if f.nsamples == 0 {
		f.firstT = s.T
	} else {
		dt = max(0, s.T-f.lastT)
	}
	f.nsamples++
	f.lastT = s.T
	f.machineCores = max(f.machineCores, len(s.Cores))
	machine := 0.0
	for _, c := range s.Cores {
		machine += c / 100
	}
	f.cpu = appendHalving(f.cpu, cpuPoint{t: s.T, tree: s.TotalCPU(), machine: machine}, mergeCPU)
	threads := 0
	for _, p := range s.Procs {
		if isAlive(p.State) {
			threads += p.NThreads
		}
	}
	f.work.threadsMost = max(f.work.threadsMost, threads)
	f.work.switches = appendHalving(f.work.switches, switchPoint{s.T, s.Switches.Vol + s.Switches.Invol}, mergeSwitches)
	for _, p := range s.Procs {
		sg := f.seen[p.PID]
		if sg == nil {
			if !f.tree.has[p.PID] {
				continue
			}
			sg = &sighting{}
			f.seen[p.PID] = sg
		}
		r := reading{s.T, p.State, p.PPID}
		if n := len(sg.changes); n == 0 || (sg.changes[n-1].state != r.state || sg.changes[n-1].ppid != r.ppid) && n < maxChanges {
			sg.changes = append(sg.changes, r)
		}
		sg.last = s.T
		sg.threads = max(sg.threads, p.NThreads)
		sg.cpu += p.CPU / 100 * dt.Seconds()
		if isAlive(p.State) {
			if !sg.alive {
				sg.firstAlive, sg.alive = s.T, true
			}
			sg.lastAlive = s.T
		} else if !sg.notAlive {
			sg.notAliveAt, sg.notAlive = s.T, true
		}
	}
	for _, pid := range s.Gone {
		if sg := f.seen[pid]; sg != nil && !sg.gone {
			sg.goneAt, sg.gone = s.T, true
		}
	}
}

// isAlive is whether a /proc state is of a running process, not a zombie.
func isAlive(state probe.State) bool { return !state.Gone() }

// interval is the probe's sampling interval, as the samples show it.
func (f *facts) interval() time.Duration {
	if f.nsamples > 2 {
		return (f.lastT - f.firstT) / time.Duration(f.nsamples-1)
	}
	return 100 * time.Millisecond
}

// copiesOf matches a check's task name against task copies: "worker" names
// worker-1, worker-2... as well as a task called worker.
func copiesOf(task, name string) bool {
	base, _, ok := lesson.CutCopy(name)
	return name == task || ok && base == task
}

// everRan is whether the engine saw the task, or a copy of it, running.
func (f *facts) everRan(task string) bool {
	for name := range f.ran {
		if copiesOf(task, name) {
			return true
		}
	}
	return false
}

func (f *facts) pidsOf(task string) []int {
	var out []int
	for name, ps := range f.pids {
		if copiesOf(task, name) {
			out = append(out, ps...)
		}
	}
	slices.Sort(out)
	return out
}

func (f *facts) endedAt(pid int) (time.Duration, bool) {
	sg := f.seen[pid]
	if sg == nil {
		return 0, false
	}
	if sg.notAlive {
		return sg.notAliveAt, true
	}
	return sg.goneAt, sg.gone
}

// phaseCPU averages, over the runs of a phase, the cores mtviz's tree used
// and the cores other programs used. A sample's CPU covers the interval
// before it, so samples count from one interval after the phase began until
// it ended.
func (f *facts) phaseCPU(phase string) (tree, others float64, n int) {
	for _, w := range f.windows[phase] {
		var prev time.Duration = -1
		for _, p := range f.cpu {
			if prev >= w.from && p.t <= w.to {
				tree += p.tree
				others += max(0, p.machine-p.tree)
				n++
			}
			prev = p.t
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return tree / float64(n), others / float64(n), n
}

// appendHalving appends p to ps; at maxPoints, it first merges neighbours
// two by two (each point covers the interval before it, so a merged point
// covers both).
func appendHalving[T any](ps []T, p T, merge func(a, b T) T) []T {
	if len(ps) >= maxPoints {
		n := len(ps) / 2
		for i := 0; i < n; i++ {
			ps[i] = merge(ps[2*i], ps[2*i+1])
		}
		if len(ps)%2 == 1 {
			ps[n] = ps[len(ps)-1]
			n++
		}
		ps = ps[:n]
	}
	return append(ps, p)
}

func mergeCPU(a, b cpuPoint) cpuPoint {
	return cpuPoint{t: b.t, tree: (a.tree + b.tree) / 2, machine: (a.machine + b.machine) / 2}
}

func mergeSwitches(a, b switchPoint) switchPoint { return switchPoint{t: b.t, n: a.n + b.n} }
