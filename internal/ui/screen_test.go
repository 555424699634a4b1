package ui

import (
	"testing"

	"mtviz/internal/fold"
	"mtviz/internal/session"
)

// The lesson screen draws its session's own fold: the run is folded once,
// by the session, and the screen reads that fold, never one of its own.
func TestLessonDrawsTheSessionsFold(t *testing.T) {
	m := newLesson(tc(120, 40), builtin(t, "race"), session.Options{})
	m.src.start(m)
	s := m.src.lessonRun()
	defer func() {
		s.Stop()
		s.Wait()
	}()
	var folded *fold.Timeline
	s.Read(func(tl *fold.Timeline) { folded = tl })
	var drawn *fold.Timeline
	m.locked(func() { drawn = m.tl })
	if folded == nil || drawn != folded {
		t.Errorf("the screen draws %p, the session folds into %p", drawn, folded)
	}
}
