package verdict

import (
	"math"
	"strings"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// Checks a teacher asks for: blocked on an object, a queue that filled, a
// counter's bounds over time, work spread over processes, a count of lines.

type blockedJudge struct {
	c  *lesson.BlockedCheck
	at time.Duration
	by string
	ok bool
}

func (j *blockedJudge) event(f *facts, ev *event.Event) {
	if !j.ok && ev.Kind() == event.KState && ev.StateChange().State == event.Blocked && ev.StateChange().Object == j.c.On && copiesOf(j.c.Task, ev.Task) {
		j.at, j.by, j.ok = ev.T, ev.Task, true
	}
}

func (j *blockedJudge) decide(f *facts) Result {
	if j.ok {
		return pass("%s was blocked on %s at %.2fs", j.by, j.c.On, j.at.Seconds())
	}
	if !f.everRan(j.c.Task) {
		return undecided("%s never ran", j.c.Task)
	}
	return fail("%s ran, and was never blocked on %s", j.c.Task, j.c.On)
}

type queueJudge struct {
	c    *lesson.QueueCheck
	most int
	at   time.Duration
	used bool
}

func (j *queueJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KQueue || ev.QueueChange().Object != j.c.Queue {
		return
	}
	j.used = true
	if n := max(ev.QueueChange().Len, len(ev.QueueChange().Items)); n > j.most {
		j.most, j.at = n, ev.T
	}
}

func (j *queueJudge) decide(f *facts) Result {
	if !j.used {
		return undecided("nobody ever put to or got from %s", j.c.Queue)
	}
	if j.most >= j.c.Reached {
		return pass("%s held %d values at %.2fs (%d wanted)", j.c.Queue, j.most, j.at.Seconds(), j.c.Reached)
	}
	return fail("%s held at most %d values at once (%d wanted)", j.c.Queue, j.most, j.c.Reached)
}

type boundsJudge struct {
	c          *lesson.BoundsCheck
	n          int
	lo, hi     int64
	loAt, hiAt time.Duration
	who        string
}

func (j *boundsJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KCounter || ev.CounterChange().Object != j.c.Counter {
		return
	}
	if j.n == 0 || ev.CounterChange().Value < j.lo {
		j.lo, j.loAt = ev.CounterChange().Value, ev.T
	}
	if j.n == 0 || ev.CounterChange().Value > j.hi {
		j.hi, j.hiAt, j.who = ev.CounterChange().Value, ev.T, ev.Task
	}
	j.n++
}

func (j *boundsJudge) decide(f *facts) Result {
	c := j.c
	if j.n == 0 {
		return undecided("%s was never reported", c.Counter)
	}
	d := words.F("%s went from %d (at %.2fs) to %d (at %.2fs) over %d reports (%d to %d allowed)", c.Counter, j.lo, j.loAt.Seconds(), j.hi, j.hiAt.Seconds(), j.n, c.Min, c.Max)
	return holds(c.Min <= j.lo && j.hi <= c.Max, d)
}

type pidsJudge struct {
	noEvents
	c *lesson.PIDsCheck
}

func (j *pidsJudge) decide(f *facts) Result {
	c := j.c
	procs, none := f.aliveProcs(c.Task)
	if none != nil {
		return *none
	}
	var worked []string
	for _, p := range procs {
		if p.sg.cpu > 0 {
			worked = append(worked, words.F("PID %d (%.2f CPU seconds)", p.pid, p.sg.cpu))
		}
	}
	d := words.F("%d of %s's %d processes used CPU time: %s (at least %d wanted)", len(worked), c.Task, len(procs), strings.Join(worked, words.T(", ")), c.Min)
	return holds(len(worked) >= c.Min, d)
}

type linesCountJudge struct {
	c *lesson.LinesCountCheck
	n int
}

func (j *linesCountJudge) event(f *facts, ev *event.Event) {
	if matches(j.c.Match, j.c.Task, ev) {
		j.n++
	}
}

func (j *linesCountJudge) decide(f *facts) Result {
	c := j.c
	if j.n == 0 && !f.everRan(c.Task) {
		return undecided("%s never ran, so what it would have logged is unknown", c.Task)
	}
	most := c.Max
	if most <= 0 {
		most = math.MaxInt
	}
	d := words.F("%s logged %q %d times", c.Task, c.Match, j.n)
	want := words.F(" (at least %d", c.Min)
	if c.Max > 0 {
		want += words.F(", at most %d", c.Max)
	}
	d += want + words.T(" wanted)")
	return holds(c.Min <= j.n && j.n <= most, d)
}
