package engine

import (
	"fmt"
	"strings"
	"time"

	"mtviz/internal/lesson"
)

// Compiling: each step's objects, looked up once per round, from the
// step's own settings.

func compileLog(w *world, in *instr) error {
	for _, name := range lesson.Placeholders(textOf(in.st)) {
		if c := w.counters[name]; c != nil {
			in.vars = append(in.vars, c)
		}
	}
	return nil
}

// textOf is the text a log step prints or a put step puts, placeholders
// and all.
func textOf(st *lesson.Step) string {
	switch d := st.Do.(type) {
	case *lesson.LogStep:
		return d.Text
	case *lesson.PutStep:
		return d.Value
	}
	return ""
}

func compileBusy(w *world, in *instr) error {
	b := do[*lesson.BusyStep](in)
	in.gil = w.gils[b.Hold]
	in.work = w.counters[b.Count]
	return nil
}

func compileBody(w *world, in *instr, steps []lesson.Step) error {
	var err error
	in.body, err = w.compile(steps)
	return err
}

func compileRepeat(w *world, in *instr) error {
	if err := compileBody(w, in, do[*lesson.RepeatStep](in).Steps); err != nil {
		return err
	}
	in.adds = len(in.body) > 0
	for i := range in.body {
		in.adds = in.adds && in.body[i].st.Op == lesson.OpAdd
	}
	return nil
}

// compileCounter serves add, read and write, each of which names one
// counter.
func compileCounter(w *world, in *instr) error {
	var name string
	switch d := in.st.Do.(type) {
	case *lesson.AddStep:
		name = d.Counter
	case *lesson.ReadStep:
		name = d.Counter
	case *lesson.WriteStep:
		name = d.Counter
	}
	in.ctr = w.counters[name]
	return nil
}

func compileQueue(w *world, in *instr) error {
	in.q = w.queues[in.st.Queue()]
	return compileLog(w, in) // a put's value may name counters, as a log line does
}
func compileCond(w *world, in *instr) error {
	in.cv = w.conds[do[*lesson.NotifyStep](in).Condition]
	return nil
}

func compileEvent(w *world, in *instr) error {
	var name string
	switch d := in.st.Do.(type) {
	case *lesson.SetStep:
		name = d.Event
	case *lesson.ClearStep:
		name = d.Event
	}
	in.ev = w.events[name]
	return nil
}

func compileWait(w *world, in *instr) error {
	on := do[*lesson.WaitStep](in).On
	in.cv, in.ev = w.conds[on], w.events[on]
	return nil
}

// lockOf is the lock a lock or unlock step names.
func lockOf(st *lesson.Step) string {
	switch d := st.Do.(type) {
	case *lesson.LockStep:
		return d.Lock
	case *lesson.UnlockStep:
		return d.Lock
	}
	return ""
}

func compileLock(w *world, in *instr) error {
	name := lockOf(in.st)
	if in.sm = w.sems[name]; in.sm != nil {
		return nil
	}
	if in.rw = w.rwlocks[name]; in.rw != nil {
		return nil
	}
	in.lk = w.locks[name]
	if c := w.conds[name]; c != nil {
		in.lk = c.lock
	}
	if in.lk == nil {
		return fmt.Errorf("%s: %q is not a lock this engine can run", in.st.Pos, name)
	}
	return nil
}

// tasksOf are the tasks a spawn, join, stop or kill step names.
func tasksOf(st *lesson.Step) []string {
	switch d := st.Do.(type) {
	case *lesson.SpawnStep:
		return d.Tasks
	case *lesson.JoinStep:
		return d.Tasks
	case *lesson.StopStep:
		return d.Tasks
	case *lesson.KillStep:
		return d.Tasks
	}
	return nil
}

func compileTasks(w *world, in *instr) error {
	for _, name := range tasksOf(in.st) {
		in.tasks = append(in.tasks, w.byName[name]...)
	}
	return nil
}

func compileEach(w *world, in *instr) error {
	in.q = w.queues[in.st.Queue()]
	return compileBody(w, in, do[*lesson.EachStep](in).Steps)
}

func compileBranch(w *world, in *instr) error {
	b := do[*lesson.BranchStep](in)
	in.ev = w.events[b.Event]
	var err error
	if in.body, err = w.compile(b.IfSet); err != nil {
		return err
	}
	in.alt, err = w.compile(b.IfClear)
	return err
}

// waitOf is what a step that may give up waits for, in words, and after
// how long it gives up (0: never).
func waitOf(st *lesson.Step) (string, time.Duration) {
	switch d := st.Do.(type) {
	case *lesson.LockStep:
		return d.Lock, d.Timeout
	case *lesson.WaitStep:
		return d.On, d.Timeout
	case *lesson.GetStep:
		return d.Queue, d.Timeout
	case *lesson.JoinStep:
		return strings.Join(d.Tasks, ", "), d.Timeout
	}
	return "", 0
}
