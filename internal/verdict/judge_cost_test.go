package verdict

import (
	"strings"
	"testing"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// Threads and CPU time come from the probe's readings of each process: the
// most threads in any one sample, and each sample's CPU share times the
// time it covers. A counter that processes count in their own copies ends
// at mtviz's copy plus what each process added.
func TestThreadsCPUTimeAndProcessCounters(t *testing.T) {
	sc := &lesson.Scenario{ID: "x",
		Objects: []lesson.Object{{Name: "c", Kind: lesson.Counter}},
		Checks: []lesson.Check{
			{Kind: "threads", Spec: &lesson.ThreadsCheck{Of: lesson.Of{Task: "loop"}, Max: 8}},
			{Kind: "threads", Spec: &lesson.ThreadsCheck{Of: lesson.Of{Task: "th"}, Min: 250}},
			{Kind: "threads", Spec: &lesson.ThreadsCheck{Of: lesson.Of{Task: "th"}, Max: 8}},
			{Kind: "cpu_time", Spec: &lesson.CPUTimeCheck{Tasks: []string{"loop", "th"}, Max: 1}},
			{Kind: "cpu_time", Spec: &lesson.CPUTimeCheck{Tasks: []string{"th"}, Max: 0.2}},
			{Kind: "counter", Spec: &lesson.CounterCheck{Counter: "c", Equals: 10}},
			{Kind: "threads", Spec: &lesson.ThreadsCheck{Of: lesson.Of{Task: "nobody"}, Max: 8}},
		}}
	evs := []event.Event{
		{T: ms(0), Round: 1, Data: event.RoundStart{}},
		{T: ms(10), Task: "loop", PID: 1001, Round: 1, Data: event.Process{PPID: 1000}},
		{T: ms(10), Task: "th", PID: 1002, Round: 1, Data: event.Process{PPID: 1000}},
		{T: ms(500), Task: "loop", Round: 1, Data: event.CounterChange{Object: "c", Value: 4}},
		{T: ms(900), Task: "loop", Round: 1, Data: event.CounterChange{Object: "c", Value: 10}},
		{T: ms(900), Task: "th", Round: 1, Data: event.CounterChange{Object: "c", Value: 0}},
		{T: ms(1100), Round: 1, Data: event.RoundEnd{Values: map[string]int64{"c": 0}}},
		{T: ms(1100), Data: event.Finish{}},
	}
	var ss []probe.Sample
	for t := 100; t <= 1000; t += 100 {
		ss = append(ss, probe.Sample{T: ms(t), Procs: []probe.Proc{
			{PID: 1000, PPID: 1, State: "S", NThreads: 9},
			{PID: 1001, PPID: 1000, State: "S", CPU: 10, NThreads: 3 + t/250},
			{PID: 1002, PPID: 1000, State: "S", CPU: 50, NThreads: 255 + t/200},
		}})
	}
	sum := fold(sc, 2, evs, ss).Decide(false, nil)
	want := []struct {
		v    Verdict
		text string
	}{
		{Pass, "loop (PID 1001): 7 threads at most, 0.09 CPU seconds"},
		{Pass, "th (PID 1002): 260 threads at most, 0.45 CPU seconds"},
		{Fail, "260 threads at most"},
		{Pass, "loop (PID 1001): 7 threads at most, 0.09 CPU seconds in 0.9s; th (PID 1002): 260 threads at most, 0.45 CPU seconds"},
		{Fail, "at most 0.20 CPU seconds each"},
		{Pass, "processes counted in their own copies: loop +10"},
		{Undecided, "no process of nobody"},
	}
	for i, w := range want {
		c := sum.Checks[i]
		if c.Verdict != w.v || !strings.Contains(c.Detail, w.text) {
			t.Errorf("check %d (%s): %v %q, want %v with %q", i, sc.Checks[i].Kind, c.Verdict, c.Detail, w.v, w.text)
		}
	}
}
