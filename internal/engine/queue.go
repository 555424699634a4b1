package engine

import (
	"sync"

	evt "mtviz/internal/event"
)

// queue is a first-in first-out queue of text values. Waits can be abandoned:
// each change closes a channel that waiting tasks watch.
type queue struct {
	name    string
	size    int
	mu      sync.Mutex
	items   []string
	changed chan struct{}
	waiters waitList
}

func newQueue(name string, size int) *queue {
	return &queue{name: name, size: size, changed: make(chan struct{})}
}

// put adds v, waiting while the queue is full; false if stop closed first.
// done runs under the queue's lock once v is in, so that what it records
// (the put) is stamped before any get of v can be.
func (q *queue) put(v string, stop <-chan struct{}, onWait, done func()) bool {
	return q.await(stop, onWait, func() bool {
		if q.size > 0 && len(q.items) >= q.size {
			return false
		}
		q.items = append(q.items, v)
		done()
		return true
	})
}

// get takes the oldest value, waiting while the queue is empty; done runs
// under the queue's lock once the value is out.
func (q *queue) get(stop <-chan struct{}, onWait func(), done func(v string)) (v string, ok bool) {
	ok = q.await(stop, onWait, func() bool {
		if len(q.items) == 0 {
			return false
		}
		v, q.items = q.items[0], q.items[1:]
		done(v)
		return true
	})
	return v, ok
}

// await runs step under the queue's lock until it can take its step (it
// says so by returning true, having changed the queue), and waits for
// the queue to change between tries; onWait runs once, before the first
// wait. False: stop closed first.
func (q *queue) await(stop <-chan struct{}, onWait func(), step func() bool) bool {
	for {
		q.mu.Lock()
		if step() {
			close(q.changed)
			q.changed = make(chan struct{})
			q.mu.Unlock()
			return true
		}
		ch := q.changed
		q.mu.Unlock()
		if onWait != nil {
			onWait()
			onWait = nil
		}
		select {
		case <-ch:
		case <-stop:
			return false
		}
	}
}

// snapshot is the queue's length and its first items: copying a long queue
// on every put would cost as much as the queue itself, every time.
func (q *queue) snapshot() evt.Event {
	q.mu.Lock()
	n := len(q.items)
	items := append([]string(nil), q.items[:min(n, evt.MaxQueueItems)]...)
	q.mu.Unlock()
	return evt.Event{Data: evt.QueueChange{Object: q.name, Items: items, Len: n, Waiters: q.waiters.names()}}
}
