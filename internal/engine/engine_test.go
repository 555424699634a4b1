package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"mtviz/internal/lesson"
	"mtviz/internal/testutil"

	evt "mtviz/internal/event"
)

func TestMain(m *testing.M) { testutil.Main(m, MaybeChild) }

func load(t testing.TB, src string) *lesson.Scenario {
	t.Helper()
	sc, err := lesson.Load("test.yaml", []byte("title: test\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// run runs a scenario to its end and returns every event.
func run(t *testing.T, src string, opt Options) []evt.Event {
	t.Helper()
	e := New(load(t, src), opt)
	var evs []evt.Event
	done := make(chan error)
	go func() { done <- e.Run(context.Background()) }()
	for b := range e.Events() {
		evs = append(evs, b...)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return evs
}

func find(evs []evt.Event, ok func(evt.Event) bool) (int, evt.Event) {
	for i, ev := range evs {
		if ok(ev) {
			return i, ev
		}
	}
	return -1, evt.Event{}
}

func TestEventsAreInTimeOrder(t *testing.T) {
	evs := run(t, `
objects:
  m: {kind: lock}
tasks:
  - name: a
    steps: [{repeat: {times: 2000, steps: [{lock: m}, {unlock: m}]}}]
  - name: b
    steps: [{repeat: {times: 2000, steps: [{lock: m}, {unlock: m}]}}]
`, Options{})
	for i := 1; i < len(evs); i++ {
		if evs[i].T < evs[i-1].T {
			t.Fatalf("event %d (%+v) is older than event %d (%+v)", i, evs[i], i-1, evs[i-1])
		}
	}
}

func TestLockHolderAndWaiter(t *testing.T) {
	evs := run(t, `
objects:
  m: {kind: lock}
tasks:
  - name: a
    steps: [{lock: m}, {sleep: 300ms}, {unlock: m}]
  - name: b
    steps: [{sleep: 100ms}, {lock: m}, {log: got it}, {unlock: m}]
`, Options{})
	blocked, bev := find(evs, func(ev evt.Event) bool {
		return ev.Kind() == evt.KState && ev.Task == "b" && ev.StateChange().State == evt.Blocked
	})
	if blocked < 0 || bev.StateChange().Reason != evt.ReasonLock || bev.StateChange().Object != "m" || bev.StateChange().Holder != "a" {
		t.Fatalf("b should be shown blocked on lock m held by a, got %+v", bev)
	}
	waiting, _ := find(evs, func(ev evt.Event) bool {
		return ev.Kind() == evt.KLock && ev.LockChange().Holder == "a" && len(ev.LockChange().Waiters) == 1 && ev.LockChange().Waiters[0] == "b"
	})
	if waiting < 0 {
		t.Fatal("no lock event showed a holding m with b waiting")
	}
	taken, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KLock && ev.LockChange().Holder == "b" })
	got, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KLog && ev.Log().Text == "got it" })
	if !(waiting < taken && taken < got) {
		t.Errorf("order wrong: b waiting at %d, b takes the lock at %d, b logs at %d", waiting, taken, got)
	}
}

func TestRLockCounts(t *testing.T) {
	evs := run(t, `
objects:
  r: {kind: rlock}
tasks:
  - name: a
    steps: [{lock: r}, {lock: r}, {unlock: r}, {unlock: r}]
`, Options{})
	var counts []int
	for _, ev := range evs {
		if ev.Kind() == evt.KLock && ev.LockChange().Object == "r" {
			counts = append(counts, ev.LockChange().Count)
		}
	}
	want := []int{1, 2, 1, 0}
	if len(counts) < 4 || !slices.Equal(counts[:4], want) {
		t.Errorf("hold counts %v, want %v", counts, want)
	}
}

func TestUnlockWithoutHoldingIsReported(t *testing.T) {
	evs := run(t, `
objects:
  m: {kind: lock}
  r: {kind: rlock}
  w: {kind: rwlock}
  s: {kind: semaphore, value: 1}
tasks:
  - name: a
    steps: [{unlock: m}, {unlock: r}, {unlock: w}, {lock: s}, {unlock: s}, {unlock: s}]
`, Options{})
	var got []string
	for _, ev := range evs {
		if ev.Kind() == evt.KError && ev.Task == "a" {
			got = append(got, ev.Failure().Object+": "+ev.Failure().Error)
		}
	}
	want := []string{"m: a released m without holding it", "r: a released r without holding it",
		"w: a released w without holding it", "s: a released s without holding a permit"}
	if !slices.Equal(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
}

// Pausing stops tasks at their next step: a counting task's counter stands
// still while paused and moves again after Resume.
func TestPauseStopsTasks(t *testing.T) {
	sc := load(t, `
objects:
  c: {kind: counter}
tasks:
  - name: a
    steps: [{repeat: {times: 1000000000, steps: [{add: {counter: c, n: 1}}]}}]
`)
	e := New(sc, Options{Tick: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	var mu sync.Mutex
	var last int64
	var sawPaused bool
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for b := range e.Events() {
			mu.Lock()
			for _, ev := range b {
				if ev.Kind() == evt.KCounter {
					last = ev.CounterChange().Value
				}
				if ev.Kind() == evt.KState && ev.Task == "a" && ev.StateChange().Reason == evt.ReasonPaused {
					sawPaused = true
				}
			}
			mu.Unlock()
		}
	}()
	value := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	waitFor(t, func() bool { return value() > 0 })
	e.Pause()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return sawPaused })
	time.Sleep(50 * time.Millisecond) // let the collector send the value at the pause
	v1 := value()
	time.Sleep(200 * time.Millisecond)
	if v2 := value(); v2 != v1 {
		t.Errorf("counter moved from %d to %d while paused", v1, v2)
	}
	e.Resume()
	waitFor(t, func() bool { return value() > v1 })
	cancel()
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Errorf("Run returned %v, want ErrStopped", err)
	}
	<-drained
}

