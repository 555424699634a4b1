package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"mtviz/internal/keymap"
)

// fill decodes the entries of a mapping into dst following a schema. skip
// names keys the caller has already handled.
func (l *loader) fill(s *schema, entries []*ast.MappingValueNode, dst any, what string, skip ...string) {
	have := map[string]bool{}
	for _, kv := range entries {
		key, ok := l.key(kv)
		if !ok {
			continue
		}
		if contains(skip, key) {
			have[key] = true
			continue
		}
		f := s.field(key)
		if f == nil {
			known := s.fieldNames()
			if contains(skip, "name") {
				known += " (and name, when)"
			}
			if known == "" {
				l.errorf(kv.Key, "unknown key %q: %s takes no settings", key, what)
			} else {
				l.errorf(kv.Key, "unknown key %q in %s; it takes: %s", key, what, known)
			}
			continue
		}
		if have[key] {
			l.errorf(kv.Key, "%q is given twice", key)
			continue
		}
		have[key] = true
		l.value(f, kv.Value, dst, what)
	}
	for _, f := range s.fields {
		if f.required && !have[f.name] {
			n := ast.Node(nil)
			if len(entries) > 0 {
				n = entries[0]
			}
			l.errorf(n, "%s needs %q: %s", what, f.name, f.doc)
		}
	}
}

// value decodes one field's value and hands it to the field's setter.
func (l *loader) value(f *field, n ast.Node, dst any, what string) {
	label := fmt.Sprintf("%q of %s", f.name, what)
	if _, null := n.(*ast.NullNode); null || n == nil {
		l.errorf(n, "%s has no value", label)
		return
	}
	var v any
	ok := false
	switch f.kind {
	case kString:
		v, ok = l.str(n, label)
	case kText:
		v, ok = l.prose(n, label)
	case kDur:
		var d durVal
		d.d, ok = l.duration(n, label)
		v = d
	case kInt:
		v, ok = l.integer(n, label, -1<<40, 1<<40)
	case kCount:
		if l.text(n) == "cores" {
			v, ok = int64(CountCores), true
		} else {
			v, ok = l.integer(n, label+" (or the word cores)", -1<<40, 1<<40)
		}
	case kFloat:
		v, ok = l.float(n, label)
	case kBool:
		v, ok = l.boolean(n, label)
	case kNames, kTaskRefs:
		var ns []string
		ns, ok = l.nameList(n, label)
		for _, name := range ns {
			if l.tasks[name] || f.kind == kTaskRefs && l.isCopy(name) {
				continue
			}
			if base, _, found := cutCopy(name); found && l.tasks[base] && f.kind == kNames {
				l.errorf(n, "%s names %q, a copy of %s; a step names the task, and it covers every copy", label, name, base)
			} else {
				l.errorf(n, "%s names task %q, which is not declared under tasks", label, name)
			}
			ok = false
		}
		v = ns
	case kSteps:
		v, ok = l.stepList(n, 1), true
	case kLogText:
		v, ok = l.perLanguage(n, label, func(n ast.Node, what string) (any, bool) { return l.str(n, what) })
	case kList:
		v, ok = l.list(n, label, f.one)
	case kLogLines:
		v, ok = l.perLanguage(n, label, func(n ast.Node, what string) (any, bool) { return l.list(n, what, false) })
	case kRef:
		var name string
		name, ok = l.str(n, label)
		if ok {
			ok = l.ref(n, name, f.refs, label)
		}
		v = name
	}
	if ok {
		f.set(dst, v)
	}
}

// list reads a list of texts; one takes a single text without brackets.
func (l *loader) list(n ast.Node, label string, one bool) ([]string, bool) {
	var items []ast.Node
	ok := true
	if _, seq := n.(*ast.SequenceNode); one && !seq {
		items = []ast.Node{n}
	} else {
		items, ok = l.sequence(n, label)
	}
	var list []string
	for _, it := range items {
		s, sok := l.str(it, label)
		ok = ok && sok
		list = append(list, s)
	}
	return list, ok
}

