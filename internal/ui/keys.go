package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/words"
)

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

// helpKey scrolls the help; any other key closes it, and does nothing else.
func (m *lessonModel) helpKey(msg tea.KeyMsg) {
	switch {
	case key.Matches(msg, m.keys.Up):
		m.helpScroll = max(0, m.helpScroll-1)
	case key.Matches(msg, m.keys.Down):
		m.helpScroll++
	case key.Matches(msg, m.keys.PageUp):
		m.helpScroll = max(0, m.helpScroll-10)
	case key.Matches(msg, m.keys.PageDown):
		m.helpScroll += 10
	default:
		m.showHelp = false
	}
}
