package lesson

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/goccy/go-yaml/ast"
)

// Setters for the check tables: each writes one field of one kind's struct.
func setTask(d any, v any) { d.(interface{ setTask(string) }).setTask(v.([]string)[0]) }

var taskField = field{name: "task", kind: kTaskRefs, required: true, doc: "the task, or one copy of a counted task (worker-2)", set: setTask}

func brokerField(set func(d any, b string)) field {
	return field{name: "broker", kind: kRef, refs: []ObjectKind{Broker}, required: true, doc: "the broker", set: func(d any, v any) { set(d, v.(string)) }}
}

// StateNames are the states a transitions check may name.
var StateNames = []string{"new", "runnable", "running", "blocked", "sleeping", "done"}

// RuntimeStateNames are the states a runtime check may name.
var RuntimeStateNames = []string{"running", "runnable", "waiting", "syscall"}

// checks is the vocabulary of checks: what a scenario proves. Each entry
// makes its kind's own struct and fills it; its rules refuse a check that
// could not fail.
var checks = []schema{
	{name: string(CheckTransitions), doc: "the task went through these states in this order (others may come between); for a counted task, some copy did",
		check: func() CheckSpec { return &TransitionsCheck{} }, checkRules: ruleTransitions,
		fields: []field{taskField,
			{name: "states", kind: kList, required: true, doc: "state names: new, runnable, running, blocked, sleeping, done", set: func(d any, v any) { d.(*TransitionsCheck).States = v.([]string) }}}},
	{name: string(CheckRuntime), doc: "the Go runtime's own trace showed the task's goroutine in each of these states (runnable means waiting for a P)",
		check: func() CheckSpec { return &RuntimeCheck{} }, checkRules: ruleRuntime,
		fields: []field{taskField,
			{name: "states", kind: kList, required: true, doc: "running, runnable, waiting", set: func(d any, v any) { d.(*RuntimeCheck).States = v.([]string) }}}},
	{name: string(CheckLines), doc: "the log lines of the tasks, in the order they came, are exactly these",
		check: func() CheckSpec { return &LinesCheck{} }, checkRules: ruleLines,
		fields: []field{
			{name: "tasks", kind: kTaskRefs, doc: "whose lines (default: every task's)", set: func(d any, v any) { d.(*LinesCheck).Tasks = v.([]string) }},
			{name: "values", kind: kLogLines, required: true, doc: "the lines (one list per language, {en: [...], zh: [...]}, when the log lines speak both)", set: func(d any, v any) { d.(*LinesCheck).Lines = v.([]string) }}}},
	{name: string(CheckBefore), doc: "the first line containing `first` came before the first line containing `then`",
		check: func() CheckSpec { return &BeforeCheck{} }, checkRules: ruleBefore,
		fields: []field{
			{name: "first", kind: kLogText, required: true, doc: "text of the earlier line", set: func(d any, v any) { d.(*BeforeCheck).First = v.(string) }},
			{name: "then", kind: kLogText, required: true, doc: "text of the later line", set: func(d any, v any) { d.(*BeforeCheck).Then = v.(string) }}}},
	{name: string(CheckDeadlock), doc: "mtviz found a cycle in the wait-for graph made of exactly these tasks, from who holds and who waits",
		check:  func() CheckSpec { return &DeadlockCheck{} },
		fields: []field{{name: "tasks", kind: kTaskRefs, required: true, doc: "the tasks of the cycle", set: func(d any, v any) { d.(*DeadlockCheck).Tasks = v.([]string) }}}},
	{name: string(CheckHolds), doc: "a lock's hold count went through these values, in order",
		check: func() CheckSpec { return &HoldsCheck{} }, checkRules: ruleHolds,
		fields: []field{
			{name: "lock", kind: kRef, refs: []ObjectKind{RLock, Lock}, required: true, doc: "the lock", set: func(d any, v any) { d.(*HoldsCheck).Lock = v.(string) }},
			{name: "counts", kind: kList, required: true, doc: "the counts, e.g. [1, 2, 1, 0]", set: func(d any, v any) { d.(*HoldsCheck).Counts = v.([]string) }}}},
	{name: string(CheckStoppedBlocked), doc: "the task was still blocked when a stop step stopped it",
		check: func() CheckSpec { return &StoppedBlockedCheck{} }, checkRules: ruleOneCopy,
		fields: []field{taskField}},
	{name: string(CheckParent), doc: "the probe saw the task's process with this parent (a process task, or mtviz)",
		check: func() CheckSpec { return &ParentCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.parentName(c.(*ParentCheck).Parent, n) },
		fields: []field{taskField,
			{name: "parent", kind: kString, required: true, doc: "a process task, or mtviz", set: func(d any, v any) { d.(*ParentCheck).Parent = v.(string) }}}},
	{name: string(CheckOverlap), doc: "the probe saw the tasks' processes alive at the same moment, each with its own PID",
		check:  func() CheckSpec { return &OverlapCheck{} },
		fields: []field{{name: "tasks", kind: kTaskRefs, required: true, doc: "process tasks", set: func(d any, v any) { d.(*OverlapCheck).Tasks = v.([]string) }}}},
	{name: string(CheckLifetime), doc: "the probe saw the task's process alive for at least this long",
		check: func() CheckSpec { return &LifetimeCheck{} },
		fields: []field{taskField,
			{name: "at_least", kind: kDur, required: true, doc: "how long", set: func(d any, v any) { d.(*LifetimeCheck).AtLeast = v.(durVal).d }}}},
	{name: string(CheckLogs), doc: "the task logged lines containing `match` exactly `count` times (from its own PID, if a process)",
		check: func() CheckSpec { return &LogsCheck{} },
		fields: []field{taskField,
			{name: "match", kind: kLogText, required: true, doc: "text the lines contain", set: func(d any, v any) { d.(*LogsCheck).Match = v.(string) }},
			{name: "count", kind: kInt, required: true, doc: "how many", set: func(d any, v any) { d.(*LogsCheck).Count = int(v.(int64)) }},
			{name: "at_least", kind: kDur, doc: "and at least this long between them", set: func(d any, v any) { d.(*LogsCheck).Gap = v.(durVal).d }}}},
	{name: string(CheckNeverLogged), doc: "the task ran and never logged a line containing `match`",
		check:  func() CheckSpec { return &NeverLoggedCheck{} },
		fields: []field{taskField, {name: "match", kind: kLogText, required: true, doc: "text", set: func(d any, v any) { d.(*NeverLoggedCheck).Match = v.(string) }}}},
	{name: string(CheckAfterExit), doc: "a line containing `match` came after the probe last saw the task's process alive",
		check: func() CheckSpec { return &AfterExitCheck{} },
		fields: []field{taskField,
			{name: "match", kind: kLogText, required: true, doc: "text of the later line", set: func(d any, v any) { d.(*AfterExitCheck).Match = v.(string) }}}},
	{name: string(CheckGoneWith), doc: "the probe never saw the task's process alive after its parent's process was gone",
		check: func() CheckSpec { return &GoneWithCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.parentName(c.(*GoneWithCheck).Parent, n) },
		fields: []field{taskField,
			{name: "parent", kind: kString, required: true, doc: "the parent process task", set: func(d any, v any) { d.(*GoneWithCheck).Parent = v.(string) }}}},
	{name: string(CheckZombie), doc: "the probe read state Z for the task's process, and later its PID was gone (reaped)",
		check: func() CheckSpec { return &ZombieCheck{} }, fields: []field{taskField}},
	{name: string(CheckAdopted), doc: "the probe read a new parent for the task's process when its parent ended, in the state `while` says, and later its PID was gone",
		check: func() CheckSpec { return &AdoptedCheck{While: AdoptedAlive} }, checkRules: ruleAdopted,
		fields: []field{taskField,
			{name: "while", kind: kString, doc: "alive (default): an orphan that lives on; zombie: a zombie handed on to its adopter", set: func(d any, v any) { d.(*AdoptedCheck).While = v.(string) }}}},
	{name: string(CheckExitStatus), doc: "the task's process ended with this exit code (or was killed by this signal), as its wait status said, and the probe then saw its PID, and every thread of it, gone",
		check: func() CheckSpec { return &ExitStatusCheck{} }, checkRules: ruleExitStatus,
		fields: []field{taskField,
			{name: "code", kind: kInt, doc: "the exit code (a Go panic exits 2)", set: func(d any, v any) { d.(*ExitStatusCheck).Code = int(v.(int64)) }},
			{name: "signal", kind: kString, doc: "or the signal: KILL, TERM, INT", set: func(d any, v any) { d.(*ExitStatusCheck).Signal = v.(string) }}}},
	{name: string(CheckSurvived), doc: "the probe saw the task's process alive after the process of `after` had ended",
		check: func() CheckSpec { return &SurvivedCheck{} },
		fields: []field{taskField,
			{name: "after", kind: kTaskRefs, required: true, doc: "the task whose end it outlived", set: func(d any, v any) { d.(*SurvivedCheck).After = v.([]string)[0] }}}},
	{name: string(CheckTerminated), doc: "the task's process was ended by a signal, as its wait status said",
		check: func() CheckSpec { return &TerminatedCheck{} }, fields: []field{taskField}},
	{name: string(CheckProgram), doc: "a `run` step's program exited with this code and printed this",
		check: func() CheckSpec { return &ProgramCheck{} },
		fields: []field{
			{name: "program", kind: kString, required: true, doc: "the program as the step names it", set: func(d any, v any) { d.(*ProgramCheck).Program = v.(string) }},
			{name: "exit", kind: kInt, required: true, doc: "its exit code", set: func(d any, v any) { d.(*ProgramCheck).Exit = int(v.(int64)) }},
			{name: "output", kind: kString, doc: "text its output contains", set: func(d any, v any) { d.(*ProgramCheck).Output = v.(string) }}}},
	{name: string(CheckReceived), doc: "the task got exactly these values from a queue, in this order, each once",
		check: func() CheckSpec { return &ReceivedCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.notEmpty(n, "values", c.(*ReceivedCheck).Values) },
		fields: []field{taskField,
			{name: "values", kind: kList, required: true, doc: "the values", set: func(d any, v any) { d.(*ReceivedCheck).Values = v.([]string) }}}},
	{name: string(CheckProcesses), doc: "the probe never saw more than `max` processes of the task alive at once, and they had at most `max` PIDs in all",
		check: func() CheckSpec { return &ProcessesCheck{} },
		fields: []field{taskField,
			{name: "max", kind: kInt, doc: "the most (default: the task's count)", set: func(d any, v any) { d.(*ProcessesCheck).Max = int(v.(int64)) }},
			{name: "min", kind: kInt, doc: "and at least this many alive at once (a pool of 3 had 3 workers)", set: func(d any, v any) { d.(*ProcessesCheck).Min = int(v.(int64)) }},
			{name: "runs", kind: kInt, doc: "and the task's `each` loops ran this many values in all", set: func(d any, v any) { d.(*ProcessesCheck).Runs = int(v.(int64)) }}}},
	{name: string(CheckBlocked), doc: "the task (or a copy of a counted task) was blocked on this object at some moment, as the engine recorded it",
		check: func() CheckSpec { return &BlockedCheck{} },
		fields: []field{taskField,
			{name: "on", kind: kRef, refs: []ObjectKind{Lock, RLock, FileLock, GIL, Condition, Event, Queue}, required: true, doc: "the object", set: func(d any, v any) { d.(*BlockedCheck).On = v.(string) }}}},
	{name: string(CheckQueue), doc: "the queue held at least `reached` values at some moment (a bounded buffer filled up)",
		check: func() CheckSpec { return &QueueCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.positive(n, "reached", float64(c.(*QueueCheck).Reached)) },
		fields: []field{
			{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: func(d any, v any) { d.(*QueueCheck).Queue = v.(string) }},
			{name: "reached", kind: kInt, required: true, doc: "how many values it held at once", set: func(d any, v any) { d.(*QueueCheck).Reached = int(v.(int64)) }}}},
	{name: string(CheckBounds), doc: "every value the counter was reported at, in every copy, stayed from `min` to `max` (a counter never exceeded N)",
		check: func() CheckSpec { return &BoundsCheck{} }, checkRules: ruleBounds,
		fields: []field{
			{name: "counter", kind: kRef, refs: []ObjectKind{Counter}, required: true, doc: "the counter", set: func(d any, v any) { d.(*BoundsCheck).Counter = v.(string) }},
			{name: "min", kind: kInt, required: true, doc: "the least value allowed", set: func(d any, v any) { d.(*BoundsCheck).Min = v.(int64) }},
			{name: "max", kind: kInt, required: true, doc: "the most value allowed", set: func(d any, v any) { d.(*BoundsCheck).Max = v.(int64) }}}},
	{name: string(CheckPIDs), doc: "at least `min` distinct processes of the task used CPU time, as the probe read it from /proc (work really spread over processes)",
		check: func() CheckSpec { return &PIDsCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.positive(n, "min", float64(c.(*PIDsCheck).Min)) },
		fields: []field{taskField,
			{name: "min", kind: kInt, required: true, doc: "how many processes at least", set: func(d any, v any) { d.(*PIDsCheck).Min = int(v.(int64)) }}}},
	{name: string(CheckLogsCount), doc: "the task (every copy of a counted task together) logged lines containing `match` at least `min` and, with `max`, at most `max` times",
		check: func() CheckSpec { return &LinesCountCheck{} }, checkRules: ruleLinesCount,
		fields: []field{taskField,
			{name: "match", kind: kLogText, required: true, doc: "text the lines contain", set: func(d any, v any) { d.(*LinesCountCheck).Match = v.(string) }},
			{name: "min", kind: kInt, doc: "at least this many", set: func(d any, v any) { d.(*LinesCountCheck).Min = int(v.(int64)) }},
			{name: "max", kind: kInt, doc: "at most this many", set: func(d any, v any) { d.(*LinesCountCheck).Max = int(v.(int64)) }}}},
	{name: string(CheckCounter), doc: "the counter ends at `equals` in every round",
		check: func() CheckSpec { return &CounterCheck{} },
		fields: []field{
			{name: "counter", kind: kRef, refs: []ObjectKind{Counter}, required: true, doc: "the counter", set: func(d any, v any) { d.(*CounterCheck).Counter = v.(string) }},
			{name: "equals", kind: kInt, required: true, doc: "the value", set: func(d any, v any) { d.(*CounterCheck).Equals = v.(int64) }},
		}},
	{name: string(CheckDrift), doc: "the counter ends away from `equals` in at least one round (a race showed); reports how many",
		check: func() CheckSpec { return &DriftCheck{} },
		fields: []field{
			{name: "counter", kind: kRef, refs: []ObjectKind{Counter}, required: true, doc: "the counter", set: func(d any, v any) { d.(*DriftCheck).Counter = v.(string) }},
			{name: "equals", kind: kInt, doc: "the value a correct run ends at (default 0)", set: func(d any, v any) { d.(*DriftCheck).Equals = v.(int64) }},
			{name: "needs_cores", kind: kInt, doc: "below this many cores a run without drift is not decided", set: func(d any, v any) { d.(*DriftCheck).NeedsCores = int(v.(int64)) }},
		}},
	{name: string(CheckThreads), doc: "the most threads the probe read in the task's process (in /proc, in any one sample) is at most `max`, or at least `min`, or both; each process's CPU time is reported too",
		check: func() CheckSpec { return &ThreadsCheck{} }, checkRules: ruleThreads,
		fields: []field{taskField,
			{name: "max", kind: kInt, doc: "the most threads allowed (give max or min)", set: func(d any, v any) { d.(*ThreadsCheck).Max = int(v.(int64)) }},
			{name: "min", kind: kInt, doc: "the fewest threads it must have reached", set: func(d any, v any) { d.(*ThreadsCheck).Min = int(v.(int64)) }}}},
	{name: string(CheckRecorded), doc: "read by mtviz from the broker's server at the end: every task of the job has exactly one result, and it is n*n; every task was acknowledged",
		check:  func() CheckSpec { return &RecordedCheck{} },
		fields: []field{brokerField(func(d any, b string) { d.(*RecordedCheck).Broker = b })}},
	{name: string(CheckRefused), doc: "the broker's server refused a connection for a wrong key, and it was the task's own connection (the address the server named is the one the task connected from); the task did no work",
		check:  func() CheckSpec { return &RefusedCheck{} },
		fields: []field{taskField, brokerField(func(d any, b string) { d.(*RefusedCheck).Broker = b })}},
	{name: string(CheckRedelivered), doc: "the task's process was killed by the lesson while it held tasks; the server handed each task it had not finished to another worker (delivery 2 or more), which did it; and the broker's record holds every task once",
		check:  func() CheckSpec { return &RedeliveredCheck{} },
		fields: []field{taskField, brokerField(func(d any, b string) { d.(*RedeliveredCheck).Broker = b })}},
	{name: string(CheckResumed), doc: "the master `after` was killed by the lesson before its job was done; the master `task` began after that, found the job begun, and collected every result; the server took each task once, and its record holds every task once",
		check: func() CheckSpec { return &ResumedCheck{} },
		fields: []field{taskField,
			{name: "after", kind: kTaskRefs, required: true, doc: "the master that was killed", set: func(d any, v any) { d.(*ResumedCheck).After = v.([]string)[0] }},
			brokerField(func(d any, b string) { d.(*ResumedCheck).Broker = b })}},
	{name: string(CheckCPUTime), doc: "no process of the tasks used more than `max` CPU seconds over its life, from the probe's readings of /proc; each one's figure is reported",
		check: func() CheckSpec { return &CPUTimeCheck{} }, checkRules: func(l *loader, c CheckSpec, n ast.Node) { l.positive(n, "max", c.(*CPUTimeCheck).Max) },
		fields: []field{
			{name: "tasks", kind: kTaskRefs, required: true, doc: "process tasks", set: func(d any, v any) { d.(*CPUTimeCheck).Tasks = v.([]string) }},
			{name: "max", kind: kFloat, required: true, doc: "the most CPU seconds each may use", set: func(d any, v any) { d.(*CPUTimeCheck).Max = v.(float64) }}}},
	{name: string(CheckCPU), doc: "the scenario's processes used at most `max` cores during a phase, as the probe measured; decided only when the phase could have used more (the run had more cores than `max`, and other programs left them free)",
		check: func() CheckSpec { return &CPUCheck{} }, checkRules: rulePhases,
		fields: []field{
			{name: "phase", kind: kString, required: true, doc: "the phase", set: func(d any, v any) { d.(*CPUCheck).Phase = v.(string) }},
			{name: "max", kind: kFloat, required: true, doc: "cores", set: func(d any, v any) { d.(*CPUCheck).Max = v.(float64) }},
		}},
	{name: string(CheckCPUMin), doc: "the scenario's processes used at least `min` cores during a phase, as the probe measured",
		check: func() CheckSpec { return &CPUMinCheck{} }, checkRules: rulePhases,
		fields: []field{
			{name: "phase", kind: kString, required: true, doc: "the phase", set: func(d any, v any) { d.(*CPUMinCheck).Phase = v.(string) }},
			{name: "min", kind: kFloat, required: true, doc: "cores", set: func(d any, v any) { d.(*CPUMinCheck).Min = v.(float64) }},
			{name: "needs_cores", kind: kInt, doc: "below this many cores the check is not decided (default: min, rounded up)", set: func(d any, v any) { d.(*CPUMinCheck).NeedsCores = int(v.(int64)) }},
		}},
	{name: string(CheckCPURatio), doc: "cores used during `phase` divided by cores used during `over` is at least `min`",
		check: func() CheckSpec { return &CPURatioCheck{} }, checkRules: rulePhases,
		fields: []field{
			{name: "phase", kind: kString, required: true, doc: "the phase", set: func(d any, v any) { d.(*CPURatioCheck).Phase = v.(string) }},
			{name: "over", kind: kString, required: true, doc: "the phase to compare with", set: func(d any, v any) { d.(*CPURatioCheck).Over = v.(string) }},
			{name: "min", kind: kFloat, required: true, doc: "the least ratio", set: func(d any, v any) { d.(*CPURatioCheck).Min = v.(float64) }},
			{name: "needs_cores", kind: kInt, doc: "below this many cores the check is not decided (default 2)", set: func(d any, v any) { d.(*CPURatioCheck).NeedsCores = int(v.(int64)) }},
		}},
}

