package record

import (
	"io"
	"sync"
	"time"

	"mtviz/internal/fold"
	"mtviz/internal/guard"
)

// Player folds a recording forward to a moment within a deadline, so that a
// screen stays quick to answer however long the recording and however
// large its items: the file is read and checked ahead, in a goroutine of
// its own, and the screen only folds what is ready. Going back means
// starting again from the top (Rewind). Close it when done with it.
type Player struct {
	rec  *Recording
	feed *feed
	next *fold.Item // read, and not yet due
	done bool
	err  error
	n    int
}

// NewPlayer plays rec from its start.
func NewPlayer(rec *Recording) *Player { return &Player{rec: rec} }

// Rewind goes back to the start.
func (p *Player) Rewind() {
	p.Close()
	*p = Player{rec: p.rec}
}

// Until folds, with apply, the items up to time t, until the deadline. It
// reports whether items up to t may be left: not folded for lack of time,
// or not read yet.
func (p *Player) Until(t time.Duration, deadline time.Time, apply func(fold.Item)) bool {
	for {
		it, ok, ready := p.peek(deadline)
		switch {
		case !ready:
			return true
		case !ok || it.T() > t:
			return false
		}
		apply(*it)
		p.next = nil
		p.n++
		if !time.Now().Before(deadline) {
			return true
		}
	}
}

// peek is the next item: ok false at the end (or on an error), ready false
// if it was not read by the deadline.
func (p *Player) peek(deadline time.Time) (it *fold.Item, ok, ready bool) {
	if p.next != nil {
		return p.next, true, true
	}
	if p.done || p.err != nil {
		return nil, false, true
	}
	if p.feed == nil {
		p.feed = startFeed(p.rec)
	}
	f, ready := p.feed.get(deadline)
	switch {
	case !ready:
		return nil, false, false
	case f.err == io.EOF:
		p.done = true
		p.Close()
		return nil, false, true
	case f.err != nil:
		p.err = f.err
		p.Close()
		return nil, false, true
	}
	p.next = &f.it
	return p.next, true, true
}

// Done reports whether every item was folded.
func (p *Player) Done() bool { return p.done && p.next == nil }

// Err is why the recording could not be read to its end (it changed since
// it was checked).
func (p *Player) Err() error { return p.err }

// Folded is how many items were folded since the start.
func (p *Player) Folded() int { return p.n }

// Close stops the reading ahead and lets the file go.
func (p *Player) Close() {
	if p.feed != nil {
		p.feed.close()
		p.feed = nil
	}
}

// maxAhead bounds the bytes of lines read ahead and not yet taken.
const maxAhead = 64 << 20

// fed is one item read ahead (err io.EOF: the end).
type fed struct {
	it   fold.Item
	err  error
	size int
}

// feed reads a recording ahead, in a goroutine, holding at most maxAhead
// bytes of it.
type feed struct {
	out   chan fed
	stop  chan struct{}
	mu    sync.Mutex
	room  *sync.Cond
	ahead int
}

func startFeed(rec *Recording) *feed {
	f := &feed{out: make(chan fed, 4096), stop: make(chan struct{})}
	f.room = sync.NewCond(&f.mu)
	guard.Go(func() {
		r, err := rec.Open()
		if err != nil {
			f.send(fed{err: err})
			return
		}
		defer r.Close()
		for !isClosed(f.stop) {
			it, err := r.Next()
			if !f.send(fed{it: it, err: err, size: r.lineLen}) || err != nil {
				return
			}
		}
	})
	return f
}

// send waits for room, then hands an item over; false once stopped.
func (f *feed) send(x fed) bool {
	f.mu.Lock()
	for f.ahead > maxAhead && !isClosed(f.stop) {
		f.room.Wait()
	}
	f.ahead += x.size
	f.mu.Unlock()
	select {
	case f.out <- x:
		return true
	case <-f.stop:
		return false
	}
}

// get takes the next item, waiting for it until the deadline.
func (f *feed) get(deadline time.Time) (fed, bool) {
	var x fed
	select {
	case x = <-f.out:
	default:
		wait := time.NewTimer(time.Until(deadline))
		defer wait.Stop()
		select {
		case x = <-f.out:
		case <-wait.C:
			return x, false
		}
	}
	f.mu.Lock()
	f.ahead -= x.size
	f.room.Signal()
	f.mu.Unlock()
	return x, true
}

// close stops the reading ahead. It does not wait: the goroutine ends
// once the item it is reading is read.
func (f *feed) close() {
	f.mu.Lock()
	close(f.stop)
	f.room.Broadcast()
	f.mu.Unlock()
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
