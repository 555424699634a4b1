// Package explore chooses the order of a lesson's visible steps: it
// replays a schedule (the task that took each step, one per line) on real
// goroutines, and runs a lesson under every order of its steps, or a
// seeded sample of them, counting how many orders end with each outcome
// and finding, for each check some order breaks, the shortest order that
// does.
package explore

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
)

// Schedule is the order of a run's visible steps: the task that took each.
type Schedule struct {
	File  string
	Turns []Turn
}

// Turn is one line of a schedule.
type Turn struct {
	Task string
	Line int
}

// Tasks are the schedule's task names, in order.
func (s *Schedule) Tasks() []string {
	out := make([]string, len(s.Turns))
	for i, t := range s.Turns {
		out[i] = t.Task
	}
	return out
}

// LineError is a schedule refused at one of its lines.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Limits on a schedule file: what is read of it, and how many steps.
const (
	MaxFile  = 1 << 20
	MaxTurns = 100000
)

var taskRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$`)

// Read reads a schedule: one task name per line; blank lines and lines
// starting with # are passed over.
func Read(file string, data []byte) (*Schedule, error) {
	if len(data) > MaxFile {
		return nil, &LineError{File: file, Msg: fmt.Sprintf("a schedule is at most %d bytes; this one is %d", MaxFile, len(data))}
	}
	s := &Schedule{File: file}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !taskRE.MatchString(line) {
			return nil, &LineError{File: file, Line: n, Msg: fmt.Sprintf("%q is not a task name: a schedule has one task name per line (letters, digits, _ . -)", clip(line))}
		}
		if len(s.Turns) == MaxTurns {
			return nil, &LineError{File: file, Line: n, Msg: fmt.Sprintf("a schedule has at most %d steps", MaxTurns)}
		}
		s.Turns = append(s.Turns, Turn{Task: line, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, &LineError{File: file, Msg: err.Error()}
	}
	if len(s.Turns) == 0 {
		return nil, &LineError{File: file, Msg: "the schedule names no step: write one task name per line"}
	}
	return s, nil
}

// clip keeps a bad line short and free of control characters in the
// message that quotes it.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 {
			return '?'
		}
		return c
	}, s)
}

// ReadFile reads a schedule from a regular file of at most MaxFile bytes.
func ReadFile(path string) (*Schedule, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &LineError{File: path, Msg: "cannot read it: " + errText(err)}
	}
	if !st.Mode().IsRegular() {
		return nil, &LineError{File: path, Msg: "not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &LineError{File: path, Msg: "cannot read it: " + errText(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, &LineError{File: path, Msg: "cannot read it: " + errText(err)}
	}
	return Read(path, data)
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Header is what a written schedule says of itself, in comments.
type Header struct {
	Lesson string
	Set    map[string]string
	What   string // what the order does: "breaks: the balance ended at 0"
}

// magic starts every schedule mtviz writes: a file that does not start
// with it is never written over.
const magic = "# mtviz schedule"

// Format writes a schedule: its header as comments, then one task per line.
func Format(h Header, tasks []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s for %s", magic, h.Lesson)
	if set := lesson.SetText(h.Set); set != "" {
		fmt.Fprintf(&b, " (%s)", set)
	}
	fmt.Fprintf(&b, ": %d steps, one task a line, the one that takes each visible step\n", len(tasks))
	if h.What != "" {
		fmt.Fprintf(&b, "# %s\n", oneLine(h.What))
	}
	fmt.Fprintf(&b, "# replay: mtviz run %s%s --schedule FILE\n", h.Lesson, setFlags(h.Set))
	for _, t := range tasks {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func oneLine(s string) string {
	return strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f {
			return ' '
		}
		return c
	}, s)
}

func setFlags(set map[string]string) string {
	s := lesson.SetText(set)
	if s == "" {
		return ""
	}
	return " --set " + strings.ReplaceAll(s, " ", " --set ")
}

// WriteFile writes a schedule to path; a file already there is written
// over only if mtviz wrote it (it starts as a schedule does).
func WriteFile(path string, data []byte) error {
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file: not written over", path)
		}
		if !startsWithMagic(path) {
			return fmt.Errorf("%s exists and is not a schedule mtviz wrote: not written over", path)
		}
	}
	// Beside it, then renamed: a failed write leaves the old file whole.
	return outfile.WriteFile("--out", path, data)
}

// startsWithMagic reads only the first bytes of a file: a schedule mtviz
// wrote begins with its mark.
func startsWithMagic(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(magic))
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte(magic))
}
