package fold

import (
	"slices"
	"sort"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/words"

	"mtviz/internal/lesson"
)

// Mode is what a lane shows for a stretch of time: one of the engine's
// states, or a state only the OS or the runtime knows.
type Mode uint8

// Lane modes.
const (
	ModeNone     Mode = iota // nothing to show: before the task existed
	ModeNew                  // created, not started
	ModeRunnable             // ready, waiting for a P (goroutine) or a core (process)
	ModeRunning              // on a P (goroutine) or a core (process)
	ModeBlocked              // waiting for something; Reason says what
	ModeSleeping
	ModeDone
	// ModeWaiting: the engine had the task busy while the runtime (or the OS)
	// had it waiting, inside a system call for one.
	ModeWaiting
	// ModeZombie: the task's process has ended and /proc reads it Z: it was not
	// reaped yet.
	ModeZombie
	// ModeChildren: the task's steps are done but /proc still reads its process
	// alive: it waits for its child processes before it exits, as a Python
	// process joins its non-daemon children at exit.
	ModeChildren
	// ModeBusy: the engine has the task on a step that computes, and neither
	// the runtime's trace nor /proc says whether it is on a P (or core) or
	// waiting for one: a lane says running only when they do.
	ModeBusy
	modeCount
)

var modeNames = [...]string{"", words.N("new"), words.N("runnable"), words.N("running"), words.N("blocked"), words.N("sleeping"),
	words.N("done"), words.N("waiting"), words.N("zombie"), words.N("waiting for children"), words.N("busy")}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "?"
}

func modeOf(s event.State) Mode {
	switch s {
	case event.Created:
		return ModeNew
	case event.Runnable:
		return ModeRunnable
	case event.Running:
		return ModeRunning
	case event.Blocked:
		return ModeBlocked
	case event.Sleeping:
		return ModeSleeping
	case event.Done:
		return ModeDone
	}
	return ModeNone
}

// Seg is a stretch of a lane, from T to the next segment, as the engine
// reported it.
type Seg struct {
	T      time.Duration
	State  event.State
	Reason event.Reason
	Object string
	Holder string
	End    event.End
	By     string
	// Inferred: not the engine's word but the fold's (the task's process
	// ended); the engine's own word, arriving later, replaces it.
	Inferred bool
}

// OSState is what the Go runtime's trace (for a goroutine) or /proc (for a
// process) said of a task.
type OSState uint8

// What the runtime or the OS can say.
const (
	OSNone     OSState = iota
	OSRunning          // on a P, or in /proc state R with CPU time over the interval
	OSRunnable         // waiting for a P, or R without CPU time
	OSWaiting          // blocked as the runtime or the kernel sees it (S, D, a channel...)
	OSZombie           // Z in /proc
	OSGone             // ended, or reaped
	// For watched programs, /proc's states told apart.
	OSSleeping // S (or I, an idle kernel thread)
	OSDisk     // D: waiting in the kernel, uninterruptibly (usually I/O)
	OSStopped  // T or t: stopped by a signal or a tracer
	osCount
)

// OSSeg is a stretch of a lane as the runtime or the OS reported it.
type OSSeg struct {
	T     time.Duration
	State OSState
	Where int // running: the P (goroutine) or the core (process)
}

// Lane is one task's timeline.
type Lane struct {
	Name   string
	Kind   lesson.TaskKind
	Daemon bool
	Segs   []Seg   // the engine's view
	OS     []OSSeg // the runtime's (goroutine) or /proc's (process) view, in time order
	Folded int64   // state changes sent folded
	PID    int     // the process the task runs as, this round (process tasks)
	// InPID: the child process a goroutine task runs in (0: mtviz itself).
	// When that process ends, so does the task, whatever it last said.
	InPID int
}

// Process reports whether the lane is a process task's.
func (l *Lane) Process() bool { return l.Kind == lesson.Process }

// Current is the engine's latest segment.
func (l *Lane) Current() Seg {
	if len(l.Segs) == 0 {
		return Seg{}
	}
	return l.Segs[len(l.Segs)-1]
}

// CurrentOS is the latest thing the runtime or the OS said.
func (l *Lane) CurrentOS() OSSeg {
	if len(l.OS) == 0 {
		return OSSeg{}
	}
	return l.OS[len(l.OS)-1]
}

// Limits on a lane's history: beyond them the oldest half is coarsened, so a
// task that changes state a million times costs what a few thousand do.
const (
	maxSegs   = 4096
	maxOSSegs = 8192
)

func (l *Lane) add(s Seg) {
	if !s.Inferred {
		for n := len(l.Segs); n > 0 && l.Segs[n-1].Inferred && l.Segs[n-1].T >= s.T; n-- {
			l.Segs = l.Segs[:n-1]
		}
	}
	l.Segs = insertAt(l.Segs, s, segT)
	if len(l.Segs) > maxSegs {
		l.Segs = coarsen(l.Segs, segT, func(s *Seg, t time.Duration) { s.T = t })
	}
}

