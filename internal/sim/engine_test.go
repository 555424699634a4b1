package sim

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mtviz/internal/spec"
	"mtviz/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m, MaybeChild) }

func load(t testing.TB, src string) *spec.Scenario {
	t.Helper()
	sc, err := spec.Load("test.yaml", []byte("title: test\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// run runs a scenario to its end and returns every event.
func run(t *testing.T, src string, opt Options) []Event {
	t.Helper()
	e := New(load(t, src), opt)
	var evs []Event
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

func find(evs []Event, ok func(Event) bool) (int, Event) {
	for i, ev := range evs {
		if ok(ev) {
			return i, ev
		}
	}
	return -1, Event{}
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
	blocked, bev := find(evs, func(ev Event) bool {
		return ev.Kind == KState && ev.Task == "b" && ev.State == Blocked
	})
	if blocked < 0 || bev.Reason != ReasonLock || bev.Object != "m" || bev.Holder != "a" {
		t.Fatalf("b should be shown blocked on lock m held by a, got %+v", bev)
	}
	waiting, _ := find(evs, func(ev Event) bool {
		return ev.Kind == KLock && ev.Holder == "a" && len(ev.Waiters) == 1 && ev.Waiters[0] == "b"
	})
	if waiting < 0 {
		t.Fatal("no lock event showed a holding m with b waiting")
	}
	taken, _ := find(evs, func(ev Event) bool { return ev.Kind == KLock && ev.Holder == "b" })
	got, _ := find(evs, func(ev Event) bool { return ev.Kind == KLog && ev.Text == "got it" })
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
		if ev.Kind == KLock && ev.Object == "r" {
			counts = append(counts, ev.Count)
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
tasks:
  - name: a
    steps: [{unlock: m}]
`, Options{})
	if i, _ := find(evs, func(ev Event) bool { return ev.Kind == KError && ev.Task == "a" }); i < 0 {
		t.Error("releasing a lock not held produced no error event")
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
				if ev.Kind == KCounter {
					last = ev.Value
				}
				if ev.Kind == KState && ev.Task == "a" && ev.Reason == ReasonPaused {
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
			if ev.Kind == KState && ev.State == Blocked && ev.Reason == ReasonLock {
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
	if i, _ := find(evs, func(ev Event) bool { return ev.Kind == KLog && ev.Text == "never" }); i >= 0 {
		t.Error("the daemon's last step ran")
	}
	_, d := find(evs, func(ev Event) bool { return ev.Kind == KState && ev.Task == "d" && ev.State == Done })
	if d.End != EndCutOff {
		t.Errorf("daemon ended with %+v, want end %q", d, EndCutOff)
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
	if i, _ := find(evs, func(ev Event) bool { return ev.Kind == KError && ev.Task == "w" }); i < 0 {
		t.Error("starting a task twice was not reported")
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == KLog && ev.Text == "hi" {
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
			if ev.Kind == KLog && ev.Text == "woke" {
				if !pressed {
					t.Error("the task went on before the key was pressed")
				}
				woke = true
			}
			if ev.Kind == KState && ev.Reason == ReasonKey && !pressed {
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
	if i, _ := find(evs, func(ev Event) bool { return ev.Kind == KLog && ev.Text == "c is 42, 42" }); i < 0 {
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
		if ev.Kind == KRoundEnd {
			ends = append(ends, ev.Values["c"])
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
		if ev.Kind == KLock {
			lockEvents++
		}
		folded += ev.Folded
	}
	if lockEvents >= 400000 {
		t.Errorf("%d lock events for 400000 changes: nothing was folded", lockEvents)
	}
	_, last := find(evs, func(ev Event) bool { return ev.Kind == KState && ev.Task == "a" && ev.State == Done })
	if last.State != Done {
		t.Error("the task's end was lost in the folding")
	}
}

// runUntil runs a scenario until cond holds for the events so far, then
// stops it; it returns every event.
func runUntil(t *testing.T, src string, cond func([]Event) bool) []Event {
	t.Helper()
	e := New(load(t, src), Options{Tick: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	var evs []Event
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

func deadlocks(evs []Event) [][]string {
	var out [][]string
	for _, ev := range evs {
		if ev.Kind == KDeadlock {
			items := slices.Clone(ev.Cycle)
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
			evs := runUntil(t, c.src, func(evs []Event) bool { return len(deadlocks(evs)) > 0 })
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

// A condition wakes its longest waiter first, and a waiter goes on only once
// notified and holding the lock again.
func TestConditionOrder(t *testing.T) {
	evs := run(t, `
objects: {c: {kind: condition}}
tasks:
  - {name: w1, steps: [{lock: c}, {wait: c}, {log: w1}, {unlock: c}]}
  - {name: w2, steps: [{sleep: 50ms}, {lock: c}, {wait: c}, {log: w2}, {unlock: c}]}
  - {name: w3, steps: [{sleep: 100ms}, {lock: c}, {wait: c}, {log: w3}, {unlock: c}]}
  - name: notifier
    steps: [{sleep: 300ms}, {repeat: {times: 3, steps: [{lock: c}, {notify: c}, {log: notified}, {unlock: c}, {sleep: 50ms}]}}]
`, Options{})
	var lines []string
	for _, ev := range evs {
		if ev.Kind == KLog {
			lines = append(lines, ev.Text)
		}
	}
	want := []string{"notified", "w1", "notified", "w2", "notified", "w3"}
	if !slices.Equal(lines, want) {
		t.Errorf("lines %v, want %v", lines, want)
	}
}

// An event releases its waiters when set, and clear makes new waiters wait.
func TestEventOrder(t *testing.T) {
	evs := run(t, `
objects: {e: {kind: event}}
tasks:
  - {name: a, steps: [{wait: e}, {log: a released}]}
  - {name: b, steps: [{wait: e}, {log: b released}]}
  - name: setter
    steps: [{sleep: 200ms}, {log: setting}, {set: e}, {sleep: 50ms}, {clear: e}, {spawn: late}, {sleep: 200ms}, {log: setting again}, {set: e}]
  - {name: late, steps: [{wait: e}, {log: late released}]}
`, Options{})
	idx := map[string]int{}
	for i, ev := range evs {
		if ev.Kind == KLog {
			idx[ev.Text] = i
		}
	}
	if !(idx["setting"] < idx["a released"] && idx["setting"] < idx["b released"]) {
		t.Errorf("waiters released before the set: %v", idx)
	}
	if !(idx["setting again"] < idx["late released"]) {
		t.Errorf("a waiter after clear went on before the second set: %v", idx)
	}
}

// A process putting on a full queue that lives in mtviz waits until there is
// room, and nothing it put is lost or reordered.
func TestRemotePutWaitsForRoom(t *testing.T) {
	evs := run(t, `
objects: {q: {kind: queue, size: 1}}
tasks:
  - name: writer
    kind: process
    steps: [{put: {queue: q, value: A}}, {put: {queue: q, value: B}}, {log: B is in}, {put: {queue: q, value: C}}]
  - name: reader
    steps: [{sleep: 500ms}, {get: q}, {log: "got {value}"}, {sleep: 300ms}, {get: q}, {log: "got {value}"}, {get: q}, {log: "got {value}"}]
`, Options{})
	// The reader's lines come in its own order. The writer's "B is in" and
	// the reader's "got A" are in two processes that race to log, so they
	// are not compared with each other; but the queue holds one value and
	// the reader takes none before its 500 ms sleep is over (a timer never
	// fires early), so a put that waits for room cannot finish B earlier.
	var reader []string
	var bIn time.Duration = -1
	for _, ev := range evs {
		switch {
		case ev.Kind == KLog && ev.Task == "reader":
			reader = append(reader, ev.Text)
		case ev.Kind == KLog && ev.Text == "B is in":
			bIn = ev.T
		}
	}
	if want := []string{"got A", "got B", "got C"}; !slices.Equal(reader, want) {
		t.Errorf("the reader's lines %v, want %v", reader, want)
	}
	if bIn < 500*time.Millisecond {
		t.Errorf("B was in at %v, before the reader took anything: the put did not wait for room", bIn)
	}
}

// Every step of the vocabulary can be run: an entry without an executor is
// a step the loader accepts and the engine cannot do.
func TestEveryStepHasAnExecutor(t *testing.T) {
	for _, name := range spec.StepNames() {
		if !HasExecutor(spec.Op(name)) {
			t.Errorf("step %q has no executor", name)
		}
	}
	for name := range ops {
		if !slices.Contains(spec.StepNames(), string(name)) {
			t.Errorf("the engine runs step %q, which the vocabulary does not have", name)
		}
	}
}

// A task that emits faster than the run is read waits for it: no batch
// holds more than a task's buffer, and no event is lost.
func TestFastTaskWaitsForTheReader(t *testing.T) {
	old := maxTaskBuf
	maxTaskBuf = 256
	defer func() { maxTaskBuf = old }()
	e := New(load(t, "tasks: [{name: a, steps: [{repeat: {times: 20000, steps: [{log: line}]}}]}]"), Options{Tick: 10 * time.Millisecond})
	done := make(chan error)
	go func() { done <- e.Run(context.Background()) }()
	lines, most := 0, 0
	for b := range e.Events() {
		most = max(most, len(b))
		for _, ev := range b {
			if ev.Kind == KLog {
				lines++
			}
		}
		time.Sleep(20 * time.Millisecond) // a slow reader
	}
	<-done
	if lines != 20000 {
		t.Errorf("%d lines arrived, want 20000", lines)
	}
	// A batch holds what the task's buffer held, and what was stamped after
	// the last batch's cut (held over): at most two buffers and a few more.
	if most > 2*maxTaskBuf+64 {
		t.Errorf("a batch held %d events: the task did not wait for the reader (buffer %d)", most, maxTaskBuf)
	}
}

// A put's value names counters as a log line does: "item {made}" is the
// counter's value, not the braces.
func TestPutExpandsCounters(t *testing.T) {
	evs := run(t, `objects:
  made: {kind: counter}
  q: {kind: queue}
tasks:
  - name: main
    steps:
      - add: {counter: made, n: 3}
      - put: {queue: q, value: "item {made} from {task}"}
      - get: q
`, Options{})
	if _, ev := find(evs, func(e Event) bool { return e.Kind == KGet }); ev.Item != "item 3 from main" {
		t.Errorf("got %q", ev.Item)
	}
}

// A wait with a timeout gives up and goes on, saying so, as Python's
// acquire(timeout=...) returns False; a task that gives up is not stuck.
func TestTimeoutsGiveUp(t *testing.T) {
	evs := run(t, `objects:
  m: {kind: lock}
  q: {kind: queue}
  ev: {kind: event}
tasks:
  - name: main
    steps:
      - lock: m
      - spawn: w
      - join: {tasks: w, timeout: 150ms}
      - log: main went on
      - join: w
      - unlock: m
  - name: w
    steps:
      - lock: {lock: m, timeout: 100ms}
      - log: w went on without m
      - get: {queue: q, timeout: 50ms}
      - wait: {on: ev, timeout: 50ms}
      - log: w is done
`, Options{})
	var lines []string
	for _, ev := range evs {
		if ev.Kind == KLog {
			lines = append(lines, ev.Task+": "+ev.Text)
		}
		if ev.Kind == KStuck || ev.Kind == KError {
			t.Errorf("%s: %+v", ev.Kind, ev)
		}
	}
	want := []string{"w: gave up waiting for m after 100ms (lock timeout)", "w: w went on without m",
		"w: gave up waiting for q after 50ms (get timeout)", "w: gave up waiting for ev after 50ms (wait timeout)", "w: w is done"}
	got := strings.Join(lines, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("no %q in:\n%s", w, got)
		}
	}
	if !strings.Contains(got, "main: gave up waiting for w after 150ms (join timeout)") || !strings.Contains(got, "main: main went on") {
		t.Errorf("the join did not give up:\n%s", got)
	}
}

// A semaphore of 2 lets two tasks in at once, and the third waits for a
// permit; the snapshot says who holds them.
func TestSemaphore(t *testing.T) {
	evs := run(t, `objects:
  s: {kind: semaphore, value: 2}
tasks:
  - name: main
    steps:
      - spawn: w
  - name: w
    count: 3
    steps:
      - lock: s
      - sleep: 100ms
      - unlock: s
`, Options{})
	most, waited := 0, false
	for _, ev := range evs {
		if ev.Kind == KLock && ev.Object == "s" {
			most = max(most, ev.Count)
			waited = waited || len(ev.Waiters) > 0
		}
		if ev.Kind == KError || ev.Kind == KStuck {
			t.Errorf("%+v", ev)
		}
	}
	if most != 2 || !waited {
		t.Errorf("at most %d permits held at once, someone waited: %v; want 2 and true", most, waited)
	}
}

// A local is each task's own: two tasks adding to it each see only their
// own additions, and each copy is reported under its task.
func TestLocalIsEachTasksOwn(t *testing.T) {
	evs := run(t, `objects:
  mine: {kind: local, value: 10}
tasks:
  - name: main
    steps:
      - spawn: w
      - join: w
  - name: w
    count: 2
    steps:
      - add: {counter: mine, n: 1}
      - sleep: 150ms
      - log: "{task} has {mine}"
`, Options{})
	var lines []string
	copies := map[string]int64{}
	for _, ev := range evs {
		if ev.Kind == KLog {
			lines = append(lines, ev.Text)
		}
		if ev.Kind == KCounter && ev.Object == "mine" {
			copies[ev.Task] = ev.Value
		}
	}
	slices.Sort(lines)
	if strings.Join(lines, "; ") != "w-1 has 11; w-2 has 11" {
		t.Errorf("lines %v", lines)
	}
	if copies["w-1"] != 11 || copies["w-2"] != 11 {
		t.Errorf("copies reported %v", copies)
	}
}

// An rwlock lets readers share it and a writer hold it alone.
func TestRWLock(t *testing.T) {
	evs := run(t, `objects:
  rw: {kind: rwlock}
tasks:
  - name: main
    steps:
      - spawn: [reader, writer]
  - name: reader
    count: 2
    steps:
      - lock: {lock: rw, read: true}
      - sleep: 150ms
      - unlock: rw
  - name: writer
    steps:
      - sleep: 50ms
      - lock: rw
      - log: writing alone
      - unlock: rw
`, Options{})
	readers, wrote, waited := 0, false, false
	for _, ev := range evs {
		switch {
		case ev.Kind == KLock && ev.Object == "rw" && strings.HasSuffix(ev.Holder, "(reading)"):
			readers = max(readers, ev.Count)
			if wrote {
				t.Error("a reader held the lock while the writer wrote")
			}
			waited = waited || slices.Contains(ev.Waiters, "writer")
		case ev.Kind == KLock && ev.Object == "rw" && ev.Holder == "writer (writing)":
			wrote = true
		case ev.Kind == KLock && ev.Object == "rw" && ev.Holder == "":
			wrote = false
		case ev.Kind == KError || ev.Kind == KStuck:
			t.Errorf("%+v", ev)
		}
	}
	if readers != 2 || !waited {
		t.Errorf("readers at once %d (want 2), the writer waited for them: %v", readers, waited)
	}
}
