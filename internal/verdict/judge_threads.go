package verdict

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// maxSeen caps the state names a transitions or holds judge keeps to show.
const maxSeen = 200

// transitionsJudge follows the task's states; a counted task's copies are
// followed each apart, and one going through the states is enough.
type transitionsJudge struct {
	c      *lesson.TransitionsCheck
	copies map[string]*stateTrack
}

// stateTrack is one task copy's states, as far as a judge keeps them.
type stateTrack struct {
	seen   []string
	more   int
	next   int   // how many of the wanted states came, in order
	folded int64 // changes the engine folded instead of sending
}

// maxTracks bounds the copies a transitions judge follows.
const maxTracks = 512

// taskState is the state a task or state event gives (NoState for other
// kinds), and the changes the engine folded into it.
func taskState(ev *event.Event) (event.State, int64) {
	switch ev.Kind() {
	case event.KState:
		s := ev.StateChange()
		return s.State, s.Folded
	case event.KTask:
		return ev.TaskStart().State, 0
	}
	return event.NoState, 0
}

func (j *transitionsJudge) event(f *facts, ev *event.Event) {
	state, folded := taskState(ev)
	if state == event.NoState || !copiesOf(j.c.Task, ev.Task) {
		return
	}
	if j.copies == nil {
		j.copies = map[string]*stateTrack{}
	}
	tr := j.copies[ev.Task]
	if tr == nil {
		if len(j.copies) >= maxTracks {
			return
		}
		tr = &stateTrack{}
		j.copies[ev.Task] = tr
	}
	tr.folded += folded
	name := state.String()
	if n := len(tr.seen); n == 0 || tr.seen[n-1] != name {
		if n < maxSeen {
			tr.seen = append(tr.seen, name)
		} else {
			tr.more++
		}
	}
	if tr.next < len(j.c.States) && name == j.c.States[tr.next] {
		tr.next++
	}
}

func (j *transitionsJudge) decide(f *facts) Result {
	if len(j.copies) == 0 {
		return undecided("%s never reported a state", j.c.Task)
	}
	var best string
	for _, name := range slices.Sorted(maps.Keys(j.copies)) {
		if best == "" || j.copies[name].next > j.copies[best].next {
			best = name
		}
	}
	tr := j.copies[best]
	went := strings.Join(tr.seen, " → ")
	if tr.more > 0 {
		went += words.F(" … (%d more)", tr.more)
	}
	if tr.next < len(j.c.States) {
		if tr.folded > 0 {
			// The task changed state faster than the engine sends: the
			// missing state may be among the folded ones.
			return undecided("%s went %s, and %d changes were folded; %q may be among them", best, went, tr.folded, j.c.States[tr.next])
		}
		return fail("%s went %s; %q never came in that order", best, went, j.c.States[tr.next])
	}
	return pass("%s went %s", best, went)
}

type runtimeJudge struct {
	c   *lesson.RuntimeCheck
	got map[event.State]int
	ps  map[int]bool
}

func newRuntimeJudge(c *lesson.RuntimeCheck) judge {
	return &runtimeJudge{c: c, got: map[event.State]int{}, ps: map[int]bool{}}
}

func (j *runtimeJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() == event.KRuntime && copiesOf(j.c.Task, ev.Task) {
		st := ev.RuntimeState().State
		j.got[st]++
		if st == event.Running {
			j.ps[ev.RuntimeState().P] = true
		}
	}
}

// runtimeNames are the states a runtime check may name; a system call is a
// kind of waiting.
var runtimeNames = map[string]event.State{"running": event.Running, "runnable": event.Runnable, "waiting": event.Blocked, "syscall": event.Blocked}

func (j *runtimeJudge) decide(f *facts) Result {
	c := j.c
	if len(j.got) == 0 {
		return undecided("the runtime trace said nothing of %s (was tracing on?)", c.Task)
	}
	var missing []string
	for _, s := range c.States {
		if j.got[runtimeNames[s]] == 0 {
			missing = append(missing, s)
		}
	}
	procs := make([]string, 0, len(j.ps))
	for p := range j.ps {
		procs = append(procs, "P"+strconv.Itoa(p))
	}
	slices.Sort(procs)
	detail := words.F("the runtime trace showed %s running %d times (on %s), runnable %d times, waiting %d times",
		c.Task, j.got[event.Running], strings.Join(procs, words.T(", ")), j.got[event.Runnable], j.got[event.Blocked])
	if len(missing) > 0 {
		return fail("%s; never %s", detail, strings.Join(missing, words.T(", ")))
	}
	return pass("%s", detail)
}

type linesJudge struct {
	c     *lesson.LinesCheck
	lines []line // in time order, at most len(values)+1
	n     int
}

func (j *linesJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KLog {
		return
	}
	if len(j.c.Tasks) > 0 && !slices.ContainsFunc(j.c.Tasks, func(t string) bool { return copiesOf(t, ev.Task) }) {
		return
	}
	j.n++
	// Lines from child processes come a little late: keep them in the order
	// they were written.
	i := sort.Search(len(j.lines), func(i int) bool { return j.lines[i].t > ev.T })
	j.lines = slices.Insert(j.lines, i, line{ev.T, ev.Task, ev.Log().Text, ev.PID})
	if len(j.lines) > len(j.c.Lines)+1 {
		j.lines = j.lines[:len(j.c.Lines)+1]
	}
}

