package session

import (
	"strings"
	"testing"
	"time"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func sample(t int, cpus ...float64) probe.Sample {
	s := probe.Sample{T: ms(t)}
	for i, c := range cpus {
		s.Procs = append(s.Procs, probe.Proc{PID: i + 1, CPU: c})
	}
	return s
}

// Phases end where the next phase or the round ends, and a sample counts for
// a phase only if the whole interval it covers lies inside the phase.
func TestPhaseCPU(t *testing.T) {
	evs := []sim.Event{
		{T: ms(0), Kind: sim.KRound},
		{T: ms(0), Kind: sim.KPhase, Text: "a"},
		{T: ms(1000), Kind: sim.KPhase, Text: "b"},
		{T: ms(2000), Kind: sim.KRoundEnd},
		{T: ms(2000), Kind: sim.KEnd},
	}
	var ss []probe.Sample
	for t := 100; t <= 2100; t += 100 {
		if t <= 1000 {
			ss = append(ss, sample(t, 100, 100)) // two cores busy in a
		} else {
			ss = append(ss, sample(t, 50, 50)) // one core in b
		}
	}
	a, na := phaseCPU(evs, ss, "a")
	b, nb := phaseCPU(evs, ss, "b")
	if a != 2 || na != 9 {
		t.Errorf("phase a: %.2f cores over %d samples, want 2 over 9 (the first sample covers time before a)", a, na)
	}
	if b != 1 || nb != 10 {
		t.Errorf("phase b: %.2f cores over %d samples, want 1 over 10", b, nb)
	}
}

func TestChecks(t *testing.T) {
	sc := &spec.Scenario{ID: "x", Checks: []spec.Check{
		{Kind: "counter", Name: "c0", Counter: "locked", Equals: 0},
		{Kind: "drift", Name: "d", Counter: "racy", Equals: 0, NeedsCores: 2},
	}}
	ends := func(racy ...int64) []sim.Event {
		var evs []sim.Event
		for i, r := range racy {
			evs = append(evs, sim.Event{Kind: sim.KRoundEnd, Value: int64(i + 1),
				Values: map[string]int64{"locked": 0, "racy": r}, LostBy: map[string]int64{"racy": 3}})
		}
		return evs
	}
	sum := Judge(sc, 2, ends(0, 5, 0), nil, nil)
	if !sum.OK || !strings.Contains(sum.Checks[1].Detail, "1 of 3 rounds") {
		t.Errorf("drift in one round of three should pass and say so: %+v", sum)
	}
	sum = Judge(sc, 2, ends(0, 0), nil, nil)
	if sum.OK || !strings.Contains(sum.Checks[1].Detail, "gave no race") {
		t.Errorf("no drift on 2 cores must fail honestly: %+v", sum.Checks[1])
	}
	sum = Judge(sc, 1, ends(0, 0), nil, nil)
	if !sum.OK || !strings.Contains(sum.Checks[1].Detail, "needs 2 cores") {
		t.Errorf("no drift on 1 core only reports: %+v", sum.Checks[1])
	}
	bad := ends(0)
	bad[0].Values["locked"] = 4
	if sum := Judge(sc, 2, bad, nil, nil); sum.OK || sum.Checks[0].OK {
		t.Errorf("a locked counter ending at 4 must fail: %+v", sum.Checks[0])
	}
	if sum := Judge(sc, 2, nil, nil, nil); sum.OK {
		t.Error("a run with no finished round cannot pass")
	}
}
