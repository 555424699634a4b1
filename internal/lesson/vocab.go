package lesson

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
// the verdict's judges are keyed by the entry's typed name; their tests fail when
// an entry has none.
type schema struct {
	name   string
	short  string // the field a plain scalar fills, as in "sleep: 2s"
	doc    string
	fields []field
	// step makes a step kind's own settings, to decode into.
	step func() StepSpec
	// rules checks what a step's fields alone cannot.
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
func CheckNames() []CheckKind { return checkKinds(checks) }

// ObjectKinds are the kinds of shared object a lesson file may declare.
func ObjectKinds() []ObjectKind {
	kinds := make([]ObjectKind, len(objects))
	for i := range objects {
		kinds[i] = ObjectKind(objects[i].name)
	}
	return kinds
}

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
