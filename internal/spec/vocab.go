package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// kind is the type a field's value must have.
type kind int

const (
	kString kind = iota
	// kText is a text a person reads: plain, or {en: ..., zh: ...}.
	kText
	// kLogText is text a check looks for in the log: plain, or one per
	// language, {en: ..., zh: ...}, as the log lines it looks for are.
	kLogText
	// kLogLines are log lines a check expects: a list, or one list per
	// language.
	kLogLines
	kDur
	kInt
	kCount // a whole number, or the word "cores" (stored as CountCores)
	kFloat
	kBool
	kNames // one name or a list of names
	// kTaskRefs: task names, or copies of counted tasks (worker-2), for checks.
	kTaskRefs
	kSteps
	kList // a list of text values
	kRef  // the name of a declared object of one of field.refs
)

// field is one key of a mapping in a scenario file.
type field struct {
	name     string
	kind     kind
	required bool
	refs     []ObjectKind
	one      bool // a kList that also takes one value without brackets
	doc      string
	set      func(dst any, v any)
}

// schema is a mapping the loader understands: a step, a check, an object...
// Everything about one step or check is found from its entry: its fields,
// its documentation, the rules a single field cannot express and, for a
// check, the name its verdict takes by default. The engine's executor and
// the timeline's judge are keyed by the entry's name; their tests fail when
// an entry has none.
type schema struct {
	name   string
	short  string // the field a plain scalar fills, as in "sleep: 2s"
	doc    string
	fields []field
	// rules checks what the fields alone cannot (steps).
	rules func(l *loader, st *Step, n ast.Node)
	// check makes a check kind's own settings, to decode into.
	check func() CheckSpec
	// checkRules checks what a check's fields alone cannot.
	checkRules func(l *loader, c CheckSpec, n ast.Node)
}

func (s *schema) field(name string) *field {
	for i := range s.fields {
		if s.fields[i].name == name {
			return &s.fields[i]
		}
	}
	return nil
}