func ruleBounds(l *loader, c CheckSpec, n ast.Node) {
	if b := c.(*BoundsCheck); b.Min > b.Max {
		l.errorf(n, "check \"bounds\": min %d is above max %d: no value could pass", b.Min, b.Max)
	}
}

func ruleLinesCount(l *loader, c CheckSpec, n ast.Node) {
	k := c.(*LinesCountCheck)
	switch {
	case k.Min <= 0 && k.Max <= 0:
		l.errorf(n, "check \"logs_count\" needs min or max, 1 or more: with neither it cannot fail")
	case k.Max > 0 && k.Min > k.Max:
		l.errorf(n, "check \"logs_count\": min %d is above max %d", k.Min, k.Max)
	}
}

func ruleAdopted(l *loader, c CheckSpec, n ast.Node) {
	if w := c.(*AdoptedCheck).While; w != AdoptedAlive && w != AdoptedZombie {
		l.errorf(n, "check \"adopted\": while is alive or zombie, not %q", w)
	}
}

func ruleTransitions(l *loader, c CheckSpec, n ast.Node) {
	t := c.(*TransitionsCheck)
	l.stateNames(n, t.States, StateNames)
}

func ruleRuntime(l *loader, c CheckSpec, n ast.Node) {
	l.stateNames(n, c.(*RuntimeCheck).States, RuntimeStateNames)
}

