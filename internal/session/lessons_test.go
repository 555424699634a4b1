package session

import (
	"context"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

func TestMain(m *testing.M) {
	sim.MaybeChild()
	goleak.VerifyTestMain(m)
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
	var evs []sim.Event
	var ss []probe.Sample
	for it := range s.Items() {
		evs = append(evs, it.Events...)
		if it.Sample != nil {
			ss = append(ss, *it.Sample)
		}
	}
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
			t.Errorf("round %d: the locked balance ended at %d", ev.Value, ev.Values["locked"])
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
func TestLessonGIL(t *testing.T) {
	evs, ss, sum := runLesson(t, "gil")
	if !sum.OK {
		t.Errorf("gil's checks failed: %+v", sum.Checks)
	}
	span := func(name string) (from, to time.Duration) {
		for i, ev := range evs {
			if ev.Kind == sim.KPhase && ev.Text == name {
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
	mean := func(from, to time.Duration) float64 {
		total, n := 0.0, 0
		// Skip the first and last 300ms: samples there straddle the edge.
		for _, s := range ss {
			if s.T > from+300*time.Millisecond && s.T < to-300*time.Millisecond {
				for _, p := range s.Procs {
					total += p.CPU / 100
				}
				n++
			}
		}
		if n == 0 {
			t.Fatal("no samples inside the phase")
		}
		return total / float64(n)
	}
	free := mean(span("free"))
	gil := mean(span("gil"))
	t.Logf("free goroutines used %.2f cores, GIL goroutines %.2f", free, gil)
	if gil > 1.2 {
		t.Errorf("under the GIL the tasks used %.2f cores", gil)
	}
	if runtime.GOMAXPROCS(0) >= 2 && free < 1.4*gil {
		t.Errorf("free tasks used %.2f cores, not clearly more than the GIL's %.2f", free, gil)
	}
}
