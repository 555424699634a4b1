package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

type openMsg struct{ sc *lesson.Scenario }

// compareMsg asks to compare a lesson's variants side by side.
type compareMsg struct{ sc *lesson.Scenario }

// picker lists the lessons; / filters them, as k9s, lazygit and htop do.
type picker struct {
	*Common
	all       []*lesson.Scenario
	shown     []*lesson.Scenario
	cursor    int
	filtering bool // keys go to the filter until enter or esc
	filter    textinput.Model
	help      help.Model
	showHelp  bool
}

func newPicker(c *Common, all []*lesson.Scenario) *picker {
	ti := textinput.New()
	ti.Prompt = words.T("filter: ")
	ti.Placeholder = words.T("press / to filter lessons")
	ti.PlaceholderStyle = c.st.Dim
	p := &picker{Common: c, all: all, shown: all, filter: ti, help: c.st.newHelp()}
	return p
}

func (p *picker) Init() tea.Cmd { return nil }

func (p *picker) SetSize(w, h int) {
	p.w, p.h = w, h
	p.help.Width = w
	p.filter.Width = max(10, w-12)
}

func (p *picker) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		return cmd
	}
	if p.showHelp {
		p.showHelp = false
		return nil
	}
	if p.filtering {
		return p.filterKey(km)
	}
	if km.Type == tea.KeyRunes && len(km.Runes) > 1 && km.Runes[0] == '/' {
		// Typed faster than read: "/race" comes as one message.
		cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: km.Runes[:1]})
		return tea.Batch(cmd, p.filterKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: km.Runes[1:]}))
	}
	switch {
	case key.Matches(km, p.pkeys.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(km, p.pkeys.Down):
		p.cursor = min(len(p.shown)-1, p.cursor+1)
	case key.Matches(km, p.pkeys.Open):
		return p.open()
	case key.Matches(km, p.pkeys.Compare):
		if len(p.shown) > 0 {
			sc := p.shown[p.cursor]
			return func() tea.Msg { return compareMsg{sc} }
		}
	case key.Matches(km, p.pkeys.Help):
		p.showHelp = true
	case key.Matches(km, p.pkeys.Filter):
		p.filtering = true
		p.filter.Placeholder = words.T("type to filter; enter opens, esc clears")
		return p.filter.Focus()
	case key.Matches(km, p.pkeys.Clear):
		p.filter.SetValue("")
		p.refilter()
	case key.Matches(km, p.pkeys.Quit):
		return tea.Quit
	}
	return nil
}

// filterKey is a key while the filter has the keys: enter opens the first
// match, esc clears the filter; anything else edits it.
func (p *picker) filterKey(km tea.KeyMsg) tea.Cmd {
	switch {
	case km.Type == tea.KeyEnter:
		p.stopFiltering()
		return p.open()
	case km.Type == tea.KeyEsc:
		p.filter.SetValue("")
		p.stopFiltering()
	case km.Type == tea.KeyUp || km.Type == tea.KeyDown || key.Matches(km, p.pkeys.Compare):
		p.stopFiltering()
		return p.Update(km)
	case km.Type == tea.KeyCtrlC:
		return tea.Quit
	default:
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(km)
		p.refilter()
		return cmd
	}
	p.refilter()
	return nil
}

func (p *picker) stopFiltering() {
	p.filtering = false
	p.filter.Blur()
	p.filter.Placeholder = words.T("press / to filter lessons")
}

func (p *picker) open() tea.Cmd {
	if len(p.shown) == 0 {
		return nil
	}
	sc := p.shown[p.cursor]
	return func() tea.Msg { return openMsg{sc} }
}

func (p *picker) refilter() {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	// Lessons whose id is what was typed come first, then those whose id
	// starts with it, then those whose id, title or summary holds it.
	rank := func(sc *lesson.Scenario) int {
		switch {
		case q == "":
			return 0
		case sc.ID == q:
			return 1
		case strings.HasPrefix(sc.ID, q):
			return 2
		case strings.Contains(sc.ID, q):
			return 3
		case strings.Contains(strings.ToLower(sc.Title+" "+sc.Summary), q):
			return 4
		}
		return -1
	}
	p.shown = p.shown[:0:0]
	for _, sc := range p.all {
		if rank(sc) >= 0 {
			p.shown = append(p.shown, sc)
		}
	}
	slices.SortStableFunc(p.shown, func(a, b *lesson.Scenario) int { return rank(a) - rank(b) })
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *picker) keyMap() help.KeyMap { return p.pkeys }

// The picker runs nothing, and quits at once.
func (p *picker) asksBeforeQuit(tea.KeyMsg) bool { return false }
func (p *picker) stop() tea.Cmd                  { return nil }
func (p *picker) end() error                     { return nil }
func (p *picker) outcome() *verdict.Summary      { return nil }

func (p *picker) View() string {
	var sb strings.Builder
	sb.WriteString(p.st.Title.Render("mtviz") + p.st.Dim.Render(words.T(" · watch processes and threads being scheduled")) + "\n\n")
	sb.WriteString(p.filter.View() + "\n\n")
	if p.showHelp {
		sb.WriteString(p.st.Bold.Render(words.T("Keys")) + "\n")
		for _, col := range p.keyMap().FullHelp() {
			for _, b := range col {
				sb.WriteString("  " + padRight(p.st.Key.Render(b.Help().Key), 10) + " " + b.Help().Desc + "\n")
			}
		}
		sb.WriteString(words.T("\nPress / and type to filter the lessons by id, title or summary; q quits.\n"+
			"Each lesson runs real goroutines and processes; the screen shows what the\n"+
			"engine and the OS report about them.\n\n") + p.st.Dim.Render(words.T("press any key to close")))
		return fitLines(sb.String(), p.w, p.h)
	}
	listH := p.h - 6
	per := 2
	first := 0
	if visible := max(1, listH/per); p.cursor >= visible {
		first = p.cursor - visible + 1
	}
	if len(p.shown) == 0 {
		sb.WriteString(p.st.Dim.Render(words.T("  no lesson matches; esc clears the filter")) + "\n")
	}
	for i := first; i < len(p.shown) && (i-first)*per < listH; i++ {
		sc := p.shown[i]
		cursor, idStyle := "  ", p.st.Bold
		if i == p.cursor {
			cursor, idStyle = p.st.Selected.Render("▸ "), p.st.Selected
		}
		fmt.Fprintf(&sb, "%s%s %s\n    %s\n", cursor, idStyle.Render(fmt.Sprintf("%-14s", sc.ID)), text.Clean(sc.Title), p.st.Dim.Render(text.Clean(sc.Summary)))
	}
	body := fitLines(sb.String(), p.w, p.h-1)
	return body + "\n" + lipgloss.NewStyle().Render(p.help.ShortHelpView(p.keyMap().ShortHelp()))
}
