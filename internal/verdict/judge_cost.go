package verdict

import (
	"slices"
	"strings"

	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// What a task's processes cost, as the probe read it from /proc: threads
// and CPU time. Nothing here comes from what the tasks say of themselves.

// procOf is one process of a task's copy.
type procOf struct {
	task string
	pid  int
	sg   *sighting
}

// procsOf lists the processes of a task's copies that the probe saw, by
// copy name; unseen lists those it never read.
func (f *facts) procsOf(task string) (seen []procOf, unseen []string) {
	names := make([]string, 0, len(f.pids))
	for name := range f.pids {
		if copiesOf(task, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, pid := range f.pids[name] {
			if sg := f.seen[pid]; sg != nil && sg.alive {
				seen = append(seen, procOf{name, pid, sg})
			} else {
				unseen = append(unseen, words.F("%s (PID %d)", name, pid))
			}
		}
	}
	return seen, unseen
}

// aliveProcs are the processes of a task's copies the probe saw alive;
// with none, the result that says why: not decided when the probe never
// saw them alive, the claim absent when there was no process.
func (f *facts) aliveProcs(task string) ([]procOf, *Result) {
	procs, unseen := f.procsOf(task)
	if len(procs) > 0 {
		return procs, nil
	}
	r := noProcess(task)
	if len(unseen) > 0 {
		r = undecided("the probe never saw %s alive", strings.Join(unseen, words.T(", ")))
	}
	return nil, &r
}

// cost says what one process used: its most threads and its CPU time.
func (p procOf) cost() string {
	life := p.sg.lastAlive - p.sg.firstAlive
	return words.F("%s (PID %d): %d threads at most, %.2f CPU seconds in %.1fs", p.task, p.pid, p.sg.threads, p.sg.cpu, life.Seconds())
}

// threads: the most threads the probe read in each of the task's
// processes, in any one sample, is within the check's bounds.
type threadsJudge struct {
	noEvents
	c *lesson.ThreadsCheck
}

func (j *threadsJudge) decide(f *facts) Result {
	c := j.c
	procs, none := f.aliveProcs(c.Task)
	if none != nil {
		return *none
	}
	var parts []string
	ok := true
	for _, p := range procs {
		n := p.sg.threads
		ok = ok && (c.Max <= 0 || n <= c.Max) && (c.Min <= 0 || n >= c.Min)
		parts = append(parts, p.cost())
	}
	var want []string
	if c.Min > 0 {
		want = append(want, words.F("at least %d", c.Min))
	}
	if c.Max > 0 {
		want = append(want, words.F("at most %d", c.Max))
	}
	d := words.F("the probe read %s (%s threads wanted)", strings.Join(parts, words.T("; ")), strings.Join(want, words.T(" and ")))
	return holds(ok, d)
}

// cpu_time holds the CPU seconds each of the tasks' processes used over its
// life to a most.
type cpuTimeJudge struct {
	noEvents
	c *lesson.CPUTimeCheck
}

func (j *cpuTimeJudge) decide(f *facts) Result {
	c := j.c
	var parts []string
	ok := true
	for _, task := range c.Tasks {
		procs, unseen := f.procsOf(task)
		if len(unseen) > 0 {
			return undecided("the probe never saw %s alive", strings.Join(unseen, words.T(", ")))
		}
		if len(procs) == 0 {
			return noProcess(task)
		}
		for _, p := range procs {
			ok = ok && p.sg.cpu <= c.Max
			parts = append(parts, p.cost())
		}
	}
	d := words.F("the probe read %s (at most %.2f CPU seconds each allowed)", strings.Join(parts, words.T("; ")), c.Max)
	return holds(ok, d)
}
