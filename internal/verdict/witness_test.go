package verdict

import (
	"slices"
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// A witness is one made-up run of a check: what it must come to and what
// its detail must say.
type witness struct {
	cores int // 0: 2
	evs   []event.Event
	ss    []probe.Sample
	says  string
}

// witnesses are, for one check, a run where it passes, one where its claim
// is absent and it fails, and one where it cannot be decided.
type witnesses struct {
	check            lesson.CheckSpec
	pass, fail, open witness
}

// The scenario every witness runs in.
var witnessScenario = lesson.Scenario{ID: "w", Rounds: 1,
	Objects: []lesson.Object{{Name: "c", Kind: lesson.Counter}, {Name: "racy", Kind: lesson.Counter}, {Name: "m", Kind: lesson.RLock}, {Name: "nats", Kind: lesson.Broker}},
	Tasks:   []lesson.Task{{Name: "w", Kind: lesson.Process, Count: 2}, {Name: "p", Kind: lesson.Process}}}

// Made-up items.
func at(t int, ev event.Event) event.Event { ev.T = ms(t); return ev }
func ran(t int, task string) event.Event {
	return at(t, event.Event{Task: task, Data: event.StateChange{State: event.Running}})
}
func state(t int, task string, s event.State) event.Event {
	return at(t, event.Event{Task: task, Data: event.StateChange{State: s}})
}
func logged(t int, task, text string) event.Event {
	return at(t, event.Event{Task: task, Data: event.Log{Text: text}})
}
func proc(t int, task string, pid, ppid int) event.Event {
	return at(t, event.Event{Task: task, PID: pid, Data: event.Process{PPID: ppid}})
}
func exited(t int, task string, pid, code, sig int) event.Event {
	return at(t, event.Event{Task: task, PID: pid, Data: event.Exit{Code: code, Signal: sig, ReaperPID: 1000}})
}
func ended(t int, values map[string]int64) event.Event {
	return at(t, event.Event{Round: 1, Data: event.RoundEnd{Values: values}})
}
func phase(t int, name string) event.Event {
	return at(t, event.Event{Data: event.PhaseStart{Phase: name}})
}

// seen is a sample of mtviz (PID 1000) and these processes.
func seen(t int, procs ...probe.Proc) probe.Sample {
	return procSample(ms(t), procs...)
}

// samples are one sample each 100 ms from `from` to `to`.
func samples(from, to int, procs ...probe.Proc) []probe.Sample {
	var out []probe.Sample
	for t := from; t <= to; t += 100 {
		out = append(out, seen(t, procs...))
	}
	return out
}

// gone marks a PID reaped in a sample.
func gone(s probe.Sample, pids ...int) probe.Sample { s.Gone = pids; return s }

// cpuRun is a phase a from 0 to 1 s and b from 1 to 2 s, with mtviz's
// tree using the given cores in each and other programs the rest of what
// the machine's two cores show.
func cpuRun(treeA, othersA, treeB, othersB float64) ([]event.Event, []probe.Sample) {
	evs := []event.Event{phase(0, "a"), phase(1000, "b"), ended(2000, nil), at(2000, event.Event{Data: event.Finish{}})}
	var ss []probe.Sample
	for t := 100; t <= 2000; t += 100 {
		tree, others := treeA, othersA
		if t > 1000 {
			tree, others = treeB, othersB
		}
		per := (tree + others) / 2 * 100
		ss = append(ss, probe.Sample{T: ms(t), Cores: []float64{per, per},
			Procs: []probe.Proc{{PID: 1000, PPID: 1, State: "R", CPU: tree * 100}}})
	}
	return evs, ss
}

func cpuWitness(treeA, othersA, treeB, othersB float64, cores int, says string) witness {
	evs, ss := cpuRun(treeA, othersA, treeB, othersB)
	return witness{cores: cores, evs: evs, ss: ss, says: says}
}

func broker(b event.BrokerState) event.Event {
	b.Final = true
	return at(9000, event.Event{Data: event.BrokerRead{Object: "nats", Broker: &b}})
}

func work(t int, task string, w event.Work) event.Event {
	return at(t, event.Event{Task: task, Data: event.WorkStep{Object: "nats", Work: &w}})
}

func kill(t int, task string) event.Event {
	return at(t, event.Event{Data: event.SignalSent{Target: task, Signal: 9}})
}

var allDone = broker(event.BrokerState{Tasks: 10, Published: 10, Recorded: 10, Results: 10})

// Processes as the probe reads them.
func alive(pid, ppid int) probe.Proc {
	return probe.Proc{PID: pid, PPID: ppid, State: "S", NThreads: 1}
}
func zombie(pid, ppid int) probe.Proc {
	return probe.Proc{PID: pid, PPID: ppid, State: "Z"}
}

// lessonWitnesses has one entry per check of the vocabulary.
var lessonWitnesses = map[lesson.CheckKind]witnesses{
	"counter": {check: &lesson.CounterCheck{Counter: "c", Equals: 5},
		pass: witness{evs: []event.Event{ended(100, map[string]int64{"c": 5})}, says: "c ended at 5"},
		fail: witness{evs: []event.Event{ended(100, map[string]int64{"c": 4})}, says: "round 1 ended at 4"},
		open: witness{says: "no round finished"}},
	"drift": {check: &lesson.DriftCheck{Counter: "racy", NeedsCores: 2},
		pass: witness{evs: []event.Event{ended(100, map[string]int64{"racy": 3})}, says: "away from 0 in 1 of 1 rounds"},
		fail: witness{evs: []event.Event{ended(100, map[string]int64{"racy": 0})}, says: "gave no race"},
		open: witness{cores: 1, evs: []event.Event{ended(100, map[string]int64{"racy": 0})}, says: "with 1 core(s)"}},
	"threads": {check: &lesson.ThreadsCheck{Of: lesson.Of{Task: "p"}, Max: 8},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: samples(100, 300, probe.Proc{PID: 2001, PPID: 1000, State: "S", NThreads: 3}), says: "3 threads at most"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: samples(100, 300, probe.Proc{PID: 2001, PPID: 1000, State: "S", NThreads: 12}), says: "12 threads at most"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, says: "never saw p (PID 2001) alive"}},
	"cpu_time": {check: &lesson.CPUTimeCheck{Tasks: []string{"p"}, Max: 0.5},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: samples(100, 1000, probe.Proc{PID: 2001, PPID: 1000, State: "S", CPU: 10}), says: "0.09 CPU seconds"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: samples(100, 1000, probe.Proc{PID: 2001, PPID: 1000, State: "R", CPU: 100}), says: "0.90 CPU seconds"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, says: "never saw p (PID 2001) alive"}},
	"cpu": {check: &lesson.CPUCheck{Phase: "a", Max: 1.2},
		pass: cpuWitness(1.0, 0, 1.0, 0, 2, "used 1.00 cores"),
		fail: cpuWitness(1.9, 0, 1.0, 0, 2, "used 1.90 cores"),
		open: cpuWitness(1.0, 0, 1.0, 0, 1, "could not have used much more")},
	"cpu_min": {check: &lesson.CPUMinCheck{Phase: "a", Min: 1.4},
		pass: cpuWitness(1.9, 0, 1.0, 0, 2, "used 1.90 cores"),
		fail: cpuWitness(1.0, 0, 1.0, 0, 2, "at least 1.40 wanted"),
		open: cpuWitness(1.0, 1.0, 1.0, 0, 2, "left too few cores free")},
	"cpu_ratio": {check: &lesson.CPURatioCheck{Phase: "a", Over: "b", Min: 1.4},
		pass: cpuWitness(1.9, 0, 1.0, 0, 2, "ratio 1.90"),
		fail: cpuWitness(1.1, 0, 1.0, 0, 2, "ratio 1.10"),
		open: cpuWitness(1.9, 0, 0.6, 1.3, 2, "during b other programs used 1.30 cores")},
	"parent": {check: &lesson.ParentCheck{Of: lesson.Of{Task: "w"}, Parent: "p"},
		pass: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)}, ss: samples(100, 200, alive(2000, 1000), alive(2001, 2000)), says: "PID 2001 has PPID 2000"},
		fail: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)}, ss: samples(100, 200, alive(2000, 1000), alive(2001, 1000)), says: "read PPID 1000"},
		open: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)}, says: "never saw w's PID 2001"}},
	"overlap": {check: &lesson.OverlapCheck{Tasks: []string{"w-1", "w-2"}},
		pass: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)}, ss: samples(100, 200, alive(2001, 1000), alive(2002, 1000)), says: "alive at once"},
		fail: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)},
			ss: []probe.Sample{seen(100, alive(2001, 1000)), gone(seen(200, alive(2002, 1000)), 2001)}, says: "no probe sample saw"},
		open: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)}, ss: samples(100, 200, alive(2001, 1000)), says: "never saw PID 2002 alive"}},
	"lifetime": {check: &lesson.LifetimeCheck{Of: lesson.Of{Task: "p"}, AtLeast: time.Second},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: append(samples(100, 1500, alive(2001, 1000)), gone(seen(1600), 2001)), says: "lived about 1.5s"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: append(samples(100, 300, alive(2001, 1000)), gone(seen(400), 2001)), says: "lived about 0.3s"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: samples(100, 300, alive(2001, 1000)), says: "both alive and ended"}},
	"logs": {check: &lesson.LogsCheck{Of: lesson.Of{Task: "t"}, Match: "tick", Count: 2},
		pass: witness{evs: []event.Event{ran(0, "t"), logged(10, "t", "tick 1"), logged(20, "t", "tick 2")}, says: `logged "tick" 2 times`},
		fail: witness{evs: []event.Event{ran(0, "t"), logged(10, "t", "tick 1")}, says: "1 times, not 2"},
		open: witness{says: "t never ran"}},
	"never_logged": {check: &lesson.NeverLoggedCheck{Of: lesson.Of{Task: "t"}, Match: "late"},
		pass: witness{evs: []event.Event{ran(0, "t"), logged(10, "t", "early")}, says: "ran but never logged"},
		fail: witness{evs: []event.Event{ran(0, "t"), logged(10, "t", "too late")}, says: `logged "too late"`},
		open: witness{says: "never ran at all"}},
	"after_exit": {check: &lesson.AfterExitCheck{Of: lesson.Of{Task: "p"}, Match: "after"},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000), logged(800, "main", "after p")}, ss: append(samples(100, 500, alive(2001, 1000)), gone(seen(600), 2001)), says: "alive at 0.50s"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000), logged(300, "main", "after p")}, ss: append(samples(100, 500, alive(2001, 1000)), gone(seen(600), 2001)), says: "still saw p alive"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000), logged(800, "main", "after p")}, says: "never saw p alive"}},
	"gone_with": {check: &lesson.GoneWithCheck{Of: lesson.Of{Task: "w"}, Parent: "p"},
		pass: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)},
			ss: append(samples(100, 400, alive(2000, 1000), alive(2001, 2000)), gone(seen(500), 2000, 2001)), says: "ended by 0.50s"},
		fail: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)},
			ss: append(samples(100, 400, alive(2000, 1000), alive(2001, 2000)), gone(seen(500, alive(2001, 1000)), 2000), seen(600, alive(2001, 1000))), says: "after p ended"},
		open: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)}, ss: samples(100, 400, alive(2000, 1000), alive(2001, 2000)), says: "never saw p end"}},
	"zombie": {check: &lesson.ZombieCheck{Of: lesson.Of{Task: "p"}},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: []probe.Sample{seen(100, alive(2001, 1000)), seen(200, zombie(2001, 1000)), gone(seen(300), 2001)}, says: "read Z"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: []probe.Sample{seen(100, alive(2001, 1000)), gone(seen(300), 2001)}, says: "never read state Z"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, says: "never saw p"}},
	"adopted": {check: &lesson.AdoptedCheck{Of: lesson.Of{Task: "w"}, While: lesson.AdoptedAlive},
		pass: witness{evs: []event.Event{proc(0, "w", 2001, 2000)},
			ss: []probe.Sample{seen(100, alive(2000, 1000), alive(2001, 2000)), gone(seen(200, alive(2001, 1000)), 2000), gone(seen(300), 2001)}, says: "to mtviz (PID 1000) at 0.20s, alive"},
		fail: witness{evs: []event.Event{proc(0, "w", 2001, 2000)},
			ss: []probe.Sample{seen(100, alive(2000, 1000), alive(2001, 2000)), seen(200, alive(2000, 1000), zombie(2001, 2000)), gone(seen(300, zombie(2001, 1000)), 2000), gone(seen(400), 2001)}, says: "already exited"},
		open: witness{evs: []event.Event{proc(0, "w", 2001, 2000)}, says: "never saw PID 2001"}},
	"exit_status": {check: &lesson.ExitStatusCheck{Of: lesson.Of{Task: "p"}, Code: 3},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000), exited(300, "p", 2001, 3, 0)}, ss: []probe.Sample{seen(100, alive(2001, 1000)), gone(seen(400), 2001)}, says: "ended with exit 3"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000), exited(300, "p", 2001, 1, 0)}, ss: []probe.Sample{seen(100, alive(2001, 1000)), gone(seen(400), 2001)}, says: "ended with exit 1"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, ss: []probe.Sample{seen(100, alive(2001, 1000))}, says: "nobody reaped p"}},
	"survived": {check: &lesson.SurvivedCheck{Of: lesson.Of{Task: "w"}, After: "p"},
		pass: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)},
			ss: []probe.Sample{seen(100, alive(2000, 1000), alive(2001, 2000)), gone(seen(200, alive(2001, 1000)), 2000), seen(300, alive(2001, 1000))}, says: "alive until 0.30s"},
		fail: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)},
			ss: []probe.Sample{seen(100, alive(2000, 1000), alive(2001, 2000)), gone(seen(200, alive(2000, 1000)), 2001), gone(seen(300), 2000)}, says: "not after p ended"},
		open: witness{evs: []event.Event{proc(0, "p", 2000, 1000), proc(0, "w", 2001, 2000)},
			ss: []probe.Sample{seen(100, alive(2000, 1000), alive(2001, 2000))}, says: "never saw p (PID 2000) end"}},
	"terminated": {check: &lesson.TerminatedCheck{Of: lesson.Of{Task: "p"}},
		pass: witness{evs: []event.Event{proc(0, "p", 2001, 1000), kill(200, "p"), exited(300, "p", 2001, -1, 9)}, says: "killed by signal 9"},
		fail: witness{evs: []event.Event{proc(0, "p", 2001, 1000), exited(300, "p", 2001, 0, 0)}, says: "not by a signal"},
		open: witness{evs: []event.Event{proc(0, "p", 2001, 1000)}, says: "nobody reaped p"}},
	"program": {check: &lesson.ProgramCheck{Program: "sort", Exit: 0, Output: "a"},
		pass: witness{evs: []event.Event{at(100, event.Event{Task: "main", PID: 2001, Data: event.ProgramEnd{Program: "sort", Output: "a\nb\n"}})}, says: `printed "a\nb"`},
		fail: witness{evs: []event.Event{at(100, event.Event{Task: "main", PID: 2001, Data: event.ProgramEnd{Program: "sort", Code: 2}})}, says: "not exit 0"},
		open: witness{evs: []event.Event{at(100, event.Event{Task: "main", PID: 2001, Data: event.ProgramEnd{Program: "sort", Code: -1, Signal: 9}})}, says: "before it exited on its own"}},
	"received": {check: &lesson.ReceivedCheck{Of: lesson.Of{Task: "t"}, Values: []string{"A", "B"}},
		pass: witness{evs: []event.Event{ran(0, "t"), at(10, event.Event{Task: "t", Data: event.QueueGet{Item: "A"}}), at(20, event.Event{Task: "t", Data: event.QueueGet{Item: "B"}})}, says: "got A, B in order"},
		fail: witness{evs: []event.Event{ran(0, "t"), at(10, event.Event{Task: "t", Data: event.QueueGet{Item: "B"}}), at(20, event.Event{Task: "t", Data: event.QueueGet{Item: "A"}})}, says: "not [A B]"},
		open: witness{says: "t never ran"}},
	"processes": {check: &lesson.ProcessesCheck{Of: lesson.Of{Task: "w"}},
		pass: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)}, ss: samples(100, 200, alive(2001, 1000), alive(2002, 1000)), says: "at most 2 w processes alive at once"},
		fail: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000), proc(0, "w-1", 2003, 1000)},
			ss: samples(100, 200, alive(2001, 1000), alive(2002, 1000), alive(2003, 1000)), says: "3 w processes alive at once"},
		open: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000)}, says: "never saw a process of w alive"}},
	"transitions": {check: &lesson.TransitionsCheck{Of: lesson.Of{Task: "t"}, States: []string{"running", "blocked"}},
		pass: witness{evs: []event.Event{ran(0, "t"), state(10, "t", event.Blocked)}, says: "t went running → blocked"},
		fail: witness{evs: []event.Event{ran(0, "t"), state(10, "t", event.Done)}, says: `"blocked" never came`},
		open: witness{says: "never reported a state"}},
	"runtime": {check: &lesson.RuntimeCheck{Of: lesson.Of{Task: "t"}, States: []string{"running", "runnable"}},
		pass: witness{evs: []event.Event{at(10, event.Event{Task: "t", Data: event.RuntimeState{State: event.Running, P: 1}}), at(20, event.Event{Task: "t", Data: event.RuntimeState{State: event.Runnable}})}, says: "running 1 times (on P1)"},
		fail: witness{evs: []event.Event{at(10, event.Event{Task: "t", Data: event.RuntimeState{State: event.Running, P: 1}})}, says: "never runnable"},
		open: witness{says: "was tracing on"}},
	"lines": {check: &lesson.LinesCheck{Lines: []string{"one", "two"}},
		pass: witness{evs: []event.Event{logged(10, "t", "one"), logged(20, "t", "two")}, says: "2 lines in the expected order"},
		fail: witness{evs: []event.Event{logged(10, "t", "two"), logged(20, "t", "one")}, says: "not"},
		open: witness{says: "no task logged a line"}},
	"before": {check: &lesson.BeforeCheck{First: "ask", Then: "answer"},
		pass: witness{evs: []event.Event{logged(10, "a", "ask"), logged(20, "b", "answer")}, says: "came before"},
		fail: witness{evs: []event.Event{logged(10, "b", "answer"), logged(20, "a", "ask")}, says: "after"},
		open: witness{says: "neither"}},
	"deadlock": {check: &lesson.DeadlockCheck{Tasks: []string{"a", "b"}},
		pass: witness{evs: []event.Event{ran(0, "a"), ran(0, "b"), at(100, event.Event{
			Data: event.Deadlock{Cycle: []string{"b", "a"}, Edges: []event.WaitEdge{{Task: "a", Object: "m2", Holder: "b"}, {Task: "b", Object: "m1", Holder: "a"}}},
		})}, says: "a waits for m2, held by b"},
		fail: witness{evs: []event.Event{ran(0, "a"), ran(0, "b")}, says: "no cycle was found"},
		open: witness{evs: []event.Event{ran(0, "a")}, says: "b never ran"}},
	"holds": {check: &lesson.HoldsCheck{Lock: "m", Counts: []string{"1", "2", "1", "0"}},
		pass: witness{evs: []event.Event{at(1, event.Event{Data: event.LockChange{Object: "m", Count: 1}}), at(2, event.Event{Data: event.LockChange{Object: "m", Count: 2}}),
			at(3, event.Event{Data: event.LockChange{Object: "m", Count: 1}}), at(4, event.Event{Data: event.LockChange{Object: "m", Count: 0}})}, says: "went 1, 2, 1, 0"},
		fail: witness{evs: []event.Event{at(1, event.Event{Data: event.LockChange{Object: "m", Count: 1}}), at(4, event.Event{Data: event.LockChange{Object: "m", Count: 0}})}, says: "went 1, 0"},
		open: witness{says: "nobody ever took m"}},
	"stopped_blocked": {check: &lesson.StoppedBlockedCheck{Of: lesson.Of{Task: "t"}},
		pass: witness{evs: []event.Event{ran(0, "t"), at(10, event.Event{Task: "t", Data: event.StateChange{State: event.Done, End: event.EndStopped, By: "main", Reason: event.ReasonLock, Object: "m"}})}, says: "while blocked on lock m"},
		fail: witness{evs: []event.Event{ran(0, "t"), state(10, "t", event.Done)}, says: "not stopped while blocked"},
		open: witness{says: "t never ran"}},
	"recorded": {check: &lesson.RecordedCheck{Broker: "nats"},
		pass: witness{evs: []event.Event{work(10, "worker-1", event.Work{Op: event.WorkTook, ID: 7}), kill(20, "worker-1"), allDone}, says: "the server holds the results of 10 more, whose worker never said so: 1 (no worker said it took it: its words died with it), 2 (no worker said it took it: its words died with it), 3 (no worker said it took it: its words died with it), 4 (no worker said it took it: its words died with it), 5 (no worker said it took it: its words died with it), 6 (no worker said it took it: its words died with it), 7 (taken by worker-1, killed before it said it was done)"},
		fail: witness{evs: []event.Event{broker(event.BrokerState{Tasks: 10, Published: 10, Recorded: 9, NMissing: 1, Missing: []int64{7}})}, says: "1 tasks have no result (7)"},
		open: witness{says: "did not read"}},
	"refused": {check: &lesson.RefusedCheck{Of: lesson.Of{Task: "intruder"}, Broker: "nats"},
		pass: witness{evs: []event.Event{at(100, event.Event{Data: event.Refused{Object: "nats", Addr: "127.0.0.1:5000"}}),
			work(101, "intruder", event.Work{Op: event.WorkRefused, Addr: "127.0.0.1:5000"})}, says: "127.0.0.1:5000"},
		fail: witness{evs: []event.Event{at(100, event.Event{Data: event.Refused{Object: "nats", Addr: "127.0.0.1:6000"}}),
			work(101, "intruder", event.Work{Op: event.WorkRefused, Addr: "127.0.0.1:5000"})}, says: "names no refusal"},
		open: witness{says: "never tried a wrong key"}},
	"redelivered": {check: &lesson.RedeliveredCheck{Of: lesson.Of{Task: "worker-1"}, Broker: "nats"},
		pass: witness{evs: []event.Event{work(100, "worker-1", event.Work{Op: event.WorkTook, ID: 4, Delivery: 1}),
			work(101, "worker-1", event.Work{Op: event.WorkTook, ID: 5, Delivery: 1}), // done, but it died before saying so
			kill(200, "worker-1"), work(1300, "worker-2", event.Work{Op: event.WorkTook, ID: 4, Delivery: 2}),
			work(1310, "worker-2", event.Work{Op: event.WorkDone, ID: 4}), allDone}, says: "tasks [5] it had finished"},
		fail: witness{evs: []event.Event{work(100, "worker-1", event.Work{Op: event.WorkTook, ID: 4, Delivery: 1}), kill(200, "worker-1"),
			work(1300, "worker-2", event.Work{Op: event.WorkTook, ID: 4, Delivery: 2}), allDone}, says: "were not done: [4]"},
		open: witness{evs: []event.Event{allDone}, says: "did not SIGKILL"}},
	"resumed": {check: &lesson.ResumedCheck{Of: lesson.Of{Task: "master-again"}, After: "master", Broker: "nats"},
		pass: witness{evs: []event.Event{kill(200, "master"), work(300, "master-again", event.Work{Op: event.WorkBegun, Tasks: 10, Published: 6, Collected: 4}),
			work(900, "master-again", event.Work{Op: event.WorkCollected, Tasks: 10, Collected: 10}), allDone}, says: "found 6 of 10 tasks published"},
		fail: witness{evs: []event.Event{kill(200, "master"), work(300, "master-again", event.Work{Op: event.WorkBegun, Tasks: 10, Published: 6, Collected: 4}), allDone}, says: "did not collect"},
		open: witness{evs: []event.Event{work(100, "master", event.Work{Op: event.WorkCollected, Tasks: 10, Collected: 10}), kill(200, "master"), allDone}, says: "before it could be killed"}},
}

