package fold

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/text"
	"mtviz/internal/words"
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
func Describe(ev *event.Event, rounds int) (Entry, bool) {
	e, ok := describe(ev, rounds)
	e.Text, e.Who = text.Clean(e.Text), text.Clean(e.Who)
	return e, ok
}

func describe(ev *event.Event, rounds int) (Entry, bool) {
	e := Entry{T: ev.T, Who: ev.Task}
	switch ev.Kind() {
	case event.KRound:
		e.Who, e.Class = "", Quiet
		e.Text = words.F("round %d of %d", ev.Round, rounds)
	case event.KRoundEnd:
		e.Who, e.Class = "", Quiet
		e.Text = roundEndText(ev)
	case event.KLog:
		e.Text = ev.Log().Text
	case event.KStderr:
		e.Class = Bad
		e.Text = words.T("stderr: ") + ev.Stderr().Text
	case event.KPhase:
		e.Who, e.Class = "", Quiet
		e.Text = words.T("phase ") + ev.PhaseStart().Phase
	case event.KError:
		e.Class = Bad
		e.Text = words.T("error: ") + ev.Failure().Error
	case event.KKey:
		x := ev.KeyWait()
		e.Class = Prompt
		e.Text = words.F("waits for key %s: %s", x.Key, x.Label)
	case event.KPut:
		x := ev.QueuePut()
		e.Text = words.F("put %s on %s", x.Item, x.Object)
	case event.KGet:
		x := ev.QueueGet()
		e.Text = words.F("got %s from %s", x.Item, x.Object)
	case event.KCopy:
		x := ev.CopyStep()
		if x.Copy == event.CopyRead {
			e.Text = words.F("read %s = %d into its own copy", x.Object, x.Value)
		} else {
			e.Text = words.F("wrote its copy %+d = %d to %s", x.N, x.Value, x.Object)
		}
	case event.KProcess, event.KExit, event.KSignal, event.KRun:
		return describeProc(e, ev), true
	case event.KRefused, event.KWork, event.KBroker, event.KDeadlock, event.KStuck:
		return describeTrouble(e, ev)
	case event.KTurn:
		e.Text = "▸ " + ev.Turn().Text
	case event.KState:
		x := ev.StateChange()
		if x.State != event.Done || x.End == event.EndNormal || x.End == event.EndHalted {
			return e, false
		}
		e.Text = words.T("ended: ") + EndText(Seg{End: x.End, By: x.By, Reason: x.Reason, Object: x.Object})
		if x.End == event.EndKilled || x.End == event.EndFault || x.End == event.EndNoStart || x.End == event.EndCrashed {
			e.Class = Bad
		}
	default:
		return e, false
	}
	return e, true
}

// roundEndText is a round's end with every counter and its lost updates.
func roundEndText(ev *event.Event) string {
	out := words.F("round %d ended", ev.Round)
	re := ev.RoundEnd()
	keys := make([]string, 0, len(re.Values))
	for k := range re.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		sep := words.T(", ")
		if i == 0 {
			sep = words.T(": ")
		}
		out += fmt.Sprintf("%s%s=%d", sep, k, re.Values[k])
		if n := re.LostBy[k]; n > 0 {
			out += words.F(" (%d updates lost)", n)
		}
	}
	return out
}

// describeProc says what happened to a process: started, reaped, signalled,
// a run step's program ended.
func describeProc(e Entry, ev *event.Event) Entry {
	switch ev.Kind() {
	case event.KProcess:
		x := ev.Process()
		if x.Program != "" {
			e.Text = words.F("started %s as PID %d", x.Program, ev.PID)
		} else {
			e.Text = words.F("runs as PID %d, child of PID %d", ev.PID, x.PPID)
		}
		if x.GoMaxProcs > 0 {
			e.Text += words.F(", with GOMAXPROCS %d", x.GoMaxProcs)
		}
	case event.KExit:
		x := ev.Exit()
		e.Text = words.F("PID %d reaped by %s: %s", ev.PID, event.ReaperText(ev), event.ExitText(x.Code, x.Signal))
	case event.KSignal:
		x := ev.SignalSent()
		e.Text = words.F("sent %s to %s (PID %d)", event.SignalName(x.Signal), x.Target, ev.PID)
		if x.Error != "" {
			e.Class = Bad
			e.Text += words.T(": ") + x.Error
		}
		if ev.Task == "" {
			e.Who = "mtviz"
		}
	case event.KRun:
		x := ev.ProgramEnd()
		if x.Error != "" {
			e.Class = Bad
			e.Text = fmt.Sprintf("%s: %s", x.Program, x.Error)
		} else {
			e.Text = words.F("%s (PID %d) ended: %s", x.Program, ev.PID, event.ExitText(x.Code, x.Signal))
		}
	}
	return e
}

// describeTrouble says what went wrong or what a broker's job did: a
// refused key, a worker's step, the job's count, a deadlock, a stuck run.
func describeTrouble(e Entry, ev *event.Event) (Entry, bool) {
	switch ev.Kind() {
	case event.KRefused:
		x := ev.Refused()
		e.Who, e.Class = "", Bad
		why := x.Error
		if why == "" {
			why = words.T("a wrong key")
		}
		if x.Addr != "" {
			e.Who = ev.Task
			e.Text = words.F("the server refused the client at %s: %s", x.Addr, why)
			break
		}
		e.Text = words.F("process %d was refused: %s", ev.PID, why)
	case event.KWork:
		return describeWork(e, ev)
	case event.KBroker:
		x := ev.BrokerRead()
		b := x.Broker
		if b == nil || !b.Final {
			return e, false
		}
		e.Who = "mtviz"
		e.Text = words.F("read from broker %s: %d of %d tasks have one result each (%d missing, %d with two or more, %d wrong); %d tasks taken by the server, %d not acknowledged; %d redeliveries",
			x.Object, b.Recorded, b.Tasks, b.NMissing, b.NTwice, b.NWrong, b.Published, b.Left, b.Redelivered)
	case event.KDeadlock:
		e.Who, e.Class = "", Bad
		e.Text = event.DeadlockText(ev.Deadlock().Edges)
	case event.KStuck:
		e.Who, e.Class = "", Bad
		e.Text = event.StuckText(ev.Stuck().Edges) + words.T("; mtviz ends the run")
	}
	return e, true
}

