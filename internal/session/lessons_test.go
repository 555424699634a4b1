package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
	"mtviz/internal/testutil"
	"mtviz/internal/verdict"
)

func TestMain(m *testing.M) {
	testutil.NoRaceExitSleep()
	sim.MaybeChild()
	goleak.VerifyTestMain(m)
}

// drain keeps every event and sample a session delivers, until its end.
func drain(s *Session) ([]sim.Event, []probe.Sample) {
	var evs []sim.Event
	var ss []probe.Sample
	for it := range s.Items() {
		evs = append(evs, it.Events...)
		if it.Sample != nil {
			ss = append(ss, *it.Sample)
		}
	}
	return evs, ss
}

// runLesson runs a built-in lesson headless and keeps everything it produced.
func runLesson(t *testing.T, id string) ([]sim.Event, []probe.Sample, Summary) {
	t.Helper()
	sc, err := spec.Builtin(id)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := Start(ctx, sc, Options{AutoKeys: true})
	evs, ss := drain(s)
	sum := s.Wait()
	for _, c := range sum.Checks {
		t.Logf("%v %s: %s", c.OK, c.Name, c.Detail)
	}
	return evs, ss, sum
}

// race: the locked balance ends at 0 in every round; the unlocked one is
// reported as it came out, and on 2+ cores it drifted in some round.
func TestLessonRace(t *testing.T) {
	evs, _, sum := runLesson(t, "race")
	if !sum.OK {
		t.Errorf("race's checks failed: %+v", sum.Checks)
	}
	rounds, drifted := 0, 0
	for _, ev := range evs {
		if ev.Kind != sim.KRoundEnd {
			continue
		}
		rounds++
		if ev.Values["locked"] != 0 {
			t.Errorf("round %d: the locked balance ended at %d", ev.Round, ev.Values["locked"])
		}
		if ev.Values["balance"] != 0 {
			drifted++
		}
	}
	if rounds != 10 {
		t.Errorf("%d rounds ended, want 10", rounds)
	}
	if runtime.GOMAXPROCS(0) >= 2 && drifted == 0 {
		t.Error("on 2+ cores the unlocked balance never drifted")
	}
	t.Logf("the unlocked balance drifted in %d of %d rounds", drifted, rounds)
}

// gil: from the probe's own CPU readings of this process, the GIL phase used
// about one core and the free phase clearly more. Computed here from the raw
// samples, independently of the judge.
//
// On a machine where other programs take CPU the comparison may be "not
// decided": then the test confirms from the raw samples that other
// programs were busy, instead of failing.
func TestLessonGIL(t *testing.T) {
	testutil.MeasuresCPU(t)
	evs, ss, sum := runLesson(t, "gil")
	for _, c := range sum.Checks {
		if c.Verdict == verdict.Fail {
			t.Errorf("gil's check failed: %+v", c)
		}
	}
	span := func(name string) (from, to time.Duration) {
		for i, ev := range evs {
			if ev.Kind == sim.KPhase && ev.Phase == name {
				from = ev.T
				for _, next := range evs[i+1:] {
					if next.Kind == sim.KPhase || next.Kind == sim.KRoundEnd {
						return from, next.T
					}
				}
			}
		}
		t.Fatalf("phase %s not found", name)
		return
	}
	// mean is the cores this process tree used over a phase, and the cores
	// the rest of the machine used.
	mean := func(from, to time.Duration) (tree, others float64) {
		n := 0
		// Skip the first and last 300ms: samples there straddle the edge.
		for _, s := range ss {
			if s.T > from+300*time.Millisecond && s.T < to-300*time.Millisecond {
				mine, all := 0.0, 0.0
				for _, p := range s.Procs {
					mine += p.CPU / 100
				}
				for _, c := range s.Cores {
					all += c / 100
				}
				tree += mine
				others += max(0, all-mine)
				n++
			}
		}
		if n == 0 {
			t.Fatal("no samples inside the phase")
		}
		return tree / float64(n), others / float64(n)
	}
	free, busyFree := mean(span("free"))
	gil, busyGIL := mean(span("gil"))
	t.Logf("free goroutines used %.2f cores, GIL goroutines %.2f; other programs %.2f and %.2f", free, gil, busyFree, busyGIL)
	if gil > 1.2 {
		t.Errorf("under the GIL the tasks used %.2f cores", gil)
	}
	ratio := sum.Checks[1]
	switch {
	case ratio.Verdict == verdict.Undecided:
		// Undecided is honest only if the machine was busy or short of cores.
		if busyFree < 0.15 && busyGIL < 0.15 && runtime.GOMAXPROCS(0) >= 2 {
			t.Errorf("the comparison was not decided on an idle machine: %s", ratio.Detail)
		}
	case runtime.GOMAXPROCS(0) >= 2 && free < 1.4*gil:
		t.Errorf("free tasks used %.2f cores, not clearly more than the GIL's %.2f, yet the check said %v", free, gil, ratio.Verdict)
	}
}

