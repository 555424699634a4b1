package ui

import (
	"github.com/charmbracelet/bubbles/key"

	"mtviz/internal/words"

	"mtviz/internal/keymap"
)

// lessonKeys are the keys of the lesson screen, declared once in keymap:
// the footer, the help overlay and Update all read them from there.
type lessonKeys = keymap.Lesson

func newLessonKeys() lessonKeys { return keymap.NewLesson() }

type pickerKeys struct {
	Up, Down, Open, Compare, Filter, Clear, Help, Quit key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:      key.NewBinding(key.WithKeys("up", "k", "ctrl+p"), key.WithHelp("↑/k", words.T("up"))),
		Down:    key.NewBinding(key.WithKeys("down", "j", "ctrl+n"), key.WithHelp("↓/j", words.T("down"))),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", words.T("filter"))),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", words.T("open lesson"))),
		Compare: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", words.T("compare: one core against all, or along the lesson's switch"))),
		Clear:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", words.T("clear filter"))),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", words.T("help"))),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", words.T("quit"))),
	}
}

func (k pickerKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", words.T("compare"))), k.Filter, k.Help, k.Quit}
}

func (k pickerKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Compare}, {k.Filter, k.Clear, k.Help, k.Quit}}
}
