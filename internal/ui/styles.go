package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/sim"
	"mtviz/internal/timeline"
	"mtviz/internal/words"
)

// Colours come in two shades, chosen once per run by the theme (see
// theme.go): on a dark background the bright ANSI 16 colours, which every
// colour terminal has; on a light one darker 256-colour shades, since
// bright cyan, green and yellow all but vanish on white. palette_test.go
// holds each shade to a contrast of at least 3:1 against its background.
var (
	cGreen   = lipgloss.AdaptiveColor{Light: "28", Dark: "10"}  // #008700
	cYellow  = lipgloss.AdaptiveColor{Light: "130", Dark: "11"} // #af5f00
	cRed     = lipgloss.AdaptiveColor{Light: "124", Dark: "9"}  // #af0000
	cBlue    = lipgloss.AdaptiveColor{Light: "25", Dark: "12"}  // #005faf
	cMagenta = lipgloss.AdaptiveColor{Light: "90", Dark: "13"}  // #870087
	cCyan    = lipgloss.AdaptiveColor{Light: "31", Dark: "14"}  // #0087af
	cDim     = lipgloss.AdaptiveColor{Light: "243", Dark: "8"}  // #767676
	// cHelpKey is the keys in a footer: quieter than text, plainer than a
	// colour (bubbles' own greys fall under 3:1 on both backgrounds).
	cHelpKey = lipgloss.AdaptiveColor{Light: "238", Dark: "250"} // #444444
)

// palette lists every colour, for the contrast test.
var palette = map[string]lipgloss.AdaptiveColor{
	"green": cGreen, "yellow": cYellow, "red": cRed, "blue": cBlue, "magenta": cMagenta, "cyan": cCyan, "dim": cDim, "help key": cHelpKey,
}

// newHelp is a bubbles help view in the palette's colours.
func newHelp() help.Model {
	h := help.New()
	k := lipgloss.NewStyle().Foreground(cHelpKey)
	d := lipgloss.NewStyle().Foreground(cDim)
	h.Styles = help.Styles{Ellipsis: d, ShortKey: k, ShortDesc: d, ShortSeparator: d, FullKey: k, FullDesc: d, FullSeparator: d}
	return h
}

// Styles are the text styles every screen draws with, made from the
// theme's palette; Common holds them.
type Styles struct {
	Title, Dim, Bold, OK, Bad, Warn, Key, Selected, FocusBorder lipgloss.Style
}

// newStyles makes the styles from the palette, whose shade the theme
// chose (see applyTheme).
func newStyles() *Styles {
	return &Styles{
		Title:       lipgloss.NewStyle().Bold(true).Foreground(cCyan),
		Dim:         lipgloss.NewStyle().Foreground(cDim),
		Bold:        lipgloss.NewStyle().Bold(true),
		OK:          lipgloss.NewStyle().Foreground(cGreen).Bold(true),
		Bad:         lipgloss.NewStyle().Foreground(cRed).Bold(true),
		Warn:        lipgloss.NewStyle().Foreground(cYellow),
		Key:         lipgloss.NewStyle().Foreground(cMagenta).Bold(true),
		Selected:    lipgloss.NewStyle().Foreground(cCyan).Bold(true),
		FocusBorder: lipgloss.NewStyle().Foreground(cCyan),
	}
}

var (
	sTitle       = lipgloss.NewStyle().Bold(true).Foreground(cCyan)
	sDim         = lipgloss.NewStyle().Foreground(cDim)
	sBold        = lipgloss.NewStyle().Bold(true)
	sOK          = lipgloss.NewStyle().Foreground(cGreen).Bold(true)
	sBad         = lipgloss.NewStyle().Foreground(cRed).Bold(true)
	sWarn        = lipgloss.NewStyle().Foreground(cYellow)
	sKey         = lipgloss.NewStyle().Foreground(cMagenta).Bold(true)
	sSelected    = lipgloss.NewStyle().Foreground(cCyan).Bold(true)
	sFocusBorder = lipgloss.NewStyle().Foreground(cCyan)
)

// A lane cell is a glyph and a colour, so that state reads without colour too.
type glyph struct {
	r     rune
	style lipgloss.Style
	name  string
}