func (l *loader) ref(n ast.Node, name string, kinds []ObjectKind, label string) bool {
	o := l.objs[name]
	if o == nil {
		l.errorf(n, "%s: %q is not declared under objects", label, name)
		return false
	}
	for _, k := range kinds {
		if o.Kind == k {
			return true
		}
	}
	want := make([]string, len(kinds))
	for i, k := range kinds {
		want[i] = string(k)
	}
	l.errorf(n, "%s: %q is a %s, but this needs a %s", label, name, o.Kind, strings.Join(want, " or "))
	return false
}

func (l *loader) objects(n ast.Node) []Object {
	entries, ok := l.mapping(n, "objects")
	if !ok {
		return nil
	}
	var out []Object
	for _, kv := range entries {
		name, ok := l.key(kv)
		if !ok {
			continue
		}
		if !nameRE.MatchString(name) {
			l.errorf(kv.Key, "object name %q must start with a letter and hold only letters, digits, _ . -", name)
			continue
		}
		if l.objs[name] != nil {
			l.errorf(kv.Key, "object %q is declared twice", name)
			continue
		}
		o := Object{Name: name, Pos: l.pos(kv.Key)}
		fields, ok := l.mapping(kv.Value, fmt.Sprintf("object %q", name))
		if !ok {
			continue
		}
		var kindNode ast.Node
		for _, f := range fields {
			if k, _ := scalar(f.Key); k == "kind" {
				kindNode = f.Value
			}
		}
		if kindNode == nil {
			l.errorf(kv.Key, "object %q needs a kind: one of %s", name, names(objects))
			continue
		}
		kind, _ := l.str(kindNode, "kind")
		s := lookup(objects, kind)
		if s == nil {
			l.errorf(kindNode, "unknown object kind %q; known kinds: %s", kind, names(objects))
			continue
		}
		o.Kind = ObjectKind(kind)
		l.fill(s, fields, &o, fmt.Sprintf("%s %q", kind, name), "kind")
		if o.Kind == Condition && o.Lock != "" && o.Lock == name {
			l.errorf(kv.Key, "condition %q cannot use itself as its lock", name)
		}
		if o.Kind == Broker && (o.AckWait < 0 || o.AckWait > 0 && o.AckWait < 100*time.Millisecond) {
			l.errorf(kv.Key, "broker %q: ack_wait must be at least 100ms", name)
		}
		if o.Kind == Queue && o.Size < 0 {
			l.errorf(kv.Key, "queue %q: size must be 0 (unbounded) or more", name)
		}
		if o.Kind == Semaphore {
			if !hasKey(fields, "value") {
				o.Value = 1
			} else if o.Value < 1 {
				l.errorf(kv.Key, "semaphore %q: value must be 1 or more, not %d: with no permit, every lock would wait forever", name, o.Value)
			}
		}
		// The object is known even when a setting was wrong, so that later
		// references to it do not add a second, misleading error.
		l.objs[name] = &o
		out = append(out, o)
	}
	return out
}

var taskSchema = schema{name: "task", fields: []field{
	{name: "name", kind: kString, doc: "the task's name (default Thread-N or Process-N, as Python names them)"},
	{name: "kind", kind: kString, doc: "goroutine (default) or process"},
	{name: "daemon", kind: kBool, doc: "cut off when every non-daemon task has ended"},
	{name: "count", kind: kInt, doc: "run this many copies, name-1..name-N; `cores` means one per core"},
	{name: "gomaxprocs", kind: kInt, doc: "a process task's GOMAXPROCS: how many threads may run its Go code at once (default: the run's cores)"},
	{name: "locked", kind: kBool, doc: "run the task's goroutine locked to an OS thread of its own for its whole life (runtime.LockOSThread): copies of it are real threads the kernel switches between"},
	{name: "steps", kind: kSteps, required: true, doc: "what the task does"},
}}

