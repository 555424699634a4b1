package ui

import (
	"github.com/charmbracelet/bubbles/key"

	"mtviz/internal/keymap"
)

// lessonKeys are the keys of the lesson screen, declared once in keymap:
// the footer, the help overlay and Update all read them from there.
type lessonKeys = keymap.Lesson

func newLessonKeys() lessonKeys { return keymap.NewLesson() }

type pickerKeys struct {
	Up, Down, Open, Compare, Clear, Help, Quit key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:      key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open lesson")),
		Compare: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "compare: one core against all, or along the lesson's switch")),
		Clear:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter / quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k pickerKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "compare")), k.Clear, k.Help}
}

func (k pickerKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Compare}, {k.Clear, k.Help, k.Quit}}
}
