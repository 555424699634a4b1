package fold

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/testutil"
)

// modes draws a lane's cells of 100 ms from 0 to `until` and names each.
func modes(tl *Timeline, name string, until time.Duration) []Cell {
	l := tl.Lane(name)
	osUntil := tl.OSUntil(l)
	var out []Cell
	l.Cells(until, 100*time.Millisecond, int(until/(100*time.Millisecond)), osUntil, func(c Cell) { out = append(out, c) })
	return out
}

// cellAt is the cell covering time t (cells of 100 ms from 0).
func cellAt(cells []Cell, t time.Duration) Cell { return cells[int(t/(100*time.Millisecond))] }

var ms = testutil.Ms

// fold runs events and samples, in time order, through a fresh timeline.
func fold(sc *lesson.Scenario, cores int, evs []event.Event, ss []probe.Sample) *Timeline {
	tl := New(Config{Scenario: sc, Cores: cores, Root: 1000})
	i, j := 0, 0
	for i < len(evs) || j < len(ss) {
		if j < len(ss) && (i >= len(evs) || ss[j].T < evs[i].T) {
			tl.Apply(Item{Sample: &ss[j]})
			j++
			continue
		}
		tl.Apply(Item{Events: evs[i : i+1]})
		i++
	}
	return tl
}

func procSample(t time.Duration, procs ...probe.Proc) probe.Sample {
	return probe.Sample{T: t, Cores: []float64{50, 50}, Procs: append([]probe.Proc{{PID: 1000, PPID: 1, State: "S", Name: "mtviz"}}, procs...)}
}

var procScenario = &lesson.Scenario{ID: "p", Rounds: 1, Tasks: []lesson.Task{{Name: "parent", Kind: lesson.Process}, {Name: "child", Kind: lesson.Process}}}

// A process /proc reads as Z shows Z on its lane until it is reaped, even
// after the engine has said the task is done; then it shows who reaped it.
func TestZombieShownUntilReaped(t *testing.T) {
	evs := []event.Event{
		{T: 0, Task: "child", Data: event.TaskStart{TaskKind: lesson.Process, State: event.Created}},
		{T: ms(100), Task: "child", PID: 2001, Data: event.Process{PPID: 1000}},
		{T: ms(150), Task: "child", PID: 2001, Data: event.StateChange{State: event.Running}},
		{T: ms(300), Task: "child", PID: 2001, Data: event.StateChange{State: event.Done}},
		// The hub's late word that the process's connection closed.
		{T: ms(1500), Task: "child", PID: 2001, Data: event.StateChange{State: event.Done, End: event.EndKilled}},
		{T: ms(2050), Task: "child", PID: 2001, Data: event.Exit{ReaperPID: 2000, Reaper: "parent"}},
	}
	var ss []probe.Sample
	for t := ms(200); t <= ms(2500); t += ms(100) {
		switch {
		case t <= ms(300):
			ss = append(ss, procSample(t, probe.Proc{PID: 2001, PPID: 1000, State: "S"}))
		case t <= ms(2000):
			ss = append(ss, procSample(t, probe.Proc{PID: 2001, PPID: 1000, State: "Z"}))
		default:
			s := procSample(t)
			if t == ms(2100) {
				s.Gone = []int{2001}
			}
			ss = append(ss, s)
		}
	}
	tl := fold(procScenario, 2, evs, ss)
	cells := modes(tl, "child", ms(2500))
	for _, at := range []time.Duration{ms(450), ms(1000), ms(1600), ms(1950)} {
		if c := cellAt(cells, at); c.Mode != ModeZombie {
			t.Errorf("at %v the lane shows %v, while /proc read Z", at, c.Mode)
		}
	}
	if c := cellAt(cells, ms(2300)); c.Mode != ModeDone {
		t.Errorf("after the reap the lane shows %v", c.Mode)
	}
	if txt := tl.LaneText(tl.Lane("child")); !strings.Contains(txt, "reaped by parent (PID 2000), its parent") {
		t.Errorf("the lane says %q, not who reaped it", txt)
	}
}