// A zombie handed on is the other claim adopted can make, and fails for an
// orphan that lived on.
func TestAdoptedZombie(t *testing.T) {
	c := &lesson.AdoptedCheck{Of: lesson.Of{Task: "w"}, While: lesson.AdoptedZombie}
	ws := lessonWitnesses["adopted"]
	if r := ws.fail.run("adopted", c); r.Verdict != Pass || !strings.HasSuffix(r.Detail, "at 0.30s, a zombie") {
		t.Errorf("a zombie handed on: %v %q", r.Verdict, r.Detail)
	}
	if r := ws.pass.run("adopted", c); r.Verdict != Fail || !strings.Contains(r.Detail, "an orphan, not a zombie") {
		t.Errorf("an orphan: %v %q", r.Verdict, r.Detail)
	}
}

func init() {
	lessonWitnesses["blocked"] = witnesses{check: &lesson.BlockedCheck{Of: lesson.Of{Task: "t"}, On: "m"},
		pass: witness{evs: []event.Event{ran(0, "t"), at(10, event.Event{Task: "t", Data: event.StateChange{State: event.Blocked, Reason: event.ReasonLock, Object: "m"}})}, says: "t was blocked on m at 0.01s"},
		fail: witness{evs: []event.Event{ran(0, "t"), state(10, "t", event.Done)}, says: "never blocked on m"},
		open: witness{says: "t never ran"}}
	lessonWitnesses["queue"] = witnesses{check: &lesson.QueueCheck{Queue: "q", Reached: 2},
		pass: witness{evs: []event.Event{at(10, event.Event{Data: event.QueueChange{Object: "q", Len: 1}}), at(20, event.Event{Data: event.QueueChange{Object: "q", Len: 2}})}, says: "q held 2 values at 0.02s"},
		fail: witness{evs: []event.Event{at(10, event.Event{Data: event.QueueChange{Object: "q", Len: 1}})}, says: "held at most 1 values"},
		open: witness{says: "nobody ever put to or got from q"}}
	lessonWitnesses["bounds"] = witnesses{check: &lesson.BoundsCheck{Counter: "c", Min: 0, Max: 2},
		pass: witness{evs: []event.Event{at(10, event.Event{Data: event.CounterChange{Object: "c", Value: 1}}), at(20, event.Event{Data: event.CounterChange{Object: "c", Value: 2}})}, says: "went from 1 (at 0.01s) to 2"},
		fail: witness{evs: []event.Event{at(10, event.Event{Data: event.CounterChange{Object: "c", Value: 1}}), at(20, event.Event{Task: "w-1", Data: event.CounterChange{Object: "c", Value: 3}})}, says: "to 3 (at 0.02s)"},
		open: witness{says: "c was never reported"}}
	lessonWitnesses["pids"] = witnesses{check: &lesson.PIDsCheck{Of: lesson.Of{Task: "w"}, Min: 2},
		pass: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)}, ss: samples(100, 300, probe.Proc{PID: 2001, PPID: 1000, State: "R", CPU: 50}, probe.Proc{PID: 2002, PPID: 1000, State: "R", CPU: 50}), says: "2 of w's 2 processes used CPU time"},
		fail: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000), proc(0, "w-2", 2002, 1000)}, ss: samples(100, 300, probe.Proc{PID: 2001, PPID: 1000, State: "R", CPU: 50}, alive(2002, 1000)), says: "1 of w's 2 processes"},
		open: witness{evs: []event.Event{proc(0, "w-1", 2001, 1000)}, says: "never saw w-1 (PID 2001) alive"}}
	lessonWitnesses["logs_count"] = witnesses{check: &lesson.LinesCountCheck{Of: lesson.Of{Task: "w"}, Match: "done", Min: 2, Max: 3},
		pass: witness{evs: []event.Event{ran(0, "w-1"), logged(10, "w-1", "done 1"), logged(20, "w-2", "done 2")}, says: `w logged "done" 2 times`},
		fail: witness{evs: []event.Event{ran(0, "w-1"), logged(10, "w-1", "done 1")}, says: "1 times (at least 2, at most 3 wanted)"},
		open: witness{says: "w never ran"}}
}

