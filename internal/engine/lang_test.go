package engine

import (
	"testing"

	evt "mtviz/internal/event"
	"mtviz/internal/words"
)

// The scheduler's words and a wait-for cycle in words speak the language
// of the screen's words: Chinese in zh, English exactly as before.
func TestTurnsSpeakTheLanguage(t *testing.T) {
	defer words.Set(words.Lang())
	want := map[string][]string{
		"en": {"b cannot lock now: it waits for m2, held by a", "waits for m2, held by a", "takes m1",
			"deadlock: a waits for m2, held by b; b waits for m1, held by a"},
		"zh": {"b 现在不能执行 lock：它等待 m2，持有者 a", "等待 m2，持有者 a", "获取 m1",
			"死锁：a 等待 m2，持有者 b；b 等待 m1，持有者 a"},
	}
	edges := []evt.WaitEdge{{Task: "a", Reason: evt.ReasonLock, Object: "m2", Holder: "b"}, {Task: "b", Reason: evt.ReasonLock, Object: "m1", Holder: "a"}}
	for _, lang := range []string{"en", "zh"} {
		words.Set(lang)
		p := play(t, turnsDeadlock, []string{"a", "a", "b"}, Options{})
		if p.err == nil {
			t.Fatalf("%s: b took a step on a lock a holds", lang)
		}
		s, _ := p.boards[2].Slot("b")
		first, _ := p.boards[0].Slot("a")
		got := []string{p.err.Error(), s.Why, first.Move.Text, evt.DeadlockText(edges)}
		for i, w := range want[lang] {
			if got[i] != w {
				t.Errorf("%s: %q, want %q", lang, got[i], w)
			}
		}
	}
}
