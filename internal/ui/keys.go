package ui

import "github.com/charmbracelet/bubbles/key"

// lessonKeys are the keys of the lesson screen, declared once: the footer,
// the help overlay and Update all read them from here.
type lessonKeys struct {
	Pause, Restart, ZoomIn, ZoomOut, Trace, Focus, FocusBack, Up, Down, PageUp, PageDown, Help, Back, Quit key.Binding
}

func newLessonKeys() lessonKeys {
	return lessonKeys{
		Pause:     key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause/resume")),
		Restart:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
		ZoomIn:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "time zoom")),
		ZoomOut:   key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "zoom out")),
		Trace:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "runtime trace on/off")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next panel")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous panel")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "lessons")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the footer.
func (k lessonKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Restart, k.ZoomIn, k.Focus, k.Help, k.Back, k.Quit}
}

// FullHelp is the ? overlay.
func (k lessonKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Pause, k.Restart, k.ZoomIn, k.ZoomOut, k.Trace},
		{k.Focus, k.FocusBack, k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Help, k.Back, k.Quit},
	}
}

type pickerKeys struct {
	Up, Down, Open, Clear, Help, Quit key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:    key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:  key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open lesson")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter / quit")),
		Help:  key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k pickerKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Clear, k.Help}
}

func (k pickerKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open}, {k.Clear, k.Help, k.Quit}}
}