// A process task whose steps are done while /proc still reads its process
// alive waits for its children; it is never drawn done.
func TestParentWaitsForChildren(t *testing.T) {
	evs := []event.Event{
		{T: 0, Task: "parent", Data: event.TaskStart{TaskKind: lesson.Process, State: event.Created}},
		{T: ms(50), Task: "parent", PID: 2000, Data: event.Process{PPID: 1000}},
		{T: ms(60), Task: "parent", PID: 2000, Data: event.StateChange{State: event.Running}},
		{T: ms(80), Task: "child", PID: 2001, Data: event.Process{PPID: 2000}},
		{T: ms(1000), Task: "parent", PID: 2000, Data: event.StateChange{State: event.Done}},
		{T: ms(3000), Task: "parent", PID: 2000, Data: event.Exit{ReaperPID: 1000}},
	}
	var ss []probe.Sample
	for t := ms(100); t <= ms(3300); t += ms(100) {
		if t < ms(3000) {
			ss = append(ss, procSample(t, probe.Proc{PID: 2000, PPID: 1000, State: "S"}, probe.Proc{PID: 2001, PPID: 2000, State: "S"}))
		} else {
			ss = append(ss, procSample(t))
		}
	}
	tl := fold(procScenario, 2, evs, ss)
	cells := modes(tl, "parent", ms(3300))
	for _, at := range []time.Duration{ms(1150), ms(2000), ms(2900)} {
		if c := cellAt(cells, at); c.Mode != ModeChildren {
			t.Errorf("at %v the lane shows %v while /proc read the parent alive after its steps", at, c.Mode)
		}
	}
	if c := cellAt(cells, ms(3200)); c.Mode != ModeDone {
		t.Errorf("after its exit the lane shows %v", c.Mode)
	}
}

// A sleeping task is drawn sleeping even when the runtime says its
// goroutine ran (a timer firing, say), and a busy one shows the P it ran on.
func TestSleepingNeverDrawnRunning(t *testing.T) {
	sc := &lesson.Scenario{ID: "g", Rounds: 1}
	evs := []event.Event{
		{T: 0, Task: "a", Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}},
		{T: 0, Task: "a", Data: event.StateChange{State: event.Running}},
		{T: ms(500), Task: "a", Data: event.StateChange{State: event.Sleeping, Reason: event.ReasonSleep}},
		{T: ms(1500), Task: "a", Data: event.StateChange{State: event.Running}},
		{T: ms(10), Task: "a", Data: event.RuntimeState{State: event.Running, P: 3}},
		{T: ms(500), Task: "a", Data: event.RuntimeState{State: event.Running, P: 1}}, // the runtime late to say it parked
		{T: ms(1500), Task: "a", Data: event.RuntimeState{State: event.Running, P: 1}},
		{T: ms(2000), Task: "a", Data: event.RuntimeState{State: event.Running, P: 1}},
	}
	tl := fold(sc, 2, evs, nil)
	cells := modes(tl, "a", ms(2000))
	if c := cellAt(cells, ms(200)); c.Mode != ModeRunning || c.Where != 3 {
		t.Errorf("a busy goroutine shows %+v, not running on P3", c)
	}
	for _, at := range []time.Duration{ms(600), ms(1000), ms(1400)} {
		if c := cellAt(cells, at); c.Mode != ModeSleeping {
			t.Errorf("at %v a sleeping task is drawn %v", at, c.Mode)
		}
	}
}

// Process lanes show the core /proc named (field 39); goroutine lanes the P.
func TestProcessLaneShowsCore(t *testing.T) {
	evs := []event.Event{
		{T: 0, Task: "child", Data: event.TaskStart{TaskKind: lesson.Process, State: event.Created}},
		{T: ms(10), Task: "child", PID: 2001, Data: event.Process{PPID: 1000}},
		{T: ms(20), Task: "child", PID: 2001, Data: event.StateChange{State: event.Running}},
	}
	var ss []probe.Sample
	for t := ms(100); t <= ms(1000); t += ms(100) {
		ss = append(ss, procSample(t, probe.Proc{PID: 2001, PPID: 1000, State: "R", CPU: 99, Core: 1}))
	}
	tl := fold(procScenario, 2, evs, ss)
	cells := modes(tl, "child", ms(1000))
	if c := cellAt(cells, ms(500)); c.Mode != ModeRunning || c.Where != 1 {
		t.Errorf("the process lane shows %+v, not running on core 1", c)
	}
	if txt := tl.LaneText(tl.Lane("child")); txt != "running on cpu1" {
		t.Errorf("the lane says %q", txt)
	}
}

// A task that ended waits for nothing: a queue's waiters lose it.
func TestEndedTaskWaitsForNothing(t *testing.T) {
	sc := &lesson.Scenario{ID: "q", Rounds: 1, Objects: []lesson.Object{{Name: "q", Kind: lesson.Queue}}}
	evs := []event.Event{
		{T: ms(10), Data: event.QueueChange{Object: "q", Waiters: []string{"reader"}}},
		{T: ms(20), Task: "reader", Data: event.StateChange{State: event.Done, End: event.EndCutOff}},
	}
	tl := fold(sc, 2, evs, nil)
	if w := tl.Queues[0].Waiters; len(w) != 0 {
		t.Errorf("a cut-off reader still waits on the queue: %v", w)
	}
}

