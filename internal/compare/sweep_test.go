package compare

import (
	"testing"

	"mtviz/internal/lesson"
	"mtviz/internal/verdict"
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
tasks:
  - name: main
    steps:
      - log: hi
`

// A sweep runs every value of its switch for every series; a sweep whose
// last point was cut is a stopped sweep; a figure that falls to 0 is a
// figure that differs.
func TestSweepPlanAndEdges(t *testing.T) {
	sc, err := lesson.Load("t.yaml", []byte(sweepYAML))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(Plan(sc)); n != 8 {
		t.Fatalf("plan has %d points, want 8", n)
	}
	var pts []Point
	for _, k := range []string{"a", "b"} {
		for _, x := range []string{"1", "2", "4", "8"} {
			pts = append(pts, Point{Series: k, Over: x, X: X(sc, x), Measured: verdict.Quiet})
		}
	}
	pts[len(pts)-1].Measured = verdict.Cut
	if !SweepSummary(sc, pts, 2, 0).Stopped {
		t.Error("a sweep whose last point was cut is not reported stopped")
	}
	if !SweepSummary(sc, pts[:5], 2, 0).Stopped {
		t.Error("a sweep with points missing is not reported stopped")
	}
	a := Result{Figures: verdict.Figures{Work: 1000}}
	b := Result{Figures: verdict.Figures{Work: 0}}
	found := false
	for _, row := range Table([]Result{a, b}, false) {
		found = found || row.Figure.Name == "work"
	}
	if !found {
		t.Error("work 1000/s against 0/s is not listed as differing")
	}
}