func (l *Lane) addOS(s OSSeg) {
	n := len(l.OS)
	if n > 0 && l.OS[n-1].T <= s.T && l.OS[n-1].State == s.State && l.OS[n-1].Where == s.Where {
		return
	}
	l.OS = insertAt(l.OS, s, osT)
	if len(l.OS) > maxOSSegs {
		l.OS = coarsen(l.OS, osT, func(s *OSSeg, t time.Duration) { s.T = t })
	}
}

func segT(s Seg) time.Duration  { return s.T }
func osT(s OSSeg) time.Duration { return s.T }

// insertAt keeps a history in time order: most items come last, but events
// from a child process can come a little after later ones.
func insertAt[S any](h []S, s S, at func(S) time.Duration) []S {
	n := len(h)
	if n == 0 || at(h[n-1]) <= at(s) {
		return append(h, s)
	}
	i := sort.Search(n, func(i int) bool { return at(h[i]) > at(s) })
	return slices.Insert(h, i, s)
}

// coarsen keeps the newer half of a history as it is and folds the older
// half into buckets, each showing what filled most of it; the result holds
// about five eighths as many segments. Old history is what the widest zoom
// shows, where one cell stands for seconds anyway.
func coarsen[S any](segs []S, at func(S) time.Duration, setAt func(*S, time.Duration)) []S {
	n := len(segs)
	half := n / 2
	span := at(segs[half]) - at(segs[0])
	buckets := n / 8
	if span <= 0 || buckets < 1 {
		return append(segs[:0], segs[half:]...)
	}
	grain := max(span/time.Duration(buckets), 1)
	out := make([]S, 0, buckets+n-half)
	i := 0
	for from := at(segs[0]); from < at(segs[half]); from += grain {
		to := min(from+grain, at(segs[half]))
		// The segment that covered most of [from, to).
		best, bestD := -1, time.Duration(-1)
		for k := i; k < half; k++ {
			s, e := max(at(segs[k]), from), to
			if k+1 < len(segs) {
				e = min(e, at(segs[k+1]))
			}
			if at(segs[k]) >= to {
				break
			}
			if d := e - s; d > bestD {
				best, bestD = k, d
			}
		}
		for i+1 < half && at(segs[i+1]) <= to {
			i++
		}
		if best >= 0 {
			s := segs[best]
			setAt(&s, from)
			out = append(out, s)
		}
	}
	return append(out, segs[half:]...)
}

// Cell is what a lane shows for one stretch of time, after the rule that
// merges the engine's view with the runtime's or the OS's.
type Cell struct {
	Mode   Mode
	Reason event.Reason // what a blocked task waited for
	Where  int          // running: the P or core; -1 when the runtime or OS did not say
}

// Merge is the rule by which the engine's state and what the runtime or the
// OS reported become one cell. The engine says why a task waits; the runtime
// (a goroutine) or /proc (a process) says whether it was on a CPU:
//   - /proc's Z wins: a zombie is shown as one until it is reaped;
//   - a process task whose steps are done while /proc reads its process
//     alive waits for its children (a goroutine that ended is done);
//   - a task the engine has blocked or sleeping is shown so, never running;
//   - a task the engine has busy is shown running on the P or core the
//     runtime or OS named, runnable if it waited for one, or waiting if the
//     runtime or kernel had it blocked (in a system call, say);
//   - a task the engine has busy where neither says is busy, not running.
func Merge(process bool, engine Mode, reason event.Reason, os OSState, where int) Cell {
	switch {
	case os == OSZombie:
		return Cell{Mode: ModeZombie, Where: -1}
	case engine == ModeDone && process && (os == OSRunning || os == OSRunnable || os == OSWaiting):
		return Cell{Mode: ModeChildren, Where: -1}
	case engine == ModeDone:
		return Cell{Mode: ModeDone, Where: -1}
	case engine == ModeNew && process:
		// A process lane starts where its process was created.
		return Cell{Mode: ModeNone, Where: -1}
	case engine == ModeBlocked || engine == ModeSleeping:
		return Cell{Mode: engine, Reason: reason, Where: -1}
	case engine == ModeRunning || engine == ModeRunnable:
		switch os {
		case OSRunning:
			return Cell{Mode: ModeRunning, Where: where}
		case OSRunnable:
			return Cell{Mode: ModeRunnable, Where: -1}
		case OSWaiting:
			if engine == ModeRunning {
				return Cell{Mode: ModeWaiting, Where: -1}
			}
		case OSNone:
			if engine == ModeRunning {
				return Cell{Mode: ModeBusy, Where: -1}
			}
		}
	}
	return Cell{Mode: engine, Reason: reason, Where: -1}
}

// osOnly is a lane with no engine behind it (a watched program's thread):
// what /proc read is all there is.
func osOnly(os OSState, where int) Cell {
	switch os {
	case OSRunning:
		return Cell{Mode: ModeRunning, Where: where}
	case OSRunnable:
		return Cell{Mode: ModeRunnable, Where: -1}
	case OSSleeping, OSWaiting:
		return Cell{Mode: ModeSleeping, Where: -1}
	case OSDisk:
		return Cell{Mode: ModeBlocked, Reason: event.ReasonIO, Where: -1}
	case OSStopped:
		return Cell{Mode: ModeBlocked, Reason: event.ReasonStopped, Where: -1}
	case OSZombie:
		return Cell{Mode: ModeZombie, Where: -1}
	case OSGone:
		return Cell{Mode: ModeDone, Where: -1}
	}
	return Cell{Mode: ModeNone, Where: -1}
}