func (j *linesJudge) decide(f *facts) Result {
	got := make([]string, len(j.lines))
	for i, l := range j.lines {
		got[i] = l.text
	}
	if j.n == 0 {
		return undecided("no task logged a line")
	}
	if j.n != len(j.c.Lines) || !slices.Equal(got, j.c.Lines) {
		return fail("the lines came as %q (%d lines), not %q", got, j.n, j.c.Lines)
	}
	return pass("%d lines in the expected order", j.n)
}

type beforeJudge struct {
	c    *lesson.BeforeCheck
	a, b firstLine
}

func (j *beforeJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KLog {
		return
	}
	if strings.Contains(ev.Log().Text, j.c.First) {
		j.a.offer(ev)
	}
	if strings.Contains(ev.Log().Text, j.c.Then) {
		j.b.offer(ev)
	}
}

func (j *beforeJudge) decide(f *facts) Result {
	switch {
	case !j.a.has && !j.b.has:
		return undecided("neither %q nor %q was ever logged, so there is no order to judge", j.c.First, j.c.Then)
	case !j.a.has:
		return fail("%q was never logged (%q was, at %.3fs)", j.c.First, j.b.l.text, j.b.l.t.Seconds())
	case !j.b.has:
		return fail("%q was never logged (%q was, at %.3fs)", j.c.Then, j.a.l.text, j.a.l.t.Seconds())
	}
	a, b := j.a.l, j.b.l
	if a.t > b.t {
		return fail("%q came at %.3fs, after %q at %.3fs", a.text, a.t.Seconds(), b.text, b.t.Seconds())
	}
	return pass("%q (%s, %.3fs) came before %q (%s, %.3fs)", a.text, a.task, a.t.Seconds(), b.text, b.task, b.t.Seconds())
}

type deadlockJudge struct {
	c     *lesson.DeadlockCheck
	found *event.Event
	other []string
}

func (j *deadlockJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KDeadlock || j.found != nil {
		return
	}
	want := slices.Clone(j.c.Tasks)
	slices.Sort(want)
	got := slices.Clone(ev.Deadlock().Cycle)
	slices.Sort(got)
	if slices.Equal(got, want) {
		e := *ev
		j.found = &e
	} else if len(j.other) < 10 {
		j.other = append(j.other, event.DeadlockText(ev.Deadlock().Edges))
	}
}

func (j *deadlockJudge) decide(f *facts) Result {
	if j.found != nil {
		return pass("found at %.2fs: %s", j.found.T.Seconds(), event.DeadlockText(j.found.Deadlock().Edges))
	}
	if len(j.other) > 0 {
		return fail("other cycles were found: %s", strings.Join(j.other, words.T("; ")))
	}
	for _, t := range j.c.Tasks {
		if !f.everRan(t) {
			return undecided("%s never ran, so no cycle through it could form", t)
		}
	}
	return fail("no cycle was found in the wait-for graph")
}

type holdsJudge struct {
	c    *lesson.HoldsCheck
	got  []string
	more int
	next int
}

func (j *holdsJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KLock || ev.LockChange().Object != j.c.Lock {
		return
	}
	n := strconv.Itoa(ev.LockChange().Count)
	if k := len(j.got); k > 0 && j.got[k-1] == n {
		return
	}
	if len(j.got) < maxSeen {
		j.got = append(j.got, n)
	} else {
		j.more++
	}
	// The counts must appear in this order, each change recorded.
	if j.next < len(j.c.Counts) && n == j.c.Counts[j.next] {
		j.next++
	}
}

func (j *holdsJudge) decide(f *facts) Result {
	went := strings.Join(j.got, words.T(", "))
	if j.more > 0 {
		went += words.F(" … (%d more)", j.more)
	}
	if len(j.got) == 0 {
		return undecided("nobody ever took %s", j.c.Lock)
	}
	if j.next < len(j.c.Counts) {
		return fail("%s's hold count went %s", j.c.Lock, went)
	}
	return pass("%s's hold count went %s", j.c.Lock, went)
}

type stoppedJudge struct {
	c   *lesson.StoppedBlockedCheck
	end *event.Event
}

func (j *stoppedJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() == event.KState && ev.Task == j.c.Task && ev.StateChange().State == event.Done && j.end == nil {
		e := *ev
		j.end = &e
	}
}

func (j *stoppedJudge) decide(f *facts) Result {
	ev := j.end
	if ev == nil {
		if !f.everRan(j.c.Task) {
			return undecided("%s never ran", j.c.Task)
		}
		return fail("%s never ended", j.c.Task)
	}
	s := j.end.StateChange()
	how := event.EndText(s.End, s.By, s.Reason, s.Object)
	if s.End == event.EndStopped && s.Reason != "" {
		return pass("%s ended %s", j.c.Task, how)
	}
	if how == "" {
		how = words.T("at the end of its steps")
	}
	return fail("%s ended %s, not stopped while blocked", j.c.Task, how)
}