// TaskDoc documents the keys of a task, for `mtviz steps`.
func taskDoc() string {
	var b strings.Builder
	for _, f := range taskSchema.fields {
		fmt.Fprintf(&b, "  %-10s %s\n", f.name, f.doc)
	}
	return b.String()
}

func (l *loader) taskList(n ast.Node) []Task {
	items, ok := l.sequence(n, "tasks")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.errorf(n, "tasks is empty; a scenario needs at least one task")
		return nil
	}
	// Names first, so that spawn and join can refer to tasks declared later.
	l.tasks = map[string]bool{}
	l.counts = map[string]int{}
	l.procs = map[string]bool{}
	taskNames := make([]string, len(items))
	counters := map[TaskKind]int{}
	for i, it := range items {
		entries, ok := l.mapping(it, "a task")
		if !ok {
			continue
		}
		kind := Goroutine
		var nameNode, countNode ast.Node
		for _, kv := range entries {
			switch k, _ := scalar(kv.Key); k {
			case "count":
				countNode = kv.Value
			case "name":
				nameNode = kv.Value
			case "kind":
				if l.text(kv.Value) == string(Process) {
					kind = Process
				}
			}
		}
		var name string
		if nameNode != nil {
			name, _ = l.str(nameNode, "a task's name")
			if !nameRE.MatchString(name) {
				l.errorf(nameNode, "task name %q must start with a letter and hold only letters, digits, _ . -", name)
			}
		} else {
			counters[kind]++
			prefix := "Thread"
			if kind == Process {
				prefix = "Process"
			}
			name = fmt.Sprintf("%s-%d", prefix, counters[kind])
		}
		if l.tasks[name] {
			l.errorf(it, "task %q is declared twice", name)
		}
		l.tasks[name] = true
		if kind == Process {
			l.procs[name] = true
		}
		taskNames[i] = name
		// Known before any step is read, so that a step may name a copy
		// of a task declared after it (kill worker-2); errors come later.
		if countNode != nil {
			if l.text(countNode) == "cores" {
				l.counts[name] = CountCores
			} else if n, err := strconv.Atoi(l.text(countNode)); err == nil {
				l.counts[name] = n
			}
		}
	}
	out := make([]Task, 0, len(items))
	for i, it := range items {
		entries, ok := l.mapping(it, "a task")
		if !ok {
			continue
		}
		t := Task{Name: taskNames[i], Kind: Goroutine, Count: 1, Pos: l.pos(it)}
		what := fmt.Sprintf("task %q", t.Name)
		hasSteps := false
		for _, kv := range entries {
			key, ok := l.key(kv)
			if !ok {
				continue
			}
			switch key {
			case "name":
			case "kind":
				k, ok := l.str(kv.Value, "kind of "+what)
				if ok && k != string(Goroutine) && k != string(Process) {
					l.errorf(kv.Value, "kind of %s must be goroutine or process, not %q", what, k)
				}
				t.Kind = TaskKind(k)
			case "daemon":
				t.Daemon, _ = l.boolean(kv.Value, "daemon of "+what)
			case "count":
				if l.text(kv.Value) == "cores" {
					t.Count = CountCores
				} else if v, ok := l.integer(kv.Value, "count of "+what+" (or the word cores)", 1, maxCount); ok {
					t.Count = int(v)
				}
			case "gomaxprocs":
				if v, ok := l.integer(kv.Value, "gomaxprocs of "+what, 1, maxGoMaxProcs); ok {
					t.GoMaxProcs = int(v)
				}
			case "locked":
				t.Locked, _ = l.boolean(kv.Value, "locked of "+what)
			case "steps":
				hasSteps = true
				t.Steps = l.stepList(kv.Value, 1)
			default:
				l.errorf(kv.Key, "unknown key %q in %s; a task takes: %s", key, what, taskSchema.fieldNames())
			}
		}
		if !hasSteps {
			l.errorf(it, "%s needs steps", what)
		}
		if t.GoMaxProcs > 0 && t.Kind != Process {
			l.errorf(it, "%s has gomaxprocs, which only a process task can have: goroutines share their process's", what)
		}
		l.counts[t.Name] = t.Count
		out = append(out, t)
	}
	return out
}

