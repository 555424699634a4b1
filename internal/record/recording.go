package record

import (
	"bytes"
	"errors"
	"io"
	"time"

	"mtviz/internal/spec"
	"mtviz/internal/timeline"
)

// Recording is a recording checked whole, that can be read again from its
// start as often as needed: from its file, or from memory for the runs of
// a comparison. It holds no items; reading them is a Reader's.
type Recording struct {
	Header   Header
	Scenario *spec.Scenario
	End      End
	Span     time.Duration // the latest time an item carries
	Count    int           // how many items it holds
	open     func() (*Reader, error)
}

// ReadFile checks a recording file whole, streaming it once, so that a
// screen opens only on a file that is right to its last line.
func ReadFile(path string, opt Options) (*Recording, error) {
	r, err := Open(path, opt)
	if err != nil {
		return nil, err
	}
	return r.Finish(nil)
}

// ReadBytes is ReadFile for a recording held in memory.
func ReadBytes(name string, b []byte, opt Options) (*Recording, error) {
	open := func() (*Reader, error) { return NewReader(name, bytes.NewReader(b), opt) }
	r, err := open()
	if err != nil {
		return nil, err
	}
	r.reopen = open
	return r.Finish(nil)
}

// Finish reads the rest of the recording, handing each item to each (nil:
// none) as it is read, and closes the reader: one pass both checks the file
// and uses it. The Recording it returns reads the file again from its start.
func (r *Reader) Finish(each func(timeline.Item)) (*Recording, error) {
	defer r.Close()
	rec := &Recording{Header: r.Header, Scenario: r.Scenario, open: r.reopen}
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rec.Count++
		rec.Span = max(rec.Span, it.T())
		if each != nil {
			each(it)
		}
	}
	rec.End = r.End()
	return rec, nil
}

// Open reads the recording again from its start.
func (rec *Recording) Open() (*Reader, error) {
	if rec.open == nil {
		return nil, errors.New("this recording cannot be read again")
	}
	return rec.open()
}

// Each hands every item to f, in order.
func (rec *Recording) Each(f func(timeline.Item)) error {
	r, err := rec.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		it, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		f(it)
	}
}

// ReadAll reads every item into memory: for tests and the short recordings
// of a comparison's runs, never for a file of any size.
func (rec *Recording) ReadAll() ([]timeline.Item, error) {
	var items []timeline.Item
	err := rec.Each(func(it timeline.Item) { items = append(items, it) })
	return items, err
}

// Player folds a recording forward to a moment, a bounded number of items
// at a time, so that a screen stays quick to answer however long the
// recording; going back means starting again from the top.
type Player struct {
	rec  *Recording
	r    *Reader
	next *timeline.Item // read, and not yet due
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

// Until folds, with apply, the items up to time t, at most max of them. It
// reports whether items up to t are left (max was reached).
func (p *Player) Until(t time.Duration, max int, apply func(timeline.Item)) bool {
	for ; max > 0; max-- {
		it, ok := p.peek()
		if !ok || it.T() > t {
			return false
		}
		apply(*it)
		p.next = nil
		p.n++
	}
	_, ok := p.peek()
	return ok && p.next.T() <= t
}

func (p *Player) peek() (*timeline.Item, bool) {
	if p.next != nil {
		return p.next, true
	}
	if p.done || p.err != nil {
		return nil, false
	}
	if p.r == nil {
		if p.r, p.err = p.rec.Open(); p.err != nil {
			return nil, false
		}
	}
	it, err := p.r.Next()
	switch {
	case err == io.EOF:
		p.done = true
		p.Close()
		return nil, false
	case err != nil:
		p.err = err
		p.Close()
		return nil, false
	}
	p.next = &it
	return p.next, true
}

// Done reports whether every item was folded.
func (p *Player) Done() bool { return p.done && p.next == nil }

// Err is why the recording could not be read to its end (it changed since
// it was checked).
func (p *Player) Err() error { return p.err }

// Folded is how many items were folded since the start.
func (p *Player) Folded() int { return p.n }

// Close lets the file go.
func (p *Player) Close() {
	if p.r != nil {
		p.r.Close()
		p.r = nil
	}
}
