// Package perfetto writes what a run saw in the Chrome trace event format,
// which Perfetto's UI and chrome://tracing open: one track per process and
// per thread, named by PID/TID and comm, a slice per stretch of one OS state
// (and core), per-core utilisation as counters, and process exits, re-
// parentings and the lesson's log lines as instant events. Timestamps are
// microseconds from the run's start.
package perfetto

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/text"
	"mtviz/internal/timeline"
)

// Event is one trace event, as the format names its fields.
type Event struct {
	Name string         `json:"name"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"` // instant events: their scope
	Cat  string         `json:"cat,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// coresPid is the track group that holds the per-core counters: no real
// process has PID 0.
const coresPid = 0

// Writer streams a run into a trace file.
type Writer struct {
	w      *bufio.Writer
	root   int // mtviz's PID: where what happens in mtviz itself goes
	n      int
	open   map[[2]int]*slice // pid, tid: the state slice going on
	names  map[[2]int]string // pid, tid: the name given
	ppid   map[int]int
	last   time.Duration
	err    error
	closed bool
}

type slice struct {
	state string
	core  int
	from  time.Duration
}

// New starts a trace on w; root is the PID of mtviz (or the watched program).
func New(w io.Writer, root int) *Writer {
	pw := &Writer{root: root, w: bufio.NewWriterSize(text.NewJSONWriter(w), 64<<10), open: map[[2]int]*slice{}, names: map[[2]int]string{}, ppid: map[int]int{}}
	pw.raw(`{"displayTimeUnit":"ms","traceEvents":[`)
	pw.emit(Event{Name: "process_name", Ph: "M", Pid: coresPid, Args: map[string]any{"name": "CPU cores (% busy)"}})
	return pw
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

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
func (pw *Writer) Item(it timeline.Item) {
	if it.Sample != nil {
		pw.Sample(it.Sample)
	}
	for i := range it.Events {
		pw.event(&it.Events[i])
	}
}

// Sample adds one probe sample: counters for the cores, and each process's
// and thread's state, as a slice that lasts until the state changes.
func (pw *Writer) Sample(s *probe.Sample) {
	pw.last = max(pw.last, s.T)
	ts := us(s.T)
	for i, c := range s.Cores {
		pw.emit(Event{Name: fmt.Sprintf("cpu%d", i), Ph: "C", Ts: ts, Pid: coresPid, Args: map[string]any{"busy": c}})
	}
	seen := map[[2]int]bool{}
	for _, p := range s.Procs {
		pname := fmt.Sprintf("%s %d", text.Clean(p.Name), p.PID)
		if old, ok := pw.ppid[p.PID]; ok && old != p.PPID {
			pw.emit(Event{Name: fmt.Sprintf("re-parented: %d → %d", old, p.PPID), Ph: "i", S: "p", Ts: ts, Pid: p.PID, Tid: p.PID,
				Args: map[string]any{"from": old, "to": p.PPID}})
		}
		pw.ppid[p.PID] = p.PPID
		pw.name(p.PID, 0, "process_name", pname, ts)
		if len(p.Threads) == 0 {
			// Without threads read, the process's own state stands for its
			// main thread.
			pw.state(p.PID, p.PID, pname, p.State, p.Core, s.T)
			seen[[2]int{p.PID, p.PID}] = true
			continue
		}
		for _, th := range p.Threads {
			n := th.Name
			if n == "" || th.TID == p.PID {
				n = p.Name // the main thread is the process's name
			}
			tname := fmt.Sprintf("%s %d", text.Clean(n), th.TID)
			pw.state(p.PID, th.TID, tname, th.State, th.Core, s.T)
			seen[[2]int{p.PID, th.TID}] = true
		}
	}
	// A track not in this sample has ended: close its slice where it was
	// last seen to be alive, at this sample.
	for _, k := range pw.tracks() {
		if !seen[k] {
			pw.close(k, pw.open[k], s.T)
		}
	}
}

func (pw *Writer) name(pid, tid int, kind, name string, ts float64) {
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

// state continues or starts the track's slice. Running states carry the
// core: a thread that moves between cores starts a new slice.
func (pw *Writer) state(pid, tid int, name, state string, core int, t time.Duration) {
	k := [2]int{pid, tid}
	pw.name(pid, tid, "thread_name", name, us(t))
	if !runs(state) {
		core = -1
	}
	if sl := pw.open[k]; sl != nil {
		if sl.state == state && sl.core == core {
			return
		}
		pw.close(k, sl, t)
	}
	pw.open[k] = &slice{state: state, core: core, from: t}
}

func runs(state string) bool { return state == "R" }

func (pw *Writer) close(k [2]int, sl *slice, t time.Duration) {
	delete(pw.open, k)
	if t <= sl.from {
		return
	}
	pw.emit(Event{Name: stateName(sl.state, sl.core), Ph: "X", Cat: "state", Ts: us(sl.from), Dur: us(t - sl.from), Pid: k[0], Tid: k[1],
		Args: map[string]any{"state": sl.state}})
}

// stateName words a /proc state letter as ps's manual does.
func stateName(state string, core int) string {
	names := map[string]string{"R": "running or runnable", "S": "sleeping", "D": "waiting in the kernel (D)", "Z": "zombie",
		"T": "stopped", "t": "traced", "X": "dead", "I": "idle", "W": "paging", "P": "parked"}
	n, ok := names[state]
	if !ok {
		n = "state " + state
	}
	if core >= 0 {
		n += fmt.Sprintf(" on cpu%d", core)
	}
	return n
}

// event adds what the engine said that belongs on the timeline: exits and
// log lines.
func (pw *Writer) event(ev *sim.Event) {
	pw.last = max(pw.last, ev.T)
	switch ev.Kind {
	case sim.KExit:
		pw.emit(Event{Name: "exit: " + timeline.ExitText(ev.Code, ev.Signal), Ph: "i", S: "p", Ts: us(ev.T), Pid: ev.PID, Tid: ev.PID,
			Args: map[string]any{"code": ev.Code, "signal": ev.Signal, "reaper": ev.ReaperPID}})
	case sim.KLog:
		pid := ev.PID
		if pid == 0 {
			pid = pw.root
		}
		pw.emit(Event{Name: text.Clean(ev.Task + ": " + ev.Text), Ph: "i", S: "t", Ts: us(ev.T), Pid: pid, Tid: pid, Cat: "log"})
	}
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
		pw.close(k, pw.open[k], pw.last)
	}
	pw.raw("\n]}\n")
	if pw.err == nil {
		pw.err = pw.w.Flush()
	}
	return pw.err
}