// engineAt is the engine's state that filled most of [from, to): of the
// states in which the task was alive the longest (a block wins a tie, since
// blocks are what a learner looks for); new or done only when the task did
// nothing else then. So a task that ran for 3 ms still shows in a 50 ms
// cell. It returns where to start looking for the next cell.
func engineAt(segs []Seg, i int, from, to time.Duration) (Mode, event.Reason, int) {
	var durs [modeCount]time.Duration
	var reason event.Reason
	var reasonDur time.Duration
	for ; i < len(segs); i++ {
		s := segs[i]
		end := to
		if i+1 < len(segs) && segs[i+1].T < to {
			end = segs[i+1].T
		}
		start := max(s.T, from)
		if end > start {
			d := end - start
			m := modeOf(s.State)
			durs[m] += d
			if m == ModeBlocked && d >= reasonDur {
				reason, reasonDur = s.Reason, d
			}
		}
		if i+1 >= len(segs) || segs[i+1].T >= to {
			break
		}
	}
	best, bestD := ModeNone, time.Duration(0)
	for m, d := range durs {
		if d > bestD || (d == bestD && d > 0 && Mode(m) == ModeBlocked) {
			best, bestD = Mode(m), d
		}
	}
	if best == ModeNew || best == ModeDone {
		alive := time.Duration(0)
		for _, m := range []Mode{ModeRunning, ModeRunnable, ModeBlocked, ModeSleeping} {
			if durs[m] > alive {
				best, alive = m, durs[m]
			}
		}
	}
	return best, reason, i
}

// osAt is the runtime's or OS's state that filled most of [from, to), and
// for running, the P or core it ran on most.
func osAt(os []OSSeg, j int, from, to time.Duration) (OSState, int, int) {
	var durs [osCount]time.Duration
	var where [64]time.Duration
	for ; j < len(os); j++ {
		s := os[j]
		end := to
		if j+1 < len(os) && os[j+1].T < to {
			end = os[j+1].T
		}
		start := max(s.T, from)
		if end > start && s.State < osCount {
			durs[s.State] += end - start
			if s.State == OSRunning && s.Where >= 0 && s.Where < len(where) {
				where[s.Where] += end - start
			}
		}
		if j+1 >= len(os) || os[j+1].T >= to {
			break
		}
	}
	best, bestD := OSNone, time.Duration(0)
	for st, d := range durs {
		if d > bestD || (d == bestD && d > 0 && OSState(st) == OSZombie) {
			best, bestD = OSState(st), d
		}
	}
	p, pd := -1, time.Duration(0)
	for i, d := range where {
		if d > pd {
			p, pd = i, d
		}
	}
	return best, p, j
}

// Cells draws the lane's last n cells of width zoom, ending at now. osUntil
// is how far the runtime's or OS's view reaches: later cells are the
// engine's alone. f is called once per cell, oldest first.
func (l *Lane) Cells(now, zoom time.Duration, n int, osUntil time.Duration, f func(Cell)) {
	from := now - time.Duration(n)*zoom
	segs, os := l.Segs, l.OS
	i := sort.Search(len(segs), func(k int) bool { return segs[k].T > from })
	if i > 0 {
		i--
	}
	j := sort.Search(len(os), func(k int) bool { return os[k].T > from })
	if j > 0 {
		j--
	}
	for c := 0; c < n; c++ {
		cf := from + time.Duration(c)*zoom
		ct := cf + zoom
		mode, reason := ModeNone, event.Reason("")
		if len(segs) > 0 && i < len(segs) && segs[0].T < ct {
			mode, reason, i = engineAt(segs, i, cf, ct)
		}
		ost, where := OSNone, 0
		if len(os) > 0 && os[0].T < ct && ct <= osUntil {
			ost, where, j = osAt(os, j, cf, ct)
		}
		if len(segs) == 0 {
			f(osOnly(ost, where))
			continue
		}
		f(Merge(l.Process(), mode, reason, ost, where))
	}
}

// staleOS is how old the runtime's last word may be and still describe a
// task now: the trace reports about 0.1 s late, and it can be turned off.
const staleOS = 500 * time.Millisecond

// Now is what the lane shows at the moment at, the latest the run reached;
// osUntil is how far the runtime's or OS's view reaches (see Cells).
func (l *Lane) Now(osUntil, at time.Duration) Cell {
	cur := l.Current()
	os, where := OSNone, -1
	if len(l.OS) > 0 && at <= osUntil+staleOS {
		o := l.CurrentOS()
		os, where = o.State, o.Where
	}
	if len(l.Segs) == 0 {
		return osOnly(os, where)
	}
	return Merge(l.Process(), modeOf(cur.State), cur.Reason, os, where)
}