func (s *schema) fieldNames() string {
	names := make([]string, len(s.fields))
	for i, f := range s.fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// Setters keep the tables below short.
func stepDur(dst any, v any)    { dst.(*Step).Dur = v.(durVal).d }
func stepObject(dst any, v any) { dst.(*Step).Object = v.(string) }
func stepText(dst any, v any)   { dst.(*Step).Text = v.(string) }
func stepTasks(dst any, v any)  { dst.(*Step).Tasks = v.([]string) }

var locks = []ObjectKind{Lock, RLock, FileLock, Condition, Semaphore, RWLock}

// counters are what a step counts into: a shared counter, or a per-task local.
var counters = []ObjectKind{Counter, Local}

// steps is the step vocabulary. It is the one place steps are documented:
// `mtviz steps` prints it and the loader's errors point to it.
var steps = []schema{
	{name: "log", rules: rulePlaceholders, short: "text", doc: "print a line, as the chapter's print() does; {name} is replaced by counter name's value, {task} by the task's name, {pid} and {ppid} by the real PID and parent PID of the task's process, {child} by the PID of the process task it spawned last (as fork() returns it), {value} by the value an each loop is on, {cores} by the run's cores, {time} by the time of day",
		fields: []field{{name: "text", kind: kText, required: true, doc: "the line", set: stepText}}},
	{name: "sleep", rules: rulePositive, short: "for", doc: "sleep; the lane shows Sleeping",
		fields: []field{
			{name: "for", kind: kDur, required: true, doc: "how long, e.g. 2s or 150ms", set: stepDur},
			{name: "random", kind: kDur, doc: "sleep up to this much longer, chosen at random", set: func(d any, v any) { d.(*Step).Random = v.(durVal).d }},
		}},
	{name: "busy", rules: rulePositive, short: "for", doc: "compute without pause (CPU-bound work)",
		fields: []field{
			{name: "for", kind: kDur, required: true, doc: "how long", set: stepDur},
			{name: "hold", kind: kRef, refs: []ObjectKind{GIL}, doc: "a gil the work must hold, handed over each switch interval",
				set: func(d any, v any) { d.(*Step).Hold = v.(string) }},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts work units (one per 1000 loop turns)",
				set: func(d any, v any) { d.(*Step).Counter = v.(string) }},
		}},
	{name: "repeat", rules: ruleRepeat, doc: "run the steps a number of times, or again and again for a while",
		fields: []field{
			{name: "times", kind: kCount, doc: "how many times, or `cores` for once per core (give times or for)", set: func(d any, v any) { d.(*Step).Times = int(v.(int64)) }},
			{name: "for", kind: kDur, doc: "or: again and again until this long has passed, e.g. 400ms (a loop that runs for many of the scheduler's time slices)", set: stepDur},
			{name: "steps", kind: kSteps, required: true, doc: "the steps to repeat", set: func(d any, v any) { d.(*Step).Body = v.([]Step) }},
		}},
	{name: "add", doc: "counter = counter + n, as a separate read and write so that another task can slip between them",
		fields: []field{
			{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: stepObject},
			{name: "n", kind: kInt, required: true, doc: "the amount (negative to subtract)", set: func(d any, v any) { d.(*Step).N = v.(int64) }},
		}},
	{name: "lock", short: "lock", doc: "acquire a lock; the lane shows Blocked while another task holds it",
		fields: []field{{name: "lock", kind: kRef, refs: locks, required: true, doc: "a lock, rlock, flock, semaphore or rwlock, or a condition (its lock)", set: stepObject},
			{name: "read", kind: kBool, doc: "an rwlock: take it for reading, shared with other readers", set: func(d any, v any) { d.(*Step).Read = v.(bool) }}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*Step).Timeout = v.(durVal).d }}}},
	{name: "unlock", short: "lock", doc: "release a lock the task holds",
		fields: []field{{name: "lock", kind: kRef, refs: locks, required: true, doc: "a lock, rlock or flock", set: stepObject}}},
	{name: "wait", short: "on", doc: "wait on a condition (its lock held) or until an event is set",
		fields: []field{{name: "on", kind: kRef, refs: []ObjectKind{Condition, Event}, required: true, doc: "a condition or an event", set: stepObject}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*Step).Timeout = v.(durVal).d }}}},
	{name: "notify", short: "condition", doc: "wake one waiter of a condition (its lock held)",
		fields: []field{
			{name: "condition", kind: kRef, refs: []ObjectKind{Condition}, required: true, doc: "the condition", set: stepObject},
			{name: "all", kind: kBool, doc: "wake every waiter", set: func(d any, v any) { d.(*Step).All = v.(bool) }},
		}},
	{name: "set", short: "event", doc: "set an event, releasing its waiters",
		fields: []field{{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: stepObject}}},
	{name: "clear", short: "event", doc: "clear an event so that waiters block again",
		fields: []field{{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: stepObject}}},
	{name: "put", rules: rulePlaceholders, doc: "put a value on a queue",
		fields: []field{
			{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: stepObject},
			{name: "value", kind: kString, required: true, doc: "the value", set: stepText},
		}},
	{name: "get", short: "queue", doc: "take the next value from a queue, blocking while it is empty",
		fields: []field{{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: stepObject}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*Step).Timeout = v.(durVal).d }}}},
	{name: "spawn", short: "tasks", doc: "start tasks (a task some step spawns does not start with the round); a process task is started once its process runs (it has said hello), as Process.start() returns once the child exists",
		fields: []field{
			{name: "tasks", kind: kNames, required: true, doc: "a task name or a list; a counted task starts all its copies", set: stepTasks},
			{name: "stagger", kind: kDur, doc: "start them one at a time, this long apart (default: all together)", set: stepDur},
		}},
	{name: "join", short: "tasks", doc: "wait until tasks have ended",
		fields: []field{{name: "tasks", kind: kNames, required: true, doc: "a task name or a list", set: stepTasks}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*Step).Timeout = v.(durVal).d }}}},
	{name: "phase", short: "name", doc: "mark the start of a named part of the run, for checks and the screen",
		fields: []field{{name: "name", kind: kString, required: true, doc: "the phase name", set: stepText}}},
	{name: "exit", rules: ruleExit, short: "code", doc: "end the task here; in a process task, end the process at once with this code, leaving its children behind",
		fields: []field{{name: "code", kind: kInt, doc: "exit code (processes)", set: func(d any, v any) { d.(*Step).N = v.(int64) }}}},
	{name: "crash", short: "message", doc: "panic: the whole process the task runs in ends at once, every goroutine in it, as an uncaught Go panic ends a Go program (exit status 2); only in a process task, or a task a process task spawns",
		fields: []field{{name: "message", kind: kString, required: true, doc: "what the panic says", set: stepText}}},
	{name: "each", doc: "take values from a queue until a given value, running the steps for each; {value} in a log is the value",
		fields: []field{
			{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: stepObject},
			{name: "until", kind: kString, required: true, doc: "the value that ends the loop", set: func(d any, v any) { d.(*Step).Until = v.(string) }},
			{name: "steps", kind: kSteps, doc: "the steps for each value (none: each value is only taken; the log says \"got VALUE from QUEUE\" either way)", set: func(d any, v any) { d.(*Step).Body = v.([]Step) }},
		}},
	{name: "read", short: "counter", doc: "copy a counter into the task's own private copy (the first half of balance = balance + n)",
		fields: []field{{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: stepObject}}},
	{name: "write", doc: "set a counter to the task's private copy plus n (the second half of balance = balance + n)",
		fields: []field{
			{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: stepObject},
			{name: "add", kind: kInt, required: true, doc: "what to add to the copy", set: func(d any, v any) { d.(*Step).N = v.(int64) }},
		}},
	{name: "stop", short: "tasks", doc: "stop tasks at their next step or wait, even blocked ones (mtviz can; Python cannot)",
		fields: []field{{name: "tasks", kind: kNames, required: true, doc: "a task name or a list", set: stepTasks}}},
	{name: "branch", doc: "run one list of steps if an event is set, another if it is clear (like `if event.isSet():`)",
		fields: []field{
			{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: stepObject},
			{name: "if_set", kind: kSteps, doc: "steps when it is set", set: func(d any, v any) { d.(*Step).Body = v.([]Step) }},
			{name: "if_clear", kind: kSteps, doc: "steps when it is clear", set: func(d any, v any) { d.(*Step).Else = v.([]Step) }},
		}},
	{name: "kill", rules: ruleKill, short: "task", doc: "send a signal to a process task's process",
		fields: []field{
			{name: "task", kind: kTaskRefs, required: true, doc: "the process task (every copy), or one copy of a counted task (worker-2)", set: stepTasks},
			{name: "signal", kind: kString, doc: "TERM (default), KILL or INT", set: func(d any, v any) { d.(*Step).Signal = v.(string) }},
		}},
	{name: "run", rules: ruleRun, doc: "run an external program as a child process (never through a shell), feed it stdin, log its output and exit code",
		fields: []field{
			{name: "program", kind: kString, required: true, doc: "the program: a name looked up in PATH, or a path", set: func(d any, v any) { d.(*Step).Program = v.(string) }},
			{name: "args", kind: kList, doc: "its arguments, a list", set: func(d any, v any) { d.(*Step).Args = v.([]string) }},
			{name: "stdin", kind: kString, doc: "what to write to its standard input", set: stepText},
		}},
	{name: "request", rules: ruleRequest, short: "server", doc: "ask a server and wait for its answer, again and again: one request writes one byte and reads the one byte the server sends back after its delay; the lane shows the wait as I/O",
		fields: []field{
			{name: "server", kind: kRef, refs: []ObjectKind{Server}, required: true, doc: "the server", set: stepObject},
			{name: "times", kind: kInt, doc: "how many requests, one after another (default 1; give times or for)", set: func(d any, v any) { d.(*Step).Times = int(v.(int64)) }},
			{name: "for", kind: kDur, doc: "or: request again and again until this long has passed", set: stepDur},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts the answers (each process counts in its own copy)",
				set: func(d any, v any) { d.(*Step).Counter = v.(string) }},
			{name: "mode", kind: kString, doc: "poll (default): wait in Go's network poller (epoll), holding no thread while waiting; block: lock the goroutine to its OS thread and wait in a blocking read(2), one thread per waiting request",
				set: func(d any, v any) { d.(*Step).Mode = v.(string) }},
		}},
	{name: "master", rules: ruleMaster, short: "broker", doc: "be the master of a broker's job: publish tasks 1..N to its work queue, a few hundred ahead of their results, and collect each result (n*n) once by task id, until all are in; a master started again after one was killed goes on where it stopped",
		fields: []field{
			{name: "broker", kind: kRef, refs: []ObjectKind{Broker}, required: true, doc: "the broker", set: stepObject},
			{name: "tasks", kind: kInt, doc: "how many tasks (default 1000)", set: func(d any, v any) { d.(*Step).N = v.(int64) }},
		}},
	{name: "work", rules: ruleWork, short: "broker", doc: "be a worker of a broker's job: pull tasks, publish each result, acknowledge the task once the server has stored the result, until the master says the job is done; the lane shows the waits for tasks as I/O in the net poller",
		fields: []field{
			{name: "broker", kind: kRef, refs: []ObjectKind{Broker}, required: true, doc: "the broker", set: stepObject},
			{name: "pace", kind: kDur, doc: "how long each task takes (default 0), so that the work can be watched; a worker holds a few tasks ahead of its work", set: stepDur},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts the tasks done (each process counts in its own copy)",
				set: func(d any, v any) { d.(*Step).Counter = v.(string) }},
			{name: "wrong_key", kind: kBool, doc: "present a wrong key: the server refuses the worker, which logs it and ends", set: func(d any, v any) { d.(*Step).Wrong = v.(bool) }},
		}},
	{name: "key", rules: ruleKey, doc: "wait for the learner to press a key (headless runs press it after `auto`)",
		fields: []field{
			{name: "key", kind: kString, required: true, doc: "one character", set: func(d any, v any) { d.(*Step).Object = v.(string) }},
			{name: "label", kind: kText, required: true, doc: "what the key does, shown on screen", set: stepText},
			{name: "auto", kind: kDur, doc: "headless: press it after this long (default 1s)", set: stepDur},
			{name: "always", kind: kBool, doc: "press it after `auto` on screen too, if the learner has not (for a text that says \"press x, or wait\")", set: func(d any, v any) { d.(*Step).Always = v.(bool) }},
		}},
}

