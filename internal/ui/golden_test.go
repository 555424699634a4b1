package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/session"
	"mtviz/internal/words"
)

// Golden lesson screens: every built-in lesson, drawn from a synthetic
// history fed through the fold the screen uses, at 80×24 and 120×36, in
// English and Chinese, compared with testdata/golden/ (go test
// ./internal/ui -run TestLessonScreensGolden -update rewrites them). Each
// also asserts that what the lesson's checks are about can be read: its
// counters, locks and queues, the whole deadlock cycle, the lanes at work.

// role is what a task does in a synthetic history.
type role int

const (
	roleWork       role = iota // runs, waits for a core, blocks on a lock, sleeps, in turn
	roleJoin                   // waits for the task after it
	roleDone                   // ran, then ended at 1 s
	roleNotStarted             // never created
	roleGIL                    // runs and waits for the gil in turn with the others
	rolePoll                   // waits in the network poller
	roleIO                     // waits in a blocking read
	roleKey                    // waits for a key
	roleBlocked                // blocked for good on the lock blockedOn names
)

// goldenRoles gives the lessons whose point is a moment of their run the
// roles of that moment, by task; any other task works or joins.
var goldenRoles = map[string]map[string]role{
	// The gil phase: the free phase has ended, the processes are to come.
	"gil": {"main": roleJoin, "free-phase": roleDone, "free": roleDone, "gil-phase": roleJoin, "locked": roleGIL,
		"procs-phase": roleNotStarted, "procs": roleNotStarted},
	"deadlock":      {"main": roleJoin, "a": roleBlocked, "b": roleBlocked},
	"deadlock-play": {"a": roleBlocked, "b": roleBlocked},
	"rlock":         {"main": roleJoin, "reentrant": roleDone, "plain-lock": roleBlocked},
	"async":         {"main": roleJoin, "eventloop": roleJoin, "threads": roleJoin, "poller": rolePoll, "reader": roleIO},
	"distributed": {"main": roleKey, "master": rolePoll, "worker": rolePoll, "master-again": roleNotStarted,
		"extra": roleNotStarted, "intruder": roleNotStarted},
	"race-steps": {"t1": roleKey, "t2": roleKey},
}

// blockedOn is, for a task that blocks for good, the lock it waits for and
// who holds it: the cycles of the deadlock lessons.
var blockedOn = map[string][2]string{"a": {"m2", "b"}, "b": {"m1", "a"}, "plain-lock": {"plain", "plain-lock"}}

// hasJoin says whether steps join another task, at any depth.
func hasJoin(steps []lesson.Step) bool {
	return lesson.Has(steps, lesson.OpJoin)
}

// goldenLesson is the lesson screen of a built-in lesson fed with a fixed
// synthetic history and frozen at 3 s.
func goldenLesson(t testing.TB, id string, w, h int) *lessonModel {
	sc := builtin(t, id)
	m := newLesson(tc(w, h), sc, session.Options{})
	m.reset(fold.New(fold.Config{Scenario: sc, Cores: 2, Root: 4242}))
	holdAt(m, 3*time.Second)
	ev := func(e event.Event) { m.tl.Event(&e) }
	ev(event.Event{T: 0, Round: 1, Data: event.RoundStart{}})
	ms := time.Millisecond
	procs := []probe.Proc{{PID: 4242, PPID: 1, Name: "mtviz", State: "R", CPU: 100, NThreads: 9}}
	var workers, logs []string
	for _, def := range sc.Tasks {
		r, ok := goldenRoles[id][def.Name]
		if !ok {
			r = roleWork
			if hasJoin(def.Steps) {
				r = roleJoin
			}
		}
		if r == roleNotStarted {
			continue
		}
		n := def.Count
		if n == lesson.CountCores {
			n = 2
		}
		names := []string{def.Name}
		if n > 1 || def.Count == lesson.CountCores {
			names = names[:0]
			for k := 1; k <= n; k++ {
				names = append(names, fmt.Sprintf("%s-%d", def.Name, k))
			}
		}
		for _, st := range def.Steps {
			if l, ok := st.Do.(*lesson.LogStep); ok && len(logs) < 6 {
				logs = append(logs, names[0]+"\x00"+l.Text)
			}
		}
		for i, name := range names {
			ev(event.Event{T: 0, Task: name, Data: event.TaskStart{State: event.Created}})
			if def.Kind == lesson.Process {
				pid := 5000 + len(procs)
				ev(event.Event{T: ms, Task: name, PID: pid, Data: event.Process{PPID: 4242}})
				procs = append(procs, probe.Proc{PID: pid, PPID: 4242, Name: "mtviz", State: "S", CPU: 10, NThreads: 5})
			}
			if r == roleWork {
				workers = append(workers, name)
			}
			goldenStates(ev, r, name, i, def.Kind == lesson.Process)
		}
	}
	for i, l := range logs {
		who, text, _ := strings.Cut(l, "\x00")
		ev(event.Event{T: time.Duration(100*(i+1)) * ms, Task: who, Data: event.Log{Text: text}})
	}
	goldenObjects(m.tl, ev, sc, workers)
	m.tl.Apply(fold.Item{Sample: &probe.Sample{T: 2900 * ms, Cores: []float64{97, 41}, Procs: procs}})
	m.render()
	return m
}

