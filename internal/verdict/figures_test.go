package verdict

import (
	"math"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// Work is counted between the first and last change of a counter that busy
// steps count into, over every process's copy; switches and CPU over the
// samples of that span.
func TestFiguresOverTheWork(t *testing.T) {
	sc := &lesson.Scenario{ID: "f", Rounds: 1,
		Objects: []lesson.Object{{Name: "work", Kind: lesson.Counter}, {Name: "other", Kind: lesson.Counter}},
		Tasks:   []lesson.Task{{Name: "main", Steps: []lesson.Step{{Op: lesson.OpBusy, Do: &lesson.BusyStep{For: time.Second, Count: "work"}}}}}}
	evs := []event.Event{
		{T: ms(1000), Data: event.CounterChange{Object: "work", Value: 10}},
		{T: ms(1500), Data: event.CounterChange{Object: "other", Value: 999_999}}, // not work
		{T: ms(2000), Data: event.CounterChange{Object: "work", Value: 1000}},
		{T: ms(2500), Task: "p-1", Data: event.CounterChange{Object: "work", Value: 500}}, // a process's copy
		{T: ms(3000), Data: event.CounterChange{Object: "work", Value: 2000}},
	}
	var ss []probe.Sample
	for tm := ms(0); tm <= ms(4000); tm += ms(500) {
		s := procSample(tm, probe.Proc{PID: 2001, PPID: 1000, State: "R", NThreads: 5})
		s.Procs[0].CPU, s.Procs[0].NThreads = 100, 3
		s.Switches = probe.Switches{Vol: 30, Invol: 20}
		if tm < ms(1000) || tm > ms(3000) {
			s.Procs[0].CPU = 0 // outside the work
			s.Switches = probe.Switches{Vol: 100000}
		}
		ss = append(ss, s)
	}
	tl := fold(sc, 2, evs, ss)
	f := tl.Figures()
	if f.Span != 2 || f.Units != 2500 {
		t.Fatalf("span %v units %d, want 2s and 2500 (2000 + the copy's 500)", f.Span, f.Units)
	}
	if f.Work != 1250 {
		t.Errorf("work %v/s, want 1250", f.Work)
	}
	// Samples at 1.5 … 3.0 s each carry 50 switches of the 0.5 s before them.
	if math.Abs(f.Switches-100) > 1e-9 {
		t.Errorf("switches %v/s, want 100", f.Switches)
	}
	if math.Abs(f.CPU-1) > 1e-9 || f.Threads != 8 {
		t.Errorf("cpu %v threads %d, want 1 core and 8 threads", f.CPU, f.Threads)
	}
}
