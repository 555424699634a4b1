// Package perfetto writes what a run saw in the Trace Event format, which
// Perfetto's UI (ui.perfetto.dev) and speedscope open: a track group per
// process, named by its task (parent, procs-1) or its comm, with a track
// per OS thread (a slice per stretch of one /proc state: running on a core,
// runnable, sleeping...) and a track per lesson task (running, runnable,
// blocked on what and held by whom, as the engine and the runtime said);
// the cores' use and the lesson's counters as counter tracks of mtviz's
// process; exits, re-parentings and the log as instant events. Times are
// whole microseconds from the run's start, and a track's slice never starts
// before the track's latest moment, so back-to-back slices meet exactly and
// never overlap: each track is one row (scripts/tracecheck checks it with
// speedscope's own importer).
package perfetto

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// Event is one trace event, as the format names its fields.
type Event struct {
	Name string         `json:"name"`
	Ph   string         `json:"ph"`
	Ts   int64          `json:"ts"`
	Dur  int64          `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"` // instant events: their scope
	Cat  string         `json:"cat,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// taskTid numbers the tracks of lesson tasks inside their process: above
// any thread id the kernel hands out (PID_MAX_LIMIT is 4194304).
const taskTid = 1 << 23

// Writer streams a run into a trace file.
type Writer struct {
	w      *bufio.Writer
	root   int // mtviz's PID: where what happens in mtviz itself goes
	n      int
	open   map[[2]int]*slice // pid, tid: the slice going on
	edge   map[[2]int]int64  // pid, tid: the latest moment its slices reached (µs)
	names  map[[2]int]string // pid, tid: the name given
	ppid   map[int]int
	task   map[int]string // PID → the task whose process it is
	tasks  map[string]int // task → its track's tid
	inPID  map[string]int // task → the process it runs in
	last   time.Duration
	err    error
	closed bool
}

type slice struct {
	name string
	from int64 // µs
}

// New starts a trace on w; root is the PID of mtviz (or the watched program).
func New(w io.Writer, root int) *Writer {
	pw := &Writer{root: root, w: bufio.NewWriterSize(text.NewJSONWriter(w), 64<<10), open: map[[2]int]*slice{}, edge: map[[2]int]int64{}, names: map[[2]int]string{},
		ppid: map[int]int{}, task: map[int]string{}, tasks: map[string]int{}, inPID: map[string]int{}}
	pw.raw(`{"displayTimeUnit":"ms","traceEvents":[`)
	return pw
}

// us is a time in whole microseconds: slices that meet share one number.
func us(d time.Duration) int64 { return d.Microseconds() }

func (pw *Writer) raw(s string) {
	if pw.err == nil {
		_, pw.err = pw.w.WriteString(s)
	}
}

func (pw *Writer) emit(e Event) {
	b, err := json.Marshal(e)
	if err != nil {
		pw.err = err
		return
	}
	if pw.n > 0 {
		pw.raw(",\n")
	}
	pw.n++
	pw.raw(string(b))
}

// Item adds what one item of a run carries.
func (pw *Writer) Item(it fold.Item) {
	if it.Sample != nil {
		pw.Sample(it.Sample)
	}
	for i := range it.Events {
		pw.event(&it.Events[i])
	}
}

// Sample adds one probe sample: the cores' counters, and each process's
// and thread's state, as a slice that lasts until the state changes.
func (pw *Writer) Sample(s *probe.Sample) {
	pw.last = max(pw.last, s.T)
	ts := us(s.T)
	for i, c := range s.Cores {
		pw.emit(Event{Name: fmt.Sprintf("cpu%d %% busy", i), Ph: "C", Ts: ts, Pid: pw.root, Args: map[string]any{"busy": c}})
	}
	seen := map[[2]int]bool{}
	for _, p := range s.Procs {
		if old, ok := pw.ppid[p.PID]; ok && old != p.PPID {
			pw.emit(Event{Name: fmt.Sprintf("re-parented: %d → %d", old, p.PPID), Ph: "i", S: "p", Ts: ts, Pid: p.PID, Tid: p.PID,
				Args: map[string]any{"from": old, "to": p.PPID}})
		}
		pw.ppid[p.PID] = p.PPID
		pw.name(p.PID, 0, "process_name", pw.processName(p.PID, p.Name), ts)
		if len(p.Threads) == 0 {
			// Without threads read, the process's own state stands for its
			// main thread.
			pw.state(p.PID, p.PID, p.Name, osState(p.State, p.CPU, p.Core), ts)
			seen[[2]int{p.PID, p.PID}] = true
			continue
		}
		for _, th := range p.Threads {
			n := th.Name
			if n == "" || th.TID == p.PID {
				n = p.Name // the main thread is the process's name
			}
			pw.state(p.PID, th.TID, n, osState(th.State, th.CPU, th.Core), ts)
			seen[[2]int{p.PID, th.TID}] = true
		}
	}
	// A thread not in this sample has ended: close its slice at this sample.
	for _, k := range pw.tracks() {
		if k[1] < taskTid && !seen[k] {
			pw.close(k, ts)
		}
	}
}

// processName names a process by its task when it has one: parent
// (mtviz 1234), procs-1 (mtviz 1240).
func (pw *Writer) processName(pid int, comm string) string {
	if pid == pw.root {
		return fmt.Sprintf("mtviz %d", pid)
	}
	if t := pw.task[pid]; t != "" {
		return fmt.Sprintf("%s (%s %d)", text.Clean(t), text.Clean(comm), pid)
	}
	return fmt.Sprintf("%s %d", text.Clean(comm), pid)
}

func (pw *Writer) name(pid, tid int, kind, name string, ts int64) {
	k := [2]int{pid, tid}
	if kind == "process_name" {
		k = [2]int{pid, -1}
	}
	if pw.names[k] == name {
		return
	}
	pw.names[k] = name
	pw.emit(Event{Name: kind, Ph: "M", Ts: ts, Pid: pid, Tid: tid, Args: map[string]any{"name": name}})
}

// osState words a /proc state as ps's manual does; in state R, a thread
// that got CPU time over the last interval ran (on its core), one that got
// none waited for a core.
func osState(state probe.State, cpu float64, core int) string {
	if state == probe.Running {
		if cpu > 0 {
			return fmt.Sprintf("running on cpu%d", core)
		}
		return "runnable: waiting for a core"
	}
	names := map[probe.State]string{"S": "sleeping", "D": "waiting in the kernel (D)", "Z": "zombie",
		"T": "stopped", "t": "traced", "X": "dead", "I": "idle", "W": "paging", "P": "parked"}
	if n, ok := names[state]; ok {
		return n
	}
	return "state " + string(state)
}

// state continues or starts the track's slice. A task's events come from
// two sources, the engine and the runtime's trace, a little out of time
// order: a slice never starts before the track's latest moment, so that
// the slices of one track never overlap (a viewer would draw them nested,
// one row more each).
func (pw *Writer) state(pid, tid int, thread, name string, ts int64) {
	k := [2]int{pid, tid}
	ts = max(ts, pw.edge[k])
	label := fmt.Sprintf("%s %d", text.Clean(thread), tid)
	if tid >= taskTid {
		label = "task " + text.Clean(thread)
	}
	pw.name(pid, tid, "thread_name", label, ts)
	if sl := pw.open[k]; sl != nil {
		if sl.name == name {
			return
		}
		pw.close(k, ts)
	}
	pw.open[k] = &slice{name: name, from: ts}
	pw.edge[k] = ts
}

func (pw *Writer) close(k [2]int, ts int64) {
	sl := pw.open[k]
	delete(pw.open, k)
	if sl == nil || ts <= sl.from {
		return
	}
	pw.emit(Event{Name: sl.name, Ph: "X", Cat: "state", Ts: sl.from, Dur: ts - sl.from, Pid: k[0], Tid: k[1]})
	pw.edge[k] = ts
}

// event adds what the engine and the runtime said that belongs on the
// timeline: each task's state, counters, exits and log lines.
func (pw *Writer) event(ev *event.Event) {
	pw.last = max(pw.last, ev.T)
	ts := us(ev.T)
	switch ev.Kind() {
	case event.KProcess:
		if ev.Process().Program == "" && ev.PID > 0 {
			pw.task[ev.PID] = ev.Task
			pw.inPID[ev.Task] = ev.PID
		}
	case event.KState:
		pw.taskState(ev, taskSlice(ev))
	case event.KRuntime:
		x := ev.RuntimeState()
		switch x.State {
		case event.Running:
			pw.taskState(ev, fmt.Sprintf("running on P%d", x.P))
		case event.Runnable:
			pw.taskState(ev, "runnable: waiting for a P")
		}
	case event.KCounter:
		x := ev.CounterChange()
		name := x.Object
		if ev.Task != "" {
			name = lesson.ProcessCopy(name, ev.Task)
		}
		pw.emit(Event{Name: text.Clean(name), Ph: "C", Ts: ts, Pid: pw.root, Args: map[string]any{"value": x.Value}})
	case event.KExit:
		x := ev.Exit()
		pw.emit(Event{Name: "exit: " + event.ExitText(x.Code, x.Signal), Ph: "i", S: "p", Ts: ts, Pid: ev.PID, Tid: ev.PID,
			Args: map[string]any{"code": x.Code, "signal": x.Signal, "reaper": x.ReaperPID}})
	case event.KLog:
		pid := ev.PID
		if pid == 0 {
			pid = pw.root
		}
		pw.emit(Event{Name: text.Clean(ev.Task + ": " + ev.Log().Text), Ph: "i", S: "t", Ts: ts, Pid: pid, Tid: pid, Cat: "log"})
	}
}

// taskSlice names what the engine says a task does.
func taskSlice(ev *event.Event) string {
	switch ev := ev.StateChange(); ev.State {
	case event.Running:
		return "busy (running or runnable)"
	case event.Runnable:
		return "runnable"
	case event.Sleeping:
		return "sleeping"
	case event.Created:
		return "new"
	case event.Done:
		return ""
	case event.Blocked:
		n := "blocked on " + string(ev.Reason)
		if ev.Object != "" {
			n += " " + ev.Object
		}
		if ev.Holder != "" {
			n += ", held by " + ev.Holder
		}
		return text.Clean(n)
	}
	return ""
}

// taskState continues or starts a lesson task's slice on its track, in
// the process it runs in; "" ends it.
func (pw *Writer) taskState(ev *event.Event, name string) {
	if ev.Task == "" {
		return
	}
	tid, ok := pw.tasks[ev.Task]
	if !ok {
		tid = taskTid + len(pw.tasks)
		pw.tasks[ev.Task] = tid
	}
	pid := pw.root
	if p := pw.inPID[ev.Task]; p != 0 {
		pid = p // a process task's track is in its own process
	} else if ev.PID != 0 {
		pid = ev.PID
	}
	ts := us(ev.T)
	if name == "" {
		pw.close([2]int{pid, tid}, ts)
		return
	}
	pw.state(pid, tid, ev.Task, name, ts)
}

// tracks lists the open slices' tracks in order, so that a run always
// writes the same file.
func (pw *Writer) tracks() [][2]int {
	ks := make([][2]int, 0, len(pw.open))
	for k := range pw.open {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return ks
}

// Close ends every slice at the last moment seen and finishes the file.
func (pw *Writer) Close() error {
	if pw.closed {
		return pw.err
	}
	pw.closed = true
	for _, k := range pw.tracks() {
		pw.close(k, us(pw.last))
	}
	pw.raw("\n]}\n")
	if pw.err == nil {
		pw.err = pw.w.Flush()
	}
	return pw.err
}
