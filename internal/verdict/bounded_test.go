package verdict

import (
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// What the judge keeps does not grow with a run or a recording: samples
// past maxPoints are merged two by two (a steady run keeps its mean), round
// ends past a lesson's most rounds and phase runs past their bound are not
// kept.
func TestJudgeMemoryIsBounded(t *testing.T) {
	sc := &lesson.Scenario{ID: "b", Rounds: 2, Tasks: []lesson.Task{{Name: "main", Kind: lesson.Goroutine, Count: 1}}}
	j := New(Config{Scenario: sc, Cores: 2, Root: 1000})
	const n = 3*maxPoints + 7
	for i := 1; i <= n; i++ {
		s := probe.Sample{T: time.Duration(i) * 100 * time.Millisecond, Cores: []float64{50, 50},
			Procs:    []probe.Proc{{PID: 1000, PPID: 1, State: "R", Name: "mtviz", CPU: 150}},
			Switches: probe.Switches{Vol: 3}}
		evs := []event.Event{{T: s.T, Round: i, Data: event.RoundEnd{}}, {T: s.T, Data: event.PhaseStart{Phase: "p"}}}
		j.Apply(item.Item{Sample: &s, Events: evs})
	}
	f := &j.f
	if len(f.cpu) > maxPoints || len(f.work.switches) > maxPoints {
		t.Errorf("kept %d CPU points and %d switch points, more than %d", len(f.cpu), len(f.work.switches), maxPoints)
	}
	if len(f.ends) != lesson.MaxRounds || len(f.windows["p"]) > maxWindows {
		t.Errorf("kept %d round ends (a lesson has at most %d) and %d runs of a phase", len(f.ends), lesson.MaxRounds, len(f.windows["p"]))
	}
	// Merged, a steady 1.5 cores is still 1.5 cores, and every switch counted.
	var sum float64
	var sw uint64
	for _, p := range f.cpu {
		sum += p.tree
	}
	for _, p := range f.work.switches {
		sw += p.n
	}
	if mean := sum / float64(len(f.cpu)); mean < 1.49 || mean > 1.51 {
		t.Errorf("mean CPU after merging: %.3f cores, want 1.5", mean)
	}
	if sw != 3*n {
		t.Errorf("%d switches kept, want %d", sw, 3*n)
	}
}
