package engine

import (
	"slices"
	"strings"

	evt "mtviz/internal/event"
)

// findDeadlocks builds the wait-for graph from who holds and who waits (a
// task blocked on a lock points to the lock's holder, a task joining another
// points to it) and reports every cycle in it. Each blocked task waits for
// one thing, so each node has at most one edge and a cycle is found by
// walking. A cycle is reported once it has been seen on two ticks in a row,
// since the graph is read task by task and one reading can mix two moments.
func (w *world) findDeadlocks() {
	next := map[*task]*task{}
	why := map[*task]evt.WaitEdge{}
	for _, t := range w.tasks {
		t.mu.Lock()
		on, st := t.waitsOn, t.cur
		t.mu.Unlock()
		if st.state != evt.Blocked {
			continue
		}
		switch o := on.(type) {
		case *lock:
			if h := o.mu.holder.Load(); h != nil {
				next[t] = h
				why[t] = evt.WaitEdge{Task: t.name, Reason: evt.ReasonLock, Object: o.name, Holder: h.name}
			}
		case *task:
			if !o.isDone() {
				next[t] = o
				why[t] = evt.WaitEdge{Task: t.name, Reason: evt.ReasonJoin, Holder: o.name}
			}
		}
	}
	seen := map[string]bool{}
	state := map[*task]int{} // 1 on the current path, 2 explored
	for _, start := range w.tasks {
		var path []*task
		for t := start; t != nil && state[t] == 0; t = next[t] {
			state[t] = 1
			path = append(path, t)
			if n := next[t]; n != nil && state[n] == 1 {
				i := slices.Index(path, n)
				w.reportCycle(path[i:], why, seen)
			}
		}
		for _, t := range path {
			state[t] = 2
		}
	}
	for k, n := range w.deadlocks {
		if !seen[k] && n > 0 {
			delete(w.deadlocks, k)
		}
	}
}

func (w *world) reportCycle(cycle []*task, why map[*task]evt.WaitEdge, seen map[string]bool) {
	names := make([]string, len(cycle))
	for i, t := range cycle {
		names[i] = t.name
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	key := strings.Join(sorted, ",")
	seen[key] = true
	n := w.deadlocks[key]
	if n < 0 {
		return // already reported
	}
	if n+1 < 2 {
		w.deadlocks[key] = n + 1
		return
	}
	w.deadlocks[key] = -1
	edges := make([]evt.WaitEdge, len(cycle))
	for i, t := range cycle {
		edges[i] = why[t]
	}
	w.e.emit(evt.Event{Task: w.e.outlet.owner(), Data: evt.Deadlock{Cycle: names, Edges: edges}})
}
