package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"mtviz/internal/compare"
	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/record"
)

// onlySGR says what in a screen a terminal would obey besides colours: an
// escape that is not a CSI ending in m (SGR, what lipgloss writes), a bare
// control byte, a C1 control, DEL, or a byte that is not UTF-8.
func onlySGR(s string) error {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				return fmt.Errorf("an escape that is not CSI at %d: %q", i, s[i:min(len(s), i+20)])
			}
			j++
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				return fmt.Errorf("a CSI that is not SGR at %d: %q", i, s[i:min(len(s), j+1)])
			}
			i = j + 1
			continue
		case r == '\n':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == utf8.RuneError && n == 1:
			return fmt.Errorf("a control %#x at %d: %q", r, i, s[max(0, i-20):min(len(s), i+20)])
		}
		i += n
	}
	return nil
}

// hostileText holds an OSC 0 title, an OSC 52 clipboard write, a CSI, a
// bell, a C1 CSI and a byte that is not UTF-8.
const hostileText = "\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x1b[2J\x07\u009b2J\x9b"

// hostileRecording is a recording whose every source of text is hostile:
// the lesson it carries (title, lesson text, log lines, key label), the
// header's label, the events' task names, phases, programs and output, and
// the processes' and threads' names.
func hostileRecording(t testing.TB) *record.Recording {
	src := "title: \"title \\e]0;pwned\\a\"\nlesson: \"text \\e]52;c;aGk=\\a\"\n" +
		"tasks:\n  - name: main\n    steps:\n      - log: \"log \\e[2J\\a\"\n      - key: {key: w, label: \"label \\e]0;x\\a\", auto: 1s}\n"
	sc, err := lesson.Load("h.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := record.NewWriter(&buf)
	h := record.NewHeader(sc, 2, time.Unix(1700000000, 0), 7, 10)
	h.Label = hostileText
	w.Header(h)
	ms := time.Millisecond
	w.Item(fold.Item{Events: []event.Event{{T: ms, Round: 1, Data: event.RoundStart{}},
		{T: 2 * ms, Task: "main", Data: event.TaskStart{State: event.Created}},
		{T: 3 * ms, Task: hostileText, Data: event.TaskStart{State: event.Created}},
		{T: 4 * ms, Data: event.PhaseStart{Phase: hostileText}},
		{T: 5 * ms, Task: hostileText, Data: event.Log{Text: hostileText}},
		{T: 6 * ms, Task: "main", PID: 8, Data: event.Process{PPID: 7, Program: hostileText}},
		{T: 7 * ms, Task: "main", PID: 8, Data: event.ProgramEnd{Program: hostileText, Output: hostileText + "\n" + hostileText}},
		{T: 8 * ms, Task: hostileText, Data: event.StateChange{State: event.Blocked, Reason: event.Reason(hostileText), Object: hostileText, Holder: hostileText}},
		{T: 9 * ms, Task: hostileText, Data: event.Stderr{Text: hostileText}},
		{T: 10 * ms, Task: "main", Data: event.Failure{Error: hostileText}},
	}})
	w.Item(fold.Item{Sample: &probe.Sample{T: 100 * ms, Cores: []float64{50, 50}, Procs: []probe.Proc{
		{PID: 7, PPID: 1, Name: hostileText, State: "S", NThreads: 2, Threads: []probe.Thread{{TID: 7, Name: hostileText, State: "S"}, {TID: 9, Name: hostileText, State: "R"}}},
		{PID: 8, PPID: 7, Name: hostileText, State: "Z"},
	}, Locks: []probe.FileLock{{PID: 8, File: hostileText, Type: hostileText, Mode: hostileText}}}})
	w.Item(fold.Item{Events: []event.Event{{T: 200 * ms, Task: "main", PID: 8, Data: event.Exit{Reaper: hostileText}}, {T: 300 * ms, Data: event.Finish{}}}})
	w.End(record.End{Errors: []string{hostileText}})
	rec, err := record.ReadBytes("h.jsonl", buf.Bytes(), record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// A recording's every string, shown on the replay screen and on the
// compare screen, at two sizes, with colour: nothing but colours reaches the
// terminal, and the text shows escaped.
func TestHostileRecordingScreensHoldNoEscapes(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.ANSI)
	rec := hostileRecording(t)
	for _, size := range [][2]int{{160, 48}, {80, 24}} {
		m := newReplayLesson(tc(size[0], size[1]), rec)
		rp(m).seek(m, rec.Span)
		rp(m).settle(m)
		rp(m).close()
		views := map[string]string{"replay": m.View()}
		for tab := focus(0); tab < focusCount; tab++ { // log, lesson, processes on a small screen
			m.focus = tab
			m.render()
			views[fmt.Sprintf("replay focus %d", tab)] = m.View()
		}
		m.showHelp = true
		m.render()
		views["replay help"] = m.View()
		r, err := compare.Measure(rec, compare.Variant{Label: hostileText})
		if err != nil {
			t.Fatal(err)
		}
		c := newCompare(tc(size[0], size[1]), CompareConfig{Scenario: rec.Scenario, Done: []compare.Result{r, r}})
		c.at = rec.Span
		for c.cols[0].tl.Now < rec.Span || c.cols[1].tl.Now < rec.Span {
			c.seek()
		}
		c.closePlayers()
		c.render()
		views["compare"] = c.View()
		for name, v := range views {
			if err := onlySGR(v); err != nil {
				t.Errorf("%v at %v: %v\n%s", name, size, err, v)
			}
		}
		if !strings.Contains(views["replay"], `\x1b]0;pwned`) {
			t.Errorf("the hostile text is not shown escaped at %v:\n%s", size, views["replay"])
		}
	}
}
