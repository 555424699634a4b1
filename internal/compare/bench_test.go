package compare

import (
	"context"
	"testing"

	"mtviz/internal/lesson"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

const pointLesson = `title: one point
switches:
  tasks: {values: [2, 4]}
sweep: {over: tasks, figures: [work]}
objects: {work: {kind: counter}}
tasks:
  - name: w
    count: $tasks
    steps:
      - busy: {for: 300ms, count: work}
`

// One sweep point measured two ways: a plain session folded as it runs
// (no sweep), and through the sweep's machinery (a recording in memory, read
// back and folded again, switches read). work/s should not differ beyond
// the run-to-run spread.
func BenchmarkSweepPoint(b *testing.B) {
	sc, err := lesson.Load("point.yaml", []byte(pointLesson))
	if err != nil {
		b.Fatal(err)
	}
	// Alternate the two, so that whatever else the machine does falls on both.
	var plain, sweep float64
	for i := 0; i < b.N; i++ {
		s := session.Start(context.Background(), sc, session.Options{GoTrace: session.TraceOff})
		vj := verdict.New(verdict.Config{Scenario: sc, Cores: s.Cores, Root: session.RootPID()})
		for it := range s.Items() {
			vj.Apply(it)
		}
		s.Wait()
		plain += vj.Figures().Work
		r, err := Run(context.Background(), sc, Variant{Label: "tasks=2", Set: map[string]string{"tasks": "2"}}, session.Options{GoTrace: session.TraceOff}, nil)
		if err != nil {
			b.Fatal(err)
		}
		sweep += r.Figures.Work
	}
	b.ReportMetric(plain/float64(b.N), "plain_work/s")
	b.ReportMetric(sweep/float64(b.N), "sweep_work/s")
	b.ReportMetric(sweep/plain, "sweep/plain")
}