// facts indexes a run for the lesson tests, independently of the judge:
// which PID each task ran as (the engine says) and what the probe read.
type facts struct {
	events  []sim.Event
	samples []probe.Sample
}

func (f facts) pid(t *testing.T, task string) int {
	t.Helper()
	for _, ev := range f.events {
		if ev.Kind == sim.KProcess && ev.Task == task {
			return ev.PID
		}
	}
	t.Fatalf("%s never ran as a process", task)
	return 0
}

// read lists what the probe read for a PID, in time order.
func (f facts) read(pid int) []probe.Proc {
	var out []probe.Proc
	for _, s := range f.samples {
		for _, p := range s.Procs {
			if p.PID == pid {
				out = append(out, p)
			}
		}
	}
	return out
}

func (f facts) logged(task, text string) bool {
	for _, ev := range f.events {
		if ev.Kind == sim.KLog && ev.Task == task && strings.Contains(ev.Text, text) {
			return true
		}
	}
	return false
}

// Each process lesson: its checks pass, and the test confirms the main fact
// itself from the probe's raw samples.
func TestProcessLessons(t *testing.T) {
	lessons := []lessonFacts{
		{"fork", func(t *testing.T, f facts) {
			parent, child := f.pid(t, "parent"), f.pid(t, "child")
			r := f.read(child)
			if len(r) == 0 || r[0].PPID != parent {
				t.Errorf("the probe did not read child %d with parent %d: %+v", child, parent, r)
			}
		}},
		{"process", func(t *testing.T, f facts) {
			a, b, c := f.pid(t, "two-seconds"), f.pid(t, "three-seconds"), f.pid(t, "four-seconds")
			if a == b || b == c || a == c {
				t.Errorf("PIDs not distinct: %d %d %d", a, b, c)
			}
			if len(f.read(c)) <= len(f.read(a)) {
				t.Error("the 4 s child was not seen for longer than the 2 s one")
			}
		}},
		{"clock", func(t *testing.T, f facts) {
			clock := f.pid(t, "clock")
			if clock == os.Getpid() || len(f.read(clock)) == 0 {
				t.Errorf("the clock did not run as a separate process the probe saw")
			}
		}},
		{"daemon", func(t *testing.T, f facts) {
			if f.logged("helper", "finished my work") {
				t.Error("the daemon child finished its work")
			}
			if !f.logged("worker", "finished my work") {
				t.Error("the non-daemon child did not finish")
			}
		}},
		{"join", nil},
		{"pool", func(t *testing.T, f facts) {
			pids := map[int]bool{}
			for _, ev := range f.events {
				if ev.Kind == sim.KProcess && strings.HasPrefix(ev.Task, "worker-") {
					pids[ev.PID] = true
				}
			}
			if len(pids) > runtime.GOMAXPROCS(0) {
				t.Errorf("%d worker processes for %d cores", len(pids), runtime.GOMAXPROCS(0))
			}
		}},
		{"subprocess", func(t *testing.T, f facts) {
			for _, ev := range f.events {
				if ev.Kind == sim.KRun && ev.Program == "sort" && ev.Output != "apple\nbanana\ncherry\n" {
					t.Errorf("sort printed %q", ev.Output)
				}
			}
		}},
		{"ipc-queue", func(t *testing.T, f facts) {
			var got []string
			for _, ev := range f.events {
				if ev.Kind == sim.KGet {
					got = append(got, ev.Item)
				}
			}
			if strings.Join(got, "") != "ABC" {
				t.Errorf("reader got %v", got)
			}
		}},
		{"zombie", func(t *testing.T, f facts) {
			child := f.pid(t, "child")
			sawZ := false
			for _, p := range f.read(child) {
				sawZ = sawZ || p.State == "Z"
			}
			if !sawZ {
				t.Error("the probe never read Z for the child")
			}
		}},
		{"crash", func(t *testing.T, f facts) {
			panicky, threaded, master := f.pid(t, "panicky"), f.pid(t, "threaded"), f.pid(t, "master")
			var crashedAt time.Duration
			codes := map[int]int{}
			for _, ev := range f.events {
				if ev.Kind == sim.KExit {
					codes[ev.PID] = ev.Code
					if ev.PID == panicky {
						crashedAt = ev.T
					}
				}
			}
			if codes[panicky] != 2 || codes[threaded] != 2 {
				t.Errorf("exit codes: panicky %d, threaded %d; a Go panic exits 2", codes[panicky], codes[threaded])
			}
			later := false
			for _, s := range f.samples {
				for _, p := range s.Procs {
					later = later || p.PID == master && s.T > crashedAt && p.State != "Z"
				}
			}
			if crashedAt == 0 || !later {
				t.Errorf("the probe did not see the master alive after the crash at %v", crashedAt)
			}
		}},
		{"async", func(t *testing.T, f facts) {
			loop, threads, server := f.pid(t, "eventloop"), f.pid(t, "threads"), f.pid(t, "server disk")
			most := func(pid int) int {
				n := 0
				for _, p := range f.read(pid) {
					n = max(n, p.NThreads)
				}
				return n
			}
			if n := most(loop); n == 0 || n > 16 {
				t.Errorf("the probe read at most %d threads in eventloop (PID %d), want 1 to 16", n, loop)
			}
			if n := most(threads); n < 250 {
				t.Errorf("the probe read at most %d threads in threads (PID %d), want 250 or more", n, threads)
			}
			for _, ev := range f.events {
				if ev.Kind == sim.KProcess && ev.Task == "eventloop" && ev.GoMaxProcs != 1 {
					t.Errorf("eventloop said GOMAXPROCS %d", ev.GoMaxProcs)
				}
			}
			// The server was mtviz's child, and the probe saw it go.
			if r := f.read(server); len(r) == 0 || r[0].PPID != os.Getpid() {
				t.Errorf("the probe did not read the server (PID %d) as mtviz's child: %+v", server, r)
			}
			gone := false
			for _, s := range f.samples {
				gone = gone || slices.Contains(s.Gone, server)
			}
			if !gone {
				t.Errorf("the probe never saw the server (PID %d) gone", server)
			}
		}},
		{"orphan", func(t *testing.T, f facts) {
			parent, child := f.pid(t, "parent"), f.pid(t, "child")
			r := f.read(child)
			if len(r) < 2 || r[0].PPID != parent || r[len(r)-1].PPID == parent {
				t.Errorf("the probe did not read the orphan's new parent: %+v", r)
			}
		}},
	}
	runLessons(t, lessons)
}