// waitFor polls a condition; the test fails only if it never holds within a
// generous bound (this is liveness, not speed).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Stopping a run ends tasks stuck in a deadlock: no goroutine outlives Run
// (goleak checks at the end of the package).
func TestStopEndsDeadlockedTasks(t *testing.T) {
	sc := load(t, `
objects:
  m1: {kind: lock}
  m2: {kind: lock}
tasks:
  - name: a
    steps: [{lock: m1}, {sleep: 50ms}, {lock: m2}]
  - name: b
    steps: [{lock: m2}, {sleep: 50ms}, {lock: m1}]
`)
	e := New(sc, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	blocked := map[string]bool{}
	for b := range e.Events() {
		for _, ev := range b {
			if ev.Kind() == evt.KState && ev.StateChange().State == evt.Blocked && ev.StateChange().Reason == evt.ReasonLock {
				blocked[ev.Task] = true
			}
		}
		if len(blocked) == 2 {
			cancel()
		}
	}
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Errorf("Run returned %v, want ErrStopped", err)
	}
	cancel()
}

func TestDaemonIsCutOff(t *testing.T) {
	evs := run(t, `
tasks:
  - name: main
    steps: [{spawn: d}, {sleep: 50ms}, {log: main ends}]
  - name: d
    daemon: true
    steps: [{sleep: 1h}, {log: never}]
`, Options{})
	if i, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KLog && ev.Log().Text == "never" }); i >= 0 {
		t.Error("the daemon's last step ran")
	}
	_, d := find(evs, func(ev evt.Event) bool {
		return ev.Kind() == evt.KState && ev.Task == "d" && ev.StateChange().State == evt.Done
	})
	if d.Kind() != evt.KState || d.StateChange().End != evt.EndCutOff {
		t.Errorf("daemon ended with %+v, want end %q", d, evt.EndCutOff)
	}
}

func TestSpawnTwiceIsAnError(t *testing.T) {
	evs := run(t, `
tasks:
  - name: main
    steps: [{spawn: w}, {join: w}, {spawn: w}]
  - name: w
    steps: [{log: hi}]
`, Options{})
	if i, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KError && ev.Task == "w" }); i < 0 {
		t.Error("starting a task twice was not reported")
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind() == evt.KLog && ev.Log().Text == "hi" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("w ran %d times, want 1", n)
	}
}

func TestKeyWaitsForThePress(t *testing.T) {
	sc := load(t, `
tasks:
  - name: a
    steps: [{key: {key: w, label: wake}}, {log: woke}]
`)
	e := New(sc, Options{})
	done := make(chan error)
	go func() { done <- e.Run(context.Background()) }()
	pressed := false
	var woke bool
	for b := range e.Events() {
		for _, ev := range b {
			if ev.Kind() == evt.KLog && ev.Log().Text == "woke" {
				if !pressed {
					t.Error("the task went on before the key was pressed")
				}
				woke = true
			}
			if ev.Kind() == evt.KState && ev.StateChange().Reason == evt.ReasonKey && !pressed {
				pressed = true
				if !e.Key('w') {
					t.Error("Key reported no waiting step")
				}
			}
		}
	}
	if err := <-done; err != nil || !woke {
		t.Errorf("run ended with %v, woke %v", err, woke)
	}
}

func TestLogShowsCounterValues(t *testing.T) {
	evs := run(t, `
objects:
  c: {kind: counter, value: 40}
tasks:
  - name: a
    steps: [{add: {counter: c, n: 2}}, {log: "c is {c}, {c}"}]
`, Options{})
	if i, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KLog && ev.Log().Text == "c is 42, 42" }); i < 0 {
		t.Error("the log line did not show the counter's value")
	}
}

func TestRoundsResetObjects(t *testing.T) {
	evs := run(t, `
rounds: 3
objects:
  c: {kind: counter}
tasks:
  - name: a
    steps: [{add: {counter: c, n: 5}}]
`, Options{})
	var ends []int64
	for _, ev := range evs {
		if ev.Kind() == evt.KRoundEnd {
			ends = append(ends, ev.RoundEnd().Values["c"])
		}
	}
	if len(ends) != 3 || ends[0] != 5 || ends[1] != 5 || ends[2] != 5 {
		t.Errorf("round ends %v, want [5 5 5]", ends)
	}
}

