package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"mtviz/internal/lesson"

	evt "mtviz/internal/event"
)

// The run of each sync object: conditions, events, queues, semaphores,
// timeouts, locals and reader-writer locks.

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
		if ev.Kind() == evt.KLog {
			lines = append(lines, ev.Log().Text)
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
		if ev.Kind() == evt.KLog {
			idx[ev.Log().Text] = i
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
		case ev.Kind() == evt.KLog && ev.Task == "reader":
			reader = append(reader, ev.Log().Text)
		case ev.Kind() == evt.KLog && ev.Log().Text == "B is in":
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
	for _, name := range lesson.StepNames() {
		if !HasExecutor(lesson.Op(name)) {
			t.Errorf("step %q has no executor", name)
		}
	}
	for name := range ops {
		if !slices.Contains(lesson.StepNames(), string(name)) {
			t.Errorf("the engine runs step %q, which the vocabulary does not have", name)
		}
	}
}

// Every kind of shared object of the vocabulary can be run: Supported
// takes a lesson that declares it, and a round makes it (servers and
// brokers, which start processes of their own, run in their lessons' tests).
func TestEveryObjectKindRuns(t *testing.T) {
	for _, kind := range lesson.ObjectKinds() {
		if !objectKinds[kind] {
			t.Errorf("%s objects: the vocabulary has them, the engine does not run them", kind)
			continue
		}
		sc := &lesson.Scenario{ID: "t", Rounds: 1, Objects: []lesson.Object{{Name: "o", Kind: kind, Value: 1, Size: 1}}}
		if err := Supported(sc); err != nil {
			t.Errorf("%s objects: %v", kind, err)
		}
	}
	for kind := range objectKinds {
		if !slices.Contains(lesson.ObjectKinds(), kind) {
			t.Errorf("the engine runs %s objects, which the vocabulary does not have", kind)
		}
	}
	src := "objects: {c: {kind: counter}, m: {kind: lock}, r: {kind: rlock}, f: {kind: flock}, g: {kind: gil}, q: {kind: queue}, " +
		"l: {kind: local}, s: {kind: semaphore, value: 2}, w: {kind: rwlock}, e: {kind: event}, cv: {kind: condition}}\n" +
		"tasks: [{name: a, steps: [{lock: s}, {unlock: s}, {lock: w}, {unlock: w}, {add: {counter: l, n: 1}}, {add: {counter: c, n: 1}}]}]"
	if err := Supported(load(t, src)); err != nil {
		t.Fatalf("a lesson with every kind of object that a round makes alone: %v", err)
	}
	if i, ev := find(run(t, src, Options{}), func(ev evt.Event) bool { return ev.Kind() == evt.KError }); i >= 0 {
		t.Errorf("a round with every kind of object: %s", ev.Failure().Error)
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
			if ev.Kind() == evt.KLog {
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
	if _, ev := find(evs, func(e evt.Event) bool { return e.Kind() == evt.KGet }); ev.Kind() != evt.KGet || ev.QueueGet().Item != "item 3 from main" {
		t.Errorf("got %+v", ev)
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
		if ev.Kind() == evt.KLog {
			lines = append(lines, ev.Task+": "+ev.Log().Text)
		}
		if ev.Kind() == evt.KStuck || ev.Kind() == evt.KError {
			t.Errorf("%s: %+v", ev.Kind(), ev)
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
		if ev.Kind() == evt.KLock && ev.LockChange().Object == "s" {
			most = max(most, ev.LockChange().Count)
			waited = waited || len(ev.LockChange().Waiters) > 0
		}
		if ev.Kind() == evt.KError || ev.Kind() == evt.KStuck {
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
		if ev.Kind() == evt.KLog {
			lines = append(lines, ev.Log().Text)
		}
		if ev.Kind() == evt.KCounter && ev.CounterChange().Object == "mine" {
			copies[ev.Task] = ev.CounterChange().Value
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
		case ev.Kind() == evt.KLock && ev.LockChange().Object == "rw" && strings.HasSuffix(ev.LockChange().Holder, "(reading)"):
			readers = max(readers, ev.LockChange().Count)
			if wrote {
				t.Error("a reader held the lock while the writer wrote")
			}
			waited = waited || slices.Contains(ev.LockChange().Waiters, "writer")
		case ev.Kind() == evt.KLock && ev.LockChange().Object == "rw" && ev.LockChange().Holder == "writer (writing)":
			wrote = true
		case ev.Kind() == evt.KLock && ev.LockChange().Object == "rw" && ev.LockChange().Holder == "":
			wrote = false
		case ev.Kind() == evt.KError || ev.Kind() == evt.KStuck:
			t.Errorf("%+v", ev)
		}
	}
	if readers != 2 || !waited {
		t.Errorf("readers at once %d (want 2), the writer waited for them: %v", readers, waited)
	}
}