// A flock held by one process and awaited by another: the probe names both
// from /proc/locks, on the same file.
func TestFileLockSeenByProbe(t *testing.T) {
	sc, err := spec.LoadFile("testdata/flock.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := Start(context.Background(), sc, Options{AutoKeys: true})
	evs, ss := drain(s)
	// The lesson has no checks of its own: this test is its check.
	if sum := s.Wait(); sum.Stopped || len(sum.Errors) > 0 {
		t.Fatalf("run failed: %+v", sum)
	}
	f := facts{evs, ss}
	a, b := f.pid(t, "a"), f.pid(t, "b")
	for _, smp := range ss {
		var held, waited string
		for _, l := range smp.Locks {
			if l.PID == a && !l.Waiting {
				held = l.File
			}
			if l.PID == b && l.Waiting {
				waited = l.File
			}
		}
		if held != "" && held == waited {
			return
		}
	}
	t.Error("no sample showed a holding the lock file while b waited for it")
}

func (f facts) lines(task string) []string {
	var out []string
	for _, ev := range f.events {
		if ev.Kind == sim.KLog && (task == "" || ev.Task == task) {
			out = append(out, ev.Text)
		}
	}
	return out
}

// Each thread lesson: its checks pass, and the test confirms the main fact
// from the raw events (the engine's, and the runtime trace's).
func TestThreadLessons(t *testing.T) {
	lessons := []lessonFacts{
		{"thread-states", func(t *testing.T, f facts) {
			runnable, blocked := false, false
			for _, ev := range f.events {
				runnable = runnable || ev.Kind == sim.KRuntime && strings.HasPrefix(ev.Task, "spinner") && ev.State == sim.Runnable
				blocked = blocked || ev.Kind == sim.KState && ev.Task == "waiter" && ev.State == sim.Blocked && ev.Reason == sim.ReasonLock && ev.Holder == "holder"
			}
			if !runnable || !blocked {
				t.Errorf("runtime runnable spinner: %v; waiter blocked on holder's lock: %v", runnable, blocked)
			}
		}},
		{"threads", func(t *testing.T, f facts) {
			if len(f.lines("Thread-2")) != 2 {
				t.Errorf("Thread-2 said %v", f.lines("Thread-2"))
			}
		}},
		{"rlock", nil},
		{"deadlock", func(t *testing.T, f facts) {
			for _, ev := range f.events {
				if ev.Kind == sim.KDeadlock && len(ev.Cycle) == 2 {
					return
				}
			}
			t.Error("no two-task deadlock was reported")
		}},
		{"condition", func(t *testing.T, f facts) {
			l := f.lines("")
			if len(l) != 8 || !strings.HasPrefix(l[0], "buyer") || !strings.HasPrefix(l[1], "seller") {
				t.Errorf("dialogue %q", l)
			}
		}},
		{"thread-queue", nil},
		{"event", func(t *testing.T, f facts) {
			l := f.lines("")
			if len(l) < 2 || l[0] != "thread-2" || l[1] != "thread-1" {
				t.Errorf("release order %v", l)
			}
		}},
		{"daemon-thread", func(t *testing.T, f facts) {
			for _, l := range f.lines("background") {
				if strings.Contains(l, "last step") {
					t.Error("the daemon thread ran its last step")
				}
			}
		}},
		{"race-steps", func(t *testing.T, f facts) {
			var copies []string
			for _, ev := range f.events {
				if ev.Kind == sim.KCopy {
					copies = append(copies, fmt.Sprintf("%s:%d", ev.Task, ev.Value))
				}
			}
			// The chapter's walk: every read and write, down to -8.
			want := []string{"t1:0", "t2:0", "t2:8", "t1:5", "t1:5", "t1:0", "t2:0", "t2:-8"}
			if !slices.Equal(copies, want) {
				t.Errorf("reads and writes %v, want %v", copies, want)
			}
		}},
	}
	runLessons(t, lessons)
}

// The runtime trace tells the truth about a blocked goroutine: while a task
// waits on an event (a channel receive inside), the runtime never reports it
// running.
func TestRuntimeTraceMatchesWhatTheGoroutineDid(t *testing.T) {
	sc, err := spec.Load("t.yaml", []byte(`
title: t
objects: {e: {kind: event}}
tasks:
  - {name: waiter, steps: [{busy: 200ms}, {wait: e}, {busy: 200ms}]}
  - {name: setter, steps: [{sleep: 1s}, {set: e}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := Start(context.Background(), sc, Options{GoTrace: TraceOn})
	evs, _ := drain(s)
	s.Wait()
	slices.SortStableFunc(evs, func(a, b sim.Event) int { return int(a.T - b.T) })
	var blockedAt, releasedAt time.Duration
	for _, ev := range evs {
		if ev.Kind == sim.KState && ev.Task == "waiter" && ev.State == sim.Blocked && ev.Reason == sim.ReasonEvent {
			blockedAt = ev.T
		}
		if ev.Kind == sim.KFlag && ev.Object == "e" && ev.Set && releasedAt == 0 {
			releasedAt = ev.T
		}
	}
	if blockedAt == 0 || releasedAt == 0 {
		t.Fatalf("the waiter never blocked (%v) or the event was never set (%v)", blockedAt, releasedAt)
	}
	sawRunning, sawWaiting := false, false
	for _, ev := range evs {
		if ev.Kind != sim.KRuntime || ev.Task != "waiter" {
			continue
		}
		// A little slack at both ends: the engine stamps the block just
		// before the goroutine parks, and the set just before it wakes it.
		inside := ev.T > blockedAt+5*time.Millisecond && ev.T < releasedAt-5*time.Millisecond
		if inside && ev.State == sim.Running {
			t.Errorf("the runtime showed the blocked waiter running at %v (blocked %v..%v)", ev.T, blockedAt, releasedAt)
		}
		if ev.State == sim.Running {
			sawRunning = true
		}
		if ev.State == sim.Blocked && ev.T >= blockedAt-5*time.Millisecond && ev.T <= releasedAt {
			sawWaiting = true
		}
	}
	if !sawRunning || !sawWaiting {
		t.Errorf("the trace never showed the waiter running (%v) or waiting on the event (%v)", sawRunning, sawWaiting)
	}
}

// noSignalAfterReap checks the record: no signal went to a PID after it
// was reaped (the number may then be another process's).
func noSignalAfterReap(t *testing.T, evs []sim.Event) {
	t.Helper()
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b sim.Event) int { return int(a.T - b.T) })
	reaped := map[int]time.Duration{}
	for _, ev := range sorted {
		switch ev.Kind {
		case sim.KExit:
			reaped[ev.PID] = ev.T
		case sim.KSignal:
			if at, ok := reaped[ev.PID]; ok {
				t.Errorf("signal %d sent to PID %d at %v, after it was reaped at %v", ev.Signal, ev.PID, ev.T, at)
			}
		}
	}
}

// lessonFacts is a lesson and what its test confirms from the raw record.
type lessonFacts struct {
	id    string
	facts func(t *testing.T, f facts)
}

func runLessons(t *testing.T, lessons []lessonFacts) {
	for _, l := range lessons {
		t.Run(l.id, func(t *testing.T) {
			evs, ss, sum := runLesson(t, l.id)
			if !sum.OK {
				t.Errorf("%s's checks failed: %+v", l.id, sum.Checks)
			}
			if l.facts != nil {
				l.facts(t, facts{evs, ss})
			}
			noSignalAfterReap(t, evs)
		})
	}
}

// distributed: its checks pass, and the test confirms from the raw events
// and samples what they say: the broker, the master and the workers were
// separate processes, children of mtviz, seen alive by the probe; the
// server's record at the end has every task once; the killed worker died
// of SIGKILL; the task ids handed out again after the kill were done by
// other workers; the server refused the intruder's own address; and no
// private directory of this process is left.
func TestLessonDistributed(t *testing.T) {
	evs, ss, sum := runLesson(t, "distributed")
	if !sum.OK {
		t.Errorf("distributed's checks: %+v", sum.Checks)
	}
	f := facts{evs, ss}
	broker, master, again := f.pid(t, "broker nats"), f.pid(t, "master"), f.pid(t, "master-again")
	w1, w2 := f.pid(t, "worker-1"), f.pid(t, "worker-2")
	pids := []int{broker, master, again, w1, w2}
	for _, pid := range pids {
		if r := f.read(pid); len(r) == 0 || r[0].PPID != os.Getpid() {
			t.Errorf("the probe did not read PID %d as mtviz's child: %+v", pid, r)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(pids)))) != len(pids) {
		t.Errorf("PIDs not distinct: %v", pids)
	}
	var final *sim.BrokerState
	var killedAt time.Duration
	refused, intruderFrom := "", ""
	took := map[int64]int{}
	for _, ev := range evs {
		switch {
		case ev.Kind == sim.KBroker && ev.Broker != nil && ev.Broker.Final:
			final = ev.Broker
		case ev.Kind == sim.KExit && ev.PID == w1:
			if ev.Signal != 9 {
				t.Errorf("worker-1 ended with signal %d, want 9", ev.Signal)
			}
		case ev.Kind == sim.KSignal && ev.Target == "worker-1":
			killedAt = ev.T
		case ev.Kind == sim.KRefused && ev.Task == "broker nats":
			refused = ev.Addr
		case ev.Kind == sim.KWork && ev.Work.Op == sim.WorkRefused:
			intruderFrom = ev.Work.Addr
		case ev.Kind == sim.KWork && ev.Work.Op == sim.WorkTook && ev.Work.Delivery >= 2 && killedAt > 0:
			took[ev.Work.ID]++
		case ev.Kind == sim.KWork && ev.Work.Op == sim.WorkDone && took[ev.Work.ID] > 0:
			took[ev.Work.ID] = -1 // done
		}
	}
	if final == nil || final.Tasks != 3000 || final.Recorded != 3000 || final.Left != 0 || final.Published != 3000 {
		t.Errorf("the server's record at the end: %+v", final)
	}
	if refused == "" || refused != intruderFrom {
		t.Errorf("the server refused %q; the intruder connected from %q", refused, intruderFrom)
	}
	if len(took) == 0 {
		t.Error("no task was handed out again after worker-1 was killed")
	}
	for id, n := range took {
		if n != -1 {
			t.Errorf("task %d was handed out again but not done", id)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("mtviz-run-%d-*", os.Getpid())))
	if len(dirs) > 0 {
		t.Errorf("left behind: %v", dirs)
	}
}
