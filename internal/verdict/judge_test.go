package verdict

import (
	"slices"
	"strings"
	"testing"

	"mtviz/internal/event"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/testutil"
)

var ms = testutil.Ms

// fold runs events and samples, in time order, through a fresh judge.
func fold(sc *lesson.Scenario, cores int, evs []event.Event, ss []probe.Sample) *Judge {
	j := New(Config{Scenario: sc, Cores: cores, Root: 1000})
	a, b := 0, 0
	for a < len(evs) || b < len(ss) {
		if b < len(ss) && (a >= len(evs) || ss[b].T < evs[a].T) {
			j.Apply(item.Item{Sample: &ss[b]})
			b++
			continue
		}
		j.Apply(item.Item{Events: evs[a : a+1]})
		a++
	}
	return j
}

func sample(t int, cpus ...float64) probe.Sample {
	s := probe.Sample{T: ms(t)}
	for i, c := range cpus {
		s.Procs = append(s.Procs, probe.Proc{PID: 1000 + i, PPID: 1000, CPU: c})
		s.Cores = append(s.Cores, c)
	}
	s.Procs[0].PPID = 1
	return s
}

// Phases end where the next phase or the round ends, and a sample counts for
// a phase only if the whole interval it covers lies inside the phase.
func TestPhaseCPU(t *testing.T) {
	evs := []event.Event{
		{T: ms(0), Round: 1, Data: event.RoundStart{}},
		{T: ms(0), Data: event.PhaseStart{Phase: "a"}},
		{T: ms(1000), Data: event.PhaseStart{Phase: "b"}},
		{T: ms(2000), Round: 1, Data: event.RoundEnd{}},
		{T: ms(2000), Data: event.Finish{}},
	}
	var ss []probe.Sample
	for t := 100; t <= 2100; t += 100 {
		if t <= 1000 {
			ss = append(ss, sample(t, 100, 100)) // two cores busy in a
		} else {
			ss = append(ss, sample(t, 50, 50)) // one core in b
		}
	}
	tl := fold(&lesson.Scenario{ID: "x"}, 2, evs, ss)
	a, _, na := tl.f.phaseCPU("a")
	b, _, nb := tl.f.phaseCPU("b")
	if a != 2 || na != 9 {
		t.Errorf("phase a: %.2f cores over %d samples, want 2 over 9 (the first sample covers time before a)", a, na)
	}
	if b != 1 || nb != 10 {
		t.Errorf("phase b: %.2f cores over %d samples, want 1 over 10", b, nb)
	}
}

func TestChecks(t *testing.T) {
	sc := &lesson.Scenario{ID: "x", Checks: []lesson.Check{
		{Kind: "counter", Name: "c0", Spec: &lesson.CounterCheck{Counter: "locked", Equals: 0}},
		{Kind: "drift", Name: "d", Spec: &lesson.DriftCheck{Counter: "racy", Equals: 0, NeedsCores: 2}},
	}}
	ends := func(racy ...int64) []event.Event {
		var evs []event.Event
		for i, r := range racy {
			evs = append(evs, event.Event{
				Round: i + 1,
				Data:  event.RoundEnd{Values: map[string]int64{"locked": 0, "racy": r}, LostBy: map[string]int64{"racy": 3}},
			})
		}
		return evs
	}
	judge := func(cores int, evs []event.Event) Summary { return fold(sc, cores, evs, nil).Decide(false, nil) }
	sum := judge(2, ends(0, 5, 0))
	if !sum.OK || !strings.Contains(sum.Checks[1].Detail, "1 of 3 rounds") {
		t.Errorf("drift in one round of three should pass and say so: %+v", sum)
	}
	sum = judge(2, ends(0, 0))
	if sum.OK || sum.Checks[1].Verdict != Fail || !strings.Contains(sum.Checks[1].Detail, "gave no race") {
		t.Errorf("no drift on 2 cores must fail honestly: %+v", sum.Checks[1])
	}
	sum = judge(1, ends(0, 0))
	if sum.OK || sum.Checks[1].Verdict != Undecided || !strings.Contains(sum.Checks[1].Detail, "not decided") {
		t.Errorf("no drift on 1 core is not decided, never a pass: %+v", sum.Checks[1])
	}
	if sum.Verdict != Undecided {
		t.Errorf("a run with a check not decided and none failed is not decided: %v", sum.Verdict)
	}
	bad := ends(0)
	bad[0].RoundEnd().Values["locked"] = 4
	if sum := judge(2, bad); sum.OK || sum.Checks[0].OK || sum.Verdict != Fail {
		t.Errorf("a locked counter ending at 4 must fail: %+v", sum.Checks[0])
	}
	if sum := judge(2, nil); sum.OK {
		t.Error("a run with no finished round cannot pass")
	}
	if sum := fold(sc, 2, ends(0, 5), nil).Decide(true, nil); sum.OK || sum.Checks[1].Verdict != Undecided {
		t.Errorf("a stopped run decides nothing: %+v", sum)
	}
}

// Every check of the vocabulary can be decided, and no judge is for a check
// the vocabulary lacks.
func TestEveryCheckHasAJudge(t *testing.T) {
	names := lesson.CheckNames()
	for _, name := range names {
		if !HasJudge(name) {
			t.Errorf("check %q has no judge", name)
		}
	}
	for name := range judges {
		if !slices.Contains(names, name) {
			t.Errorf("a judge for check %q, which the vocabulary does not have", name)
		}
	}
}