// On a server mtviz did not start, a refusal cannot be read from its log:
// not decided, not a failure.
func TestRefusedOnAnExternalServer(t *testing.T) {
	ext := broker(event.BrokerState{Tasks: 10, Published: 10, Recorded: 10, Results: 10, External: true})
	w := witness{evs: []event.Event{work(101, "intruder", event.Work{Op: event.WorkRefused, Addr: "127.0.0.1:5000"}), ext}}
	if r := w.run("refused", lessonWitnesses["refused"].check); r.Verdict != Undecided || !strings.Contains(r.Detail, "the server is not mtviz's") {
		t.Errorf("%v %q", r.Verdict, r.Detail)
	}
}

// transitions on a counted task: one copy going through the states is
// enough, and the verdict names it.
func TestTransitionsAnyCopy(t *testing.T) {
	c := &lesson.TransitionsCheck{Of: lesson.Of{Task: "w"}, States: []string{"running", "blocked"}}
	w := witness{evs: []event.Event{ran(0, "w-1"), state(5, "w-1", event.Done), ran(0, "w-2"), state(10, "w-2", event.Blocked)}}
	if r := w.run("transitions", c); r.Verdict != Pass || !strings.Contains(r.Detail, "w-2 went running → blocked") {
		t.Errorf("%v %q", r.Verdict, r.Detail)
	}
	w = witness{evs: []event.Event{ran(0, "w-1"), state(5, "w-1", event.Done), ran(0, "w-2"), state(10, "w-2", event.Done)}}
	if r := w.run("transitions", c); r.Verdict != Fail {
		t.Errorf("no copy blocked: %v %q", r.Verdict, r.Detail)
	}
}

