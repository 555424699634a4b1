package explore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mtviz/internal/engine"
	"mtviz/internal/lesson"
)

// Orders per second: each lesson explored whole, every order on real
// goroutines.
func BenchmarkExplore(b *testing.B) {
	for _, c := range []struct {
		id  string
		set map[string]string
	}{
		{"race-play", nil}, {"race-play", map[string]string{"lock": "on"}}, {"deadlock-play", nil}, {"condition-play", nil},
	} {
		name := c.id
		if len(c.set) > 0 {
			name += "/" + lesson.SetText(c.set)
		}
		b.Run(name, func(b *testing.B) {
			sc := loadLesson(b, c.id, c.set)
			orders := 0
			for b.Loop() {
				r, err := Explore(context.Background(), sc, Options{})
				if err != nil {
					b.Fatal(err)
				}
				orders += r.Explored
			}
			b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(orders), "µs/order")
		})
	}
}

// adders is a lesson of k tasks, each adding to one counter n times: 2n
// visible steps a task.
func adders(b *testing.B, k, n int) *lesson.Scenario {
	var s strings.Builder
	s.WriteString("title: adders\nobjects:\n  c: {kind: counter}\ntasks:\n")
	for i := 0; i < k; i++ {
		fmt.Fprintf(&s, "  - name: t%d\n    steps:\n      - repeat: {times: %d, steps: [{add: {counter: c, n: 1}}]}\n", i+1, n)
	}
	sc, err := lesson.Load("adders.yaml", []byte(s.String()))
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// The cost of one order as its steps and tasks grow: one run, each step
// given to the first task that can move.
func BenchmarkOrder(b *testing.B) {
	for _, c := range []struct{ tasks, adds int }{{2, 2}, {2, 8}, {2, 32}, {4, 8}, {8, 4}} {
		steps := c.tasks * c.adds * 2
		b.Run(fmt.Sprintf("tasks=%d/steps=%d", c.tasks, steps), func(b *testing.B) {
			sc := adders(b, c.tasks, c.adds)
			for b.Loop() {
				o, err := play(context.Background(), sc, 0, func(_ int, bd engine.Board) (string, error) { return bd.Ready()[0], nil })
				if err != nil || len(o.Steps) != steps {
					b.Fatal(err, len(o.Steps))
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "µs/order")
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N*steps), "µs/step")
		})
	}
}
