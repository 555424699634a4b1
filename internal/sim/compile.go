package sim

import (
	"fmt"

	"mtviz/internal/spec"
)

// Compiling: each step's objects, looked up once per round.

func compileLog(w *world, in *instr) error {
	for _, name := range spec.Placeholders(in.st.Text) {
		if c := w.counters[name]; c != nil {
			in.vars = append(in.vars, c)
		}
	}
	return nil
}

func compileBusy(w *world, in *instr) error {
	in.gil = w.gils[in.st.Hold]
	in.work = w.counters[in.st.Counter]
	return nil
}

func compileBody(w *world, in *instr) error {
	var err error
	in.body, err = w.compile(in.st.Body)
	return err
}

func compileRepeat(w *world, in *instr) error {
	if err := compileBody(w, in); err != nil {
		return err
	}
	in.adds = len(in.body) > 0
	for i := range in.body {
		in.adds = in.adds && in.body[i].st.Op == "add"
	}
	return nil
}

func compileCounter(w *world, in *instr) error { in.ctr = w.counters[in.st.Object]; return nil }
func compileQueue(w *world, in *instr) error {
	in.q = w.queues[in.st.Object]
	return compileLog(w, in) // a put's value may name counters, as a log line does
}
func compileCond(w *world, in *instr) error  { in.cv = w.conds[in.st.Object]; return nil }
func compileEvent(w *world, in *instr) error { in.ev = w.events[in.st.Object]; return nil }

func compileWait(w *world, in *instr) error {
	in.cv, in.ev = w.conds[in.st.Object], w.events[in.st.Object]
	return nil
}

func compileLock(w *world, in *instr) error {
	if in.sm = w.sems[in.st.Object]; in.sm != nil {
		return nil
	}
	if in.rw = w.rwlocks[in.st.Object]; in.rw != nil {
		return nil
	}
	in.lk = w.locks[in.st.Object]
	if c := w.conds[in.st.Object]; c != nil {
		in.lk = c.lock
	}
	if in.lk == nil {
		return fmt.Errorf("%s: %q is not a lock this engine can run", in.st.Pos, in.st.Object)
	}
	return nil
}

func compileTasks(w *world, in *instr) error {
	for _, name := range in.st.Tasks {
		in.tasks = append(in.tasks, w.byName[name]...)
	}
	return nil
}

func compileEach(w *world, in *instr) error {
	in.q = w.queues[in.st.Object]
	return compileBody(w, in)
}

func compileBranch(w *world, in *instr) error {
	in.ev = w.events[in.st.Object]
	var err error
	if in.body, err = w.compile(in.st.Body); err != nil {
		return err
	}
	in.alt, err = w.compile(in.st.Else)
	return err
}
