package verdict

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// The distributed lesson's checks. What the server holds is read by mtviz
// from the broker at the round's end (a broker event); what a master or a
// worker did comes from its own events, which a SIGKILL may cut short, so
// no check leans on a killed process having said everything.

// finalOf keeps the last whole reading of a broker.
func finalOf(ev *event.Event, broker string, into **event.BrokerState) {
	if r, ok := ev.Data.(event.BrokerRead); ok && r.Object == broker && r.Broker != nil && r.Broker.Final {
		b := *r.Broker
		*into = &b
	}
}

// recordFault says what is wrong with a broker's record, or "".
func recordFault(b *event.BrokerState) string {
	var bad []string
	if b.Tasks == 0 {
		return words.T("no master began the job")
	}
	if b.NMissing > 0 {
		bad = append(bad, words.F("%d tasks have no result (%s)", b.NMissing, ids(b.Missing, b.NMissing)))
	}
	if b.NTwice > 0 {
		bad = append(bad, words.F("%d tasks have more than one (%s)", b.NTwice, ids(b.Twice, b.NTwice)))
	}
	if b.NWrong > 0 {
		bad = append(bad, words.F("%d results are wrong (%s)", b.NWrong, ids(b.Wrong, b.NWrong)))
	}
	if b.Left > 0 {
		bad = append(bad, words.F("%d tasks were never acknowledged", b.Left))
	}
	if b.Published != b.Tasks {
		bad = append(bad, words.F("the server took %d tasks for a job of %d", b.Published, b.Tasks))
	}
	return strings.Join(bad, words.T("; "))
}

func ids(list []int64, n int64) string {
	s := make([]string, len(list))
	for i, id := range list {
		s[i] = fmt.Sprint(id)
	}
	out := strings.Join(s, words.T(", "))
	if n > int64(len(list)) {
		out += ", …"
	}
	return out
}

type recordedJudge struct {
	c     *lesson.RecordedCheck
	final *event.BrokerState
	dups  int
	said  map[int64]string // tasks some worker said it did: who
	took  map[int64]string // tasks some worker said it took: who, last
	kills map[string]bool  // workers the lesson killed
}

// maxJob bounds the task ids a recorded judge keeps.
const maxJob = 1 << 17

func (j *recordedJudge) event(f *facts, ev *event.Event) {
	finalOf(ev, j.c.Broker, &j.final)
	if ev.Kind() == event.KSignal && ev.SignalSent().Signal == int(syscall.SIGKILL) {
		if j.kills == nil {
			j.kills = map[string]bool{}
		}
		j.kills[ev.SignalSent().Target] = true
	}
	step, ok := ev.Data.(event.WorkStep)
	if !ok || step.Object != j.c.Broker || step.Work == nil {
		return
	}
	if j.said == nil {
		j.said, j.took = map[int64]string{}, map[int64]string{}
	}
	w := step.Work
	switch {
	case w.Op == event.WorkDone && w.Duplicate:
		j.dups++
	case w.Op == event.WorkDone && len(j.said) < maxJob:
		j.said[w.ID] = ev.Task
	case w.Op == event.WorkTook && len(j.took) < maxJob:
		j.took[w.ID] = ev.Task
	}
}

func (j *recordedJudge) decide(f *facts) Result {
	b := j.final
	if b == nil {
		return undecided("mtviz did not read broker %s at the end of the round", j.c.Broker)
	}
	if bad := recordFault(b); bad != "" {
		return fail("read from the server: %s", bad)
	}
	return pass("read from the server: each of the %d tasks has exactly one result, n*n, and was acknowledged; %d deliveries were repeats; the server refused %d second results for a task that had one%s",
		b.Tasks, b.Redelivered, j.dups, j.gap(b))
}

// gap reconciles what the workers said with what the server holds: a
// worker killed by the lesson dies with its last words, so the results
// stored can outnumber the tasks workers said they did. Each such task is
// named, with who took it.
func (j *recordedJudge) gap(b *event.BrokerState) string {
	if b.Tasks > maxJob {
		return ""
	}
	var unsaid []string
	n := 0
	for id := int64(1); id <= b.Tasks; id++ {
		if _, ok := j.said[id]; ok {
			continue
		}
		n++
		if len(unsaid) >= 12 {
			continue
		}
		who, ok := j.took[id]
		switch {
		case ok && j.kills[who]:
			unsaid = append(unsaid, words.F("%d (taken by %s, killed before it said it was done)", id, who))
		case ok:
			unsaid = append(unsaid, words.F("%d (taken by %s, which never said it was done)", id, who))
		default:
			unsaid = append(unsaid, words.F("%d (no worker said it took it: its words died with it)", id))
		}
	}
	if n == 0 {
		return words.F("; the workers said they did all %d", b.Tasks)
	}
	more := ""
	if n > len(unsaid) {
		more = words.F(" and %d more", n-len(unsaid))
	}
	return words.F("; the workers said they did %d: the server holds the results of %d more, whose worker never said so: %s%s",
		b.Tasks-int64(n), n, strings.Join(unsaid, words.T(", ")), more)
}

