package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/keymap"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

// Common is what every screen shares, as soft-serve's Common and gh-dash's
// ProgramContext are: the terminal's size, the styles made from the theme,
// the keys, and the options the runs a screen opens start with. The root
// owns it and every screen holds the same one, so a resize is one write.
type Common struct {
	w, h  int
	st    *Styles
	keys  keymap.Lesson // the lesson screen's keys, which the others borrow from
	rkeys keymap.Replay // the keys that move a clock: a replay's, a comparison's
	pkeys pickerKeys
	// runOpt are the options of the runs screens open from here on; the
	// first lesson's --record and --trace files are not among them.
	runOpt session.Options
	csv    string    // a sweep also writes its points here
	files  *runFiles // where each lesson run is written (--record, --trace); nil: nowhere
}

// newCommon is a Common of a w×h terminal, in the theme's styles.
func newCommon(w, h int, opt session.Options, csv string) *Common {
	return &Common{w: w, h: h, st: newStyles(lipgloss.HasDarkBackground()), keys: keymap.NewLesson(), rkeys: keymap.NewReplay(), pkeys: newPickerKeys(),
		runOpt: opt, csv: csv}
}

// screen is one screen of mtviz: the picker, a lesson (live, replayed or
// watched), a comparison, a sweep. The root shows one at a time and knows
// them only through this.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	// SetSize draws the screen again for the Common's new size.
	SetSize(w, h int)
	// keyMap is the screen's keys, with their help: its footer shows the
	// short list, its ? help the full one.
	keyMap() help.KeyMap
	// asksBeforeQuit says the screen asked before a quit key ends it (a
	// watched program would end with mtviz): the key is taken.
	asksBeforeQuit(tea.KeyMsg) bool
	// stop stops what the screen runs; its command reports stoppedMsg once
	// every process of it is gone (nil: nothing runs).
	stop() tea.Cmd
	// end stops what the screen runs as mtviz ends and waits for it, a few
	// seconds at most; it says why a run's files could not be written.
	end() error
	// outcome is the verdict once every run ended (nil before, and for
	// a screen that runs nothing).
	outcome() *verdict.Summary
}

// keyList is a screen's keys as bubbles' help reads them.
type keyList struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyList) ShortHelp() []key.Binding  { return k.short }
func (k keyList) FullHelp() [][]key.Binding { return k.full }

// stopGrace is how long a quit waits for a screen's runs to stop before
// the program quits anyway (Run then waits for them again).
const stopGrace = 3 * time.Second

// waitDone waits for done (nil: nothing to wait for), 5 s at most.
func waitDone(done <-chan struct{}) {
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
