package record

import (
	"bytes"
	"errors"
	"io"
	"time"

	"mtviz/internal/fold"
	"mtviz/internal/lesson"
)

// Recording is a recording checked whole, that can be read again from its
// start as often as needed: from its file, or from memory for the runs of
// a comparison. It holds no items; reading them is a Reader's.
type Recording struct {
	Header   Header
	Scenario *lesson.Scenario
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
func (r *Reader) Finish(each func(fold.Item)) (*Recording, error) {
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
func (rec *Recording) Each(f func(fold.Item)) error {
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
func (rec *Recording) ReadAll() ([]fold.Item, error) {
	var items []fold.Item
	err := rec.Each(func(it fold.Item) { items = append(items, it) })
	return items, err
}