type refusedJudge struct {
	c       *lesson.RefusedCheck
	final   *event.BrokerState
	refused map[string]time.Duration // addresses the server refused, when
	from    []string                 // addresses the task connected from with its wrong key
	did     int
}

func (j *refusedJudge) event(f *facts, ev *event.Event) {
	finalOf(ev, j.c.Broker, &j.final)
	switch {
	case ev.Kind() == event.KRefused && ev.Refused().Object == j.c.Broker && ev.Refused().Addr != "":
		if j.refused == nil {
			j.refused = map[string]time.Duration{}
		}
		j.refused[ev.Refused().Addr] = ev.T
	case ev.Kind() == event.KWork && ev.WorkStep().Work != nil && copiesOf(j.c.Task, ev.Task):
		switch ev.WorkStep().Work.Op {
		case event.WorkRefused:
			j.from = append(j.from, ev.WorkStep().Work.Addr)
		case event.WorkDone:
			j.did++
		}
	}
}

func (j *refusedJudge) decide(f *facts) Result {
	if len(j.from) == 0 {
		return undecided("%s never tried a wrong key", j.c.Task)
	}
	if j.did > 0 {
		return fail("%s did %d tasks", j.c.Task, j.did)
	}
	if len(j.refused) == 0 && j.final != nil && j.final.External {
		// Refusals are named in the server's own log, which mtviz reads
		// only of a server it started.
		return undecided("%s was refused no task, but the server is not mtviz's: its log, which names each refused connection, cannot be read", j.c.Task)
	}
	var parts []string
	for _, a := range j.from {
		t, ok := j.refused[a]
		if !ok {
			return fail("%s connected from %s, and the server's log names no refusal of it (it refused %d other clients)", j.c.Task, a, len(j.refused))
		}
		parts = append(parts, words.F("%s at %.2fs", a, t.Seconds()))
	}
	return pass("the server of %s refused %s's connection with a wrong key (%s, as the server named it); %s did no task", j.c.Broker, j.c.Task, strings.Join(parts, words.T("; ")), j.c.Task)
}

type redeliveredJudge struct {
	c        *lesson.RedeliveredCheck
	killedAt time.Duration
	killed   bool
	held     map[int64]bool   // tasks the killed worker took and was not seen finishing
	again    map[int64]string // tasks handed out again after the kill: to whom
	done     map[int64]bool   // done by another worker after the kill
	final    *event.BrokerState
}

func (j *redeliveredJudge) event(f *facts, ev *event.Event) {
	finalOf(ev, j.c.Broker, &j.final)
	if ev.Kind() == event.KSignal && ev.SignalSent().Target == j.c.Task && ev.SignalSent().Signal == int(syscall.SIGKILL) && !j.killed {
		j.killed, j.killedAt = true, ev.T
		return
	}
	if ev.Kind() != event.KWork || ev.WorkStep().Object != j.c.Broker || ev.WorkStep().Work == nil {
		return
	}
	if j.held == nil {
		j.held, j.again, j.done = map[int64]bool{}, map[int64]string{}, map[int64]bool{}
	}
	w := ev.WorkStep().Work
	switch {
	case ev.Task == j.c.Task && !j.killed:
		if w.Op == event.WorkTook {
			j.held[w.ID] = true
		} else if w.Op == event.WorkDone {
			delete(j.held, w.ID)
		}
	case ev.Task != j.c.Task && j.killed && ev.T >= j.killedAt:
		if w.Op == event.WorkTook && w.Delivery >= 2 {
			j.again[w.ID] = ev.Task
		} else if w.Op == event.WorkDone {
			j.done[w.ID] = true
		}
	}
}