// goldenStates sends one task's states for its role over 3 s.
func goldenStates(ev func(event.Event), r role, name string, i int, process bool) {
	ms := time.Millisecond
	st := func(t time.Duration, s event.State, reason event.Reason, obj, holder string) {
		ev(event.Event{T: t, Task: name, Data: event.StateChange{State: s, Reason: reason, Object: obj, Holder: holder}})
	}
	switch r {
	case roleJoin:
		st(ms, event.Blocked, event.ReasonJoin, "its children", "")
	case roleDone:
		st(ms, event.Running, "", "", "")
		st(time.Second, event.Done, "", "", "")
	case roleGIL:
		for k := 0; k < 60; k++ {
			if (k+i)%2 == 0 {
				st(time.Duration(1000+k*30)*ms, event.Running, "", "", "")
			} else {
				st(time.Duration(1000+k*30)*ms, event.Blocked, event.ReasonGIL, "gil", "")
			}
		}
	case rolePoll:
		st(ms, event.Blocked, event.ReasonPoll, "server", "")
	case roleIO:
		st(ms, event.Blocked, event.ReasonIO, "server", "")
	case roleKey:
		st(ms, event.Blocked, event.ReasonKey, "n", "")
	case roleBlocked:
		b := blockedOn[name]
		st(ms, event.Running, "", "", "")
		st(500*ms, event.Blocked, event.ReasonLock, b[0], b[1])
	default:
		states := []event.State{event.Running, event.Runnable, event.Sleeping, event.Running}
		if process {
			states = []event.State{event.Running}
		}
		for k := 0; k < 30; k++ {
			st(time.Duration(k*100)*ms, states[(k+i)%len(states)], "", "", "")
		}
	}
}

// goldenObjects gives the lesson's objects values: each counter its own,
// each lock a holder and a waiter, each queue two items; the deadlock
// lessons their cycle, race-steps its private copies.
func goldenObjects(tl *fold.Timeline, ev func(event.Event), sc *lesson.Scenario, workers []string) {
	ms := time.Millisecond
	holder, waiter := "", ""
	if len(workers) > 0 {
		holder = workers[0]
	}
	if len(workers) > 1 {
		waiter = workers[1]
	}
	for k, o := range sc.Objects {
		t := time.Duration(2000+k) * ms
		switch o.Kind {
		case lesson.Counter:
			ev(event.Event{T: t - time.Second, Data: event.CounterChange{Object: o.Name, Value: int64(100 * k)}})
			ev(event.Event{T: t, Data: event.CounterChange{Object: o.Name, Value: int64(100*k + 37)}})
		case lesson.Lock, lesson.RLock, lesson.GIL, lesson.Semaphore, lesson.RWLock:
			h, ws := holder, []string{waiter}
			if o.Kind == lesson.GIL {
				h, ws = "locked-1", []string{"locked-2"}
			}
			for task, b := range blockedOn {
				if b[0] == o.Name && tl.Lane(task) != nil {
					h, ws = b[1], []string{task}
				}
			}
			if waiter == "" && ws[0] == "" {
				ws = nil
			}
			ev(event.Event{T: t, Data: event.LockChange{Object: o.Name, Holder: h, Count: 1, Waiters: ws}})
		case lesson.Queue:
			ev(event.Event{T: t, Data: event.QueueChange{Object: o.Name, Len: 2, Items: []string{"1", "2"}}})
		}
	}
	var edges []event.WaitEdge
	for _, l := range tl.Lanes {
		if b, ok := blockedOn[l.Name]; ok && l.Current().State == event.Blocked {
			edges = append(edges, event.WaitEdge{Task: l.Name, Reason: event.ReasonLock, Object: b[0], Holder: b[1]})
		}
	}
	if len(edges) > 0 {
		ev(event.Event{T: 510 * ms, Data: event.Deadlock{Edges: edges}})
	}
	if sc.ID == "race-steps" {
		ev(event.Event{T: 2500 * ms, Task: "t1", Data: event.CopyStep{Copy: event.CopyRead, Object: "balance", Value: 5}})
		ev(event.Event{T: 2600 * ms, Task: "t2", Data: event.CopyStep{Copy: event.CopyRead, Object: "balance", Value: 0}})
	}
}

