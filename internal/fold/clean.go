package fold

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

// A run step's output keeps its lines (checks read them); each is cleaned.

func anyDirty(ss []string) bool { return slices.ContainsFunc(ss, text.Dirty) }

func edgesDirty(es []event.WaitEdge) bool {
	return slices.ContainsFunc(es, func(e event.WaitEdge) bool {
		return text.Dirty(e.Task) || text.Dirty(string(e.Reason)) || text.Dirty(e.Object) || text.Dirty(e.Holder)
	})
}

func keysDirty(m map[string]int64) bool {
	for k := range m {
		if text.Dirty(k) {
			return true
		}
	}
	return false
}

// texts is what is done with each kind of text an event holds: plain
// strings, lines of output, lists, wait edges, a worker's step, counters'
// names. A payload holds its own copies; what they point to is shared.
type texts struct {
	str   func(*string)
	lines func(*string)
	list  func(*[]string)
	edges func(*[]event.WaitEdge)
	work  func(**event.Work)
	keys  func(*map[string]int64)
}

func (x *texts) strs(ps ...*string) {
	for _, p := range ps {
		x.str(p)
	}
}

// payload hands every text of a payload to x and returns the payload with
// what x left in it.
func (x *texts) payload(d event.Payload) event.Payload {
	switch p := d.(type) {
	case event.RoundEnd:
		x.keys(&p.Values)
		x.keys(&p.LostBy)
		return p
	case event.TaskStart:
		x.str((*string)(&p.TaskKind))
		return p
	case event.StateChange:
		x.strs((*string)(&p.Reason), &p.Object, &p.Holder, (*string)(&p.End), &p.By)
		return p
	case event.LockChange:
		x.strs(&p.Object, &p.Holder)
		x.list(&p.Waiters)
		return p
	case event.LockFile:
		x.strs(&p.Object, &p.File)
		return p
	case event.CondChange:
		x.str(&p.Object)
		x.list(&p.Waiters)
		return p
	case event.FlagChange:
		x.str(&p.Object)
		x.list(&p.Waiters)
		return p
	case event.CounterChange:
		x.str(&p.Object)
		return p
	}
	return x.payload2(d)
}

func (x *texts) payload2(d event.Payload) event.Payload {
	switch p := d.(type) {
	case event.Log:
		x.str(&p.Text)
		return p
	case event.Stderr:
		x.str(&p.Text)
		return p
	case event.PhaseStart:
		x.str(&p.Phase)
		return p
	case event.KeyWait:
		x.strs(&p.Key, &p.Label)
		return p
	case event.Failure:
		x.strs(&p.Object, &p.Error)
		return p
	case event.Process:
		x.str(&p.Program)
		return p
	case event.Exit:
		x.str(&p.Reaper)
		return p
	case event.SignalSent:
		x.strs(&p.Error, &p.Target)
		return p
	case event.QueuePut:
		x.strs(&p.Object, &p.Item)
		return p
	case event.QueueGet:
		x.strs(&p.Object, &p.Item)
		return p
	}
	return x.payload3(d)
}

func (x *texts) payload3(d event.Payload) event.Payload {
	switch p := d.(type) {
	case event.QueueChange:
		x.str(&p.Object)
		x.list(&p.Waiters)
		x.list(&p.Items)
		return p
	case event.ProgramEnd:
		x.strs(&p.Error, &p.Program)
		x.lines(&p.Output)
		return p
	case event.Refused:
		x.strs(&p.Object, &p.Error, &p.Addr)
		return p
	case event.WorkStep:
		x.str(&p.Object)
		x.work(&p.Work)
		return p
	case event.BrokerRead:
		x.str(&p.Object) // the rest are numbers
		return p
	case event.CopyStep:
		x.strs(&p.Object, (*string)(&p.Copy))
		return p
	case event.Deadlock:
		x.list(&p.Cycle)
		x.edges(&p.Edges)
		return p
	case event.Stuck:
		x.edges(&p.Edges)
		return p
	case event.RuntimeState:
		x.str(&p.Why)
		return p
	case event.Turn:
		x.strs(&p.Object, &p.Text)
		return p
	}
	return d // RoundStart, Pause, Finish: no text
}

func eventDirty(ev *event.Event) bool {
	dirty := text.Dirty(ev.Task) // the kind is the payload's type
	x := texts{
		str:   func(p *string) { dirty = dirty || text.Dirty(*p) },
		lines: func(p *string) { dirty = dirty || text.DirtyLines(*p) },
		list:  func(l *[]string) { dirty = dirty || anyDirty(*l) },
		edges: func(e *[]event.WaitEdge) { dirty = dirty || edgesDirty(*e) },
		work: func(w **event.Work) {
			dirty = dirty || *w != nil && (text.Dirty(string((*w).Op)) || text.Dirty((*w).Addr))
		},
		keys: func(m *map[string]int64) { dirty = dirty || keysDirty(*m) },
	}
	if d := ev.Data; d != nil {
		x.payload(d)
	}
	return dirty
}

// cleanEvent cleans an event that is the caller's own copy; what it points
// to is copied before it changes.
func cleanEvent(ev *event.Event) {
	ev.Task = text.Clean(ev.Task)
	d := ev.Data
	if d == nil {
		return // a kind not known: the reader refuses it
	}
	x := texts{
		str:   func(p *string) { *p = text.Clean(*p) },
		lines: func(p *string) { *p = text.CleanLines(*p) },
		list: func(l *[]string) {
			if anyDirty(*l) {
				*l = text.CleanAll(slices.Clone(*l))
			}
		},
		edges: func(es *[]event.WaitEdge) {
			if !edgesDirty(*es) {
				return
			}
			*es = slices.Clone(*es)
			for i := range *es {
				e := &(*es)[i]
				e.Task, e.Object, e.Holder = text.Clean(e.Task), text.Clean(e.Object), text.Clean(e.Holder)
				e.Reason = event.Reason(text.Clean(string(e.Reason)))
			}
		},
		work: func(wp **event.Work) {
			if *wp != nil {
				w := **wp
				w.Op, w.Addr = event.WorkOp(text.Clean(string(w.Op))), text.Clean(w.Addr)
				*wp = &w
			}
		},
		keys: func(m *map[string]int64) { *m = cleanKeys(*m) },
	}
	*ev = event.Event{T: ev.T, Round: ev.Round, Task: ev.Task, PID: ev.PID, Data: x.payload(d)}
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
