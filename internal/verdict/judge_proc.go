package verdict

import (
	"slices"
	"strings"
	"syscall"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/words"
)

func noProcess(task string) Result {
	return undecided("no process of %s reported itself", task)
}

func (f *facts) rootName(pid int) string {
	switch pid {
	case f.root:
		return words.F("mtviz (PID %d)", pid)
	case 1:
		return "init (PID 1)"
	}
	return words.F("PID %d", pid)
}

type parentJudge struct {
	noEvents
	c *lesson.ParentCheck
}

func (j *parentJudge) decide(f *facts) Result {
	c := j.c
	pids := f.pidsOf(c.Task)
	if len(pids) == 0 {
		return noProcess(c.Task)
	}
	want := map[int]bool{}
	if c.Parent == lesson.Root {
		want[f.root] = true
	} else {
		for _, p := range f.pidsOf(c.Parent) {
			want[p] = true
		}
	}
	var parts []string
	for _, pid := range pids {
		sg := f.seen[pid]
		if sg == nil {
			return undecided("the probe never saw %s's PID %d", c.Task, pid)
		}
		first := sg.changes[0].ppid
		if !want[first] {
			return fail("the probe read PPID %d for %s (PID %d), not %s's", first, c.Task, pid, c.Parent)
		}
		parts = append(parts, words.F("PID %d has PPID %d", pid, first))
	}
	return pass("the probe read: %s (%s)", strings.Join(parts, words.T("; ")), c.Parent)
}

type overlapJudge struct {
	noEvents
	c *lesson.OverlapCheck
}

func (j *overlapJudge) decide(f *facts) Result {
	var pids []int
	for _, t := range j.c.Tasks {
		ps := f.pidsOf(t)
		if len(ps) == 0 {
			return noProcess(t)
		}
		pids = append(pids, ps[0])
	}
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != len(pids) {
		return fail("the tasks did not have distinct PIDs: %v", pids)
	}
	// Each process is alive over one stretch of samples; they were all alive
	// at one sample if the latest first sighting comes before the earliest
	// last one.
	var from, to time.Duration = -1, 1 << 62
	for _, p := range pids {
		sg := f.seen[p]
		if sg == nil || !sg.alive {
			return undecided("the probe never saw PID %d alive", p)
		}
		from, to = max(from, sg.firstAlive), min(to, sg.lastAlive)
	}
	if from <= to {
		return pass("at %.2fs the probe saw PIDs %v alive at once", from.Seconds(), pids)
	}
	return fail("no probe sample saw PIDs %v alive at once", pids)
}

type lifetimeJudge struct {
	noEvents
	c *lesson.LifetimeCheck
}

func (j *lifetimeJudge) decide(f *facts) Result {
	c := j.c
	pids := f.pidsOf(c.Task)
	if len(pids) == 0 {
		return noProcess(c.Task)
	}
	// The probe sees a process up to one interval late and its end up to one
	// interval late: allow that much either way.
	slack := (2 * f.interval()).Round(time.Millisecond)
	var parts []string
	ok := true
	for _, pid := range pids {
		sg := f.seen[pid]
		end, ended := f.endedAt(pid)
		if sg == nil || !ended {
			return undecided("the probe did not see PID %d of %s both alive and ended", pid, c.Task)
		}
		life := end - sg.changes[0].t
		if life+slack < c.AtLeast {
			ok = false
		}
		parts = append(parts, words.F("PID %d lived about %.1fs", pid, life.Seconds()))
	}
	d := words.F("%s (at least %s wanted, give or take %s of probe interval)", strings.Join(parts, words.T("; ")), c.AtLeast, slack)
	return holds(ok, d)
}

type goneWithJudge struct {
	noEvents
	c *lesson.GoneWithCheck
}

func (j *goneWithJudge) decide(f *facts) Result {
	c := j.c
	pids, parents := f.pidsOf(c.Task), f.pidsOf(c.Parent)
	if len(pids) == 0 {
		return noProcess(c.Task)
	}
	if len(parents) == 0 {
		return noProcess(c.Parent)
	}
	pend, ok := f.endedAt(parents[0])
	if !ok {
		return undecided("the probe never saw %s end", c.Parent)
	}
	sg := f.seen[pids[0]]
	if sg == nil || !sg.alive {
		return undecided("the probe never saw %s (PID %d) alive, so when it went is unknown", c.Task, pids[0])
	}
	if sg.lastAlive > pend {
		return fail("the probe saw %s alive at %.2fs, after %s ended at %.2fs", c.Task, sg.lastAlive.Seconds(), c.Parent, pend.Seconds())
	}
	cend, _ := f.endedAt(pids[0])
	return pass("%s (PID %d) ended by %.2fs; its parent %s (PID %d) by %.2fs", c.Task, pids[0], cend.Seconds(), c.Parent, parents[0], pend.Seconds())
}