// describeWork says what a master or a worker did; a worker's ordinary
// tasks are not log lines (there are thousands), only redelivered ones.
func describeWork(e Entry, ev *event.Event) (Entry, bool) {
	w := ev.WorkStep().Work
	if w == nil {
		return e, false
	}
	switch w.Op {
	case event.WorkBegun:
		if w.Published > 0 || w.Collected > 0 {
			e.Text = words.F("found the job begun: %d of %d tasks published, %d results in; going on from there", w.Published, w.Tasks, w.Collected)
		} else {
			e.Text = words.F("publishing %d tasks to %s", w.Tasks, ev.WorkStep().Object)
		}
	case event.WorkCollected:
		e.Text = words.F("collected %d of %d results, each once by task id (%d duplicates ignored)", w.Collected, w.Tasks, w.Duplicates)
	case event.WorkTook:
		if w.Delivery < 2 {
			return e, false
		}
		e.Text = words.F("took task %d, delivered for the %s time: a worker before did not acknowledge it", w.ID, ordinal(w.Delivery))
	case event.WorkDone:
		if !w.Duplicate {
			return e, false
		}
		e.Text = words.F("the server already had task %d's result, and refused this one", w.ID)
	case event.WorkRefused:
		e.Class = Bad
		e.Text = words.F("connected from %s with a wrong key: the server refused it", w.Addr)
	default:
		return e, false
	}
	return e, true
}

func ordinal(n uint64) string {
	switch n {
	case 2:
		return words.T("second")
	case 3:
		return words.T("third")
	}
	return words.F("%dth", n)
}

// EndText says how a task ended.
func EndText(s Seg) string { return event.EndText(s.End, s.By, s.Reason, s.Object) }

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
		return words.T("zombie: ended, not yet reaped (Z in /proc)")
	case ModeChildren:
		kids := tl.Children(l.PID)
		if len(kids) == 0 {
			return words.T("steps done; its process is exiting")
		}
		names := make([]string, len(kids))
		for i, k := range kids {
			names[i] = ProcName(k, k.PID)
		}
		return words.T("steps done; waits for its children: ") + strings.Join(names, words.T(", "))
	case ModeRunning:
		switch {
		case c.Where < 0:
			return words.T("running")
		case l.Process():
			return words.F("running on cpu%d", c.Where)
		}
		return words.F("running on P%d", c.Where)
	case ModeRunnable:
		if l.Process() {
			return words.T("runnable: waiting for a core")
		}
		return words.T("runnable: waiting for a P")
	case ModeWaiting:
		return words.T("running steps; the runtime has it waiting")
	case ModeBusy:
		return words.T("busy: running or runnable")
	case ModeSleeping:
		if len(l.Segs) == 0 {
			return words.T("sleeping (S in /proc)")
		}
	case ModeBlocked:
		return tl.blockedText(l, c)
	case ModeDone:
		return tl.doneText(l)
	case ModeNone:
		return ""
	}
	return words.T(c.Mode.String())
}

// blockedText says what a blocked lane waits for.
func (tl *Timeline) blockedText(l *Lane, c Cell) string {
	cur := l.Current()
	if len(l.Segs) == 0 {
		if c.Reason == event.ReasonStopped {
			return words.T("stopped (T in /proc)")
		}
		return words.T("waiting in the kernel (D in /proc), usually for I/O")
	}
	switch cur.Reason {
	case event.ReasonJoin:
		return words.T("blocked: joining ") + cur.Object
	case event.ReasonKey:
		return words.T("blocked: waiting for key ") + cur.Object
	case event.ReasonPaused:
		return words.T("blocked: paused")
	case event.ReasonTurn:
		return words.T("waits for its turn: the scheduler chooses who takes the next step")
	case event.ReasonFileLock:
		return words.F("blocked on flock %s: another process holds it (see /proc/locks)", cur.Object)
	case event.ReasonPoll:
		return words.F("blocked on %s in the net poller", cur.Object)
	}
	what := event.ReasonText(cur.Reason, cur.Object)
	if cur.Holder != "" {
		return words.F("blocked on %s held by %s", what, cur.Holder)
	}
	return words.T("blocked on ") + what
}

// doneText says how a lane's task ended, and for a process how it was reaped.
func (tl *Timeline) doneText(l *Lane) string {
	if len(l.Segs) == 0 {
		if p := tl.Procs[l.PID]; p != nil && l.PID == l.InPID && p.Exit != nil {
			return words.T("ended: ") + event.ExitText(p.Exit.Exit().Code, p.Exit.Exit().Signal)
		}
		return words.T("ended")
	}
	if l.Process() && l.PID != 0 {
		if p := tl.Procs[l.PID]; p != nil && p.Exit != nil {
			return words.F("done: %s, reaped by %s", event.ExitText(p.Exit.Exit().Code, p.Exit.Exit().Signal), event.ReaperText(p.Exit))
		}
	}
	if t := EndText(l.Current()); t != "" {
		return words.F("done (%s)", t)
	}
	return words.T("done")
}
