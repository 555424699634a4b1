package lesson

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

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
	c := Check{Kind: CheckKind(kind), Pos: l.pos(kv.Key), Spec: s.check()}
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
	for _, t := range sc.Tasks {
		Walk(t.Steps, func(st *Step) {
			s, ok := st.Do.(*SpawnStep)
			if !ok {
				return
			}
			for _, name := range s.Tasks {
				if name == t.Name {
					l.errorAt(st.Pos, "task %q spawns itself", t.Name)
				}
				spawned[name] = true
			}
		})
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
	spawns := walkSpawns
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
	for _, t := range sc.Tasks {
		Walk(t.Steps, func(st *Step) {
			if st.Op == OpCrash && (t.Kind != Process && inMtviz[t.Name]) {
				l.errorAt(st.Pos, "task %q would crash mtviz itself: a crash ends the process it runs in, so put it in a process task or a task a process task spawns", t.Name)
			}
		})
	}
}