// processes with min: a pool that should have had two workers at once.
func TestProcessesMin(t *testing.T) {
	c := &lesson.ProcessesCheck{Of: lesson.Of{Task: "w"}, Min: 2}
	two := lessonWitnesses["processes"].pass
	if r := two.run("processes", c); r.Verdict != Pass {
		t.Errorf("two at once: %v %q", r.Verdict, r.Detail)
	}
	one := witness{evs: []event.Event{proc(0, "w-1", 2001, 1000)}, ss: samples(100, 200, alive(2001, 1000))}
	if r := one.run("processes", c); r.Verdict != Fail || !strings.Contains(r.Detail, "at least 2 at once wanted") {
		t.Errorf("one at a time: %v %q", r.Verdict, r.Detail)
	}
}

// run decides one witness of a lesson check.
func (w witness) run(kind lesson.CheckKind, c lesson.CheckSpec) Result {
	sc := witnessScenario
	sc.Checks = []lesson.Check{{Kind: kind, Name: string(kind), Spec: c}}
	evs := append([]event.Event{{Round: 1, Data: event.RoundStart{}}}, w.evs...)
	cores := w.cores
	if cores == 0 {
		cores = 2
	}
	return fold(&sc, cores, evs, w.ss).Decide(false, nil).Checks[0]
}