// screens draws the lesson screen as it first shows, then with tab on
// every bottom panel that shows something not shown above it.
func screens(m *lessonModel) []string {
	out := []string{ansi.Strip(m.View())}
	for _, f := range m.cycle() {
		if f == focusCounters || f == focusCores {
			m.focus = f
			m.render()
			out = append(out, ansi.Strip(m.View()))
		}
	}
	m.focus = focusLanes
	m.render()
	return out
}

// mustShow is what a lesson's screens must show, whatever its layout: every
// counter, lock and queue by name; the deadlock lessons every edge of the
// cycle; gil both tasks that take the gil in turn; async both kinds of
// waiter; race-steps both private copies.
func mustShow(t *testing.T, m *lessonModel) []string {
	var want []string
	for _, o := range m.sc.Objects {
		switch o.Kind {
		case lesson.Counter, lesson.Lock, lesson.RLock, lesson.GIL, lesson.Semaphore, lesson.RWLock, lesson.Queue:
			want = append(want, o.Name)
		}
	}
	for _, d := range m.tl.Deadlocks {
		for _, e := range d.Edges {
			want = append(want, e.Task+words.F(" ─ waits for %s,", e.Object), words.T("held by ─▶ ")+e.Holder)
		}
	}
	switch m.sc.ID {
	case "gil":
		want = append(want, "locked-1", "locked-2", words.T("held by ")+"locked-1")
	case "async":
		want = append(want, "poller ×250", "reader ×250", "250 "+words.T("blocked on ")+"poll", "250 "+words.T("blocked on ")+"I/O")
	case "race-steps":
		want = append(want, "t1: balance=5", "t2: balance=0")
	case "distributed":
		want = append(want, "done", "waiting", "in_flight", "redelivered", "results")
	}
	if m.sc.ID == "deadlock" && len(want) < 6 {
		t.Fatalf("the deadlock lesson's synthetic history has no cycle: %v", want)
	}
	return want
}

func TestLessonScreensGolden(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lesson.SetLang(lesson.Lang())
	all, err := lesson.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		lesson.SetLang(lang)
		for _, sc := range all {
			for _, sz := range [][2]int{{80, 24}, {120, 36}} {
				name := fmt.Sprintf("%s-%dx%d-%s", sc.ID, sz[0], sz[1], lang)
				t.Run(name, func(t *testing.T) {
					m := goldenLesson(t, sc.ID, sz[0], sz[1])
					views := screens(m)
					all := strings.Join(views, "\n")
					for _, v := range views {
						if n := strings.Count(v, "\n") + 1; n != sz[1] {
							t.Errorf("a screen of %d lines, not %d:\n%s", n, sz[1], v)
						}
					}
					for _, w := range mustShow(t, m) {
						if !strings.Contains(all, w) {
							t.Errorf("no screen shows %q (the lesson's point):\n%s", w, all)
						}
					}
					got := strings.Join(views, "\n── tab ──\n") + "\n"
					file := filepath.Join("testdata", "golden", name+".txt")
					if *update {
						if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					want, err := os.ReadFile(file)
					if err != nil {
						t.Fatalf("%v (go test ./internal/ui -run TestLessonScreensGolden -update writes it)", err)
					}
					if got != string(want) {
						t.Errorf("screen changed; run go test ./internal/ui -run TestLessonScreensGolden -update and review the diff\ngot:\n%s", got)
					}
				})
			}
		}
	}
}

// enter shows a lane per copy of a task counted many times, and enter again
// one summary lane; tab reaches the counters when they do not fit above.
func TestExpandCopiesAndTabToCounters(t *testing.T) {
	m := goldenLesson(t, "async", 80, 24)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "poller ×250") || strings.Contains(v, "poller-1 ") {
		t.Fatalf("async's 250 pollers are not one summary lane:\n%s", v)
	}
	m.key(tea.KeyMsg{Type: tea.KeyEnter})
	if v := ansi.Strip(m.View()); strings.Contains(v, "poller ×250") || !strings.Contains(v, "lanes 1-") {
		t.Fatalf("enter does not give each copy a lane:\n%s", v)
	}
	m.key(tea.KeyMsg{Type: tea.KeyEnter})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "poller ×250") {
		t.Fatalf("enter again does not gather the copies:\n%s", v)
	}
	m = goldenLesson(t, "deadlock", 60, 20) // too narrow for counters beside the cores
	if v := ansi.Strip(m.View()); strings.Contains(v, "a ─ waits for m2") {
		t.Fatalf("at 60 columns the objects were expected below, on tab:\n%s", v)
	}
	for range focusCount {
		m.key(tea.KeyMsg{Type: tea.KeyTab})
		if m.focus == focusCounters {
			break
		}
	}
	if v := ansi.Strip(m.View()); m.focus != focusCounters || !strings.Contains(v, "a ─ waits for m2, held by ─▶ b") || !strings.Contains(v, "b ─ waits for m1, held by ─▶ a") {
		t.Fatalf("tab does not bring the whole wait-for cycle into view:\n%s", v)
	}
}