func ruleLines(l *loader, c CheckSpec, n ast.Node) { l.notEmpty(n, "values", c.(*LinesCheck).Lines) }

func ruleBefore(l *loader, c CheckSpec, n ast.Node) {
	b := c.(*BeforeCheck)
	if b.First == b.Then && b.First != "" {
		l.errorf(n, "check \"before\" gives the same text %q as first and then: one line would pass it against itself", b.First)
	}
}

func ruleHolds(l *loader, c CheckSpec, n ast.Node) {
	h := c.(*HoldsCheck)
	l.notEmpty(n, "counts", h.Counts)
	for _, v := range h.Counts {
		if k, err := strconv.Atoi(v); err != nil || k < 0 {
			l.errorf(n, "check \"holds\": counts are whole numbers 0 or more, not %q", v)
		}
	}
}

func ruleOneCopy(l *loader, c CheckSpec, n ast.Node) {
	l.oneCopy(n, "stopped_blocked", c.(*StoppedBlockedCheck).Task)
}

func ruleExitStatus(l *loader, c CheckSpec, n ast.Node) {
	e := c.(*ExitStatusCheck)
	switch {
	case e.Signal != "" && e.Code != 0:
		l.errorf(n, "check \"exit_status\" takes code or signal, not both")
	case e.Signal != "" && !contains([]string{"KILL", "TERM", "INT", "SEGV", "ABRT"}, e.Signal):
		l.errorf(n, "check \"exit_status\": signal must be KILL, TERM, INT, SEGV or ABRT, not %q", e.Signal)
	}
}

