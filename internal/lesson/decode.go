package lesson

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
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
		v, ok = l.taskNames(f, n, label)
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

// taskNames reads a list of tasks a field names: tasks, or, where the
// field takes them, copies of a counted task (worker-2).
func (l *loader) taskNames(f *field, n ast.Node, label string) ([]string, bool) {
	ns, ok := l.nameList(n, label)
	for _, name := range ns {
		if l.tasks[name] || f.kind == kTaskRefs && l.isCopy(name) {
			continue
		}
		if base, _, found := CutCopy(name); found && l.tasks[base] && f.kind == kNames {
			l.errorf(n, "%s names %q, a copy of %s; a step names the task, and it covers every copy", label, name, base)
		} else {
			l.errorf(n, "%s names task %q, which is not declared under tasks", label, name)
		}
		ok = false
	}
	return ns, ok
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
		taskNames[i] = l.taskName(it, counters)
	}
	out := make([]Task, 0, len(items))
	for i, it := range items {
		if t, ok := l.task(it, taskNames[i]); ok {
			out = append(out, t)
		}
	}
	return out
}

// taskName reads a task's name (or gives it Thread-N, Process-N), its kind
// and its count, before any step is read.
func (l *loader) taskName(it ast.Node, counters map[TaskKind]int) string {
	entries, ok := l.mapping(it, "a task")
	if !ok {
		return ""
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
	// Known before any step is read, so that a step may name a copy
	// of a task declared after it (kill worker-2); errors come later.
	if countNode != nil {
		if l.text(countNode) == "cores" {
			l.counts[name] = CountCores
		} else if n, err := strconv.Atoi(l.text(countNode)); err == nil {
			l.counts[name] = n
		}
	}
	return name
}

// task decodes one task under the name taskName gave it.
func (l *loader) task(it ast.Node, name string) (Task, bool) {
	entries, ok := l.mapping(it, "a task")
	if !ok {
		return Task{}, false
	}
	t := Task{Name: name, Kind: Goroutine, Count: 1, Pos: l.pos(it)}
	what := fmt.Sprintf("task %q", t.Name)
	hasSteps := false
	for _, kv := range entries {
		key, ok := l.key(kv)
		if !ok {
			continue
		}
		if key == "steps" {
			hasSteps = true
		}
		l.taskKey(&t, kv, key, what)
	}
	if !hasSteps {
		l.errorf(it, "%s needs steps", what)
	}
	if t.GoMaxProcs > 0 && t.Kind != Process {
		l.errorf(it, "%s has gomaxprocs, which only a process task can have: goroutines share their process's", what)
	}
	l.counts[t.Name] = t.Count
	return t, true
}

// taskKey decodes one key of a task.
func (l *loader) taskKey(t *Task, kv *ast.MappingValueNode, key, what string) {
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
		t.Steps = l.stepList(kv.Value, 1)
	default:
		l.errorf(kv.Key, "unknown key %q in %s; a task takes: %s", key, what, taskSchema.fieldNames())
	}
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

// stepValue decodes a step's value: its settings, or its one short value.
func (l *loader) stepValue(s *schema, st *Step, kv *ast.MappingValueNode, v ast.Node, depth int, what string) bool {
	switch v.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		fields, _ := l.mapping(v, what)
		// Nested steps are deeper; decode them with the depth known.
		var nested []string
		for _, f := range fields {
			k, _ := scalar(f.Key)
			if sf := s.field(k); sf != nil && sf.kind == kSteps {
				sf.set(st.Do, l.stepList(f.Value, depth+1))
				nested = append(nested, k)
			}
		}
		l.fill(s, fields, st.Do, what, nested...)
		switch {
		case st.Op == OpRepeat && !hasKey(fields, "steps"):
			l.errorf(kv.Key, "%s needs %q: the steps to run", what, "steps")
		case st.Op == OpBranch && !hasKey(fields, "if_set") && !hasKey(fields, "if_clear"):
			l.errorf(kv.Key, "%s needs if_set or if_clear", what)
		}
	default:
		if s.short == "" {
			l.errorf(v, "%s takes settings (%s), not a single value", what, s.fieldNames())
			return false
		}
		l.value(s.field(s.short), v, st.Do, what)
		for _, f := range s.fields {
			if f.required && f.name != s.short {
				l.errorf(v, "%s needs %q too", what, f.name)
			}
		}
	}
	return true
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
	st.Op, st.Pos, st.Do = Op(name), l.pos(kv.Key), s.step()
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
		l.value(s.field(s.short), v, st.Do, what)
		return st, len(l.errs) == before
	}
	if !l.stepValue(s, &st, kv, v, depth, what) {
		return st, false
	}
	if len(l.errs) > before {
		return st, false
	}
	if s.rules != nil {
		s.rules(l, &st, v)
	}
	if p, ok := st.Do.(*PhaseStep); ok {
		l.phases[p.Name] = true
	}
	return st, true
}