// objects is the vocabulary of shared objects.
var objects = []schema{
	{name: string(Counter), doc: "a shared integer, shown live",
		fields: []field{{name: "value", kind: kInt, doc: "starting value (default 0)", set: func(d any, v any) { d.(*Object).Value = v.(int64) }}}},
	{name: string(Lock), doc: "a mutual-exclusion lock; taking it twice blocks the holder on itself"},
	{name: string(RLock), doc: "a re-entrant lock: its holder may take it again; it counts holds"},
	{name: string(Local), doc: "a per-task value, as threading.local(): add, read, write, busy and request steps, and {name} in a text, use the task's own copy, made from `value` on its first use; the panel shows each task's copy",
		fields: []field{{name: "value", kind: kInt, doc: "each copy's starting value (default 0)", set: func(d any, v any) { d.(*Object).Value = v.(int64) }}}},
	{name: string(RWLock), doc: "a reader/writer lock: `lock: {lock: rw, read: true}` shares it with other readers, `lock: rw` takes it alone to write; a waiting writer keeps new readers out; unlock gives back what the task holds"},
	{name: string(Semaphore), doc: "a counting semaphore, as threading.Semaphore(value): lock takes one of its permits, blocking while none is left; unlock gives one back; the panel shows the permits free and who holds them",
		fields: []field{{name: "value", kind: kInt, doc: "its permits (default 1)", set: func(d any, v any) { d.(*Object).Value = v.(int64) }}}},
	{name: string(GIL), doc: "a global interpreter lock: busy work holding it hands it over each switch interval",
		fields: []field{{name: "interval", kind: kDur, doc: "switch interval (default 5ms, as CPython's)", set: func(d any, v any) { d.(*Object).Interval = v.(durVal).d }}}},
	{name: string(Condition), doc: "a condition variable: wait releases its lock until notified",
		fields: []field{{name: "lock", kind: kRef, refs: []ObjectKind{Lock, RLock}, doc: "the lock it uses (default: a lock of its own)", set: func(d any, v any) { d.(*Object).Lock = v.(string) }}}},
	{name: string(Event), doc: "a flag tasks wait for: set releases every waiter, clear makes them wait again"},
	{name: string(Queue), doc: "a first-in first-out queue of values",
		fields: []field{{name: "size", kind: kInt, doc: "capacity; put blocks when full (default unbounded)", set: func(d any, v any) { d.(*Object).Size = int(v.(int64)) }}}},
	{name: string(FileLock), doc: "a lock across processes that the OS sees (flock on a file), named in /proc/locks"},
	{name: string(Server), doc: "a server in a child process of mtviz, on a TCP port of 127.0.0.1: for every byte a connection sends it, it waits `delay` and sends one byte back, for many connections at once (request steps ask it)",
		fields: []field{{name: "delay", kind: kDur, doc: "how long it takes to answer each byte, e.g. 50ms (default 0)", set: func(d any, v any) { d.(*Object).Delay = v.(durVal).d }}}},
	{name: string(Broker), doc: "a NATS server with JetStream in a child process of mtviz, on 127.0.0.1, requiring a key of every client (mtviz gives it to the run's processes); its files in a private directory mtviz removes; master and work steps use it, and mtviz reads the job's state from it",
		fields: []field{
			{name: "ack_wait", kind: kDur, doc: "how long a worker may hold a task before the server hands it to another (default 1s)", set: func(d any, v any) { d.(*Object).AckWait = v.(durVal).d }},
			{name: "memory", kind: kBool, doc: "keep the job's streams in memory, not in files", set: func(d any, v any) { d.(*Object).Memory = v.(bool) }},
			{name: "waiting", kind: kRef, refs: []ObjectKind{Counter}, doc: "a counter mtviz sets to the tasks no worker was handed yet, as the server says", set: func(d any, v any) { d.(*Object).Waiting = v.(string) }},
			{name: "in_flight", kind: kRef, refs: []ObjectKind{Counter}, doc: "a counter set to the tasks handed out and not acknowledged", set: func(d any, v any) { d.(*Object).InFlight = v.(string) }},
			{name: "redelivered", kind: kRef, refs: []ObjectKind{Counter}, doc: "a counter set to the deliveries of tasks past their first", set: func(d any, v any) { d.(*Object).Redelivered = v.(string) }},
			{name: "results", kind: kRef, refs: []ObjectKind{Counter}, doc: "a counter set to the results the server has stored", set: func(d any, v any) { d.(*Object).Results = v.(string) }},
		}},
}

