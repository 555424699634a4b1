package timeline

import (
	"maps"
	"slices"

	"mtviz/internal/event"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// CleanItem passes every string of an item through text.Clean: the names
// /proc gave (comm, command lines, threads), what programs and children
// wrote, and anything a recording claims. The session cleans what a run
// delivers and the recording reader what it reads, so the fold, the screens,
// the headless text, the JSON and the files written all hold clean text.
// The item is copied where it changes; a clean item is returned as is.
func CleanItem(it Item) Item {
	if it.Sample != nil && sampleDirty(it.Sample) {
		it.Sample = cleanSample(it.Sample)
	}
	for i := range it.Events {
		if eventDirty(&it.Events[i]) {
			it.Events = slices.Clone(it.Events)
			for j := i; j < len(it.Events); j++ {
				cleanEvent(&it.Events[j])
			}
			break
		}
	}
	return it
}

// eventStrings calls f on each plain string field of an event.
func eventStrings(ev *event.Event, f func(*string)) {
	for _, p := range [...]*string{&ev.Task, &ev.Object, &ev.Holder, &ev.By, &ev.File, &ev.Item, &ev.Text, &ev.Phase,
		&ev.Key, &ev.Label, &ev.Error, &ev.Program, &ev.Reaper, &ev.Target, &ev.Why, &ev.Addr,
		(*string)(&ev.Kind), (*string)(&ev.TaskKind), (*string)(&ev.Reason), (*string)(&ev.End), (*string)(&ev.Copy)} {
		f(p)
	}
}

// A run step's output keeps its lines (checks read them); each is cleaned.

func anyDirty(ss []string) bool { return slices.ContainsFunc(ss, text.Dirty) }

func eventDirty(ev *event.Event) bool {
	dirty := false
	eventStrings(ev, func(p *string) { dirty = dirty || text.Dirty(*p) })
	if dirty || text.DirtyLines(ev.Output) || anyDirty(ev.Waiters) || anyDirty(ev.Items) || anyDirty(ev.Cycle) {
		return true
	}
	for _, e := range ev.Edges {
		if text.Dirty(e.Task) || text.Dirty(string(e.Reason)) || text.Dirty(e.Object) || text.Dirty(e.Holder) {
			return true
		}
	}
	if w := ev.Work; w != nil && (text.Dirty(string(w.Op)) || text.Dirty(w.Addr)) {
		return true
	}
	for _, m := range []map[string]int64{ev.Values, ev.LostBy} {
		for k := range m {
			if text.Dirty(k) {
				return true
			}
		}
	}
	return false
}

// cleanEvent cleans an event that is the caller's own copy; what it points
// to is copied before it changes.
func cleanEvent(ev *event.Event) {
	eventStrings(ev, func(p *string) { *p = text.Clean(*p) })
	ev.Output = text.CleanLines(ev.Output)
	for _, l := range []*[]string{&ev.Waiters, &ev.Items, &ev.Cycle} {
		if anyDirty(*l) {
			*l = text.CleanAll(slices.Clone(*l))
		}
	}
	if len(ev.Edges) > 0 {
		ev.Edges = slices.Clone(ev.Edges)
		for i := range ev.Edges {
			e := &ev.Edges[i]
			e.Task, e.Object, e.Holder = text.Clean(e.Task), text.Clean(e.Object), text.Clean(e.Holder)
			e.Reason = event.Reason(text.Clean(string(e.Reason)))
		}
	}
	if ev.Work != nil {
		w := *ev.Work
		w.Op, w.Addr = event.WorkOp(text.Clean(string(w.Op))), text.Clean(w.Addr)
		ev.Work = &w
	}
	ev.Values, ev.LostBy = cleanKeys(ev.Values), cleanKeys(ev.LostBy)
}

func cleanKeys(m map[string]int64) map[string]int64 {
	dirty := false
	for k := range m {
		dirty = dirty || text.Dirty(k)
	}
	if !dirty {
		return m
	}
	out := make(map[string]int64, len(m))
	for k, v := range maps.All(m) {
		out[text.Clean(k)] += v
	}
	return out
}

func sampleDirty(s *probe.Sample) bool {
	for i := range s.Procs {
		p := &s.Procs[i]
		if text.Dirty(p.Name) || text.Dirty(string(p.State)) {
			return true
		}
		for j := range p.Threads {
			if text.Dirty(p.Threads[j].Name) || text.Dirty(string(p.Threads[j].State)) {
				return true
			}
		}
	}
	for _, l := range s.Locks {
		if text.Dirty(l.File) || text.Dirty(l.Type) || text.Dirty(l.Mode) {
			return true
		}
	}
	return false
}

// cleanSample returns a cleaned copy of a sample.
func cleanSample(s *probe.Sample) *probe.Sample {
	c := *s
	c.Procs = slices.Clone(s.Procs)
	for i := range c.Procs {
		p := &c.Procs[i]
		p.Name, p.State = text.Clean(p.Name), probe.State(text.Clean(string(p.State)))
		p.Threads = slices.Clone(p.Threads)
		for j := range p.Threads {
			th := &p.Threads[j]
			th.Name, th.State = text.Clean(th.Name), probe.State(text.Clean(string(th.State)))
		}
	}
	c.Locks = slices.Clone(s.Locks)
	for i := range c.Locks {
		l := &c.Locks[i]
		l.File, l.Type, l.Mode = text.Clean(l.File), text.Clean(l.Type), text.Clean(l.Mode)
	}
	return &c
}