// A task that changes state thousands of times a second is folded: its
// changes arrive as fewer events carrying a count, and the last state is right.
func TestBusyTaskIsFolded(t *testing.T) {
	evs := run(t, `
objects:
  m: {kind: lock}
tasks:
  - name: a
    steps: [{repeat: {times: 200000, steps: [{lock: m}, {unlock: m}]}}]
`, Options{})
	lockEvents, folded := 0, int64(0)
	for _, ev := range evs {
		if ev.Kind() == evt.KLock {
			lockEvents++
		}
		if ev.Kind() == evt.KState {
			folded += ev.StateChange().Folded
		}
	}
	if lockEvents >= 400000 {
		t.Errorf("%d lock events for 400000 changes: nothing was folded", lockEvents)
	}
	_, last := find(evs, func(ev evt.Event) bool {
		return ev.Kind() == evt.KState && ev.Task == "a" && ev.StateChange().State == evt.Done
	})
	if last.Kind() != evt.KState {
		t.Error("the task's end was lost in the folding")
	}
}

// runUntil runs a scenario until cond holds for the events so far, then
// stops it; it returns every event.
func runUntil(t *testing.T, src string, cond func([]evt.Event) bool) []evt.Event {
	t.Helper()
	e := New(load(t, src), Options{Tick: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	var evs []evt.Event
	deadline := time.After(20 * time.Second)
	stopped := false
	for b := range e.Events() {
		evs = append(evs, b...)
		if !stopped && cond(evs) {
			cancel()
			stopped = true
		}
		select {
		case <-deadline:
			if !stopped {
				cancel()
				stopped = true
				t.Error("the condition never held")
			}
		default:
		}
	}
	<-done
	return evs
}

func deadlocks(evs []evt.Event) [][]string {
	var out [][]string
	for _, ev := range evs {
		if ev.Kind() == evt.KDeadlock {
			items := slices.Clone(ev.Deadlock().Cycle)
			slices.Sort(items)
			out = append(out, items)
		}
	}
	return out
}

func TestDeadlockCycles(t *testing.T) {
	// Each task says it holds its first lock (an event) and waits for the
	// next one's word before it asks for its second: the cycle forms
	// however late a task starts on a loaded machine.
	two := `
objects: {m1: {kind: lock}, m2: {kind: lock}, ha: {kind: event}, hb: {kind: event}}
tasks:
  - {name: a, steps: [{lock: m1}, {set: ha}, {wait: hb}, {lock: m2}]}
  - {name: b, steps: [{lock: m2}, {set: hb}, {wait: ha}, {lock: m1}]}
`
	three := `
objects: {m1: {kind: lock}, m2: {kind: lock}, m3: {kind: lock}, ha: {kind: event}, hb: {kind: event}, hc: {kind: event}}
tasks:
  - {name: a, steps: [{lock: m1}, {set: ha}, {wait: hb}, {lock: m2}]}
  - {name: b, steps: [{lock: m2}, {set: hb}, {wait: hc}, {lock: m3}]}
  - {name: c, steps: [{lock: m3}, {set: hc}, {wait: ha}, {lock: m1}]}
  - {name: bystander, steps: [{wait: ha}, {lock: m1}]}
`
	joins := `
objects: {m: {kind: lock}, ha: {kind: event}}
tasks:
  - {name: a, steps: [{lock: m}, {set: ha}, {join: b}]}
  - {name: b, steps: [{wait: ha}, {lock: m}]}
`
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"two locks", two, []string{"a", "b"}},
		{"three locks, and a bystander waiting outside the cycle", three, []string{"a", "b", "c"}},
		{"a join and a lock", joins, []string{"a", "b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := runUntil(t, c.src, func(evs []evt.Event) bool { return len(deadlocks(evs)) > 0 })
			got := deadlocks(evs)
			if len(got) != 1 || !slices.Equal(got[0], c.want) {
				t.Errorf("deadlocks found: %v, want one of %v", got, c.want)
			}
		})
	}
}

// Two tasks take the same two locks in the same order, many times: waiters
// are granted the lock all the time, and there is no cycle to find.
func TestNoFalseDeadlock(t *testing.T) {
	evs := run(t, `
objects: {m1: {kind: lock}, m2: {kind: lock}}
tasks:
  - name: a
    steps: [{repeat: {times: 20000, steps: [{lock: m1}, {lock: m2}, {unlock: m2}, {unlock: m1}]}}]
  - name: b
    steps: [{repeat: {times: 20000, steps: [{lock: m1}, {lock: m2}, {unlock: m2}, {unlock: m1}]}}]
  - name: c
    steps: [{repeat: {times: 2000, steps: [{lock: m1}, {sleep: 1ms}, {unlock: m1}]}}]
`, Options{Tick: 5 * time.Millisecond})
	if d := deadlocks(evs); len(d) > 0 {
		t.Errorf("a deadlock was reported where there is none: %v", d)
	}
}
