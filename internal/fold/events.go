package fold

import (
	"mtviz/internal/event"
	"mtviz/internal/lesson"
)

// maxKept bounds the prompts and deadlocks the fold keeps: a run has a
// few; a recording cannot make it keep more.
const maxKept = 256

// folds is how each kind of event changes the fold: one entry a kind; a
// kind without one is only said in the log (a pause: whether a run is
// paused is its session's word, or its replay's, never the fold's).
var folds = map[event.Kind]func(*Timeline, *event.Event){
	event.KRound:    func(tl *Timeline, ev *event.Event) { tl.Round = ev.Round },
	event.KTask:     (*Timeline).task,
	event.KState:    (*Timeline).state,
	event.KKey:      (*Timeline).key,
	event.KCounter:  (*Timeline).counter,
	event.KRoundEnd: (*Timeline).roundEnd,
	event.KLock:     (*Timeline).lockEvent,
	event.KLockFile: (*Timeline).lockFile,
	event.KCond:     (*Timeline).condEvent,
	event.KFlag:     (*Timeline).flagEvent,
	event.KQueue:    (*Timeline).queueEvent,
	event.KRuntime:  (*Timeline).runtimeEvent,
	event.KDeadlock: (*Timeline).deadlock,
	event.KCopy:     (*Timeline).copyEvent,
	event.KProcess:  (*Timeline).process,
	event.KExit:     (*Timeline).exit,
	event.KRun:      (*Timeline).programEnded,
	event.KPhase:    func(tl *Timeline, ev *event.Event) { tl.Phase = ev.PhaseStart().Phase },
	event.KEnd:      (*Timeline).end,
}

func (tl *Timeline) task(ev *event.Event) {
	x := ev.TaskStart()
	l := tl.lane(ev.Task)
	l.Kind, l.Daemon = x.TaskKind, x.Daemon
	if l.Kind == "" {
		l.Kind = lesson.Goroutine
	}
	l.PID = 0
	l.add(Seg{T: ev.T, State: event.Created})
}

func (tl *Timeline) key(ev *event.Event) {
	x := ev.KeyWait()
	if len(tl.Keys) >= maxKept {
		return // a recording's flood of prompts keeps its first
	}
	tl.Keys = append(tl.Keys, KeyPrompt{Task: ev.Task, Key: x.Key, Label: x.Label})
	tl.VerKeys++
}

func (tl *Timeline) roundEnd(ev *event.Event) {
	x := ev.RoundEnd()
	for _, c := range tl.Counters {
		if c.Task != "" {
			continue
		}
		if v, ok := x.Values[c.Name]; ok && len(c.Ends) < lesson.MaxRounds {
			c.Ends = append(c.Ends, v)
			c.TotalLost += x.LostBy[c.Name]
		}
	}
	tl.VerCounters++
}

func (tl *Timeline) lockEvent(ev *event.Event) {
	x := ev.LockChange()
	if o := tl.objectOf(ev); o != nil && o.Kind != lesson.FileLock {
		// A flock's holder is what /proc/locks says (see sample): each
		// process only knows its own side of it.
		o.Holder, o.Count, o.Waiters = x.Holder, x.Count, x.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) lockFile(ev *event.Event) {
	x := ev.LockFile()
	if o := tl.objIdx[x.Object]; o != nil {
		o.File = x.File
	}
}

func (tl *Timeline) condEvent(ev *event.Event) {
	if o := tl.objectOf(ev); o != nil {
		o.Waiters = ev.CondChange().Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) flagEvent(ev *event.Event) {
	x := ev.FlagChange()
	if o := tl.objectOf(ev); o != nil {
		o.Set, o.Waiters = x.Set, x.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) queueEvent(ev *event.Event) {
	x := ev.QueueChange()
	if q := tl.queueIdx[x.Object]; q != nil {
		q.Len, q.Items, q.Waiters = max(x.Len, len(x.Items)), x.Items, x.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) runtimeEvent(ev *event.Event) {
	x := ev.RuntimeState()
	if l := tl.byName[ev.Task]; l != nil && !l.Process() {
		l.addOS(OSSeg{T: ev.T, State: runtimeState(x.State), Where: x.P})
	}
	tl.RuntimeUntil = max(tl.RuntimeUntil, ev.T)
}

func (tl *Timeline) deadlock(ev *event.Event) {
	x := ev.Deadlock()
	if len(tl.Deadlocks) >= maxKept {
		return
	}
	tl.Deadlocks = append(tl.Deadlocks, Deadlock{T: ev.T, Cycle: x.Cycle, Edges: x.Edges})
	tl.VerCounters++
}

func (tl *Timeline) copyEvent(ev *event.Event) {
	x := ev.CopyStep()
	if x.Copy == event.CopyRead {
		// The task's private copy is what it read; a write changes the
		// counter, not the copy.
		tl.Copies[ev.Task] = Copy{Counter: x.Object, Value: x.Value}
		tl.VerCounters++
	}
}

func (tl *Timeline) process(ev *event.Event) {
	x := ev.Process()
	p := tl.proc(ev.PID)
	p.Task, p.Program = ev.Task, x.Program
	if p.PPID == 0 {
		p.PPID, p.FirstPPID = x.PPID, x.PPID
	}
	if x.Program == "" {
		if l := tl.byName[ev.Task]; l != nil {
			l.PID = ev.PID
		}
	}
	tl.VerProcs++
}

func (tl *Timeline) exit(ev *event.Event) {
	p := tl.proc(ev.PID)
	e := *ev
	p.Exit = &e
	tl.gone(p, ev.T)
}

// programEnded is a run step's program: over in milliseconds, often between
// two samples, the panel shows it ended, with its status, reaped by its task.
func (tl *Timeline) programEnded(ev *event.Event) {
	x := ev.ProgramEnd()
	if ev.PID <= 0 {
		return
	}
	p := tl.proc(ev.PID)
	p.Task, p.Program = ev.Task, x.Program
	p.Exit = &event.Event{Task: ev.Task, PID: ev.PID, Data: event.Exit{Code: x.Code, Signal: x.Signal, Reaper: ev.Task, ReaperPID: tl.Root}}
	if p.PPID == 0 {
		p.PPID, p.FirstPPID = tl.Root, tl.Root
	}
	if p.Name == "" {
		p.Name = x.Program
	}
	tl.gone(p, ev.T)
}

func (tl *Timeline) end(*event.Event) {
	tl.Finished = true
	tl.Keys = nil
	tl.VerKeys++
	// Nothing waits once the run is over.
	for _, o := range tl.Objects {
		o.Waiters = nil
	}
	for _, q := range tl.Queues {
		q.Waiters = nil
	}
	tl.VerObjects++
}