// topKeys are a scenario file's own keys, in the order a file usually has
// them; the loader refuses any other.
var topKeys = []struct{ name, doc string }{
	{"id", "the lesson's id: lower-case letters, digits and dashes (default: made from the file's name)"},
	{"title", "what the lesson is called (required)"},
	{"summary", "one line for the lesson picker"},
	{"lesson", "the lesson's text, shown beside it; lines indented four spaces are kept as they are"},
	{"rounds", "how many times to run it (default 1)"},
	{"trace", "true: read the Go runtime's trace from the start (t toggles it)"},
	{"objects", "shared objects, by name"},
	{"tasks", "the tasks (required)"},
	{"checks", "what the run must show, decided from what the engine and the OS reported"},
	{"switches", "the lesson's own settings: name: {values: [a, b], default: a, doc: ...}; `$name` stands for the value, `choose` picks steps by it, a check's `when: name=a` applies to one value"},
	{"compare", "what 'mtviz compare' compares when given no --cores or --set: SWITCH or SWITCH=a,b (default: one core against all)"},
	{"sweep", "run once per value of a switch: {over: SWITCH, series: SWITCH, figures: [...], checks: [...]}"},
}

func topKeyNames() string {
	n := make([]string, len(topKeys))
	for i, k := range topKeys {
		n[i] = k.name
	}
	return strings.Join(n, ", ")
}

