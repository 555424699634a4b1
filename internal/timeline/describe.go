package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"mtviz/internal/sim"
	"mtviz/internal/text"
)

// Class says how a log entry reads: plain, quiet, an error...
type Class uint8

// Log entry classes.
const (
	Plain      Class = iota
	Quiet            // phases and rounds
	Bad              // errors, deadlocks, processes killed from outside
	Prompt           // a key the lesson waits for
	Held             // a verdict that held
	Failed           // a verdict that did not
	NotDecided       // a verdict that could not be decided
)

// Entry is one line of a run's log: what the screen's Log panel and the
// headless text both show.
type Entry struct {
	T     time.Duration
	Who   string
	Text  string
	Class Class
}

// Describe says an event in words, for the screen and the headless text
// alike; ok is false for events that are not log lines (state changes,
// counters, samples...). Text that came from a file, a program or a child
// is cleaned of control characters.
func Describe(ev *sim.Event, rounds int) (Entry, bool) {
	e, ok := describe(ev, rounds)
	e.Text, e.Who = text.Clean(e.Text), text.Clean(e.Who)
	return e, ok
}

func describe(ev *sim.Event, rounds int) (Entry, bool) {
	e := Entry{T: ev.T, Who: ev.Task}
	switch ev.Kind {
	case sim.KRound:
		e.Who, e.Class = "", Quiet
		e.Text = fmt.Sprintf("round %d of %d", ev.Round, rounds)
	case sim.KRoundEnd:
		e.Who, e.Class = "", Quiet
		e.Text = roundEndText(ev)
	case sim.KLog:
		e.Text = ev.Text
	case sim.KStderr:
		e.Class = Bad
		e.Text = "stderr: " + ev.Text
	case sim.KPhase:
		e.Who, e.Class = "", Quiet
		e.Text = "phase " + ev.Phase
	case sim.KError:
		e.Class = Bad
		e.Text = "error: " + ev.Error
	case sim.KKey:
		e.Class = Prompt
		e.Text = fmt.Sprintf("waits for key %s: %s", ev.Key, ev.Label)
	case sim.KPut:
		e.Text = fmt.Sprintf("put %s on %s", ev.Item, ev.Object)
	case sim.KGet:
		e.Text = fmt.Sprintf("got %s from %s", ev.Item, ev.Object)
	case sim.KCopy:
		if ev.Copy == sim.CopyRead {
			e.Text = fmt.Sprintf("read %s = %d into its own copy", ev.Object, ev.Value)
		} else {
			e.Text = fmt.Sprintf("wrote its copy %+d = %d to %s", ev.N, ev.Value, ev.Object)
		}
	case sim.KProcess, sim.KExit, sim.KSignal, sim.KRun:
		return describeProc(e, ev), true
	case sim.KRefused, sim.KWork, sim.KBroker, sim.KDeadlock, sim.KStuck:
		return describeTrouble(e, ev)
	case sim.KTurn:
		e.Text = "▸ " + ev.Text
	case sim.KState:
		if ev.State != sim.Done || ev.End == sim.EndNormal || ev.End == sim.EndHalted {
			return e, false
		}
		e.Text = "ended: " + EndText(Seg{End: ev.End, By: ev.By, Reason: ev.Reason, Object: ev.Object})
		if ev.End == sim.EndKilled || ev.End == sim.EndFault || ev.End == sim.EndNoStart || ev.End == sim.EndCrashed {
			e.Class = Bad
		}
	default:
		return e, false
	}
	return e, true
}

// roundEndText is a round's end with every counter and its lost updates.
func roundEndText(ev *sim.Event) string {
	out := fmt.Sprintf("round %d ended", ev.Round)
	keys := make([]string, 0, len(ev.Values))
	for k := range ev.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		out += fmt.Sprintf("%s%s=%d", sep, k, ev.Values[k])
		if n := ev.LostBy[k]; n > 0 {
			out += fmt.Sprintf(" (%d updates lost)", n)
		}
	}
	return out
}

