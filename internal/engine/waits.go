package engine

import (
	"time"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
)

// The waits and long steps a task takes: sleeping, joining, queues, keys
// and busy work, each ending early when the round stops.

func (t *task) sleep(d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-t.stop:
		return false
	}
}

// pauseWait holds the task while the run is paused.
func (t *task) pauseWait() bool {
	ch := t.w.e.resumeCh()
	if ch == nil {
		return true
	}
	prev := t.state()
	t.set(evt.Blocked, evt.ReasonPaused, "", "")
	select {
	case <-ch:
	case <-t.stop:
		return false
	}
	t.setState(prev)
	return true
}

// join waits for tasks to end. A process task this process started is also
// reaped, as wait() does; one started elsewhere is waited for until it is gone.
func (t *task) join(ts []*task, stop <-chan struct{}) bool {
	for _, c := range ts {
		elsewhere := c.def.Kind == lesson.Process && !c.started.Load()
		if !elsewhere && c.isDone() {
			t.reapChild(c)
			continue
		}
		t.set(evt.Blocked, evt.ReasonJoin, c.name, "")
		t.mu.Lock()
		t.waitsOn = c
		t.mu.Unlock()
		ok := true
		if elsewhere {
			ok = t.w.e.outlet.awaitGone(t, c, stop)
		} else {
			select {
			case <-c.done:
			case <-stop:
				ok = false
			}
		}
		if !ok {
			return false
		}
		t.reapChild(c)
		t.mu.Lock()
		t.waitsOn = nil
		t.mu.Unlock()
	}
	t.running()
	return true
}

func (t *task) put(in *instr) bool { return t.w.e.outlet.put(t, in.q, in.text(t)) }

// putLocal puts v on a queue of this process.
func (t *task) putLocal(q *queue, v string) bool {
	ok := q.put(v, t.stop, func() {
		q.waiters.add(t, q)
		t.set(evt.Blocked, evt.ReasonQueue, q.name, "")
	}, func() { t.emit(evt.Event{Task: t.name, Data: evt.QueuePut{Object: q.name, Item: v}}) })
	q.waiters.remove(t)
	if !ok {
		return false
	}
	t.running()
	t.emit(q.snapshot())
	return true
}

func (t *task) get(in *instr, stop <-chan struct{}) (string, bool) {
	_, timeout := waitOf(in.st)
	v, ok := t.w.e.outlet.get(t, in.q, timeout > 0, stop)
	if !ok {
		return "", false
	}
	t.value = v
	t.running()
	return v, true
}

// getLocal gets from a queue of this process.
func (t *task) getLocal(q *queue, stop <-chan struct{}) (string, bool) {
	v, ok := q.get(stop, func() {
		q.waiters.add(t, q)
		t.set(evt.Blocked, evt.ReasonQueue, q.name, "")
		t.emit(q.snapshot())
	}, func(v string) { t.emit(evt.Event{Task: t.name, Data: evt.QueueGet{Object: q.name, Item: v}}) })
	q.waiters.remove(t)
	if ok {
		t.emit(q.snapshot())
	}
	return v, ok
}

func (t *task) kill(in *instr) {
	k := do[*lesson.KillStep](in)
	for _, name := range k.Tasks {
		t.w.e.outlet.kill(t, name, k.Signal)
	}
}

func (t *task) key(st *lesson.KeyStep) bool {
	r := []rune(st.Key)[0]
	ch := t.w.e.waitKey(r)
	t.emit(evt.Event{Task: t.name, Data: evt.KeyWait{Key: st.Key, Label: st.Label}})
	t.set(evt.Blocked, evt.ReasonKey, st.Key, "")
	var auto <-chan time.Time
	if t.w.e.opt.AutoKeys || st.Always {
		d := st.Auto
		if d <= 0 {
			d = time.Second
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		auto = tm.C
	}
	select {
	case <-ch:
	case <-auto:
		t.w.e.Key(r)
	case <-t.stop:
		return false
	}
	t.running()
	return true
}

// busy computes for the step's For of wall time (a pause does not count). Under a
// GIL, it may only work while holding the GIL and hands it over once per
// switch interval when another task waits, as CPython does; time spent
// waiting for the GIL counts, so GIL tasks do less work in the same time.
func (t *task) busy(in *instr) bool {
	g := in.gil
	if g != nil && !g.take(t) {
		return false
	}
	left := do[*lesson.BusyStep](in).For
	start := time.Now()
	last := start
	slice := start.Add(intervalOf(g))
	flushAt := start.Add(time.Millisecond)
	var units int64
	x := uint64(start.UnixNano()) | 1
	ok := true
	for {
		// One work unit: a thousand rounds of xorshift, about a microsecond.
		for i := 0; i < 1000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		units++
		now := time.Now()
		left -= now.Sub(last)
		last = now
		if in.work != nil && (now.After(flushAt) || left <= 0) {
			t.mine(in.work).v.Add(units)
			units = 0
			flushAt = now.Add(time.Millisecond)
		}
		if left <= 0 {
			break
		}
		if t.halted() {
			ok = false
			break
		}
		if g != nil && now.After(slice) {
			if g.waiting.Load() > 0 {
				g.give()
				if !g.take(t) {
					return false
				}
			}
			slice = time.Now().Add(g.interval)
		}
		if t.w.e.paused.Load() {
			if g != nil {
				g.give()
			}
			if !t.pauseWait() {
				return false
			}
			if g != nil && !g.take(t) {
				return false
			}
			last = time.Now()
		}
	}
	sink.Store(x)
	if g != nil {
		g.give()
	}
	return ok
}

func intervalOf(g *gil) time.Duration {
	if g == nil {
		return time.Hour
	}
	return g.interval
}