func checkWitness(t *testing.T, name string, want Verdict, w witness, r Result) {
	t.Helper()
	t.Logf("%s: %v: %s", name, r.Verdict, r.Detail)
	if r.Verdict != want || !strings.Contains(r.Detail, w.says) {
		t.Errorf("%s: %v %q; want %v saying %q", name, r.Verdict, r.Detail, want, w.says)
	}
	if want == Undecided && !strings.HasPrefix(r.Detail, "not decided: ") {
		t.Errorf("%s: not decided without saying so: %q", name, r.Detail)
	}
}

// Every check passes where its claim holds, fails where it is absent, and
// is not decided, saying why, where it cannot be decided.
func TestEveryCheckHasItsWitnesses(t *testing.T) {
	for _, kind := range slices.Sorted(func(yield func(lesson.CheckKind) bool) {
		for k := range lessonWitnesses {
			if !yield(k) {
				return
			}
		}
	}) {
		ws := lessonWitnesses[kind]
		t.Run(string(kind), func(t *testing.T) {
			checkWitness(t, "pass", Pass, ws.pass, ws.pass.run(kind, ws.check))
			checkWitness(t, "fail", Fail, ws.fail, ws.fail.run(kind, ws.check))
			checkWitness(t, "not decided", Undecided, ws.open, ws.open.run(kind, ws.check))
		})
	}
}

