package verdict

import (
	"slices"
	"strings"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// The checks of log lines: what a task said, how often, and when.

// line is a log line a judge keeps.
type line struct {
	t    time.Duration
	task string
	text string
	pid  int
}

func matches(match, task string, ev *event.Event) bool {
	return ev.Kind() == event.KLog && (task == "" || copiesOf(task, ev.Task)) && strings.Contains(ev.Log().Text, match)
}

// maxKept is how many matching lines a judge keeps; it counts the rest.
const maxKept = 10000

type logsJudge struct {
	c     *lesson.LogsCheck
	n     int
	lines []line
}

func (j *logsJudge) event(f *facts, ev *event.Event) {
	if matches(j.c.Match, j.c.Task, ev) {
		j.n++
		if len(j.lines) < maxKept {
			j.lines = append(j.lines, line{ev.T, ev.Task, ev.Log().Text, ev.PID})
		}
	}
}

func (j *logsJudge) decide(f *facts) Result {
	c := j.c
	if j.n == 0 && !f.everRan(c.Task) {
		return undecided("%s never ran, so what it would have logged is unknown", c.Task)
	}
	if j.n != c.Count {
		return fail("%s logged %q %d times, not %d", c.Task, c.Match, j.n, c.Count)
	}
	detail := words.F("%s logged %q %d times", c.Task, c.Match, j.n)
	if pids := f.pidsOf(c.Task); len(pids) > 0 {
		for _, l := range j.lines {
			if !slices.Contains(pids, l.pid) || l.pid == f.root {
				return fail("a line came from PID %d, not from %s's process %v", l.pid, c.Task, pids)
			}
		}
		if f.seen[pids[0]] == nil {
			return undecided("the probe never saw PID %d", pids[0])
		}
		detail += words.F(", from its own process PID %d (mtviz is %d)", pids[0], f.root)
	}
	if c.Gap > 0 && len(j.lines) > 1 {
		ts := make([]time.Duration, len(j.lines))
		for i, l := range j.lines {
			ts[i] = l.t
		}
		slices.Sort(ts)
		least := time.Duration(1 << 62)
		for i := 1; i < len(ts); i++ {
			least = min(least, ts[i]-ts[i-1])
		}
		detail += words.F("; closest two %.3fs apart", least.Seconds())
		if least < c.Gap {
			return fail("%s, less than %s", detail, c.Gap)
		}
	}
	return pass("%s", detail)
}

// firstLine keeps the earliest line that matches.
type firstLine struct {
	l   line
	has bool
}

func (fl *firstLine) offer(ev *event.Event) {
	if !fl.has || ev.T < fl.l.t {
		fl.l, fl.has = line{ev.T, ev.Task, ev.Log().Text, ev.PID}, true
	}
}

type neverJudge struct {
	c     *lesson.NeverLoggedCheck
	first firstLine
}

func (j *neverJudge) event(f *facts, ev *event.Event) {
	if matches(j.c.Match, j.c.Task, ev) {
		j.first.offer(ev)
	}
}

func (j *neverJudge) decide(f *facts) Result {
	c := j.c
	if j.first.has {
		return fail("%s logged %q at %.2fs", c.Task, j.first.l.text, j.first.l.t.Seconds())
	}
	if !f.everRan(c.Task) {
		return undecided("%s never ran at all, so its silence proves nothing", c.Task)
	}
	return pass("%s ran but never logged %q", c.Task, c.Match)
}

type afterExitJudge struct {
	c     *lesson.AfterExitCheck
	first firstLine
}

func (j *afterExitJudge) event(f *facts, ev *event.Event) {
	if matches(j.c.Match, "", ev) {
		j.first.offer(ev)
	}
}

func (j *afterExitJudge) decide(f *facts) Result {
	c := j.c
	pids := f.pidsOf(c.Task)
	if len(pids) == 0 {
		return noProcess(c.Task)
	}
	sg := f.seen[pids[0]]
	if sg == nil || !sg.alive {
		return undecided("the probe never saw %s alive", c.Task)
	}
	if !j.first.has {
		return fail("nobody logged %q", c.Match)
	}
	l := j.first.l
	if l.t < sg.lastAlive {
		return fail("%q came at %.2fs, while the probe still saw %s alive at %.2fs", l.text, l.t.Seconds(), c.Task, sg.lastAlive.Seconds())
	}
	return pass("the probe last saw %s (PID %d) alive at %.2fs; %q came at %.2fs", c.Task, pids[0], sg.lastAlive.Seconds(), l.text, l.t.Seconds())
}
