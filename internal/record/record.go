// Package record writes a run to a file and reads it back: a header line
// (format version, mtviz version, the scenario's source, the machine), then
// one line per item the run delivered, in the order it delivered them, then
// an end line. Everything is JSON, one object a line. Replaying a recording
// through the same fold gives the same screens and verdicts as the live run.
package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"mtviz/internal/sim"
	"mtviz/internal/spec"
	"mtviz/internal/timeline"
	"mtviz/internal/version"
)

// Format names the file kind in every header; Version is the newest format
// this program writes and reads.
const (
	Format  = "mtviz-recording"
	Version = 1
)

// Header is a recording's first line.
type Header struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Program  string    `json:"mtviz"`
	Scenario string    `json:"scenario"`
	File     string    `json:"file"`
	Source   string    `json:"source"`
	Cores    int       `json:"cores"`
	Kernel   string    `json:"kernel"`
	Go       string    `json:"go"`
	Start    time.Time `json:"start"`
	Root     int       `json:"root"` // mtviz's PID in the recorded run
	Hz       float64   `json:"hz"`
	// Set is the lesson's switches as this run had them; Label names the
	// run when it is one variant of a comparison.
	Set   map[string]string `json:"set,omitempty"`
	Label string            `json:"label,omitempty"`
	// Watch: a watched program, not a lesson (Root is its PID).
	Watch bool `json:"watch,omitempty"`
}

// End is a recording's last line.
type End struct {
	Stopped bool     `json:"stopped"`          // the run was stopped before its end
	Errors  []string `json:"errors,omitempty"` // what went wrong with the run itself
}

// line is one line of a recording after the header.
type line struct {
	Events json.RawMessage `json:"events,omitempty"`
	Sample json.RawMessage `json:"sample,omitempty"`
	End    *End            `json:"end,omitempty"`
}

// NewHeader describes a run about to be recorded.
func NewHeader(sc *spec.Scenario, cores int, start time.Time, root int, hz float64) Header {
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return Header{Format: Format, Version: Version, Program: programVersion(), Scenario: sc.ID, File: sc.File,
		Source: string(sc.Source), Cores: cores, Kernel: strings.TrimSpace(string(kernel)), Go: runtime.Version(),
		Start: start, Root: root, Hz: hz, Set: sc.Set}
}

func programVersion() string { return version.String() }

// Writer streams a run to a file.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter writes a recording to w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &Writer{w: bw, enc: json.NewEncoder(bw)}
}

// Header writes the first line.
func (w *Writer) Header(h Header) error {
	if err := w.enc.Encode(h); err != nil {
		return err
	}
	return w.w.Flush()
}

// Item writes one item. Samples come ten times a second: the file is
// flushed at each, so a run that ends badly leaves most of itself behind.
func (w *Writer) Item(it timeline.Item) error {
	if err := w.enc.Encode(it); err != nil {
		return err
	}
	if it.Sample != nil {
		return w.w.Flush()
	}
	return nil
}

// End writes the last line.
func (w *Writer) End(e End) error {
	if err := w.enc.Encode(struct {
		End End `json:"end"`
	}{e}); err != nil {
		return err
	}
	return w.w.Flush()
}

// Recording is a run read back.
type Recording struct {
	Header   Header
	Scenario *spec.Scenario
	Items    []timeline.Item
	End      End
}

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

// ReadFile reads a recording. Only a regular file is read, and only up to
// MaxFile bytes.
func ReadFile(path string) (*Recording, error) {
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
	defer f.Close()
	return Read(path, io.LimitReader(f, MaxFile))
}

// Read reads a recording from r; name is the file name used in errors. A
// truncated, corrupted or foreign file is refused at the first line that is
// wrong.
func Read(name string, r io.Reader) (*Recording, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	bad := func(format string, a ...any) error {
		return &Error{File: name, Line: n, Msg: fmt.Sprintf(format, a...)}
	}
	next := func() ([]byte, error) {
		n++
		var buf []byte
		for {
			chunk, err := br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if len(buf) > maxLine {
				return nil, bad("a line longer than %d bytes", maxLine)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(buf) > 0 {
				return nil, bad("the last line is cut off (the file was truncated)")
			}
			return buf, err
		}
	}
	b, err := next()
	if err == io.EOF {
		return nil, bad("the file is empty: not an mtviz recording")
	}
	if err != nil {
		return nil, err
	}
	rec := &Recording{}
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if json.Unmarshal(b, &probe) != nil || probe.Format != Format {
		return nil, bad("not an mtviz recording (its first line should say \"format\": %q)", Format)
	}
	if probe.Version > Version || probe.Version < 1 {
		return nil, bad("recording format version %d; this mtviz reads versions 1 to %d (a newer mtviz made it?)", probe.Version, Version)
	}
	if err := strict(b, &rec.Header); err != nil {
		return nil, bad("the header is wrong: %v", err)
	}
	sc, err := spec.LoadSet(rec.Header.File, []byte(rec.Header.Source), rec.Header.Set)
	if err != nil {
		return nil, bad("the recorded scenario does not load: %v", firstLine(err.Error()))
	}
	if rec.Header.Scenario != "" {
		sc.ID = rec.Header.Scenario
	}
	rec.Scenario = sc
	ended := false
	for {
		b, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if ended {
			return nil, bad("a line after the end line")
		}
		var l line
		if err := strict(b, &l); err != nil {
			return nil, bad("not a recording line: %v", err)
		}
		var it timeline.Item
		switch {
		case l.End != nil && l.Events == nil && l.Sample == nil:
			rec.End, ended = *l.End, true
			continue
		case l.Events != nil && l.Sample == nil && l.End == nil:
			if err := strict(l.Events, &it.Events); err != nil {
				return nil, bad("events: %v", err)
			}
			if err := checkEvents(it.Events); err != nil {
				return nil, bad("%v", err)
			}
		case l.Sample != nil && l.Events == nil && l.End == nil:
			if err := strict(l.Sample, &it.Sample); err != nil || it.Sample == nil {
				return nil, bad("sample: %v", err)
			}
			if it.Sample.T < 0 {
				return nil, bad("a sample at a negative time")
			}
		default:
			return nil, bad("a line must hold one of events, sample or end")
		}
		rec.Items = append(rec.Items, it)
	}
	if !ended {
		return nil, bad("the recording has no end line: it was cut off, or its run did not finish writing it")
	}
	return rec, nil
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

// checkEvents refuses events no mtviz writes.
func checkEvents(evs []sim.Event) error {
	for i := range evs {
		ev := &evs[i]
		if !ev.Kind.Known() {
			return fmt.Errorf("an event of unknown kind %q", ev.Kind)
		}
		if ev.T < 0 {
			return fmt.Errorf("an event at a negative time")
		}
	}
	return nil
}
