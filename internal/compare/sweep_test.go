package compare

import (
	"strings"
	"testing"

	"mtviz/internal/spec"
	"mtviz/internal/timeline"
)

const sweepYAML = `title: t
switches:
  kind: {values: [a, b]}
  tasks: {values: [1, 2, 4, 8]}
sweep:
  over: tasks
  series: kind
  figures: [work, switches]
  checks:
    - grows: {figure: switches, factor: 2}
    - levels_off: {figure: work, series: a, factor: 1.3}
    - rises: {figure: work, series: b, factor: 3}
tasks:
  - name: main
    steps:
      - log: hi
`

func points(series string, work, switches []float64, others float64) []Point {
	var out []Point
	for i, x := range []float64{1, 2, 4, 8} {
		out = append(out, Point{Series: series, Over: strings.TrimSuffix(strings.TrimSuffix(
			strings.Repeat("", 0)+map[float64]string{1: "1", 2: "2", 4: "4", 8: "8"}[x], ""), ""), X: x,
			Figures: timeline.Figures{Work: work[i], Switches: switches[i], Others: others}})
	}
	return out
}

func TestJudgeSweep(t *testing.T) {
	sc, err := spec.Load("t.yaml", []byte(sweepYAML))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(Plan(sc)); n != 8 {
		t.Fatalf("plan has %d points, want 8", n)
	}
	good := append(points("a", []float64{100, 200, 210, 205}, []float64{10, 12, 40, 90}, 0),
		points("b", []float64{10, 20, 40, 80}, []float64{5, 8, 30, 60}, 0)...)
	verdicts := func(pts []Point, cores int) []timeline.Verdict {
		var v []timeline.Verdict
		for _, r := range JudgeSweep(sc, pts, cores) {
			v = append(v, r.Verdict)
		}
		return v
	}
	P, F, U := timeline.Pass, timeline.Fail, timeline.Undecided
	check := func(name string, got, want []timeline.Verdict) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: check %d is %v, want %v (all: %v)", name, i, got[i], want[i], got)
			}
		}
	}
	check("good", verdicts(good, 2), []timeline.Verdict{P, P, P})

	// a keeps growing past the cores; b levels off; switches flat for b.
	bad := append(points("a", []float64{100, 200, 400, 800}, []float64{10, 12, 40, 90}, 0),
		points("b", []float64{10, 20, 22, 21}, []float64{5, 5, 5, 5}, 0)...)
	check("bad", verdicts(bad, 2), []timeline.Verdict{F, F, F})

	// The same on a busy machine is not decided, never failed.
	busy := append(points("a", []float64{100, 200, 400, 800}, []float64{10, 12, 40, 90}, 0.8),
		points("b", []float64{10, 20, 22, 21}, []float64{5, 5, 5, 5}, 0.8)...)
	check("busy", verdicts(busy, 2), []timeline.Verdict{U, U, U})

	// A stopped sweep: b's points are missing.
	check("cut", verdicts(good[:5], 2), []timeline.Verdict{U, P, U})

	// Tasks = cores is the last point: nothing past it to judge.
	check("eight cores", verdicts(good, 8), []timeline.Verdict{P, U, U})
}

// Nothing measured at the base point proves nothing; a sweep whose last
// point was cut is a stopped sweep; a figure that falls to 0 is a figure
// that differs.
func TestSweepEdges(t *testing.T) {
	sc, err := spec.Load("t.yaml", []byte(sweepYAML))
	if err != nil {
		t.Fatal(err)
	}
	zero := append(points("a", []float64{100, 200, 210, 205}, []float64{0, 0, 0, 0}, 0),
		points("b", []float64{0, 0, 40, 80}, []float64{0, 0, 0, 0}, 0)...)
	for _, r := range JudgeSweep(sc, zero, 2) {
		if r.Name != "work levels off" && r.Verdict != timeline.Undecided {
			t.Errorf("%s on zeros: %v (%s)", r.Name, r.Verdict, r.Detail)
		}
	}
	cut := append(points("a", []float64{1, 2, 2, 2}, []float64{1, 2, 3, 4}, 0), points("b", []float64{1, 2, 4, 8}, []float64{1, 2, 3, 4}, 0)...)
	cut[len(cut)-1].Stopped = true
	if !SweepSummary(sc, cut, 2, 0).Stopped {
		t.Error("a sweep whose last point was cut is not reported stopped")
	}
	a := Result{Figures: timeline.Figures{Work: 1000}}
	b := Result{Figures: timeline.Figures{Work: 0}}
	found := false
	for _, row := range Table([]Result{a, b}, false) {
		found = found || row.Figure.Name == "work"
	}
	if !found {
		t.Error("work 1000/s against 0/s is not listed as differing")
	}
}
