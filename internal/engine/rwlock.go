package engine

import (
	"slices"
	"strings"
	"sync"

	evt "mtviz/internal/event"
)

// rwlock is a reader/writer lock: any number of readers at once, or one
// writer alone. A writer waiting keeps new readers out, so that readers
// cannot starve it.
type rwlock struct {
	name     string
	mu       sync.Mutex
	readers  []*task
	writer   *task
	writing  int // writers waiting
	released chan struct{}
	waiters  waitList
}

func newRWLock(name string) *rwlock { return &rwlock{name: name, released: make(chan struct{})} }

// acquire takes the lock for reading or for writing; false if stop closed
// while t waited.
func (l *rwlock) acquire(t *task, read bool, stop <-chan struct{}) bool {
	waited := false
	defer func() {
		if waited {
			l.waiters.remove(t)
			if !read {
				l.mu.Lock()
				l.writing--
				l.mu.Unlock()
			}
		}
	}()
	for {
		l.mu.Lock()
		free := l.writer == nil && (read && l.writing == 0 || !read && len(l.readers) == 0)
		if waited && !read {
			free = l.writer == nil && len(l.readers) == 0
		}
		if free {
			if read {
				l.readers = append(l.readers, t)
			} else {
				l.writer = t
			}
			l.mu.Unlock()
			if waited {
				t.running()
			}
			t.emit(l.snapshot())
			return true
		}
		ch := l.released
		if !waited && !read {
			l.writing++
		}
		l.mu.Unlock()
		if !waited {
			waited = true
			l.waiters.add(t, l)
			t.set(evt.Blocked, evt.ReasonLock, l.name, l.holderNames())
			t.emit(l.snapshot())
		}
		select {
		case <-ch:
		case <-stop:
			return false
		}
	}
}

// release gives back what t holds, its write or one of its reads; false
// if it holds neither.
func (l *rwlock) release(t *task) bool {
	l.mu.Lock()
	switch i := slices.Index(l.readers, t); {
	case l.writer == t:
		l.writer = nil
	case i >= 0:
		l.readers = slices.Delete(l.readers, i, i+1)
	default:
		l.mu.Unlock()
		return false
	}
	close(l.released)
	l.released = make(chan struct{})
	l.mu.Unlock()
	t.emit(l.snapshot())
	return true
}

func (l *rwlock) holderNames() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.writer != nil {
		return l.writer.name + " (writing)"
	}
	names := make([]string, len(l.readers))
	for i, r := range l.readers {
		names[i] = r.name
	}
	if len(names) == 0 {
		return ""
	}
	return strings.Join(names, ", ") + " (reading)"
}

// snapshot is the lock as a lock event: its holders (Count: how many).
func (l *rwlock) snapshot() evt.Event {
	l.mu.Lock()
	n := len(l.readers)
	if l.writer != nil {
		n = 1
	}
	l.mu.Unlock()
	return evt.Event{Data: evt.LockChange{Object: l.name, Holder: l.holderNames(), Count: n, Waiters: l.waiters.names()}}
}
