package timeline

import (
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// maxKept bounds the prompts and deadlocks the fold keeps: a run has a
// few; a recording cannot make it keep more.
const maxKept = 256

// folds is how each kind of event changes the fold: one entry a kind; a
// kind without one is only said in the log (a pause: whether a run is
// paused is its session's word, or its replay's, never the fold's).
var folds = map[sim.Kind]func(*Timeline, *sim.Event){
	sim.KRound:    func(tl *Timeline, ev *sim.Event) { tl.Round = ev.Round },
	sim.KTask:     (*Timeline).task,
	sim.KState:    (*Timeline).state,
	sim.KKey:      (*Timeline).key,
	sim.KCounter:  (*Timeline).counter,
	sim.KRoundEnd: (*Timeline).roundEnd,
	sim.KLock:     (*Timeline).lockEvent,
	sim.KLockFile: (*Timeline).lockFile,
	sim.KCond:     (*Timeline).condEvent,
	sim.KFlag:     (*Timeline).flagEvent,
	sim.KQueue:    (*Timeline).queueEvent,
	sim.KRuntime:  (*Timeline).runtimeEvent,
	sim.KDeadlock: (*Timeline).deadlock,
	sim.KCopy:     (*Timeline).copyEvent,
	sim.KProcess:  (*Timeline).process,
	sim.KExit:     (*Timeline).exit,
	sim.KRun:      (*Timeline).programEnded,
	sim.KPhase:    func(tl *Timeline, ev *sim.Event) { tl.Phase = ev.Phase },
	sim.KEnd:      (*Timeline).end,
}

func (tl *Timeline) task(ev *sim.Event) {
	l := tl.lane(ev.Task)
	l.Kind, l.Daemon = ev.TaskKind, ev.Daemon
	if l.Kind == "" {
		l.Kind = spec.Goroutine
	}
	l.PID = 0
	l.add(Seg{T: ev.T, State: sim.Created})
}

func (tl *Timeline) key(ev *sim.Event) {
	if len(tl.Keys) >= maxKept {
		return // a recording's flood of prompts keeps its first
	}
	tl.Keys = append(tl.Keys, KeyPrompt{Task: ev.Task, Key: ev.Key, Label: ev.Label})
	tl.VerKeys++
}

func (tl *Timeline) roundEnd(ev *sim.Event) {
	for _, c := range tl.Counters {
		if c.Task != "" {
			continue
		}
		if v, ok := ev.Values[c.Name]; ok && len(c.Ends) < spec.MaxRounds {
			c.Ends = append(c.Ends, v)
			c.TotalLost += ev.LostBy[c.Name]
		}
	}
	tl.VerCounters++
}

func (tl *Timeline) lockEvent(ev *sim.Event) {
	if o := tl.objectOf(ev); o != nil && o.Kind != spec.FileLock {
		// A flock's holder is what /proc/locks says (see sample): each
		// process only knows its own side of it.
		o.Holder, o.Count, o.Waiters = ev.Holder, ev.Count, ev.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) lockFile(ev *sim.Event) {
	if o := tl.objIdx[ev.Object]; o != nil {
		o.File = ev.File
	}
}

func (tl *Timeline) condEvent(ev *sim.Event) {
	if o := tl.objectOf(ev); o != nil {
		o.Waiters = ev.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) flagEvent(ev *sim.Event) {
	if o := tl.objectOf(ev); o != nil {
		o.Set, o.Waiters = ev.Set, ev.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) queueEvent(ev *sim.Event) {
	if q := tl.queueIdx[ev.Object]; q != nil {
		q.Len, q.Items, q.Waiters = max(ev.Len, len(ev.Items)), ev.Items, ev.Waiters
		tl.VerObjects++
	}
}

func (tl *Timeline) runtimeEvent(ev *sim.Event) {
	if l := tl.byName[ev.Task]; l != nil && !l.Process() {
		l.addOS(OSSeg{T: ev.T, State: runtimeState(ev.State), Where: ev.P})
	}
	tl.RuntimeUntil = max(tl.RuntimeUntil, ev.T)
}

func (tl *Timeline) deadlock(ev *sim.Event) {
	if len(tl.Deadlocks) >= maxKept {
		return
	}
	tl.Deadlocks = append(tl.Deadlocks, Deadlock{T: ev.T, Cycle: ev.Cycle, Edges: ev.Edges})
	tl.VerCounters++
}

func (tl *Timeline) copyEvent(ev *sim.Event) {
	if ev.Copy == sim.CopyRead {
		// The task's private copy is what it read; a write changes the
		// counter, not the copy.
		tl.Copies[ev.Task] = Copy{Counter: ev.Object, Value: ev.Value}
		tl.VerCounters++
	}
}

func (tl *Timeline) process(ev *sim.Event) {
	p := tl.proc(ev.PID)
	p.Task, p.Program = ev.Task, ev.Program
	if p.PPID == 0 {
		p.PPID, p.FirstPPID = ev.PPID, ev.PPID
	}
	if ev.Program == "" {
		if l := tl.byName[ev.Task]; l != nil {
			l.PID = ev.PID
		}
	}
	tl.VerProcs++
}

func (tl *Timeline) exit(ev *sim.Event) {
	p := tl.proc(ev.PID)
	e := *ev
	p.Exit = &e
	tl.gone(p, ev.T)
}

// programEnded is a run step's program: over in milliseconds, often between
// two samples, the panel shows it ended, with its status, reaped by its task.
func (tl *Timeline) programEnded(ev *sim.Event) {
	if ev.PID <= 0 {
		return
	}
	p := tl.proc(ev.PID)
	p.Task, p.Program = ev.Task, ev.Program
	p.Exit = &sim.Event{Kind: sim.KExit, Task: ev.Task, PID: ev.PID, Code: ev.Code, Signal: ev.Signal, Reaper: ev.Task, ReaperPID: tl.Root}
	if p.PPID == 0 {
		p.PPID, p.FirstPPID = tl.Root, tl.Root
	}
	if p.Name == "" {
		p.Name = ev.Program
	}
	tl.gone(p, ev.T)
}

func (tl *Timeline) end(*sim.Event) {
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