// describeProc says what happened to a process: started, reaped, signalled,
// a run step's program ended.
func describeProc(e Entry, ev *sim.Event) Entry {
	switch ev.Kind {
	case sim.KProcess:
		if ev.Program != "" {
			e.Text = fmt.Sprintf("started %s as PID %d", ev.Program, ev.PID)
		} else {
			e.Text = fmt.Sprintf("runs as PID %d, child of PID %d", ev.PID, ev.PPID)
		}
		if ev.GoMaxProcs > 0 {
			e.Text += fmt.Sprintf(", with GOMAXPROCS %d", ev.GoMaxProcs)
		}
	case sim.KExit:
		e.Text = fmt.Sprintf("PID %d reaped by %s: %s", ev.PID, sim.ReaperText(ev), sim.ExitText(ev.Code, ev.Signal))
	case sim.KSignal:
		e.Text = fmt.Sprintf("sent %s to %s (PID %d)", sim.SignalName(ev.Signal), ev.Target, ev.PID)
		if ev.Error != "" {
			e.Class = Bad
			e.Text += ": " + ev.Error
		}
		if ev.Task == "" {
			e.Who = "mtviz"
		}
	case sim.KRun:
		if ev.Error != "" {
			e.Class = Bad
			e.Text = fmt.Sprintf("%s: %s", ev.Program, ev.Error)
		} else {
			e.Text = fmt.Sprintf("%s (PID %d) ended: %s", ev.Program, ev.PID, sim.ExitText(ev.Code, ev.Signal))
		}
	}
	return e
}

// describeTrouble says what went wrong or what a broker's job did: a
// refused key, a worker's step, the job's count, a deadlock, a stuck run.
func describeTrouble(e Entry, ev *sim.Event) (Entry, bool) {
	switch ev.Kind {
	case sim.KRefused:
		e.Who, e.Class = "", Bad
		why := ev.Error
		if why == "" {
			why = "a wrong key"
		}
		if ev.Addr != "" {
			e.Who = ev.Task
			e.Text = fmt.Sprintf("the server refused the client at %s: %s", ev.Addr, why)
			break
		}
		e.Text = fmt.Sprintf("process %d was refused: %s", ev.PID, why)
	case sim.KWork:
		return describeWork(e, ev)
	case sim.KBroker:
		b := ev.Broker
		if b == nil || !b.Final {
			return e, false
		}
		e.Who = "mtviz"
		e.Text = fmt.Sprintf("read from broker %s: %d of %d tasks have one result each (%d missing, %d with two or more, %d wrong); %d tasks taken by the server, %d not acknowledged; %d redeliveries",
			ev.Object, b.Recorded, b.Tasks, b.NMissing, b.NTwice, b.NWrong, b.Published, b.Left, b.Redelivered)
	case sim.KDeadlock:
		e.Who, e.Class = "", Bad
		e.Text = sim.DeadlockText(ev.Edges)
	case sim.KStuck:
		e.Who, e.Class = "", Bad
		e.Text = sim.StuckText(ev.Edges) + "; mtviz ends the run"
	}
	return e, true
}

// describeWork says what a master or a worker did; a worker's ordinary
// tasks are not log lines (there are thousands), only redelivered ones.
func describeWork(e Entry, ev *sim.Event) (Entry, bool) {
	w := ev.Work
	if w == nil {
		return e, false
	}
	switch w.Op {
	case sim.WorkBegun:
		if w.Published > 0 || w.Collected > 0 {
			e.Text = fmt.Sprintf("found the job begun: %d of %d tasks published, %d results in; going on from there", w.Published, w.Tasks, w.Collected)
		} else {
			e.Text = fmt.Sprintf("publishing %d tasks to %s", w.Tasks, ev.Object)
		}
	case sim.WorkCollected:
		e.Text = fmt.Sprintf("collected %d of %d results, each once by task id (%d duplicates ignored)", w.Collected, w.Tasks, w.Duplicates)
	case sim.WorkTook:
		if w.Delivery < 2 {
			return e, false
		}
		e.Text = fmt.Sprintf("took task %d, delivered for the %s time: a worker before did not acknowledge it", w.ID, ordinal(w.Delivery))
	case sim.WorkDone:
		if !w.Duplicate {
			return e, false
		}
		e.Text = fmt.Sprintf("the server already had task %d's result, and refused this one", w.ID)
	case sim.WorkRefused:
		e.Class = Bad
		e.Text = fmt.Sprintf("connected from %s with a wrong key: the server refused it", w.Addr)
	default:
		return e, false
	}
	return e, true
}

