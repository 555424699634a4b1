package verdict

import (
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

func procSample(t time.Duration, procs ...probe.Proc) probe.Sample {
	return probe.Sample{T: t, Cores: []float64{50, 50}, Procs: append([]probe.Proc{{PID: 1000, PPID: 1, State: "S", Name: "mtviz"}}, procs...)}
}

// A process killed from outside the lesson (no step signalled it) makes every
// check "not decided", never a pass.
func TestKilledFromOutsideIsNotDecided(t *testing.T) {
	sc := &lesson.Scenario{ID: "pool", Rounds: 1, Tasks: []lesson.Task{{Name: "worker", Kind: lesson.Process, Count: 2}},
		Checks: []lesson.Check{{Kind: "processes", Name: "pool", Spec: &lesson.ProcessesCheck{Of: lesson.Of{Task: "worker"}}}}}
	evs := []event.Event{
		{T: ms(10), Task: "worker-1", PID: 2001, Data: event.Process{PPID: 1000}},
		{T: ms(500), Task: "worker-1", PID: 2001, Data: event.StateChange{State: event.Done, End: event.EndKilled}},
		{T: ms(600), Task: "worker-1", PID: 2001, Data: event.Exit{Code: -1, Signal: 9, ReaperPID: 1000}},
		{T: ms(700), Data: event.Finish{}},
	}
	ss := []probe.Sample{procSample(ms(100), probe.Proc{PID: 2001, PPID: 1000, State: "S"})}
	sum := fold(sc, 2, evs, ss).Decide(false, nil)
	if sum.Checks[0].Verdict != Undecided || !strings.Contains(sum.Checks[0].Detail, "worker-1 (PID 2001)") {
		t.Errorf("a worker killed from outside: %+v", sum.Checks[0])
	}
	// The same kill sent by a step of the lesson is the lesson's own doing.
	evs = append([]event.Event{{T: ms(400), Task: "main", PID: 2001, Data: event.SignalSent{Target: "worker-1", Signal: 9}}}, evs...)
	sum = fold(sc, 2, evs, ss).Decide(false, nil)
	if sum.Checks[0].Verdict == Undecided {
		t.Errorf("a kill the lesson sent made the check undecided: %+v", sum.Checks[0])
	}
}

// A child seen for the first time in the same sample as its parent counts
// from that sample on.
func TestGrandchildCountsFromItsFirstSample(t *testing.T) {
	ss := []probe.Sample{procSample(ms(100), probe.Proc{PID: 2000, PPID: 1000, State: "S"}, probe.Proc{PID: 2001, PPID: 2000, State: "S"})}
	tl := fold(&lesson.Scenario{ID: "p", Rounds: 1}, 2, nil, ss)
	if sg := tl.f.seen[2001]; sg == nil || !sg.alive || sg.firstAlive != ms(100) {
		t.Errorf("the grandchild's first sighting was lost: %+v", sg)
	}
}

// How a task's processes ended is judged over every copy, in the order
// they were reaped, so a replay decides as the live run did.
func TestTerminatedJudgesEveryCopy(t *testing.T) {
	sc := &lesson.Scenario{ID: "t", Rounds: 1, Checks: []lesson.Check{{Kind: "terminated", Name: "t", Spec: &lesson.TerminatedCheck{Of: lesson.Of{Task: "w"}}}}}
	evs := []event.Event{
		{T: ms(10), Task: "main", Data: event.SignalSent{Target: "w-1", Signal: 15}},
		{T: ms(20), Task: "w-1", PID: 2001, Data: event.Exit{Code: -1, Signal: 15}},
		{T: ms(30), Task: "w-2", PID: 2002, Data: event.Exit{Code: 0}},
	}
	for i := 0; i < 50; i++ {
		if sum := fold(sc, 2, evs, nil).Decide(false, nil); sum.Checks[0].Verdict != Fail {
			t.Fatalf("a copy that exited on its own must fail the check: %+v", sum.Checks[0])
		}
	}
}

// Checks about processes the probe never saw are not decided, never passed.
func TestUnseenProcessesAreNotDecided(t *testing.T) {
	sc := &lesson.Scenario{ID: "u", Rounds: 1, Tasks: []lesson.Task{{Name: "w", Kind: lesson.Process, Count: 1}, {Name: "p", Kind: lesson.Process}},
		Checks: []lesson.Check{{Kind: "processes", Name: "a", Spec: &lesson.ProcessesCheck{Of: lesson.Of{Task: "w"}}}, {Kind: "gone_with", Name: "b", Spec: &lesson.GoneWithCheck{Of: lesson.Of{Task: "w"}, Parent: "p"}}, {Kind: "zombie", Name: "c", Spec: &lesson.ZombieCheck{Of: lesson.Of{Task: "w"}}}}}
	evs := []event.Event{
		{T: ms(10), Task: "p", PID: 2000, Data: event.Process{PPID: 1000}},
		{T: ms(10), Task: "w", PID: 2001, Data: event.Process{PPID: 2000}},
	}
	ss := []probe.Sample{procSample(ms(100), probe.Proc{PID: 2000, PPID: 1000, State: "S"}), procSample(ms(200), probe.Proc{PID: 2000, PPID: 1000, State: "Z"})}
	for _, r := range fold(sc, 2, evs, ss).Decide(false, nil).Checks {
		if r.Verdict != Undecided {
			t.Errorf("%s: %v (%s)", r.Name, r.Verdict, r.Detail)
		}
	}
}

// An error of a step fails the run, whatever its checks came to.
func TestRuntimeErrorFailsTheRun(t *testing.T) {
	sc := &lesson.Scenario{ID: "e", Rounds: 1}
	evs := []event.Event{{T: ms(10), Task: "a", Data: event.Failure{Error: "a released m without holding it"}}, {T: ms(20), Data: event.Finish{}}}
	sum := fold(sc, 2, evs, nil).Decide(false, nil)
	if sum.Verdict != Fail || len(sum.Checks) != 1 || !strings.Contains(sum.Checks[0].Detail, "released m without holding it") {
		t.Errorf("%+v", sum)
	}
}

// A check's task names the task and each of its copies, as lesson.CutCopy
// reads copy names, and nothing else.
func TestCopiesOf(t *testing.T) {
	for _, c := range []struct {
		task, name string
		want       bool
	}{
		{"worker", "worker", true},
		{"worker", "worker-2", true},
		{"worker", "worker-12", true},
		{"worker", "worker-", false},
		{"worker", "worker-x", false},
		{"work", "worker-2", false},
		{"a", "a-b-3", false},
		{"a-b", "a-b-3", true},
		{"worker", "worker-99999999999999999999", false}, // no int: no copy number
	} {
		if got := copiesOf(c.task, c.name); got != c.want {
			t.Errorf("copiesOf(%q, %q) = %v, want %v", c.task, c.name, got, c.want)
		}
	}
}