func (f *facts) reapedBy(task string) string {
	if exits := f.exitsOf(task); len(exits) > 0 {
		return words.F(", reaped by %s", event.ReaperText(exits[0]))
	}
	return ""
}

type zombieJudge struct {
	noEvents
	c *lesson.ZombieCheck
}

// firstProcess is a task's first process and what the probe saw of it;
// ok is false, with the verdict, when there is nothing to judge.
func (f *facts) firstProcess(task string) (pid int, sg *sighting, r Result, ok bool) {
	pids := f.pidsOf(task)
	if len(pids) == 0 {
		return 0, nil, noProcess(task), false
	}
	return pids[0], f.seen[pids[0]], Result{}, true
}

func (j *zombieJudge) decide(f *facts) Result {
	c := j.c
	pid, sg, r, ok := f.firstProcess(c.Task)
	if !ok {
		return r
	}
	if sg == nil {
		return undecided("the probe never saw %s (PID %d)", c.Task, pid)
	}
	var zAt time.Duration
	zombie := false
	for _, r := range sg.changes {
		if r.state == probe.Zombie {
			zAt, zombie = r.t, true
			break
		}
	}
	if !zombie {
		return fail("the probe never read state Z for %s (PID %d)", c.Task, pid)
	}
	if !sg.gone {
		return fail("the probe read Z for PID %d at %.2fs, but never saw it reaped", pid, zAt.Seconds())
	}
	return pass("the probe read Z for %s (PID %d) at %.2fs; the PID was gone by %.2fs%s", c.Task, pid, zAt.Seconds(), sg.goneAt.Seconds(), f.reapedBy(c.Task))
}

type adoptedJudge struct {
	noEvents
	c *lesson.AdoptedCheck
}

func (j *adoptedJudge) decide(f *facts) Result {
	c := j.c
	pid, sg, r, ok := f.firstProcess(c.Task)
	if !ok {
		return r
	}
	if sg == nil {
		return undecided("the probe never saw PID %d", pid)
	}
	first := sg.changes[0].ppid
	for _, r := range sg.changes {
		if r.ppid == first {
			continue
		}
		detail := words.F("the probe read %s's (PID %d) parent change from %d to %s at %.2fs", c.Task, pid, first, f.rootName(r.ppid), r.t.Seconds())
		zombie := !isAlive(r.state)
		switch {
		case zombie && c.While != lesson.AdoptedZombie:
			// A child that died under its parent is a zombie handed on to the
			// adopter with its parent's end: it never lived on as an orphan.
			return fail("%s, but it had already exited (state %s) under its old parent: a zombie handed on, not an orphan that lived on", detail, r.state)
		case !zombie && c.While == lesson.AdoptedZombie:
			return fail("%s, alive (state %s): an orphan, not a zombie handed on", detail, r.state)
		case !sg.gone:
			return fail("%s, but never saw it reaped", detail)
		}
		return pass("%s, %s%s", detail, map[bool]string{true: words.T("a zombie"), false: words.T("alive")}[zombie], f.reapedBy(c.Task))
	}
	return fail("the probe always read PPID %d for %s (PID %d)", first, c.Task, pid)
}

type terminatedJudge struct {
	noEvents
	c *lesson.TerminatedCheck
}

// terminated holds when every process of the task that was reaped was
// ended by a signal.
func (j *terminatedJudge) decide(f *facts) Result {
	c := j.c
	var ends []string
	for _, ev := range f.exitsOf(c.Task) {
		x := ev.Exit()
		if x.Signal == 0 {
			return fail("%s (PID %d) ended with %s, not by a signal", ev.Task, ev.PID, event.ExitText(x.Code, x.Signal))
		}
		ends = append(ends, words.F("%s (PID %d) was %s", ev.Task, ev.PID, event.ExitText(x.Code, x.Signal)))
	}
	if len(ends) == 0 {
		return undecided("nobody reaped %s, so how it ended is unknown", c.Task)
	}
	return pass("%s, as its wait status said", strings.Join(ends, words.T("; ")))
}

type programJudge struct {
	c   *lesson.ProgramCheck
	run *event.Event
}

func (j *programJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() == event.KRun && ev.ProgramEnd().Program == j.c.Program && j.run == nil {
		e := *ev
		j.run = &e
	}
}