func ruleThreads(l *loader, c CheckSpec, n ast.Node) {
	t := c.(*ThreadsCheck)
	if t.Max < 1 && t.Min < 1 || t.Max < 0 || t.Min < 0 || t.Max > 0 && t.Min > t.Max {
		l.errorf(n, "check \"threads\" needs max or min, 1 or more (and min no more than max)")
	}
}

func rulePhases(l *loader, c CheckSpec, n ast.Node) {
	var phases []string
	var bound float64
	name, kind := "min", "cpu_min"
	switch k := c.(type) {
	case *CPUCheck:
		phases, bound, name, kind = []string{k.Phase}, k.Max, "max", "cpu"
	case *CPUMinCheck:
		phases, bound = []string{k.Phase}, k.Min
	case *CPURatioCheck:
		phases, bound, kind = []string{k.Phase, k.Over}, k.Min, "cpu_ratio"
		if k.Phase == k.Over {
			l.errorf(n, "check \"cpu_ratio\" compares phase %q with itself: the ratio is always 1", k.Phase)
		}
	}
	l.positive(n, name, bound)
	for _, ph := range phases {
		if ph != "" && !l.phases[ph] {
			l.errorf(n, "check %q names phase %q, but no step starts it", kind, ph)
		}
	}
}

// positive refuses a bound of 0 or less: a check held to it cannot fail
// (or cannot pass).
func (l *loader) positive(n ast.Node, name string, v float64) {
	if v <= 0 {
		l.errorf(n, "%s must be above 0: a check with no bound cannot fail", name)
	}
}

