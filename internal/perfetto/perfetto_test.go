package perfetto

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"go.uber.org/goleak"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/probe"
	"mtviz/internal/testutil"
)

var ms = testutil.Ms

// traceOf writes a small run: a process with two threads that change state
// and core, a child that is re-parented, becomes a zombie and is reaped.
func traceOf(t *testing.T) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	pw := New(&buf, 100)
	th := func(tid int, st probe.State, core int) probe.Thread {
		return probe.Thread{TID: tid, State: st, Core: core, CPU: 50}
	}
	for i := 0; i <= 10; i++ {
		tm := ms(100 * i)
		main := probe.Proc{PID: 100, PPID: 1, Name: "mtviz", State: "S", Threads: []probe.Thread{th(100, "S", 0), th(101, "R", i%2)}}
		procs := []probe.Proc{main}
		switch {
		case i < 4:
			procs = append(procs, probe.Proc{PID: 200, PPID: 150, Name: "child", State: "R", Threads: []probe.Thread{th(200, "R", 1)}})
		case i < 7:
			procs = append(procs, probe.Proc{PID: 200, PPID: 100, Name: "child", State: "Z", Threads: []probe.Thread{th(200, "Z", 1)}})
		}
		pw.Item(fold.Item{Sample: &probe.Sample{T: tm, Cores: []float64{50, float64(10 * i)}, Procs: procs}})
		switch i {
		case 0:
			pw.Item(fold.Item{Events: []event.Event{{T: tm, Task: "child", PID: 200, Data: event.Process{PPID: 150}},
				{T: tm, Task: "racy", Data: event.StateChange{State: event.Running}},
				{T: tm, Task: "other", Data: event.StateChange{State: event.Blocked, Reason: event.ReasonGIL, Object: "gil", Holder: "racy"}}}})
		case 2:
			pw.Item(fold.Item{Events: []event.Event{{T: tm + 333*time.Nanosecond, Task: "racy", Data: event.RuntimeState{State: event.Runnable}},
				{T: tm + 333*time.Nanosecond, Task: "other", Data: event.StateChange{State: event.Running}}}})
		case 5:
			pw.Item(fold.Item{Events: []event.Event{{T: tm, Task: "racy", Data: event.StateChange{State: event.Done}}}})
		case 7:
			pw.Item(fold.Item{Events: []event.Event{{T: tm, PID: 200, Data: event.Exit{Code: 3, ReaperPID: 100}},
				{T: tm, Task: "main", Data: event.Log{Text: "reaped \x1b]2;x\x07"}}}})
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	return parse(t, &buf)
}

// parse reads a trace's events.
func parse(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var doc struct {
		DisplayTimeUnit string           `json:"displayTimeUnit"`
		TraceEvents     []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	return doc.TraceEvents
}

// The format, as trace viewers read it: every event has ph, ts, pid and tid;
// times are whole microseconds from the start; slices on one track never
// overlap, so a viewer draws each track as one flat row; no event is on
// pid 0.
func TestTraceFormat(t *testing.T) {
	evs := traceOf(t)
	for _, e := range evs {
		for _, k := range []string{"ph", "ts", "pid", "tid", "name"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("an event without %q: %v", k, e)
			}
		}
		ts := e["ts"].(float64)
		if ts < 0 || ts > 1_000_000 || ts != float64(int64(ts)) {
			t.Errorf("ts %v is not whole microseconds within the second the run lasted", ts)
		}
		if d, ok := e["dur"].(float64); ok && d != float64(int64(d)) {
			t.Errorf("dur %v is not whole microseconds", d)
		}
		if e["pid"].(float64) == 0 {
			t.Errorf("an event on pid 0: %v", e)
		}
	}
	noOverlap(t, evs)
}

// noOverlap: the slices of each track follow one another.
func noOverlap(t *testing.T, evs []map[string]any) {
	t.Helper()
	type track struct{ pid, tid float64 }
	slices := map[track][][2]float64{}
	for _, e := range evs {
		if e["ph"] == "X" {
			k := track{e["pid"].(float64), e["tid"].(float64)}
			ts := e["ts"].(float64)
			slices[k] = append(slices[k], [2]float64{ts, ts + e["dur"].(float64)})
		}
	}
	for k, ss := range slices {
		sort.Slice(ss, func(i, j int) bool { return ss[i][0] < ss[j][0] })
		for i := 1; i < len(ss); i++ {
			if ss[i][0] < ss[i-1][1] {
				t.Errorf("track %v: slices %v and %v overlap", k, ss[i-1], ss[i])
			}
		}
	}
}

// A task's events come from the engine and from the runtime's trace, a
// little out of time order: its slices still follow one another.
func TestTraceEventsOutOfOrder(t *testing.T) {
	var buf bytes.Buffer
	pw := New(&buf, 100)
	pw.Item(fold.Item{Events: []event.Event{{T: ms(10), Task: "racy", Data: event.StateChange{State: event.Runnable}},
		{T: ms(30), Task: "racy", Data: event.StateChange{State: event.Running}}}})
	pw.Item(fold.Item{Events: []event.Event{{T: ms(20), Task: "racy", Data: event.RuntimeState{State: event.Running, P: 1}},
		{T: ms(25), Task: "racy", Data: event.RuntimeState{State: event.Runnable}}}})
	pw.Item(fold.Item{Events: []event.Event{{T: ms(40), Task: "racy", Data: event.StateChange{State: event.Done}}}})
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	evs := parse(t, &buf)
	noOverlap(t, evs)
	n := 0
	for _, e := range evs {
		if e["ph"] == "X" {
			n++
		}
	}
	if n < 2 {
		t.Errorf("%d slices for the task, want its runnable and what came after", n)
	}
}

func TestTraceSays(t *testing.T) {
	evs := traceOf(t)
	find := func(ph, name string) map[string]any {
		for _, e := range evs {
			if e["ph"] == ph && e["name"] == name {
				return e
			}
		}
		t.Errorf("no %s event %q", ph, name)
		return nil
	}
	// Thread 101 alternates cores: a slice per core, 100 ms each.
	if e := find("X", "running on cpu1"); e != nil && (e["tid"].(float64) != 101 || e["dur"].(float64) != 100_000) {
		t.Errorf("cpu1 slice: %v", e)
	}
	// The lesson's tasks have tracks of their own, with why they waited.
	if e := find("X", "blocked on gil gil, held by racy"); e != nil && (e["pid"].(float64) != 100 || e["dur"].(float64) != 200_000) {
		t.Errorf("the GIL wait: %v", e)
	}
	if e := find("X", "runnable: waiting for a P"); e != nil && (e["ts"].(float64) != 200_000 || e["dur"].(float64) != 300_000) {
		t.Errorf("the runnable stretch the runtime reported: %v", e)
	}
	names := map[string]bool{}
	for _, e := range evs {
		if e["ph"] == "M" {
			names[e["args"].(map[string]any)["name"].(string)] = true
		}
	}
	for _, n := range []string{"task racy", "task other", "child (child 200)", "mtviz 100"} {
		if !names[n] {
			t.Errorf("no track named %q: %v", n, names)
		}
	}
	if e := find("X", "zombie"); e != nil && (e["ts"].(float64) != 400_000 || e["dur"].(float64) != 300_000) {
		t.Errorf("the zombie slice should run from 0.4 s to 0.7 s: %v", e)
	}
	find("i", "re-parented: 150 → 100")
	find("i", "exit: exit 3")
	find("M", "thread_name")
	if e := find("C", "cpu1 % busy"); e != nil && e["pid"].(float64) != 100 {
		t.Errorf("core counters are counter tracks of mtviz's process, not of pid 0: %v", e)
	}
	for _, e := range evs {
		if name, _ := e["name"].(string); bytes.ContainsAny([]byte(name), "\x1b\x07") {
			t.Errorf("a raw escape in a name: %q", name)
		}
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
