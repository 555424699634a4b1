package engine

import (
	"sync"

	evt "mtviz/internal/event"
)

// cond is a condition variable: wait releases its lock until notified, then
// takes it back; notify wakes the longest waiter.
type cond struct {
	name    string
	lock    *lock
	mu      sync.Mutex
	queue   []chan struct{}
	waiters waitList
}

// wait needs the lock held; false if the run stopped (the lock is then not
// taken back).
func (c *cond) wait(t *task, stop <-chan struct{}) (ok, held bool) {
	if c.lock.mu.holder.Load() != t {
		return true, false
	}
	ch := make(chan struct{})
	c.mu.Lock()
	c.queue = append(c.queue, ch)
	c.mu.Unlock()
	c.waiters.add(t, c)
	// A re-entrant lock is released however many times it is held, and
	// taken back as many times, as Python's Condition does.
	holds := c.lock.holds()
	for i := 0; i < holds; i++ {
		c.lock.release(t)
	}
	t.set(evt.Blocked, evt.ReasonCond, c.name, "")
	t.emit(c.snapshot())
	if s := t.w.turns; s != nil {
		// Taking turns, the wake is a step of its own; a task stopped at
		// its gate ends below, on stop.
		s.turn(t, c.wakeStep(ch))
	}
	woken := true
	select {
	case <-ch:
	case <-stop:
		c.mu.Lock()
		for i, x := range c.queue {
			if x == ch {
				c.queue = append(c.queue[:i], c.queue[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		woken = false
		if t.halted() {
			c.waiters.remove(t)
			return false, true
		}
		// A wait that timed out takes its lock back, as Python's does.
	}
	c.waiters.remove(t)
	t.emit(c.snapshot())
	for i := 0; i < holds; i++ {
		if !c.lock.acquire(t) {
			return false, true
		}
	}
	t.running()
	return woken, true
}

// notify wakes one waiter, or all; false if t does not hold the lock.
func (c *cond) notify(all bool, t *task) bool {
	if c.lock.mu.holder.Load() != t {
		return false
	}
	c.mu.Lock()
	n := 1
	if all {
		n = len(c.queue)
	}
	for i := 0; i < n && len(c.queue) > 0; i++ {
		close(c.queue[0])
		c.queue = c.queue[1:]
	}
	c.mu.Unlock()
	return true
}

func (c *cond) snapshot() evt.Event {
	return evt.Event{Data: evt.CondChange{Object: c.name, Waiters: c.waiters.names()}}
}

// event is a flag: set releases every waiter, clear makes them wait again.
type event struct {
	name    string
	mu      sync.Mutex
	isSet   bool
	ch      chan struct{} // closed while set
	waiters waitList
}

func newEvent(name string) *event { return &event{name: name, ch: make(chan struct{})} }

func (e *event) set() {
	e.mu.Lock()
	if !e.isSet {
		e.isSet = true
		close(e.ch)
	}
	e.mu.Unlock()
}

func (e *event) clear() {
	e.mu.Lock()
	if e.isSet {
		e.isSet = false
		e.ch = make(chan struct{})
	}
	e.mu.Unlock()
}

func (e *event) state() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.isSet
}

func (e *event) wait(t *task, stop <-chan struct{}) bool {
	e.mu.Lock()
	if e.isSet {
		e.mu.Unlock()
		return true
	}
	ch := e.ch
	e.mu.Unlock()
	e.waiters.add(t, e)
	t.set(evt.Blocked, evt.ReasonEvent, e.name, "")
	t.emit(e.snapshot())
	defer func() {
		e.waiters.remove(t)
		t.emit(e.snapshot())
	}()
	select {
	case <-ch:
		t.running()
		return true
	case <-stop:
		return false
	}
}

func (e *event) snapshot() evt.Event {
	return evt.Event{Data: evt.FlagChange{Object: e.name, Set: e.state(), Waiters: e.waiters.names()}}
}