// Many state changes keep the fold small: lanes are coarsened and the
// log keeps its newest lines.
func TestFoldStaysSmall(t *testing.T) {
	sc := &lesson.Scenario{ID: "m", Rounds: 1}
	tl := New(Config{Scenario: sc, Cores: 2, Root: 1000})
	ev := event.Event{Task: "a", Data: event.StateChange{}}
	lg := event.Event{Task: "a", Data: event.Log{Text: "hello"}}
	for i := 0; i < 200_000; i++ {
		ev.T = time.Duration(i) * time.Microsecond
		ev.Data = event.StateChange{State: event.Running + event.State(i%2)}
		tl.Event(&ev)
		lg.T = ev.T
		tl.Event(&lg)
	}
	if n := len(tl.Lane("a").Segs); n > maxSegs {
		t.Errorf("%d segments kept for one lane", n)
	}
	if len(tl.Log) > MaxLog || tl.LogCount != 200_000 {
		t.Errorf("log keeps %d lines, counted %d", len(tl.Log), tl.LogCount)
	}
}

// A million events (state changes and log lines of one busy task) folded:
// MB is the heap the fold holds afterwards.
func BenchmarkFoldMillionEvents(b *testing.B) {
	var ms runtime.MemStats
	for i := 0; i < b.N; i++ {
		tl := New(Config{Scenario: &lesson.Scenario{ID: "m", Rounds: 1}, Cores: 2, Root: 1000})
		ev := event.Event{Task: "a", Data: event.StateChange{}}
		lg := event.Event{Task: "a", Data: event.Log{Text: "hello"}}
		for k := 0; k < 500_000; k++ {
			ev.T = time.Duration(k) * time.Microsecond
			ev.Data = event.StateChange{State: event.Running + event.State(k%2)}
			tl.Event(&ev)
			lg.T = ev.T
			tl.Event(&lg)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(tl)
	}
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB")
}

// A goroutine that ended is done, whatever the runtime last said: only a
// process can wait for its children. And a runtime word older than a
// moment does not describe the task now.
func TestGoroutineEndIsDone(t *testing.T) {
	sc := &lesson.Scenario{ID: "g", Rounds: 1}
	evs := []event.Event{
		{T: 0, Task: "a", Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}},
		{T: ms(10), Task: "a", Data: event.StateChange{State: event.Running}},
		{T: ms(20), Task: "a", Data: event.RuntimeState{State: event.Blocked}},
		{T: ms(900), Task: "a", Data: event.StateChange{State: event.Done}},
		{T: ms(900), Task: "a", Data: event.RuntimeState{State: event.Running, P: 1}},
	}
	tl := fold(sc, 2, evs, nil)
	if c := tl.Lane("a").Now(tl.OSUntil(tl.Lane("a")), ms(900)); c.Mode != ModeDone {
		t.Errorf("an ended goroutine shows %v", c.Mode)
	}
	tl = fold(sc, 2, evs[:3], nil)
	tl.Now = 5 * time.Second // the trace was turned off long ago
	if got := tl.LaneText(tl.Lane("a")); got != "busy: running or runnable" {
		t.Errorf("a stale runtime word still describes the task: %q", got)
	}
}

// The goroutines of a process that crashed end with it, even before their
// own last words arrive; when those come, late from the child, they stand.
func TestGoroutinesEndWithTheirProcess(t *testing.T) {
	sc := &lesson.Scenario{ID: "c", Rounds: 1, Tasks: []lesson.Task{{Name: "p", Kind: lesson.Process}, {Name: "calm"}, {Name: "bad"}}}
	evs := []event.Event{
		{T: 0, Task: "p", Data: event.TaskStart{TaskKind: lesson.Process, State: event.Created}},
		{T: 0, Task: "calm", Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}},
		{T: 0, Task: "bad", Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}},
		{T: ms(10), Task: "p", PID: 2000, Data: event.Process{PPID: 1000}},
		{T: ms(20), Task: "calm", PID: 2000, Data: event.StateChange{State: event.Sleeping}},
		{T: ms(20), Task: "bad", PID: 2000, Data: event.StateChange{State: event.Sleeping}},
	}
	// /proc reads the process Z before the child's last words arrive.
	ss := []probe.Sample{procSample(ms(1100), probe.Proc{PID: 2000, PPID: 1000, State: "Z"})}
	tl := fold(sc, 2, evs, ss)
	if c := tl.Lane("calm").Current(); c.State != event.Done {
		t.Errorf("a goroutine of a dead process is still %v", c.State)
	}
	tl.Event(&event.Event{T: ms(1040), Task: "bad", PID: 2000, Data: event.StateChange{State: event.Done, End: event.EndCrashed}})
	if c := tl.Lane("bad").Current(); c.End != event.EndCrashed {
		t.Errorf("the task's own word did not replace the inferred end: %+v", c)
	}
	if c := tl.Lane("calm").Current(); !c.Inferred || c.End != event.EndKilled {
		t.Errorf("calm: %+v", c)
	}
}