// StepNames lists every step of the vocabulary.
func StepNames() []string { return tableNames(steps) }

// CheckNames lists every check of the vocabulary.
func CheckNames() []string { return tableNames(checks) }

func tableNames(table []schema) []string {
	out := make([]string, len(table))
	for i, s := range table {
		out[i] = s.name
	}
	return out
}

func lookup(table []schema, name string) *schema {
	for i := range table {
		if table[i].name == name {
			return &table[i]
		}
	}
	return nil
}

func names(table []schema) string {
	n := make([]string, len(table))
	for i, s := range table {
		n[i] = s.name
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

// Vocabulary returns the documentation of every step, object kind and check.
func Vocabulary() string {
	var b strings.Builder
	section := func(title string, table []schema, examples map[string]string) {
		fmt.Fprintf(&b, "%s\n\n", title)
		for _, s := range table {
			fmt.Fprintf(&b, "  %-10s %s\n", s.name, s.doc)
			if ex := examples[s.name]; ex != "" {
				fmt.Fprintf(&b, "  %-10s   e.g. %s\n", "", ex)
			}
			for _, f := range s.fields {
				req := ""
				if f.required {
					req = " (required)"
				}
				short := ""
				if f.name == s.short {
					short = fmt.Sprintf("; `%s: VALUE` is short for it", s.name)
				}
				fmt.Fprintf(&b, "  %-10s   %s: %s%s%s\n", "", f.name, f.doc, req, short)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("A scenario file (YAML) has these keys:\n\n")
	for _, k := range topKeys {
		fmt.Fprintf(&b, "  %-10s %s\n", k.name, k.doc)
	}
	b.WriteString("\n")
	b.WriteString("Tasks (under `tasks:`, a list):\n\n")
	b.WriteString(taskDoc())
	b.WriteString("\n")
	section("Steps (each step is a mapping with one key, the step's name):", steps, stepExamples)
	fmt.Fprintf(&b, "  %-10s %s\n  %-10s   e.g. %s\n\n", "choose", "keep the steps of one value of a switch (see switches above): the others are dropped when the file loads, and still checked", "", chooseExample)
	section("Objects (under `objects:`, name: {kind: KIND, ...}):", objects, objectExamples)
	section("Checks (under `checks:`, each {KIND: {...}}; every check also takes `name:`, what its verdict calls it, and `when: switch=value`, the switch values it applies to; a text a check looks for in the log may be given per language, {en: ..., zh: ...}, as the log lines are):", checks, checkExamples)
	section("Checks of a sweep (under `sweep: {checks: [...]}`):", sweepChecks, map[string]string{
		"grows": `grows: {figure: switches, series: [threads, processes], factor: 1.5}`, "levels_off": `levels_off: {figure: work, factor: 1.5}`,
		"rises": `rises: {figure: speedup, series: io, factor: 4}`})
	section("Checks of a comparison (under `compare: {switch: S, checks: [...]}`):", compareChecks, map[string]string{
		"more": `more: {figure: switches, of: threads, than: goroutines, factor: 2}`})
	return b.String()
}
