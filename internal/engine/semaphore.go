package engine

import (
	"slices"
	"strings"
	"sync"

	evt "mtviz/internal/event"
)

// semaphore is a counting semaphore, as Python's threading.Semaphore: lock
// takes one of its permits, blocking while none is left; unlock gives one
// back. It knows who holds each permit, and who waits.
type semaphore struct {
	name    string
	size    int
	mu      sync.Mutex
	holders []*task // one entry per permit held
	freed   chan struct{}
	waiters waitList
}

func newSemaphore(name string, size int) *semaphore {
	return &semaphore{name: name, size: size, freed: make(chan struct{})}
}

// acquire takes a permit for t; false if stop closed while it waited.
func (s *semaphore) acquire(t *task, stop <-chan struct{}) bool {
	waited := false
	defer func() {
		if waited {
			s.waiters.remove(t)
		}
	}()
	for {
		s.mu.Lock()
		if len(s.holders) < s.size {
			s.holders = append(s.holders, t)
			s.mu.Unlock()
			if waited {
				t.running()
			}
			t.emit(s.snapshot())
			return true
		}
		ch := s.freed
		s.mu.Unlock()
		if !waited {
			waited = true
			s.waiters.add(t, s)
			t.set(evt.Blocked, evt.ReasonLock, s.name, s.holderNames())
			t.emit(s.snapshot())
		}
		select {
		case <-ch:
		case <-stop:
			return false
		}
	}
}

// release gives back a permit t holds; false if it holds none.
func (s *semaphore) release(t *task) bool {
	s.mu.Lock()
	i := slices.Index(s.holders, t)
	if i < 0 {
		s.mu.Unlock()
		return false
	}
	s.holders = slices.Delete(s.holders, i, i+1)
	close(s.freed)
	s.freed = make(chan struct{})
	s.mu.Unlock()
	t.emit(s.snapshot())
	return true
}

func (s *semaphore) holderNames() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, len(s.holders))
	for i, h := range s.holders {
		names[i] = h.name
	}
	return strings.Join(names, ", ")
}

// snapshot is the semaphore as a lock event: its holders, the permits held
// (Count) and its waiters.
func (s *semaphore) snapshot() evt.Event {
	s.mu.Lock()
	n := len(s.holders)
	s.mu.Unlock()
	return evt.Event{Data: evt.LockChange{Object: s.name, Holder: s.holderNames(), Count: n, Waiters: s.waiters.names()}}
}
