package lesson

import (
	"fmt"
	"slices"
	"strings"
)

// Traps a lesson can fall into that no single step or check shows: they
// need the whole file, and are caught when it loads.

// traps runs every whole-file trap check.
func (l *loader) traps(sc *Scenario) {
	l.unchangedCounters(sc)
	l.heldAtEnd(sc)
	l.getsWithoutPuts(sc)
}

// unchangedCounters refuses a check on a counter that nothing changes: it
// is decided before the run starts.
func (l *loader) unchangedCounters(sc *Scenario) {
	changed := map[string]bool{}
	for _, t := range sc.Tasks {
		Walk(t.Steps, func(st *Step) { changed[st.Counts()] = true })
	}
	for _, o := range sc.Objects {
		for _, c := range []string{o.Waiting, o.InFlight, o.Redelivered, o.Results} {
			changed[c] = true
		}
	}
	for _, c := range sc.Checks {
		name := ""
		switch k := c.Spec.(type) {
		case *CounterCheck:
			name = k.Counter
		case *DriftCheck:
			name = k.Counter
		case *BoundsCheck:
			name = k.Counter
		}
		if name != "" && !changed[name] {
			l.errorAt(c.Pos, "check %q is about counter %s, which no step changes (no add, write, or busy, request or work step that counts into it): it would be decided before the run starts", c.Kind, name)
		}
	}
}

// heldAtEnd warns of a task that can end holding a lock: whoever waits for
// that lock then waits forever, and nothing says why. A lock taken inside
// a repeat or each body must be released in the same body; a branch's two
// ways are followed apart.
func (l *loader) heldAtEnd(sc *Scenario) {
	for i := range sc.Tasks {
		t := &sc.Tasks[i]
		held := l.holds(t.Steps, nil)
		if len(held) > 0 {
			names := make([]string, len(held))
			for i, h := range held {
				names[i] = fmt.Sprintf("%s (taken at %d:%d)", h.lock, h.pos.Line, h.pos.Col)
			}
			l.warnAt(t.Pos, "task %q can end holding %s: whoever waits for it would wait forever; unlock it before the task's last step (unless the task is meant never to get there, as in a deadlock)", t.Name, strings.Join(names, ", "))
		}
	}
}

type hold struct {
	lock string
	pos  Pos
}

// holds follows the steps with the locks held so far, and returns those
// held at the end (on the way that holds the most).
func (l *loader) holds(ss []Step, held []hold) []hold {
	for _, st := range ss {
		switch d := st.Do.(type) {
		case *LockStep:
			o := l.objs[d.Lock]
			if o != nil && o.Kind != RLock && slices.ContainsFunc(held, func(h hold) bool { return h.lock == d.Lock }) {
				// A plain lock taken again by its holder: the task blocks on
				// itself here for good (a lesson may show just that), and
				// never reaches its end.
				return nil
			}
			held = append(held, hold{d.Lock, st.Pos})
		case *UnlockStep:
			if i := slices.IndexFunc(held, func(h hold) bool { return h.lock == d.Lock }); i >= 0 {
				held = slices.Delete(held, i, i+1)
			}
		case *ExitStep, *CrashStep:
			// The process ends here, and the OS drops its locks with it.
			return nil
		case *RepeatStep, *EachStep:
			if in := l.holds(d.Bodies()[0], nil); len(in) > 0 {
				l.errorAt(in[0].pos, "%s is taken inside a %s body and not released in it: the next turn would wait for itself", in[0].lock, st.Op)
			}
		case *BranchStep:
			a, b := l.holds(d.IfSet, slices.Clone(held)), l.holds(d.IfClear, slices.Clone(held))
			held = a
			if len(b) > len(a) {
				held = b
			}
		}
	}
	return held
}

// getsWithoutPuts refuses a queue whose gets outnumber its puts, when both
// can be counted: the last get would wait forever.
func (l *loader) getsWithoutPuts(sc *Scenario) {
	puts, gets := map[string]int{}, map[string]int{}
	where := map[string]Pos{}
	countable := map[string]bool{}
	for _, o := range sc.Objects {
		if o.Kind == Queue {
			countable[o.Name] = true
		}
	}
	for i := range sc.Tasks {
		t := &sc.Tasks[i]
		copies := t.Count
		if copies == CountCores {
			// Unknown until the run: a queue such a task uses is not counted.
			copies = -1
		}
		l.countQueue(t.Steps, copies, puts, gets, where, countable)
	}
	for q, n := range gets {
		if countable[q] && n > puts[q] {
			l.errorAt(where[q], "queue %s: the tasks get %d values and put only %d: the last get would wait forever (give one more put, or one get less)", q, n, puts[q])
		}
	}
}

// countQueue adds each queue's puts and gets, times the task's copies and
// the repeats around them; a queue whose count cannot be known (an each
// loop, a repeat for a while, a branch) is not counted.
func (l *loader) countQueue(ss []Step, times int, puts, gets map[string]int, where map[string]Pos, countable map[string]bool) {
	for _, st := range ss {
		switch d := st.Do.(type) {
		case *PutStep:
			puts[d.Queue] += times
		case *GetStep:
			if d.Timeout > 0 {
				continue // it gives up rather than wait forever
			}
			gets[d.Queue] += times
			if _, ok := where[d.Queue]; !ok {
				where[d.Queue] = st.Pos
			}
		case *EachStep:
			uncount([]Step{st}, countable)
		case *RepeatStep:
			n := d.Times
			if d.For > 0 || n == CountCores {
				uncount(d.Steps, countable)
				continue
			}
			l.countQueue(d.Steps, times*n, puts, gets, where, countable)
		case *BranchStep:
			uncount(d.IfSet, countable)
			uncount(d.IfClear, countable)
		}
		if q := st.Queue(); times < 0 && q != "" {
			countable[q] = false
		}
	}
}

// uncount marks every queue the steps use as not countable.
func uncount(ss []Step, countable map[string]bool) {
	Walk(ss, func(st *Step) {
		if q := st.Queue(); q != "" {
			countable[q] = false
		}
	})
}