// sweepWitness is a sweep's points: work per series at 1, 2, 4, 8 tasks.
type sweepWitness struct {
	cores int
	pts   []Point
	says  string
}

const sweepYAML = `title: t
switches:
  kind: {values: [a]}
  tasks: {values: [1, 2, 4, 8]}
sweep:
  over: tasks
  series: kind
  figures: [work]
tasks:
  - name: main
    steps:
      - log: hi
`

func curve(work []float64, others float64) []Point {
	var out []Point
	for i, x := range []string{"1", "2", "4", "8"} {
		p := Point{Series: "a", Over: x, X: float64(int(1) << i), Figures: Figures{Work: work[i], Others: others}}
		p.Measured = MeasuredOf(p.Figures, false)
		out = append(out, p)
	}
	return out
}

var sweepWitnesses = map[lesson.CheckKind]struct {
	check            lesson.CheckSpec
	pass, fail, open sweepWitness
}{
	"grows": {check: &lesson.GrowsCheck{Curve: lesson.Curve{Figure: "work", Factor: 2}},
		pass: sweepWitness{pts: curve([]float64{10, 12, 40, 90}, 0), says: "90/s at 8 against 10/s at 1"},
		fail: sweepWitness{pts: curve([]float64{10, 10, 11, 12}, 0), says: "12/s at 8 against 10/s at 1"},
		open: sweepWitness{pts: curve([]float64{10, 10, 11, 12}, 0.8), says: "other programs used 0.80 cores"}},
	"levels_off": {check: &lesson.LevelsOffCheck{Curve: lesson.Curve{Figure: "work", Factor: 1.3}},
		pass: sweepWitness{pts: curve([]float64{100, 200, 210, 205}, 0), says: "it grew to 200/s"},
		fail: sweepWitness{pts: curve([]float64{100, 200, 400, 800}, 0), says: "past it at most 800/s at 8"},
		open: sweepWitness{cores: 1, pts: curve([]float64{100, 100, 100, 100}, 0), says: "needs 2 cores"}},
	"rises": {check: &lesson.RisesCheck{Curve: lesson.Curve{Figure: "work", Factor: 3}},
		pass: sweepWitness{pts: curve([]float64{10, 20, 40, 80}, 0), says: "80/s at 8 against 20/s at 2"},
		fail: sweepWitness{pts: curve([]float64{10, 20, 22, 21}, 0), says: "21/s at 8 against 20/s at 2"},
		open: sweepWitness{cores: 8, pts: curve([]float64{10, 20, 40, 80}, 0), says: "no point past 8"}},
}