func (l *loader) stepList(n ast.Node, depth int) []Step {
	if depth > maxDepth {
		l.errorf(n, "steps are nested more than %d deep", maxDepth)
		return nil
	}
	items, ok := l.sequence(n, "steps")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.errorf(n, "steps is empty")
		return nil
	}
	out := make([]Step, 0, len(items))
	for _, it := range items {
		if m, ok := it.(*ast.MappingNode); ok && len(m.Values) == 1 {
			if k, _ := scalar(m.Values[0].Key); k == "choose" {
				out = append(out, l.choose(m.Values[0], depth)...)
				continue
			}
		}
		if st, ok := l.step(it, depth); ok {
			out = append(out, st)
		}
	}
	return out
}

func (l *loader) step(n ast.Node, depth int) (Step, bool) {
	l.nsteps++
	if l.nsteps > maxSteps {
		if l.nsteps == maxSteps+1 {
			l.errorf(n, "more than %d steps in one file", maxSteps)
		}
		return Step{}, false
	}
	var st Step
	if s, ok := scalar(n); ok {
		// A bare word such as "- unlock" is a step with no value.
		l.errorf(n, "step %q needs a value, as in `%s: ...`; see 'mtviz steps'", s, s)
		return st, false
	}
	entries, ok := l.mapping(n, "a step")
	if !ok {
		return st, false
	}
	if len(entries) != 1 {
		keys := make([]string, 0, len(entries))
		for _, kv := range entries {
			k, _ := scalar(kv.Key)
			keys = append(keys, k)
		}
		l.errorf(n, "a step is one name with its value, but this one has %d keys (%s); indent settings under the step's name", len(entries), strings.Join(keys, ", "))
		return st, false
	}
	kv := entries[0]
	name, ok := l.key(kv)
	if !ok {
		return st, false
	}
	s := lookup(steps, name)
	if s == nil {
		hint := ""
		if m := closest(name, steps); m != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", m)
		}
		l.errorf(kv.Key, "unknown step %q%s; run 'mtviz steps' for the list", name, hint)
		return st, false
	}
	st.Op, st.Pos = Op(name), l.pos(kv.Key)
	what := fmt.Sprintf("step %q", name)
	v := l.plain(kv.Value)
	if v == nil {
		return st, false
	}
	if _, null := v.(*ast.NullNode); null {
		l.errorf(kv.Key, "%s has no value; see 'mtviz steps'", what)
		return st, false
	}
	before := len(l.errs)
	if s.short != "" && s.field(s.short).kind == kText && isLanguages(v) {
		// log: {en: ..., zh: ...} is the short field in two languages.
		l.value(s.field(s.short), v, &st, what)
		return st, len(l.errs) == before
	}
	switch v.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		fields, _ := l.mapping(v, what)
		if name == "repeat" || name == "each" {
			// Nested steps are deeper; decode them with the depth known.
			for _, f := range fields {
				if k, _ := scalar(f.Key); k == "steps" {
					st.Body = l.stepList(f.Value, depth+1)
				}
			}
			l.fill(s, fields, &st, what, "steps")
			if name == "repeat" && !hasKey(fields, "steps") {
				l.errorf(kv.Key, "%s needs %q: the steps to run", what, "steps")
			}
		} else if name == "branch" {
			for _, f := range fields {
				switch k, _ := scalar(f.Key); k {
				case "if_set":
					st.Body = l.stepList(f.Value, depth+1)
				case "if_clear":
					st.Else = l.stepList(f.Value, depth+1)
				}
			}
			l.fill(s, fields, &st, what, "if_set", "if_clear")
			if !hasKey(fields, "if_set") && !hasKey(fields, "if_clear") {
				l.errorf(kv.Key, "%s needs if_set or if_clear", what)
			}
		} else {
			l.fill(s, fields, &st, what)
		}
	default:
		if s.short == "" {
			l.errorf(v, "%s takes settings (%s), not a single value", what, s.fieldNames())
			return st, false
		}
		l.value(s.field(s.short), v, &st, what)
		for _, f := range s.fields {
			if f.required && f.name != s.short {
				l.errorf(v, "%s needs %q too", what, f.name)
			}
		}
	}
	if len(l.errs) > before {
		return st, false
	}
	if s.rules != nil {
		s.rules(l, &st, v)
	}
	if st.Op == "phase" {
		l.phases[st.Text] = true
	}
	return st, true
}