func ordinal(n uint64) string {
	switch n {
	case 2:
		return "second"
	case 3:
		return "third"
	}
	return fmt.Sprintf("%dth", n)
}

// EndText says how a task ended.
func EndText(s Seg) string { return sim.EndText(s.End, s.By, s.Reason, s.Object) }

// ProcName names a process by its task, when it has one.
func ProcName(p *Proc, pid int) string {
	if p != nil && p.Task != "" {
		return fmt.Sprintf("%s (PID %d)", p.Task, pid)
	}
	return fmt.Sprintf("PID %d", pid)
}

// LaneText says in words what a lane's task is doing now, by the same rule
// that draws its cells.
func (tl *Timeline) LaneText(l *Lane) string {
	c := l.Now(tl.OSUntil(l), tl.Now)
	switch c.Mode {
	case ModeZombie:
		return "zombie: ended, not yet reaped (Z in /proc)"
	case ModeChildren:
		kids := tl.Children(l.PID)
		if len(kids) == 0 {
			return "steps done; its process is exiting"
		}
		names := make([]string, len(kids))
		for i, k := range kids {
			names[i] = ProcName(k, k.PID)
		}
		return "steps done; waits for its children: " + strings.Join(names, ", ")
	case ModeRunning:
		switch {
		case c.Where < 0:
			return "running"
		case l.Process():
			return fmt.Sprintf("running on cpu%d", c.Where)
		}
		return fmt.Sprintf("running on P%d", c.Where)
	case ModeRunnable:
		if l.Process() {
			return "runnable: waiting for a core"
		}
		return "runnable: waiting for a P"
	case ModeWaiting:
		return "running steps; the runtime has it waiting"
	case ModeBusy:
		return "busy: running or runnable"
	case ModeSleeping:
		if len(l.Segs) == 0 {
			return "sleeping (S in /proc)"
		}
	case ModeBlocked:
		return tl.blockedText(l, c)
	case ModeDone:
		return tl.doneText(l)
	case ModeNone:
		return ""
	}
	return c.Mode.String()
}

// blockedText says what a blocked lane waits for.
func (tl *Timeline) blockedText(l *Lane, c Cell) string {
	cur := l.Current()
	if len(l.Segs) == 0 {
		if c.Reason == sim.ReasonStopped {
			return "stopped (T in /proc)"
		}
		return "waiting in the kernel (D in /proc), usually for I/O"
	}
	switch cur.Reason {
	case sim.ReasonJoin:
		return "blocked: joining " + cur.Object
	case sim.ReasonKey:
		return "blocked: waiting for key " + cur.Object
	case sim.ReasonPaused:
		return "blocked: paused"
	case sim.ReasonTurn:
		return "waits for its turn: the scheduler chooses who takes the next step"
	case sim.ReasonFileLock:
		return "blocked on flock " + cur.Object + ": another process holds it (see /proc/locks)"
	case sim.ReasonPoll:
		return "blocked on " + cur.Object + " in the net poller"
	}
	d := "blocked on " + string(cur.Reason)
	if cur.Object != "" && cur.Object != string(cur.Reason) {
		d += " " + cur.Object
	}
	if cur.Holder != "" {
		d += " held by " + cur.Holder
	}
	return d
}

// doneText says how a lane's task ended, and for a process how it was reaped.
func (tl *Timeline) doneText(l *Lane) string {
	if len(l.Segs) == 0 {
		if p := tl.Procs[l.PID]; p != nil && l.PID == l.InPID && p.Exit != nil {
			return "ended: " + sim.ExitText(p.Exit.Code, p.Exit.Signal)
		}
		return "ended"
	}
	if l.Process() && l.PID != 0 {
		if p := tl.Procs[l.PID]; p != nil && p.Exit != nil {
			return "done: " + sim.ExitText(p.Exit.Code, p.Exit.Signal) + ", reaped by " + sim.ReaperText(p.Exit)
		}
	}
	if t := EndText(l.Current()); t != "" {
		return "done (" + t + ")"
	}
	return "done"
}
