package watch

import (
	"strings"
	"testing"

	"mtviz/internal/lesson"
)

// The watch's own summary and lesson text load in the language in effect,
// whatever the command is called (it is quoted, never read as YAML).
func TestWatchLessonSpeaksTheLanguage(t *testing.T) {
	defer lesson.SetLang(lesson.Lang())
	for _, c := range []struct{ lang, summary, lesson string }{
		{"en", "a program watched from the OS", "Each lane is a thread of the watched program"},
		{"zh", "从操作系统观察的程序", "每条泳道是被观察程序的一个线程"},
	} {
		lesson.SetLang(c.lang)
		w := &Watcher{opt: Options{Cmd: []string{"sh", "-c", "echo '}: {zh: x'"}}}
		sc := w.scenario()
		if sc.Summary != c.summary || !strings.HasPrefix(sc.Lesson, c.lesson) || sc.Title != "sh -c echo '}: {zh: x'" {
			t.Errorf("%s: title %q, summary %q, lesson %q", c.lang, sc.Title, sc.Summary, sc.Lesson)
		}
	}
}