var (
	gNone     = glyph{' ', lipgloss.NewStyle(), ""}
	gNew      = glyph{'·', lipgloss.NewStyle().Foreground(cDim), "new"}
	gRunnable = glyph{'▒', lipgloss.NewStyle().Foreground(cYellow), "runnable"}
	gRunning  = glyph{'█', lipgloss.NewStyle().Foreground(cGreen), "running"}
	gBusy     = glyph{'░', lipgloss.NewStyle().Foreground(cGreen), "busy"}
	gSleeping = glyph{'z', lipgloss.NewStyle().Foreground(cBlue), "sleeping"}
	gDone     = glyph{' ', lipgloss.NewStyle(), "done"}
	gZombie   = glyph{'Z', lipgloss.NewStyle().Foreground(cMagenta).Bold(true), "zombie"}
	gWaiting  = glyph{'w', lipgloss.NewStyle().Foreground(cRed), "waiting"}
	gBlocked  = lipgloss.NewStyle().Foreground(cRed).Bold(true)
)

// blockLetter names why a task is blocked, in one cell.
var blockLetter = map[sim.Reason]rune{
	sim.ReasonLock: 'L', sim.ReasonFileLock: 'F', sim.ReasonGIL: 'G', sim.ReasonJoin: 'J', sim.ReasonCond: 'C',
	sim.ReasonEvent: 'E', sim.ReasonQueue: 'Q', sim.ReasonKey: 'K', sim.ReasonPaused: 'P', sim.ReasonIO: 'I',
	sim.ReasonPoll: 'N', sim.ReasonStopped: 'T', sim.ReasonTurn: 'S',
}

// gChildren: a process whose steps are done waits for its child processes.
var gChildren = glyph{'W', gBlocked, "waiting for children"}

func glyphFor(c timeline.Cell) glyph {
	switch c.Mode {
	case timeline.ModeNew:
		return gNew
	case timeline.ModeRunnable:
		return gRunnable
	case timeline.ModeRunning:
		if c.Where >= 0 {
			return glyph{rune(pDigits[c.Where%len(pDigits)]), gRunning.style, "running"}
		}
		return gRunning
	case timeline.ModeSleeping:
		return gSleeping
	case timeline.ModeDone:
		return gDone
	case timeline.ModeZombie:
		return gZombie
	case timeline.ModeWaiting:
		return gWaiting
	case timeline.ModeChildren:
		return gChildren
	case timeline.ModeBusy:
		return gBusy
	case timeline.ModeBlocked:
		r, ok := blockLetter[c.Reason]
		if !ok {
			r = 'B'
		}
		return glyph{r, gBlocked, "blocked"}
	}
	return gNone
}

// legendItems explain the lane glyphs, one item each.
func legendItems() []string {
	item := func(g glyph, text string) string { return g.style.Render(string(g.r)) + " " + text }
	b := func(r rune, text string) string { return gBlocked.Render(string(r)) + " " + text }
	return []string{
		item(gRunning, words.T("running,")) + " " + gRunning.style.Render("0-9") + words.T(" on P/cpu n"),
		item(gRunnable, words.T("runnable")), item(gBusy, words.T("running or runnable")), item(gSleeping, words.T("sleeping")), item(gNew, words.T("new")), item(gZombie, words.T("zombie")),
		item(gChildren, words.T("waits for children")), item(gWaiting, words.T("runtime: waiting")),
		words.T("blocked on: ") + b('L', words.T("lock")), b('F', "flock"), b('G', "gil"), b('J', words.T("join")), b('C', words.T("condition")),
		b('E', words.T("event")), b('Q', words.T("queue")), b('K', words.T("key")), b('I', "I/O"), b('N', words.T("net poller")), b('P', words.T("paused")), b('T', words.T("stopped (watch)")), b('S', words.T("turn")),
	}
}

// legendLines flows the legend into lines of at most w cells.
func legendLines(w int) []string {
	var lines []string
	cur := ""
	for _, it := range legendItems() {
		switch {
		case cur == "":
			cur = it
		case ansi.StringWidth(cur)+2+ansi.StringWidth(it) <= w:
			cur += "  " + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lines
}

// legendHeight is how many lines the lanes panel gives its legend: all of
// it when it fits in three, else none (the ? help has it).
func legendHeight(w int) int {
	if n := len(legendLines(w)); n <= 3 {
		return n
	}
	return 0
}