func (j *programJudge) decide(f *facts) Result {
	c := j.c
	if j.run == nil {
		return fail("%s never ran", c.Program)
	}
	ev := j.run.ProgramEnd()
	if ev.Error != "" {
		return fail("%s: %s", c.Program, ev.Error)
	}
	d := words.F("%s (PID %d) ended with %s", c.Program, j.run.PID, event.ExitText(ev.Code, ev.Signal))
	if ev.Signal != 0 {
		// Ended for it (its task was stopped, or the run ended): how it
		// would have exited on its own is unknown.
		return undecided("%s before it exited on its own", d)
	}
	if ev.Code != c.Exit {
		return fail("%s, not exit %d", d, c.Exit)
	}
	if !strings.Contains(ev.Output, c.Output) {
		return fail("%s, and its output %q lacks %q", d, ev.Output, c.Output)
	}
	return pass("%s and printed %q", d, strings.TrimSpace(ev.Output))
}

type receivedJudge struct {
	c    *lesson.ReceivedCheck
	want map[string]bool
	gets []line         // values got by the task, in order (at most len(values)+1)
	n    int            // values got in all
	puts map[string]int // value → the PID that put it first
}

func newReceivedJudge(c *lesson.ReceivedCheck) judge {
	j := &receivedJudge{c: c, want: map[string]bool{}, puts: map[string]int{}}
	for _, v := range c.Values {
		j.want[v] = true
	}
	return j
}

func (j *receivedJudge) event(f *facts, ev *event.Event) {
	switch {
	case ev.Kind() == event.KGet && copiesOf(j.c.Task, ev.Task):
		j.n++
		if len(j.gets) <= len(j.c.Values) {
			j.gets = append(j.gets, line{ev.T, ev.Task, ev.QueueGet().Item, ev.PID})
		}
	case ev.Kind() == event.KPut && j.want[ev.QueuePut().Item]:
		if _, ok := j.puts[ev.QueuePut().Item]; !ok {
			j.puts[ev.QueuePut().Item] = ev.PID
		}
	}
}

func (j *receivedJudge) decide(f *facts) Result {
	c := j.c
	got := make([]string, len(j.gets))
	for i, g := range j.gets {
		got[i] = g.text
	}
	if j.n == 0 && !f.everRan(c.Task) {
		return undecided("%s never ran, so what it would have received is unknown", c.Task)
	}
	if j.n != len(c.Values) || !slices.Equal(got, c.Values) {
		return fail("%s received %v (%d values), not %v", c.Task, got, j.n, c.Values)
	}
	threads := true
	for _, g := range j.gets {
		threads = threads && (g.pid == 0 || g.pid == f.root)
	}
	if threads {
		return pass("%s got %s in order, each once, between threads of one process", c.Task, strings.Join(got, words.T(", ")))
	}
	// Each value crossed a process boundary: the process that put it is not
	// the one that got it, and both are real processes the probe saw.
	for _, g := range j.gets {
		p := j.puts[g.text]
		if p == g.pid || p == 0 || g.pid == 0 || f.seen[p] == nil || f.seen[g.pid] == nil {
			return fail("value %q went from PID %d to PID %d: not between two processes the probe saw", g.text, p, g.pid)
		}
	}
	return pass("%s got %s in order, each once, sent from PID %d to PID %d through mtviz", c.Task, strings.Join(got, words.T(", ")), j.puts[got[0]], j.gets[0].pid)
}

type processesJudge struct {
	c    *lesson.ProcessesCheck
	most int
	ends map[string]bool // values that end the task's each loops
	runs int
}

func newProcessesJudge(c *lesson.ProcessesCheck, sc *lesson.Scenario) judge {
	j := &processesJudge{c: c, most: c.Max, ends: map[string]bool{}}
	for _, t := range sc.Tasks {
		if t.Name != c.Task {
			continue
		}
		if j.most == 0 {
			j.most = t.Count
		}
		lesson.Walk(t.Steps, func(st *lesson.Step) {
			if e, ok := st.Do.(*lesson.EachStep); ok {
				j.ends[e.Until] = true
			}
		})
	}
	return j
}

func (j *processesJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() == event.KGet && copiesOf(j.c.Task, ev.Task) && !j.ends[ev.QueueGet().Item] {
		j.runs++
	}
}