// The rules a single field cannot express, each named by its step's entry
// in the vocabulary.

func rulePlaceholders(l *loader, st *Step, n ast.Node) {
	for _, name := range Placeholders(st.Text) {
		if BuiltinPlaceholders[name] {
			continue
		}
		if o := l.objs[name]; o == nil || o.Kind != Counter && o.Kind != Local {
			l.errorf(n, "text names {%s}, which is neither a counter declared under objects nor one of {task}, {pid}, {ppid}, {child}, {value}, {cores}, {time}", name)
		}
	}
}

func ruleRepeat(l *loader, st *Step, n ast.Node) {
	hasTimes := false
	if m, ok := n.(*ast.MappingNode); ok {
		hasTimes = hasKey(m.Values, "times")
	}
	switch {
	case st.Dur > 0 && hasTimes:
		l.errorf(n, "repeat takes times or for, not both")
	case st.Dur > 0:
	case !hasTimes:
		l.errorf(n, "repeat needs times (how many) or for (how long)")
	case st.Times != CountCores && (st.Times < 1 || st.Times > maxTimes):
		l.errorf(n, "repeat times must be from 1 to %d", maxTimes)
	}
}

func ruleKey(l *loader, st *Step, n ast.Node) {
	reserved := keymap.Reserved()
	if len([]rune(st.Object)) != 1 || slices.Contains(reserved, st.Object) {
		shown := make([]string, len(reserved))
		for i, k := range reserved {
			shown[i] = strings.ReplaceAll(k, " ", "space")
		}
		l.errorf(n, "key must be one character, and not one the lesson screen uses (%s)", strings.Join(shown, " "))
	}
}

func rulePositive(l *loader, st *Step, n ast.Node) {
	if st.Dur <= 0 {
		l.errorf(n, "%s needs a duration above 0", st.Op)
	}
}

func ruleExit(l *loader, st *Step, n ast.Node) {
	if st.N < 0 || st.N > 255 {
		l.errorf(n, "exit code must be from 0 to 255")
	}
}

func ruleKill(l *loader, st *Step, n ast.Node) {
	switch st.Signal {
	case "":
		st.Signal = "TERM"
	case "TERM", "KILL", "INT":
	default:
		l.errorf(n, "signal must be TERM, KILL or INT, not %q", st.Signal)
	}
}

func ruleRequest(l *loader, st *Step, n ast.Node) {
	hasTimes := false
	if m, ok := n.(*ast.MappingNode); ok {
		hasTimes = hasKey(m.Values, "times")
	}
	switch {
	case st.Dur > 0 && hasTimes:
		l.errorf(n, "request takes times or for, not both")
	case st.Dur > 0:
	case !hasTimes:
		st.Times = 1
	case st.Times < 1 || st.Times > maxTimes:
		l.errorf(n, "request times must be from 1 to %d", maxTimes)
	}
	switch st.Mode {
	case "":
		st.Mode = ModePoll
	case ModePoll, ModeBlock:
	default:
		l.errorf(n, "request mode must be poll or block, not %q", st.Mode)
	}
}

func ruleMaster(l *loader, st *Step, n ast.Node) {
	switch {
	case st.N == 0:
		st.N = 1000
	case st.N < 1 || st.N > 1_000_000:
		l.errorf(n, "master tasks must be from 1 to 1000000")
	}
}

func ruleWork(l *loader, st *Step, n ast.Node) {
	if st.Dur < 0 || st.Dur > time.Minute {
		l.errorf(n, "work pace must be from 0 to 1m")
	}
}

