package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/compare"
	"mtviz/internal/record"
)

func measure(tb testing.TB, rec *record.Recording, v compare.Variant) compare.Result {
	r, err := compare.Measure(rec, v)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// twoVariants is the sixteen-lane recording twice, as a replayed comparison.
func twoVariants(b testing.TB, w, h int) *compareModel {
	rec := recordSixteen(b)
	a := measure(b, rec, compare.Variant{Label: "cores=1", Cores: 1})
	c := measure(b, rec, compare.Variant{Label: "cores=all"})
	m := newCompare(tc(w, h), CompareConfig{Scenario: rec.Scenario, Done: []compare.Result{a, c}})
	b.Cleanup(m.closePlayers)
	m.at = 0
	settle(m)
	return m
}

// settle folds every variant up to the cursor, however long it takes.
func settle(m *compareModel) {
	for m.seek() {
	}
}

// One frame of the compare screen at 200×60 with two variants of 16 lanes:
// the cursor moves 100 ms (each variant folds forward) and the screen is
// drawn.
func BenchmarkCompareFrame200x60(b *testing.B) {
	m := twoVariants(b, 200, 60)
	end := m.lastAt()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.at += 100 * time.Millisecond
		if m.at > end {
			b.StopTimer()
			m.at = 0
			settle(m)
			b.StartTimer()
		}
		settle(m)
		m.render()
	}
}

func TestCompareScreenShowsBothAndTheFigures(t *testing.T) {
	rec := recordSixteen(t)
	a := measure(t, rec, compare.Variant{Label: "first"})
	c := measure(t, rec, compare.Variant{Label: "second"})
	c.Figures.CPU = 2 * a.Figures.CPU // a figure that differs, to be listed with its ratio
	m := newCompare(tc(120, 40), CompareConfig{Scenario: rec.Scenario, Done: []compare.Result{a, c}})
	t.Cleanup(m.closePlayers)
	settle(m)
	m.render()
	v := m.View()
	for _, want := range []string{"first", "second", "Tasks", "w-16", "cpu cores", "2.00×"} {
		if !strings.Contains(v, want) {
			t.Errorf("the compare screen lacks %q:\n%s", want, v)
		}
	}
	// The cursor steps both variants back together.
	m.key(tea.KeyMsg{Type: tea.KeyHome})
	settle(m)
	if m.at != 0 || m.cols[0].tl.Now > 0 || m.cols[1].tl.Now > 0 {
		t.Errorf("home: cursor %v, folds at %v and %v", m.at, m.cols[0].tl.Now, m.cols[1].tl.Now)
	}
}
