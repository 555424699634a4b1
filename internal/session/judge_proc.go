package session

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// record indexes what a run recorded, for the checks about processes: which
// PID each process task had, and what the probe saw of every PID.
type record struct {
	events   []sim.Event
	samples  []probe.Sample
	pids     map[string][]int // task copy → PIDs it ran as (one per round)
	seen     map[int][]sighting
	interval time.Duration // the probe's sampling interval
}

type sighting struct {
	t     time.Duration
	state string
	ppid  int
}

func newRecord(events []sim.Event, samples []probe.Sample) *record {
	r := &record{events: events, samples: samples, pids: map[string][]int{}, seen: map[int][]sighting{}}
	for _, ev := range events {
		if ev.Kind == sim.KProcess && ev.PID > 0 {
			r.pids[ev.Task] = append(r.pids[ev.Task], ev.PID)
		}
	}
	for _, s := range samples {
		for _, p := range s.Procs {
			r.seen[p.PID] = append(r.seen[p.PID], sighting{s.T, p.State, p.PPID})
		}
	}
	r.interval = 100 * time.Millisecond
	if len(samples) > 2 {
		r.interval = (samples[len(samples)-1].T - samples[0].T) / time.Duration(len(samples)-1)
	}
	return r
}

// copiesOf matches a check's task name against task copies: "worker" names
// worker-1, worker-2... as well as a task called worker.
func copiesOf(task, name string) bool {
	if name == task {
		return true
	}
	rest, ok := strings.CutPrefix(name, task+"-")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (r *record) pidsOf(task string) []int {
	var out []int
	for name, ps := range r.pids {
		if copiesOf(task, name) {
			out = append(out, ps...)
		}
	}
	slices.Sort(out)
	return out
}

// alive is whether a sighting is of a running process, not a zombie.
func alive(s sighting) bool { return s.state != "Z" && s.state != "X" }

// lastAlive is the time of the last sample that saw pid alive.
func (r *record) lastAlive(pid int) (time.Duration, bool) {
	var t time.Duration
	ok := false
	for _, s := range r.seen[pid] {
		if alive(s) {
			t, ok = s.t, true
		}
	}
	return t, ok
}

// goneAt is the time of the first sample after the pid was seen at which it
// was no longer there at all.
func (r *record) goneAt(pid int) (time.Duration, bool) {
	ss := r.seen[pid]
	if len(ss) == 0 {
		return 0, false
	}
	last := ss[len(ss)-1].t
	for _, s := range r.samples {
		if s.T > last {
			return s.T, true
		}
	}
	return 0, false
}

func (r *record) endedAt(pid int) (time.Duration, bool) {
	for _, s := range r.seen[pid] {
		if !alive(s) {
			return s.t, true
		}
	}
	return r.goneAt(pid)
}

func rootName(pid int) string {
	switch pid {
	case os.Getpid():
		return fmt.Sprintf("mtviz (PID %d)", pid)
	case 1:
		return "init (PID 1)"
	}
	return fmt.Sprintf("PID %d", pid)
}

func (r *record) noProcess(task string) Result {
	return Result{Detail: fmt.Sprintf("no process of %s reported itself", task)}
}

func (r *record) checkParent(c spec.Check) Result {
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	want := map[int]bool{}
	if c.Parent == spec.Root {
		want[os.Getpid()] = true
	} else {
		for _, p := range r.pidsOf(c.Parent) {
			want[p] = true
		}
	}
	var parts []string
	for _, pid := range pids {
		ss := r.seen[pid]
		if len(ss) == 0 {
			return Result{Detail: fmt.Sprintf("the probe never saw %s's PID %d", c.Task, pid)}
		}
		if !want[ss[0].ppid] {
			return Result{Detail: fmt.Sprintf("the probe read PPID %d for %s (PID %d), not %s's", ss[0].ppid, c.Task, pid, c.Parent)}
		}
		parts = append(parts, fmt.Sprintf("PID %d has PPID %d", pid, ss[0].ppid))
	}
	return Result{OK: true, Detail: fmt.Sprintf("the probe read: %s (%s)", strings.Join(parts, "; "), c.Parent)}
}

func (r *record) checkOverlap(c spec.Check) Result {
	var pids []int
	for _, t := range c.Tasks {
		ps := r.pidsOf(t)
		if len(ps) == 0 {
			return r.noProcess(t)
		}
		pids = append(pids, ps[0])
	}
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != len(pids) {
		return Result{Detail: fmt.Sprintf("the tasks did not have distinct PIDs: %v", pids)}
	}
	for _, s := range r.samples {
		n := 0
		for _, p := range s.Procs {
			if distinct[p.PID] && p.State != "Z" {
				n++
			}
		}
		if n == len(pids) {
			return Result{OK: true, Detail: fmt.Sprintf("at %.2fs the probe saw PIDs %v alive at once", s.T.Seconds(), pids)}
		}
	}
	return Result{Detail: fmt.Sprintf("no probe sample saw PIDs %v alive at once", pids)}
}

func (r *record) checkLifetime(c spec.Check) Result {
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	// The probe sees a process up to one interval late and its end up to one
	// interval late: allow that much either way.
	slack := (2 * r.interval).Round(time.Millisecond)
	var parts []string
	ok := true
	for _, pid := range pids {
		ss := r.seen[pid]
		end, ended := r.endedAt(pid)
		if len(ss) == 0 || !ended {
			return Result{Detail: fmt.Sprintf("the probe did not see PID %d of %s both alive and ended", pid, c.Task)}
		}
		life := end - ss[0].t
		if life+slack < c.AtLeast {
			ok = false
		}
		parts = append(parts, fmt.Sprintf("PID %d lived about %.1fs", pid, life.Seconds()))
	}
	return Result{OK: ok, Detail: fmt.Sprintf("%s (at least %s wanted, give or take %s of probe interval)", strings.Join(parts, "; "), c.AtLeast, slack)}
}

func (r *record) logs(task, match string) []sim.Event {
	var out []sim.Event
	for _, ev := range r.events {
		if ev.Kind == sim.KLog && (task == "" || copiesOf(task, ev.Task)) && strings.Contains(ev.Text, match) {
			out = append(out, ev)
		}
	}
	return out
}

func (r *record) checkLogs(c spec.Check) Result {
	lines := r.logs(c.Task, c.Match)
	if len(lines) != c.Count {
		return Result{Detail: fmt.Sprintf("%s logged %q %d times, not %d", c.Task, c.Match, len(lines), c.Count)}
	}
	detail := fmt.Sprintf("%s logged %q %d times", c.Task, c.Match, len(lines))
	if pids := r.pidsOf(c.Task); len(pids) > 0 {
		for _, l := range lines {
			if !slices.Contains(pids, l.PID) || l.PID == os.Getpid() {
				return Result{Detail: fmt.Sprintf("a line came from PID %d, not from %s's process %v", l.PID, c.Task, pids)}
			}
		}
		if len(r.seen[pids[0]]) == 0 {
			return Result{Detail: fmt.Sprintf("the probe never saw PID %d", pids[0])}
		}
		detail += fmt.Sprintf(", from its own process PID %d (mtviz is %d)", pids[0], os.Getpid())
	}
	if c.AtLeast > 0 {
		least := time.Duration(1 << 62)
		for i := 1; i < len(lines); i++ {
			least = min(least, lines[i].T-lines[i-1].T)
		}
		if len(lines) > 1 {
			detail += fmt.Sprintf("; closest two %.3fs apart", least.Seconds())
			if least < c.AtLeast {
				return Result{Detail: detail + fmt.Sprintf(", less than %s", c.AtLeast)}
			}
		}
	}
	return Result{OK: true, Detail: detail}
}

func (r *record) checkNeverLogged(c spec.Check) Result {
	if lines := r.logs(c.Task, c.Match); len(lines) > 0 {
		return Result{Detail: fmt.Sprintf("%s logged %q at %.2fs", c.Task, lines[0].Text, lines[0].T.Seconds())}
	}
	started := false
	for _, ev := range r.events {
		if ev.Task == c.Task && ev.Kind == sim.KState && ev.State == sim.Running {
			started = true
		}
	}
	if !started {
		return Result{Detail: fmt.Sprintf("%s never ran at all, so its silence proves nothing", c.Task)}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%s ran but never logged %q", c.Task, c.Match)}
}

func (r *record) checkAfterExit(c spec.Check) Result {
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	last, ok := r.lastAlive(pids[0])
	if !ok {
		return Result{Detail: fmt.Sprintf("the probe never saw %s alive", c.Task)}
	}
	lines := r.logs("", c.Match)
	if len(lines) == 0 {
		return Result{Detail: fmt.Sprintf("nobody logged %q", c.Match)}
	}
	l := lines[0]
	if l.T < last {
		return Result{Detail: fmt.Sprintf("%q came at %.2fs, while the probe still saw %s alive at %.2fs", l.Text, l.T.Seconds(), c.Task, last.Seconds())}
	}
	return Result{OK: true, Detail: fmt.Sprintf("the probe last saw %s (PID %d) alive at %.2fs; %q came at %.2fs", c.Task, pids[0], last.Seconds(), l.Text, l.T.Seconds())}
}

func (r *record) checkGoneWith(c spec.Check) Result {
	pids, parents := r.pidsOf(c.Task), r.pidsOf(c.Parent)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	if len(parents) == 0 {
		return r.noProcess(c.Parent)
	}
	pend, ok := r.endedAt(parents[0])
	if !ok {
		return Result{Detail: fmt.Sprintf("the probe never saw %s end", c.Parent)}
	}
	for _, s := range r.seen[pids[0]] {
		if alive(s) && s.t > pend {
			return Result{Detail: fmt.Sprintf("the probe saw %s alive at %.2fs, after %s ended at %.2fs", c.Task, s.t.Seconds(), c.Parent, pend.Seconds())}
		}
	}
	cend, _ := r.endedAt(pids[0])
	return Result{OK: true, Detail: fmt.Sprintf("%s (PID %d) ended by %.2fs; its parent %s (PID %d) by %.2fs", c.Task, pids[0], cend.Seconds(), c.Parent, parents[0], pend.Seconds())}
}

func (r *record) checkZombie(c spec.Check) Result {
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	pid := pids[0]
	var zAt time.Duration
	zombie := false
	for _, s := range r.seen[pid] {
		if s.state == "Z" {
			zAt, zombie = s.t, true
			break
		}
	}
	if !zombie {
		return Result{Detail: fmt.Sprintf("the probe never read state Z for %s (PID %d)", c.Task, pid)}
	}
	gone, ok := r.goneAt(pid)
	if !ok {
		return Result{Detail: fmt.Sprintf("the probe read Z for PID %d at %.2fs, but never saw it reaped", pid, zAt.Seconds())}
	}
	return Result{OK: true, Detail: fmt.Sprintf("the probe read Z for %s (PID %d) at %.2fs; the PID was gone by %.2fs%s", c.Task, pid, zAt.Seconds(), gone.Seconds(), r.reapedBy(c.Task))}
}

func (r *record) reapedBy(task string) string {
	for _, ev := range r.events {
		if ev.Kind == sim.KExit && copiesOf(task, ev.Task) {
			return ", reaped by " + ev.Reason
		}
	}
	return ""
}

func (r *record) checkAdopted(c spec.Check) Result {
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	pid := pids[0]
	ss := r.seen[pid]
	if len(ss) == 0 {
		return Result{Detail: fmt.Sprintf("the probe never saw PID %d", pid)}
	}
	first := ss[0].ppid
	for _, s := range ss {
		if s.ppid != first {
			detail := fmt.Sprintf("the probe read %s's (PID %d) parent change from %d to %s at %.2fs", c.Task, pid, first, rootName(s.ppid), s.t.Seconds())
			if _, gone := r.goneAt(pid); !gone {
				return Result{Detail: detail + ", but never saw it reaped"}
			}
			return Result{OK: true, Detail: detail + r.reapedBy(c.Task)}
		}
	}
	return Result{Detail: fmt.Sprintf("the probe always read PPID %d for %s (PID %d)", first, c.Task, pid)}
}

func (r *record) checkTerminated(c spec.Check) Result {
	for _, ev := range r.events {
		if ev.Kind == sim.KExit && copiesOf(c.Task, ev.Task) {
			if strings.Contains(ev.Text, "signal") {
				return Result{OK: true, Detail: fmt.Sprintf("%s (PID %d) was %s, as its wait status said", c.Task, ev.PID, ev.Text)}
			}
			return Result{Detail: fmt.Sprintf("%s (PID %d) ended with %s, not by a signal", c.Task, ev.PID, ev.Text)}
		}
	}
	return Result{Detail: fmt.Sprintf("nobody reaped %s, so how it ended is unknown", c.Task)}
}

func (r *record) checkProgram(c spec.Check) Result {
	for _, ev := range r.events {
		if ev.Kind == sim.KRun && ev.Object == c.Match {
			d := fmt.Sprintf("%s (PID %d) ended with %s", c.Match, ev.PID, ev.Reason)
			if int(ev.Value) != c.Exit {
				return Result{Detail: d + fmt.Sprintf(", not exit %d", c.Exit)}
			}
			if !strings.Contains(ev.Text, c.Output) {
				return Result{Detail: d + fmt.Sprintf(", and its output %q lacks %q", ev.Text, c.Output)}
			}
			return Result{OK: true, Detail: d + fmt.Sprintf(" and printed %q", strings.TrimSpace(ev.Text))}
		}
	}
	return Result{Detail: fmt.Sprintf("%s never ran", c.Match)}
}

func (r *record) checkReceived(c spec.Check) Result {
	var got []string
	var gets, puts []sim.Event
	for _, ev := range r.events {
		if ev.Kind == sim.KGet && copiesOf(c.Task, ev.Task) {
			got = append(got, ev.Text)
			gets = append(gets, ev)
		}
		if ev.Kind == sim.KPut {
			puts = append(puts, ev)
		}
	}
	if !slices.Equal(got, c.Values) {
		return Result{Detail: fmt.Sprintf("%s received %v, not %v", c.Task, got, c.Values)}
	}
	threads := true
	for _, g := range gets {
		threads = threads && (g.PID == 0 || g.PID == os.Getpid())
	}
	if threads {
		return Result{OK: true, Detail: fmt.Sprintf("%s got %s in order, each once, between threads of one process", c.Task, strings.Join(got, ", "))}
	}
	// Each value crossed a process boundary: the process that put it is not
	// the one that got it, and both are real processes the probe saw.
	for _, g := range gets {
		for _, p := range puts {
			if p.Text != g.Text {
				continue
			}
			if p.PID == g.PID || p.PID == 0 || g.PID == 0 || len(r.seen[p.PID]) == 0 || len(r.seen[g.PID]) == 0 {
				return Result{Detail: fmt.Sprintf("value %q went from PID %d to PID %d: not between two processes the probe saw", g.Text, p.PID, g.PID)}
			}
			break
		}
	}
	from, to := 0, 0
	for _, p := range puts {
		if p.Text == got[0] {
			from = p.PID
		}
	}
	to = gets[0].PID
	return Result{OK: true, Detail: fmt.Sprintf("%s got %s in order, each once, sent from PID %d to PID %d through mtviz", c.Task, strings.Join(got, ", "), from, to)}
}

func (r *record) checkProcesses(c spec.Check, sc *spec.Scenario, cores int) Result {
	most := int(c.Max)
	if most == 0 {
		for _, t := range sc.Tasks {
			if t.Name == c.Task {
				most = t.Count
				if most == spec.CountCores {
					most = cores
				}
			}
		}
	}
	pids := r.pidsOf(c.Task)
	if len(pids) == 0 {
		return r.noProcess(c.Task)
	}
	set := map[int]bool{}
	for _, p := range pids {
		set[p] = true
	}
	peak := 0
	for _, s := range r.samples {
		n := 0
		for _, p := range s.Procs {
			if set[p.PID] && p.State != "Z" {
				n++
			}
		}
		peak = max(peak, n)
	}
	detail := fmt.Sprintf("at most %d %s processes alive at once (of %d allowed), %d distinct PIDs", peak, c.Task, most, len(pids))
	if peak > most || len(pids) > most {
		return Result{Detail: detail}
	}
	if c.Count > 0 {
		// Values got from queues, less the values that end each loops.
		ends := map[string]bool{}
		for _, t := range sc.Tasks {
			if t.Name == c.Task {
				walkSteps(t.Steps, func(st spec.Step) {
					if st.Op == "each" {
						ends[st.Until] = true
					}
				})
			}
		}
		runs := 0
		for _, ev := range r.events {
			if ev.Kind == sim.KGet && copiesOf(c.Task, ev.Task) && !ends[ev.Text] {
				runs++
			}
		}
		detail += fmt.Sprintf("; %d tasks ran", runs)
		if runs != c.Count {
			return Result{Detail: detail + fmt.Sprintf(", not %d", c.Count)}
		}
	}
	return Result{OK: true, Detail: detail}
}

func walkSteps(ss []spec.Step, f func(spec.Step)) {
	for _, st := range ss {
		f(st)
		walkSteps(st.Body, f)
	}
}