// Processes share no memory: a gil taken in one process is that process's
// own, shown apart from mtviz's and from every other process's.
func TestEachProcessHasItsOwnLocks(t *testing.T) {
	sc := &lesson.Scenario{ID: "g", Rounds: 1, Objects: []lesson.Object{{Name: "gil", Kind: lesson.GIL}}}
	evs := []event.Event{
		{T: ms(10), Task: "procs-1", PID: 2001, Data: event.Process{PPID: 1000}},
		{T: ms(10), Task: "procs-2", PID: 2002, Data: event.Process{PPID: 1000}},
		{T: ms(20), PID: 2001, Data: event.LockChange{Object: "gil", Holder: "procs-1"}},
		{T: ms(20), PID: 2002, Data: event.LockChange{Object: "gil", Holder: "procs-2"}},
		{T: ms(30), PID: 1000, Data: event.LockChange{Object: "gil", Holder: "locked-1"}},
	}
	tl := fold(sc, 2, evs, nil)
	holders := map[string]string{}
	for _, o := range tl.Objects {
		holders[o.Name] = o.Holder
	}
	want := map[string]string{"gil": "locked-1", "gil @procs-1": "procs-1", "gil @procs-2": "procs-2"}
	for name, h := range want {
		if holders[name] != h {
			t.Errorf("%s held by %q, want %q (all: %v)", name, holders[name], h, holders)
		}
	}
}

// A counter's rate is over the last second: once its work stops, it falls
// to 0 instead of showing the last speed it had.
func TestRateStopsWithTheWork(t *testing.T) {
	sc := &lesson.Scenario{ID: "r", Rounds: 1, Objects: []lesson.Object{{Name: "work", Kind: lesson.Counter}}}
	var evs []event.Event
	for i := 0; i <= 30; i++ {
		evs = append(evs, event.Event{T: ms(100 * i), Data: event.CounterChange{Object: "work", Value: int64(1000 * i)}})
	}
	tl := fold(sc, 2, evs, nil)
	if r, ok := tl.Counters[0].Rate(ms(3000)); !ok || r < 9999 || r > 10001 {
		t.Errorf("while working: %v/s (%v), want 10000", r, ok)
	}
	if r, _ := tl.Counters[0].Rate(ms(4500)); r != 0 {
		t.Errorf("1.5 s after the work stopped: %v/s, want 0", r)
	}
}

// A round's end line says what the Counters panel totals: mtviz's copy of
// a counter plus what each process of the round counted in its own.
func TestRoundEndCountsProcessCopies(t *testing.T) {
	sc := &lesson.Scenario{ID: "r", Rounds: 1, Objects: []lesson.Object{{Name: "done", Kind: lesson.Counter}}}
	evs := []event.Event{
		{T: ms(10), Task: "worker-1", Round: 1, Data: event.CounterChange{Object: "done", Value: 4}},
		{T: ms(20), Task: "worker-2", Round: 1, Data: event.CounterChange{Object: "done", Value: 5}},
		{T: ms(30), Round: 1, Data: event.RoundEnd{Values: map[string]int64{"done": 0}}},
	}
	tl := fold(sc, 2, evs, nil)
	last := tl.Log[len(tl.Log)-1].Text
	if !strings.Contains(last, "done=9") {
		t.Errorf("the round's end says %q, not done=9", last)
	}
}

// A watched program's process that /proc reads Z is drawn Z on its lane.
func TestWatchDrawsZombies(t *testing.T) {
	tl := New(Config{Scenario: &lesson.Scenario{ID: "watch"}, Cores: 2, Root: 2000, Watch: true})
	for i := 1; i <= 10; i++ {
		child := probe.Proc{PID: 2001, PPID: 2000, State: "S", Name: "python3"}
		if i > 3 {
			child.State = "Z"
		}
		s := probe.Sample{T: ms(100 * i), Cores: []float64{10, 10}, Procs: []probe.Proc{{PID: 2000, PPID: 1, State: "S", Name: "python3"}, child}}
		tl.Apply(Item{Sample: &s})
	}
	l := tl.Lane("python3 2001")
	if l == nil {
		t.Fatalf("no lane for the child: %v", tl.Lanes)
	}
	cells := modes(tl, "python3 2001", ms(1000))
	if c := cellAt(cells, ms(800)); c.Mode != ModeZombie {
		t.Errorf("the zombie's lane shows %v", c.Mode)
	}
	if c := cellAt(cells, ms(250)); c.Mode != ModeSleeping {
		t.Errorf("before it exited the lane shows %v", c.Mode)
	}
}
