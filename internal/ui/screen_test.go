package ui

import (
	"testing"

	"mtviz/internal/session"
	"mtviz/internal/timeline"
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
	var fold *timeline.Timeline
	s.Read(func(tl *timeline.Timeline) { fold = tl })
	var drawn *timeline.Timeline
	m.locked(func() { drawn = m.tl })
	if fold == nil || drawn != fold {
		t.Errorf("the screen draws %p, the session folds into %p", drawn, fold)
	}
}