func (w sweepWitness) run(t *testing.T, kind lesson.CheckKind, c lesson.CheckSpec) Result {
	sc, err := lesson.Load("t.yaml", []byte(sweepYAML))
	if err != nil {
		t.Fatal(err)
	}
	sc.Sweep.Checks = []lesson.Check{{Kind: kind, Name: string(kind), Spec: c}}
	cores := w.cores
	if cores == 0 {
		cores = 2
	}
	return JudgeSweep(sc, w.pts, cores)[0]
}

// The same for the sweep checks, over made-up points.
func TestEverySweepCheckHasItsWitnesses(t *testing.T) {
	for kind, ws := range sweepWitnesses {
		t.Run(string(kind), func(t *testing.T) {
			for _, c := range []struct {
				name string
				want Verdict
				w    sweepWitness
			}{{"pass", Pass, ws.pass}, {"fail", Fail, ws.fail}, {"not decided", Undecided, ws.open}} {
				r := c.w.run(t, kind, ws.check)
				if r.Verdict != c.want || !strings.Contains(r.Detail, c.w.says) {
					t.Errorf("%s: %v %q; want %v saying %q", c.name, r.Verdict, r.Detail, c.want, c.w.says)
				}
			}
		})
	}
}

// A curve that never grew up to the cores did not level off: it was flat,
// and on a quiet machine that fails.
func TestFlatCurveDoesNotLevelOff(t *testing.T) {
	w := sweepWitness{pts: curve([]float64{311, 269, 270, 268}, 0), says: "it never grew"}
	if r := w.run(t, "levels_off", &lesson.LevelsOffCheck{Curve: lesson.Curve{Figure: "work", Factor: 1.5}}); r.Verdict != Fail || !strings.Contains(r.Detail, w.says) {
		t.Errorf("%v %q", r.Verdict, r.Detail)
	}
	w.pts = curve([]float64{311, 269, 270, 268}, 1.34)
	if r := w.run(t, "levels_off", &lesson.LevelsOffCheck{Curve: lesson.Curve{Figure: "work", Factor: 1.5}}); r.Verdict != Undecided {
		t.Errorf("on a busy machine: %v %q", r.Verdict, r.Detail)
	}
}

