// Package record writes a run to a file and reads it back: a header line
// (format version, mtviz version, the scenario's source, the machine), then
// one line per item the run delivered, in the order it delivered them, then
// an end line. Everything is JSON, one object a line. Replaying a recording
// through the same fold gives the same screens and verdicts as the live run.
package record

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/text"
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

// NewHeader describes a run about to be recorded.
func NewHeader(sc *lesson.Scenario, cores int, start time.Time, root int, hz float64) Header {
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
	// Strings are clean (the session cleaned them); DEL and C1 controls a
	// lesson's source may hold are escaped too, for whoever cats the file.
	bw := bufio.NewWriterSize(text.NewJSONWriter(w), 64<<10)
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
func (w *Writer) Item(it fold.Item) error {
	// The events go in their flat form, as the reader reads them (recLine).
	line := struct {
		Events []event.Wire  `json:"events,omitempty"`
		Sample *probe.Sample `json:"sample,omitempty"`
	}{Sample: it.Sample}
	if it.Events != nil {
		line.Events = event.Wires(it.Events)
	}
	if err := w.enc.Encode(line); err != nil {
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