func ruleRun(l *loader, st *Step, n ast.Node) {
	if strings.TrimSpace(st.Program) == "" {
		l.errorf(n, "run needs a program")
	}
}

func hasKey(entries []*ast.MappingValueNode, key string) bool {
	for _, kv := range entries {
		if k, _ := scalar(kv.Key); k == key {
			return true
		}
	}
	return false
}

func (l *loader) checks(n ast.Node) []Check {
	items, ok := l.sequence(n, "checks")
	if !ok {
		return nil
	}
	var out []Check
	for _, it := range items {
		if c, ok := l.check(it, checks, "check"); ok {
			out = append(out, c)
		}
	}
	return out
}

// check decodes one check of a table: its kind, its own settings, and the
// keys every check takes (name, when). ok is false for a check whose `when`
// leaves it out, or one too broken to keep.
func (l *loader) check(it ast.Node, table []schema, what string) (Check, bool) {
	entries, ok := l.mapping(it, "a "+what)
	if !ok {
		return Check{}, false
	}
	if len(entries) != 1 {
		l.errorf(it, "a %s is one kind with its settings, but this one has %d keys", what, len(entries))
		return Check{}, false
	}
	kv := entries[0]
	kind, ok := l.key(kv)
	if !ok {
		return Check{}, false
	}
	s := lookup(table, kind)
	if s == nil {
		l.errorf(kv.Key, "unknown %s %q%s; known %ss: %s", what, kind, didYouMean(kind, tableNames(table)), what, names(table))
		return Check{}, false
	}
	c := Check{Kind: kind, Pos: l.pos(kv.Key), Spec: s.check()}
	fields, ok := l.mapping(kv.Value, fmt.Sprintf("%s %q", what, kind))
	if !ok {
		return Check{}, false
	}
	applies := true
	for _, f := range fields {
		switch k, _ := scalar(f.Key); k {
		case "when":
			w, _ := l.str(f.Value, "when")
			applies = l.when(f.Value, w)
		case "name":
			c.Name, _ = l.prose(f.Value, "name")
		}
	}
	l.fill(s, fields, c.Spec, fmt.Sprintf("%s %q", what, kind), "when", "name")
	if !applies {
		return Check{}, false
	}
	if s.checkRules != nil {
		s.checkRules(l, c.Spec, kv.Value)
	}
	l.processTasks(kind, c.Spec, kv.Value)
	if c.Name == "" {
		c.Name = c.Spec.Title()
	}
	return c, true
}

// finish applies the rules that need the whole file.
func (l *loader) finish(sc *Scenario, tasksNode ast.Node) {
	defer l.traps(sc)
	spawned := map[string]bool{}
	var walk func([]Step, string)
	walk = func(ss []Step, owner string) {
		for _, st := range ss {
			if st.Op == "spawn" {
				for _, t := range st.Tasks {
					if t == owner {
						l.errorAt(st.Pos, "task %q spawns itself", owner)
					}
					spawned[t] = true
				}
			}
			walk(st.Body, owner)
			walk(st.Else, owner)
		}
	}
	for _, t := range sc.Tasks {
		walk(t.Steps, t.Name)
	}
	l.dropUnchosen(sc, spawned)
	if len(sc.Tasks) == 0 {
		l.errorf(tasksNode, "with these switches (%s) no task runs: each is started only by a choose case not chosen", setText(l.set))
		return
	}
	l.crashRule(sc)
	first := 0
	for i := range sc.Tasks {
		sc.Tasks[i].Spawned = spawned[sc.Tasks[i].Name]
		if !sc.Tasks[i].Spawned {
			first++
		}
	}
	if len(sc.Tasks) > 0 && first == 0 {
		l.errorf(tasksNode, "every task is spawned by another, so none can start; leave at least one task unspawned")
	}
}