// Every check of the vocabulary, lesson and sweep, has a judge and its three
// witnesses; no judge is for a check the vocabulary lacks.
func TestEveryCheckIsJudgedAndWitnessed(t *testing.T) {
	names := lesson.CheckNames()
	for _, name := range names {
		if judges[name] == nil {
			t.Errorf("check %q has no judge", name)
		}
		if _, ok := lessonWitnesses[name]; !ok {
			t.Errorf("check %q has no witnesses", name)
		}
	}
	for name := range judges {
		if !slices.Contains(names, name) {
			t.Errorf("a judge for check %q, which the vocabulary does not have", name)
		}
	}
	sweeps := lesson.SweepCheckNames()
	for _, name := range sweeps {
		if sweepJudges[name] == nil {
			t.Errorf("sweep check %q has no judge", name)
		}
		if _, ok := sweepWitnesses[name]; !ok {
			t.Errorf("sweep check %q has no witnesses", name)
		}
	}
	for name := range sweepJudges {
		if !slices.Contains(sweeps, name) {
			t.Errorf("a judge for sweep check %q, which the vocabulary does not have", name)
		}
	}
	compares := lesson.CompareCheckNames()
	for _, name := range compares {
		if compareJudges[name] == nil {
			t.Errorf("compare check %q has no judge", name)
		}
		if _, ok := compareWitnesses[name]; !ok {
			t.Errorf("compare check %q has no witnesses", name)
		}
	}
	for name := range compareJudges {
		if !slices.Contains(compares, name) {
			t.Errorf("a judge for compare check %q, which the vocabulary does not have", name)
		}
	}
	for _, f := range lesson.Figures {
		if figureOf[f.Name] == nil {
			t.Errorf("figure %q is not measured", f.Name)
		}
	}
	for name := range figureOf {
		if _, ok := lesson.FigureNamed(name); !ok {
			t.Errorf("a measure for figure %q, which the vocabulary does not have", name)
		}
	}
}

func variants(threads, goroutines, othersThreads float64, unitThreads string) []Variant {
	return []Variant{
		{Set: map[string]string{"kind": "goroutines"}, Figures: Figures{Switches: goroutines, Work: goroutines, WorkUnit: "work units"}},
		{Set: map[string]string{"kind": "threads"}, Figures: Figures{Switches: threads, Work: threads, Others: othersThreads, WorkUnit: unitThreads}},
	}
}

var compareWitnesses = map[lesson.CheckKind]struct {
	check            lesson.CheckSpec
	pass, fail, open []Variant
	says             [3]string
}{
	"more": {check: &lesson.MoreCheck{Figure: "switches", Of: "threads", Than: "goroutines", Factor: 2},
		pass: variants(3000, 500, 0, "work units"), fail: variants(600, 500, 0, "work units"), open: variants(600, 500, 1.2, "work units"),
		says: [3]string{"3000/s for threads against 500/s for goroutines, 6.00×", "1.20×", "other programs used 1.20 cores during kind=threads"}},
}

// And for the checks of a comparison, over made-up variants.
func TestEveryCompareCheckHasItsWitnesses(t *testing.T) {
	for kind, ws := range compareWitnesses {
		sc := &lesson.Scenario{Compare: "kind", CompareChecks: []lesson.Check{{Kind: kind, Name: string(kind), Spec: ws.check}}}
		for i, c := range []struct {
			want Verdict
			vs   []Variant
		}{{Pass, ws.pass}, {Fail, ws.fail}, {Undecided, ws.open}} {
			r := JudgeCompare(sc, c.vs)[0]
			if r.Verdict != c.want || !strings.Contains(r.Detail, ws.says[i]) {
				t.Errorf("%s: %v %q; want %v saying %q", kind, r.Verdict, r.Detail, c.want, ws.says[i])
			}
		}
	}
	// Work of one unit is never set against work of another.
	sc := &lesson.Scenario{Compare: "kind", CompareChecks: []lesson.Check{{Kind: "more", Name: "w", Spec: &lesson.MoreCheck{Figure: "work", Of: "threads", Than: "goroutines", Factor: 2}}}}
	if r := JudgeCompare(sc, variants(3000, 500, 0, "answers"))[0]; r.Verdict != Undecided || !strings.Contains(r.Detail, "cannot be compared") {
		t.Errorf("work in answers against work units: %v %q", r.Verdict, r.Detail)
	}
}
