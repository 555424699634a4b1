// Package keymap declares the keys of mtviz's screens once: the screens
// match and document them from here, and the scenario loader refuses a
// lesson key that one of them already uses.
package keymap

import (
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"

	"mtviz/internal/words"
)

// Lesson is the keys of the lesson screen.
type Lesson struct {
	Pause, Restart, ZoomIn, ZoomOut, RuntimeTrace, Focus, FocusBack, Up, Down, PageUp, PageDown, Help, Back, Quit key.Binding
	// Expand shows every copy of a task counted many times as a lane of
	// its own, or one summary lane again.
	Expand key.Binding
	// Scheduler turns the scheduler on or off (the round starts again);
	// Save writes the order chosen so far. Take and Free act only while
	// the scheduler is on, which a lesson with keys of its own cannot have.
	Scheduler, Save, Take, Free key.Binding
}

// NewLesson returns the lesson screen's keys.
func NewLesson() Lesson {
	return Lesson{
		Pause:        key.NewBinding(key.WithKeys(" "), key.WithHelp("space", words.T("pause/resume"))),
		Restart:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", words.T("restart"))),
		ZoomIn:       key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", words.T("zoom in"))),
		ZoomOut:      key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", words.T("zoom out"))),
		RuntimeTrace: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", words.T("runtime trace on/off"))),
		Focus:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", words.T("next panel"))),
		FocusBack:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", words.T("previous panel"))),
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", words.T("scroll up"))),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", words.T("scroll down"))),
		PageUp:       key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", words.T("page up"))),
		PageDown:     key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", words.T("page down"))),
		Help:         key.NewBinding(key.WithKeys("?"), key.WithHelp("?", words.T("help"))),
		Expand:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", words.T("a lane per copy of a task counted many times, or one summary lane"))),
		Back:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", words.T("lessons"))),
		Quit:         key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", words.T("quit"))),
		Scheduler:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", words.T("scheduler: you choose who takes each step (the round starts again)"))),
		Save:         key.NewBinding(key.WithKeys("o"), key.WithHelp("o", words.T("scheduler: write the order so far to a schedule file"))),
		Take:         key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", words.T("scheduler: that task takes its next step"))),
		Free:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", words.T("scheduler: let every task run freely again"))),
	}
}

// ShortHelp is the footer, less help and the way out (which the footer
// always adds).
func (k Lesson) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Restart, k.ZoomIn, k.ZoomOut, k.Focus, key.NewBinding(key.WithKeys("s"), key.WithHelp("s", words.T("scheduler")))}
}

// FullHelp is the ? overlay.
func (k Lesson) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Pause, k.Restart, k.ZoomIn, k.ZoomOut, k.RuntimeTrace},
		{k.Focus, k.FocusBack, k.Up, k.Down, k.PageUp, k.PageDown, k.Expand},
		{k.Help, k.Back, k.Quit},
		{k.Scheduler, k.Take, k.Free, k.Save},
	}
}

// Replay is the keys of a replay: its own, and space and r, which act
// on the playback there.
type Replay struct {
	Pause, Restart, Back, Forward, Start, End, Faster, Slower key.Binding
}

// NewReplay returns the replay keys.
func NewReplay() Replay {
	l := NewLesson()
	return Replay{
		Pause:   key.NewBinding(key.WithKeys(l.Pause.Keys()...), key.WithHelp(l.Pause.Help().Key, words.T("pause/resume the playback"))),
		Restart: key.NewBinding(key.WithKeys(l.Restart.Keys()...), key.WithHelp(l.Restart.Help().Key, words.T("play from the start"))),
		Back:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", words.T("back one second"))),
		Forward: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", words.T("forward one second"))),
		Start:   key.NewBinding(key.WithKeys("home"), key.WithHelp("home", words.T("to the start"))),
		End:     key.NewBinding(key.WithKeys("end"), key.WithHelp("end", words.T("to the end"))),
		Faster:  key.NewBinding(key.WithKeys(">", "."), key.WithHelp(">", words.T("faster: 1×, 2×, 10×, as fast as it can"))),
		Slower:  key.NewBinding(key.WithKeys("<", ","), key.WithHelp("<", words.T("slower"))),
	}
}

// ShortHelp is the replay footer.
func (k Replay) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Back, k.Forward, k.Faster, k.Slower}
}

// FullHelp is the replay part of the ? overlay.
func (k Replay) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Pause, k.Restart, k.Back, k.Forward, k.Start, k.End, k.Faster, k.Slower}}
}

// ReplayHelp is the ? overlay of a replay: the replay's keys and those of
// the lesson screen that act on a recording (zoom, panels, scrolling, the
// way out). The runtime trace, the scheduler and a lesson's own keys act
// on a live run only, and are not offered.
func (k Lesson) ReplayHelp(r Replay) [][]key.Binding {
	return [][]key.Binding{
		r.FullHelp()[0],
		{k.ZoomIn, k.ZoomOut, k.Focus, k.FocusBack, k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Help, k.Back, k.Quit},
	}
}

// Reserved lists the single characters the lesson screen (live or replay)
// binds, which a lesson's own key steps may not use.
func Reserved() []string {
	var out []string
	add := func(bs ...key.Binding) {
		for _, b := range bs {
			for _, k := range b.Keys() {
				if utf8.RuneCountInString(k) == 1 {
					out = append(out, k)
				}
			}
		}
	}
	l, r := NewLesson(), NewReplay()
	add(l.Pause, l.Restart, l.ZoomIn, l.ZoomOut, l.RuntimeTrace, l.Focus, l.FocusBack, l.Up, l.Down, l.PageUp, l.PageDown, l.Help, l.Back, l.Quit)
	// Take and Free act only while the scheduler is on, which a lesson
	// waiting for keys of its own cannot have (engine.SchedulerRefuse).
	add(l.Scheduler, l.Save)
	add(r.Back, r.Forward, r.Start, r.End, r.Faster, r.Slower)
	return out
}