func (j *processesJudge) decide(f *facts) Result {
	c := j.c
	most := j.most
	if most == lesson.CountCores {
		most = f.cores()
	}
	pids := f.pidsOf(c.Task)
	if len(pids) == 0 {
		return noProcess(c.Task)
	}
	// The most alive at once: at each process's first sighting alive, count
	// the others alive then.
	seen := 0
	for _, p := range pids {
		if sg := f.seen[p]; sg != nil && sg.alive {
			seen++
		}
	}
	if seen == 0 {
		return undecided("the probe never saw a process of %s alive", c.Task)
	}
	peak := 0
	for _, p := range pids {
		sg := f.seen[p]
		if sg == nil || !sg.alive {
			continue
		}
		n := 0
		for _, q := range pids {
			if o := f.seen[q]; o != nil && o.alive && o.firstAlive <= sg.firstAlive && sg.firstAlive <= o.lastAlive {
				n++
			}
		}
		peak = max(peak, n)
	}
	detail := words.F("at most %d %s processes alive at once (of %d allowed), %d distinct PIDs", peak, c.Task, most, len(pids))
	if peak > most || len(pids) > most {
		return fail("%s", detail)
	}
	if c.Min > 0 {
		detail += words.F("; at least %d at once wanted", c.Min)
		if peak < c.Min {
			return fail("%s", detail)
		}
	}
	if c.Runs > 0 {
		detail += words.F("; %d tasks ran", j.runs)
		if j.runs != c.Runs {
			return fail("%s, not %d", detail, c.Runs)
		}
	}
	return pass("%s", detail)
}

var signalNumbers = map[string]int{"KILL": int(syscall.SIGKILL), "TERM": int(syscall.SIGTERM),
	"INT": int(syscall.SIGINT), "SEGV": int(syscall.SIGSEGV), "ABRT": int(syscall.SIGABRT)}

// exitsOf is how the processes of a task's copies ended, in reap order.
func (f *facts) exitsOf(task string) []*event.Event {
	var out []*event.Event
	for i := range f.exits {
		if copiesOf(task, f.exits[i].Task) {
			out = append(out, &f.exits[i])
		}
	}
	return out
}

// exit_status: every reaped process of the task ended as the check says,
// and the probe then saw its PID gone (a process and its threads go
// together).
type exitStatusJudge struct {
	noEvents
	c *lesson.ExitStatusCheck
}

func (j *exitStatusJudge) decide(f *facts) Result {
	c := j.c
	var ends []string
	for _, ev := range f.exitsOf(c.Task) {
		x := ev.Exit()
		got := event.ExitText(x.Code, x.Signal)
		ok := x.Signal == 0 && x.Code == c.Code && c.Signal == ""
		if c.Signal != "" {
			ok = x.Signal == signalNumbers[c.Signal]
		}
		if !ok {
			return fail("%s (PID %d) ended with %s", ev.Task, ev.PID, got)
		}
		sg := f.seen[ev.PID]
		if sg == nil {
			return undecided("%s (PID %d) ended with %s, but the probe never saw it", ev.Task, ev.PID, got)
		}
		if !sg.gone {
			return fail("%s (PID %d) ended with %s, but the probe never saw its PID gone", ev.Task, ev.PID, got)
		}
		ends = append(ends, words.F("%s (PID %d) ended with %s, as its wait status said; the probe saw it gone by %.2fs", ev.Task, ev.PID, got, sg.goneAt.Seconds()))
	}
	if len(ends) == 0 {
		return undecided("nobody reaped %s, so how it ended is unknown", c.Task)
	}
	return pass("%s", strings.Join(ends, words.T("; ")))
}

// survived: the probe saw the task's process alive after the other's had
// ended.
type survivedJudge struct {
	noEvents
	c *lesson.SurvivedCheck
}

func (j *survivedJudge) decide(f *facts) Result {
	c := j.c
	pid, sg, r, ok := f.firstProcess(c.Task)
	if !ok {
		return r
	}
	other, _, r, ok := f.firstProcess(c.After)
	if !ok {
		return r
	}
	end, ended := f.endedAt(other)
	if !ended {
		return undecided("the probe never saw %s (PID %d) end", c.After, other)
	}
	if sg == nil || !sg.alive {
		return undecided("the probe never saw %s (PID %d) alive", c.Task, pid)
	}
	if sg.lastAlive <= end {
		return fail("the probe last saw %s (PID %d) alive at %.2fs, not after %s ended at %.2fs", c.Task, pid, sg.lastAlive.Seconds(), c.After, end.Seconds())
	}
	return pass("%s (PID %d) ended by %.2fs; the probe saw %s (PID %d) alive until %.2fs", c.After, other, end.Seconds(), c.Task, pid, sg.lastAlive.Seconds())
}
