package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// Limits on what a recording may hold, checked before the work they guard.
const (
	MaxFile = 256 << 20 // bytes
	maxLine = 16 << 20
)

// Error is a problem at a line of a recording.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Options bound what a reader takes.
type Options struct {
	// MaxScenario is the most bytes the recorded lesson may have, as
	// --max-size is for a lesson file (0: lesson.MaxFile).
	MaxScenario int64
}

// Reader reads a recording one item at a time: memory does not grow with
// the file. Every item is checked (see check.go) and cleaned of control
// characters before it is handed out; the first wrong line ends the reading
// with an *Error naming it.
type Reader struct {
	Header   Header
	Scenario *lesson.Scenario

	name    string
	br      *bufio.Reader
	closer  io.Closer
	line    int
	buf     []byte
	lineLen int // the length of the last line read
	end     *End
	err     error
	check   checker
	reopen  func() (*Reader, error) // the same recording again, from its start
}

// Open opens a recording file and reads its header. Only a regular file is
// read, and only up to MaxFile bytes.
func Open(path string, opt Options) (*Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > MaxFile {
		return nil, fmt.Errorf("%s: %d bytes, more than a recording may hold (%d)", path, st.Size(), MaxFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	r, err := NewReader(path, io.LimitReader(f, MaxFile), opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	r.reopen = func() (*Reader, error) { return Open(path, opt) }
	return r, nil
}

// NewReader reads a recording's header from src; name is the file name
// used in errors.
func NewReader(name string, src io.Reader, opt Options) (*Reader, error) {
	if opt.MaxScenario <= 0 {
		opt.MaxScenario = lesson.MaxFile
	}
	r := &Reader{name: name, br: bufio.NewReaderSize(src, 64<<10)}
	b, err := r.next()
	if err == io.EOF {
		return nil, r.bad("the file is empty: not an mtviz recording")
	}
	if err != nil {
		return nil, err
	}
	if err := r.header(b, opt); err != nil {
		return nil, err
	}
	r.check = newChecker(r.Header)
	return r, nil
}

func (r *Reader) bad(format string, a ...any) error {
	return &Error{File: r.name, Line: r.line, Msg: fmt.Sprintf(format, a...)}
}

// next reads one line, at most maxLine bytes. The buffer is the reader's
// own and is overwritten by the next call.
func (r *Reader) next() ([]byte, error) {
	r.line++
	if cap(r.buf) > 1<<20 {
		r.buf = nil // one long line does not keep its buffer for the rest
	}
	buf := r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLine {
			return nil, r.bad("a line longer than %d bytes", maxLine)
		}
		buf = append(buf, chunk...)
		r.buf = buf
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(buf) > 0:
			return nil, r.bad("the last line is cut off (the file was truncated)")
		case err != nil && err != io.EOF:
			return nil, fmt.Errorf("%s:%d: %w", r.name, r.line, err)
		}
		return buf, err
	}
}

// header reads and checks the first line: what kind of file, which
// version, then the header whole and the lesson it carries.
func (r *Reader) header(b []byte, opt Options) error {
	var probe struct {
		Format  json.RawMessage `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	var format string
	if json.Unmarshal(b, &probe) != nil || json.Unmarshal(probe.Format, &format) != nil || format != Format {
		return r.bad("not an mtviz recording (its first line should say \"format\": %q)", Format)
	}
	v, err := strconv.Atoi(string(probe.Version))
	switch {
	case probe.Version == nil:
		return r.bad("an mtviz recording without a format version in its header")
	case err != nil:
		return r.bad("the header's version is %s, not a whole number: the file was made by no mtviz", text.Clean(string(probe.Version)))
	case v > Version || v < 1:
		return r.bad("recording format version %d; this mtviz reads versions 1 to %d (a newer mtviz made it?)", v, Version)
	}
	h := &r.Header
	if err := strict(b, h); err != nil {
		return r.bad("the header is wrong: %v", err)
	}
	if err := checkHeader(h); err != nil {
		return r.bad("%v", err)
	}
	if n := int64(len(h.Source)); n > opt.MaxScenario {
		return r.bad("the recorded lesson is %d bytes, more than the %d a scenario may have (raise it with --max-size)", n, opt.MaxScenario)
	}
	sc, err := lesson.LoadSet(h.File, []byte(h.Source), h.Set)
	if err != nil {
		return r.bad("the recorded scenario does not load: %v", text.Clean(firstLine(err.Error())))
	}
	if h.Scenario != "" {
		sc.ID = h.Scenario
	}
	r.Scenario = sc
	cleanHeader(h)
	return nil
}

// cleanHeader cleans the header's free text; the id was checked.
func cleanHeader(h *Header) {
	h.Program, h.File, h.Kernel, h.Go, h.Label = text.Clean(h.Program), text.Clean(h.File), text.Clean(h.Kernel), text.Clean(h.Go), text.Clean(h.Label)
}

// recLine is one line of a recording after the header.
type recLine struct {
	Events *[]event.Wire `json:"events"`
	Sample *probe.Sample `json:"sample"`
	End    *End          `json:"end"`
}

// Next returns the next item; io.EOF once the end line is read (End then
// says how the run ended). Any other error names the file and line.
func (r *Reader) Next() (fold.Item, error) {
	if r.err != nil {
		return fold.Item{}, r.err
	}
	it, err := r.item()
	if err != nil {
		r.err = err
	}
	return it, err
}

func (r *Reader) item() (fold.Item, error) {
	b, err := r.next()
	if err == io.EOF {
		if r.end == nil {
			return fold.Item{}, r.bad("the recording has no end line: it was cut off, or its run did not finish writing it")
		}
		return fold.Item{}, io.EOF
	}
	if err != nil {
		return fold.Item{}, err
	}
	if r.end != nil {
		return fold.Item{}, r.bad("a line after the end line")
	}
	r.lineLen = len(b)
	var l recLine
	if err := strict(b, &l); err != nil {
		return fold.Item{}, r.bad("not a recording line: %v", err)
	}
	var it fold.Item
	switch {
	case l.End != nil && l.Events == nil && l.Sample == nil:
		l.End.Errors = text.CleanAll(l.End.Errors)
		r.end = l.End
		return r.item()
	case l.Events != nil && l.Sample == nil && l.End == nil:
		evs, err := event.Events(*l.Events)
		if uk := (*event.UnknownKindError)(nil); errors.As(err, &uk) {
			return it, r.bad("%v", uk)
		} else if err != nil {
			return it, r.bad("not a recording line: %v", err)
		}
		it.Events = evs
	case l.Sample != nil && l.Events == nil && l.End == nil:
		it.Sample = l.Sample
	case l.Events == nil && l.Sample == nil && l.End == nil:
		return it, r.bad("a line that holds no events, sample or end (null is none)")
	default:
		return it, r.bad("a line must hold one of events, sample or end, not two")
	}
	if err := r.check.item(&it); err != nil {
		return it, r.bad("%v", err)
	}
	if mayHoldControls(b) {
		it = fold.CleanItem(it)
	}
	return it, nil
}

// mayHoldControls reports whether a JSON line could decode to a string
// holding a control character: only through an escape (\u001b, \n...),
// a DEL or a byte above ASCII. Most lines are plain ASCII, and skip the
// cleaning pass.
func mayHoldControls(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x7f {
			return true
		}
	}
	return false
}

// End is how the recorded run ended; valid once Next returned io.EOF.
func (r *Reader) End() End {
	if r.end == nil {
		return End{}
	}
	return *r.end
}

// Close closes the file a reader opened.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func strict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("more than one value on the line")
	}
	return nil
}