// crashRule: a crash ends the process it runs in. In a goroutine task that
// runs in mtviz itself, that process would be mtviz: refused. A goroutine
// task runs in a child process when a process task spawns it.
func (l *loader) crashRule(sc *Scenario) {
	kind := map[string]TaskKind{}
	for _, t := range sc.Tasks {
		kind[t.Name] = t.Kind
	}
	inChild := map[string]bool{}
	var spawns func([]Step, func(string))
	spawns = func(ss []Step, f func(string)) {
		for _, st := range ss {
			if st.Op == "spawn" {
				for _, n := range st.Tasks {
					f(n)
				}
			}
			spawns(st.Body, f)
			spawns(st.Else, f)
		}
	}
	// A task runs in a child if it is a process, or some task in a child
	// spawns it; spread until nothing changes.
	for _, t := range sc.Tasks {
		inChild[t.Name] = t.Kind == Process
	}
	for changed := true; changed; {
		changed = false
		for _, t := range sc.Tasks {
			if !inChild[t.Name] {
				continue
			}
			spawns(t.Steps, func(n string) {
				if !inChild[n] {
					inChild[n], changed = true, true
				}
			})
		}
	}
	// Spawned from mtviz too? Then it may run in mtviz.
	inMtviz := map[string]bool{}
	for _, t := range sc.Tasks {
		if !inChild[t.Name] {
			inMtviz[t.Name] = true
			spawns(t.Steps, func(n string) {
				if kind[n] != Process {
					inMtviz[n] = true
				}
			})
		}
	}
	var walk func([]Step, Task)
	walk = func(ss []Step, t Task) {
		for _, st := range ss {
			if st.Op == "crash" && (t.Kind != Process && inMtviz[t.Name]) {
				l.errorAt(st.Pos, "task %q would crash mtviz itself: a crash ends the process it runs in, so put it in a process task or a task a process task spawns", t.Name)
			}
			walk(st.Body, t)
			walk(st.Else, t)
		}
	}
	for _, t := range sc.Tasks {
		walk(t.Steps, t)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cutCopy splits "worker-2" into "worker" and 2.
func cutCopy(name string) (base string, n int, ok bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 {
		return "", 0, false
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(name[i+1:])
	return name[:i], n, err == nil
}

// isCopy reports whether name is a copy of a counted task: worker-2 of a
// task worker with count 4 (or count cores, which any copy number fits).
func (l *loader) isCopy(name string) bool {
	base, n, ok := cutCopy(name)
	if !ok || !l.tasks[base] || n < 1 {
		return false
	}
	c := l.counts[base]
	return c == CountCores || c > 1 && n <= c
}

// closest suggests a known name within two edits of a misspelt one; of
// equally close names, the one sharing more letters in order ("lok" is
// "lock" rather than "log").
func closest(s string, table []schema) string { return Closest(s, tableNames(table)) }

// Closest suggests the name of names within two edits of a misspelt s, or
// "": of equally close names, the one sharing more letters in order.
func Closest(s string, names []string) string {
	best, bestD, bestC := "", 3, -1
	for _, n := range names {
		d := editDistance(s, n)
		if c := commonLetters(s, n); d < bestD || d == bestD && c > bestC {
			best, bestD, bestC = n, d, c
		}
	}
	if bestD >= 3 {
		return ""
	}
	return best
}

// didYouMean is " (did you mean "x"?)" for a close name, or "".
func didYouMean(s string, names []string) string {
	if m := Closest(s, names); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

func joinComma(names []string) string { return strings.Join(names, ", ") }

// commonLetters is the length of the longest common subsequence.
func commonLetters(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// BuiltinPlaceholders are the names a log text may use besides counters.
var BuiltinPlaceholders = map[string]bool{"pid": true, "ppid": true, "child": true, "value": true, "cores": true, "time": true, "task": true}

// Placeholders returns the names written as {name} in a log text.
func Placeholders(text string) []string {
	var out []string
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return out
		}
		if name := text[i+1 : i+j]; nameRE.MatchString(name) {
			out = append(out, name)
		}
		text = text[i+j+1:]
	}
}
