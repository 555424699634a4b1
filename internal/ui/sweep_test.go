package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/verdict"
)

// The sweep screen offers s (stop) while points remain to run, and not
// once the sweep has ended or been stopped.
func TestSweepStopKeyOnlyWhileRunning(t *testing.T) {
	m := newSweep(tc(120, 40), builtin(t, "switching"))
	m.render()
	if f := lastLine(m.View()); !strings.Contains(f, "stop the sweep") {
		t.Errorf("a running sweep does not offer s: %q", f)
	}
	m.stopped = true
	m.render()
	if f := lastLine(m.View()); strings.Contains(f, "stop the sweep") {
		t.Errorf("a stopping sweep still offers s: %q", f)
	}
	m.stopped, m.finished, m.summary = false, true, &verdict.Summary{}
	m.render()
	if f := lastLine(m.View()); strings.Contains(f, "stop the sweep") {
		t.Errorf("an ended sweep still offers s: %q", f)
	}
	if h := ansi.Strip(m.header()); strings.Contains(h, "left") {
		t.Errorf("an ended sweep still counts time left: %q", h)
	}
}

func lastLine(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	return lines[len(lines)-1]
}

// The time left comes from the points done, and between points it only
// falls; past the estimate it says the end is near, not a time that grows.
func TestSweepTimeLeftNeverRises(t *testing.T) {
	began := time.Unix(1000, 0)
	if !eta(began, began.Add(time.Second), 0, 5).IsZero() {
		t.Error("an estimate with no point done")
	}
	due := eta(began, began.Add(10*time.Second), 2, 6) // 5 s a point, 4 to go
	if want := began.Add(30 * time.Second); !due.Equal(want) {
		t.Errorf("due %v, want %v", due.Sub(began), want.Sub(began))
	}
	prev := time.Duration(1 << 62)
	for now := began.Add(10 * time.Second); now.Before(began.Add(60 * time.Second)); now = now.Add(700 * time.Millisecond) {
		s := timeLeft(due, now)
		var left time.Duration
		if s != "ending soon" {
			d, err := time.ParseDuration(strings.TrimSuffix(strings.TrimPrefix(s, "about "), " left"))
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			left = d
		}
		if left > prev {
			t.Fatalf("at %v the time left rose to %q", now.Sub(began), s)
		}
		prev = left
	}
	if s := timeLeft(due, began.Add(40*time.Second)); s != "ending soon" {
		t.Errorf("past the estimate: %q", s)
	}
}

// A sweep lesson's text shows its lines as lines, at 200×60, not as
// escaped newlines.
func TestSweepLessonTextKeepsItsLines(t *testing.T) {
	for _, id := range []string{"switching", "cpu-vs-io"} {
		sc := builtin(t, id)
		if !strings.Contains(strings.TrimSpace(sc.Lesson), "\n") {
			t.Fatalf("%s: its lesson text has one line; the test needs several", id)
		}
		m := newSweep(tc(200, 60), sc)
		m.showHelp = true
		m.render()
		v := ansi.Strip(m.View())
		if strings.Contains(v, `\x0a`) {
			t.Errorf("%s: the lesson text shows escaped newlines:\n%s", id, v)
		}
		first := strings.TrimSpace(strings.SplitN(strings.TrimSpace(sc.Lesson), "\n", 2)[0])
		if w := strings.Fields(first); len(w) > 0 && !strings.Contains(v, w[0]) {
			t.Errorf("%s: the lesson text is not shown:\n%s", id, v)
		}
	}
}