func (j *redeliveredJudge) decide(f *facts) Result {
	c := j.c
	if !j.killed {
		return undecided("the lesson did not SIGKILL %s (it may have ended first)", c.Task)
	}
	if len(j.again) == 0 {
		if len(j.held) == 0 {
			return undecided("%s held no task when it was killed, at %.2fs", c.Task, j.killedAt.Seconds())
		}
		return fail("%s was killed at %.2fs holding tasks %s, and the server handed none out again", c.Task, j.killedAt.Seconds(), setText(j.held))
	}
	var undone []int64
	for id := range j.again {
		if !j.done[id] {
			undone = append(undone, id)
		}
	}
	if len(undone) > 0 {
		slices.Sort(undone)
		return fail("tasks handed out again after %s was killed were not done: %v", c.Task, undone)
	}
	// A task the killed worker had finished but not yet said so (its last
	// lines die with it) is not handed out again: its result is stored.
	var stored []int64
	for id := range j.held {
		if _, ok := j.again[id]; !ok {
			stored = append(stored, id)
		}
	}
	if j.final == nil {
		return undecided("mtviz did not read broker %s at the end", c.Broker)
	}
	if bad := recordFault(j.final); bad != "" {
		return fail("%s's tasks came back, but read from the server: %s", c.Task, bad)
	}
	whom := map[string]bool{}
	for _, w := range j.again {
		whom[w] = true
	}
	d := words.F("%s was killed with SIGKILL at %.2fs; the server handed %d tasks out again after it (%s), to %s, and each was done; the server's record holds every task once",
		c.Task, j.killedAt.Seconds(), len(j.again), setText(keysOf(j.again)), strings.Join(slices.Sorted(maps.Keys(whom)), words.T(", ")))
	if len(stored) > 0 {
		slices.Sort(stored)
		d += words.F(" (tasks %v it had finished before dying, without saying so, were not needed again)", stored)
	}
	return pass("%s", d)
}

func keysOf(m map[int64]string) map[int64]bool {
	out := map[int64]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func setText(m map[int64]bool) string {
	list := slices.Sorted(maps.Keys(m))
	if len(list) > 12 {
		return words.F("%v and %d more", list[:12], len(list)-12)
	}
	return fmt.Sprint(list)
}

type resumedJudge struct {
	c         *lesson.ResumedCheck
	killed    bool
	killedAt  time.Duration
	finished  bool // the first master collected everything before it was killed
	begun     *event.Work
	collected *event.Work
	final     *event.BrokerState
}

func (j *resumedJudge) event(f *facts, ev *event.Event) {
	finalOf(ev, j.c.Broker, &j.final)
	switch {
	case ev.Kind() == event.KSignal && ev.SignalSent().Target == j.c.After && ev.SignalSent().Signal == int(syscall.SIGKILL) && !j.killed:
		j.killed, j.killedAt = true, ev.T
	case ev.Kind() == event.KWork && ev.WorkStep().Object == j.c.Broker && ev.WorkStep().Work != nil:
		w := *ev.WorkStep().Work
		switch {
		case ev.Task == j.c.After && w.Op == event.WorkCollected && !j.killed:
			j.finished = true
		case ev.Task == j.c.Task && w.Op == event.WorkBegun:
			j.begun = &w
		case ev.Task == j.c.Task && w.Op == event.WorkCollected:
			j.collected = &w
		}
	}
}

func (j *resumedJudge) decide(f *facts) Result {
	c := j.c
	switch {
	case j.finished:
		return undecided("%s collected every result before it could be killed", c.After)
	case !j.killed:
		return undecided("the lesson did not SIGKILL %s", c.After)
	case j.begun == nil:
		return fail("%s never began after %s was killed", c.Task, c.After)
	case j.begun.Published == 0 && j.begun.Collected == 0:
		return undecided("%s had published nothing when it was killed: there was nothing to go on from", c.After)
	case j.collected == nil:
		return fail("%s began but did not collect every result", c.Task)
	case j.collected.Collected != j.collected.Tasks:
		return fail("%s collected %d of %d results", c.Task, j.collected.Collected, j.collected.Tasks)
	case j.final == nil:
		return undecided("mtviz did not read broker %s at the end", c.Broker)
	}
	if bad := recordFault(j.final); bad != "" {
		return fail("read from the server: %s", bad)
	}
	return pass("%s was killed with SIGKILL at %.2fs; %s found %d of %d tasks published and %d results in, published only the rest, and collected all %d; the server took each task once and holds one result for each",
		c.After, j.killedAt.Seconds(), c.Task, j.begun.Published, j.begun.Tasks, j.begun.Collected, j.collected.Collected)
}
