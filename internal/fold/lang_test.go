package fold

import (
	"testing"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// What a lane's task is doing and the lines mtviz itself logs speak the
// language of the screen's words: Chinese in zh, English exactly as before.
func TestDescriptionsSpeakTheLanguage(t *testing.T) {
	defer words.Set(words.Lang())
	evs := []event.Event{
		{Task: "child", PID: 5, Data: event.Process{PPID: 4, GoMaxProcs: 2}},
		{Task: "child", PID: 5, Data: event.Exit{ReaperPID: 4, Reaper: "parent", Signal: 9}},
		{Data: event.Stuck{Edges: []event.WaitEdge{{Task: "b", Reason: event.ReasonLock, Object: "m", Holder: "a", Ended: true}}}},
		{Round: 1, Data: event.RoundStart{}},
		{Task: "b", Data: event.StateChange{State: event.Done, End: event.EndStopped, By: "a", Reason: event.ReasonLock, Object: "m"}},
	}
	want := map[string][]string{
		"en": {
			"blocked on lock m held by a",
			"runs as PID 5, child of PID 4, with GOMAXPROCS 2",
			"PID 5 reaped by parent (PID 4), its parent: killed by signal 9 (killed)",
			"stuck: b waits for lock m, held by a, which has ended holding it; mtviz ends the run",
			"round 1 of 2",
			"ended: stopped by a, while blocked on lock m",
		},
		"zh": {
			"阻塞于锁 m，持有者 a",
			"以 PID 5 运行，是 PID 4 的子进程，GOMAXPROCS 2",
			"PID 5 已被回收：被信号 9（killed）杀死；回收者 parent（PID 4），它的父进程",
			"卡住：b 等待锁 m，持有者 a 已结束却仍持有它；mtviz 结束本次运行",
			"第 1/2 轮",
			"结束：被 a 停止，当时阻塞于锁 m",
		},
	}
	sc := &lesson.Scenario{ID: "x", Rounds: 2, Tasks: []lesson.Task{{Name: "a"}, {Name: "b"}}}
	for _, lang := range []string{"en", "zh"} {
		words.Set(lang)
		tl := fold(sc, 2, []event.Event{
			{Task: "b", Data: event.TaskStart{State: event.Created}},
			{T: ms(100), Task: "b", Data: event.StateChange{State: event.Blocked, Reason: event.ReasonLock, Object: "m", Holder: "a"}},
		}, nil)
		got := []string{tl.LaneText(tl.Lane("b"))}
		for i := range evs {
			e, ok := Describe(&evs[i], 2)
			if !ok {
				t.Fatalf("%s: event %d is no log line", lang, i)
			}
			got = append(got, e.Text)
		}
		for i, w := range want[lang] {
			if got[i] != w {
				t.Errorf("%s: %q, want %q", lang, got[i], w)
			}
		}
	}
}