func (l *loader) notEmpty(n ast.Node, name string, vs []string) {
	if len(vs) == 0 {
		l.errorf(n, "%s is empty: a check of nothing cannot fail", name)
	}
}

func (l *loader) stateNames(n ast.Node, vs, known []string) {
	l.notEmpty(n, "states", vs)
	for _, v := range vs {
		if !slices.Contains(known, v) {
			l.errorf(n, "unknown state %q%s; states are: %s", v, didYouMean(v, known), joinComma(known))
		}
	}
}

// oneCopy refuses a check that follows one task on a counted task.
func (l *loader) oneCopy(n ast.Node, kind, task string) {
	if c := l.counts[task]; l.tasks[task] && c != 1 {
		copies := fmt.Sprint(c)
		if c == CountCores {
			copies = "one per core"
		}
		l.errorf(n, "check %q follows one task, and %s has %s copies: name one, as %s-1", kind, task, copies, task)
	}
}

func (l *loader) parentName(p string, n ast.Node) {
	if p != "" && p != Root && !l.tasks[p] {
		l.errorf(n, "check names parent %q, which is neither a task nor mtviz", p)
	}
}

// processTasksOf names the tasks a check reads from /proc: they must be
// process tasks, which have a process of their own.
func processTasksOf(c CheckSpec) []string {
	switch k := c.(type) {
	case *ThreadsCheck:
		return []string{k.Task}
	case *CPUTimeCheck:
		return k.Tasks
	case *ParentCheck:
		if k.Parent == Root {
			return []string{k.Task}
		}
		return []string{k.Task, k.Parent}
	case *OverlapCheck:
		return k.Tasks
	case *LifetimeCheck:
		return []string{k.Task}
	case *ZombieCheck:
		return []string{k.Task}
	case *AdoptedCheck:
		return []string{k.Task}
	case *ExitStatusCheck:
		return []string{k.Task}
	case *SurvivedCheck:
		return []string{k.Task, k.After}
	case *TerminatedCheck:
		return []string{k.Task}
	case *GoneWithCheck:
		return []string{k.Task, k.Parent}
	case *AfterExitCheck:
		return []string{k.Task}
	case *ProcessesCheck:
		return []string{k.Task}
	case *PIDsCheck:
		return []string{k.Task}
	}
	return nil
}

// processTasks refuses a check about a process on a task that has none: a
// goroutine task runs inside mtviz's own process.
func (l *loader) processTasks(kind string, c CheckSpec, n ast.Node) {
	for _, task := range processTasksOf(c) {
		base := task
		if b, _, found := CutCopy(task); found && !l.tasks[task] {
			base = b
		}
		if l.tasks[base] && !l.procs[base] {
			l.errorf(n, "check %q reads the process of %s from /proc, but %s is a goroutine task with no process of its own: give it kind: process, or check it another way", kind, task, base)
		}
	}
}
