package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/event"
	"mtviz/internal/fold"
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
func (st *Styles) newHelp() help.Model {
	h := help.New()
	k, d := st.helpKey, st.Dim
	h.Styles = help.Styles{Ellipsis: d, ShortKey: k, ShortDesc: d, ShortSeparator: d, FullKey: k, FullDesc: d, FullSeparator: d}
	return h
}

// Styles are the styles every screen draws with, made from the theme's
// shade of the palette; Common holds them.
type Styles struct {
	Title, Dim, Bold, OK, Bad, Warn, Key, Selected, FocusBorder lipgloss.Style
	helpKey                                                     lipgloss.Style
	// The lanes' glyphs (see glyphFor); gBlocked styles the letters that
	// say on what a task is blocked.
	gNone, gNew, gRunnable, gRunning, gBusy, gSleeping, gDone, gZombie, gWaiting, gChildren glyph
	gBlocked                                                                                lipgloss.Style
	// series tells a sweep's curves apart (see plotView).
	series []look
}

// look is a sweep's curve: a colour, and a mark at each point, so that the
// curves still read without colour.
type look struct {
	mark  rune
	style lipgloss.Style
}

// newStyles makes the styles from the palette, in the theme's shade: dark
// for a dark background.
func newStyles(dark bool) *Styles {
	shade := func(c lipgloss.AdaptiveColor) lipgloss.Style {
		if dark {
			return lipgloss.NewStyle().Foreground(lipgloss.Color(c.Dark))
		}
		return lipgloss.NewStyle().Foreground(lipgloss.Color(c.Light))
	}
	blocked := shade(cRed).Bold(true)
	return &Styles{
		Title:       shade(cCyan).Bold(true),
		Dim:         shade(cDim),
		Bold:        lipgloss.NewStyle().Bold(true),
		OK:          shade(cGreen).Bold(true),
		Bad:         shade(cRed).Bold(true),
		Warn:        shade(cYellow),
		Key:         shade(cMagenta).Bold(true),
		Selected:    shade(cCyan).Bold(true),
		FocusBorder: shade(cCyan),
		helpKey:     shade(cHelpKey),

		gNone:     glyph{' ', lipgloss.NewStyle(), ""},
		gNew:      glyph{'·', shade(cDim), "new"},
		gRunnable: glyph{'▒', shade(cYellow), "runnable"},
		gRunning:  glyph{'█', shade(cGreen), "running"},
		gBusy:     glyph{'░', shade(cGreen), "busy"},
		gSleeping: glyph{'z', shade(cBlue), "sleeping"},
		gDone:     glyph{' ', lipgloss.NewStyle(), "done"},
		gZombie:   glyph{'Z', shade(cMagenta).Bold(true), "zombie"},
		gWaiting:  glyph{'w', shade(cRed), "waiting"},
		// A process whose steps are done waits for its child processes.
		gChildren: glyph{'W', blocked, "waiting for children"},
		gBlocked:  blocked,

		series: []look{{'●', shade(cCyan)}, {'■', shade(cMagenta)}, {'▲', shade(cYellow)}, {'◆', shade(cGreen)}, {'✚', shade(cBlue)}},
	}
}

// A lane cell is a glyph and a colour, so that state reads without colour too.
type glyph struct {
	r     rune
	style lipgloss.Style
	name  string
}

// blockLetter names why a task is blocked, in one cell.
var blockLetter = map[event.Reason]rune{
	event.ReasonLock: 'L', event.ReasonFileLock: 'F', event.ReasonGIL: 'G', event.ReasonJoin: 'J', event.ReasonCond: 'C',
	event.ReasonEvent: 'E', event.ReasonQueue: 'Q', event.ReasonKey: 'K', event.ReasonPaused: 'P', event.ReasonIO: 'I',
	event.ReasonPoll: 'N', event.ReasonStopped: 'T', event.ReasonTurn: 'S',
}

func (st *Styles) glyphFor(c fold.Cell) glyph {
	switch c.Mode {
	case fold.ModeNew:
		return st.gNew
	case fold.ModeRunnable:
		return st.gRunnable
	case fold.ModeRunning:
		if c.Where >= 0 {
			return glyph{rune(pDigits[c.Where%len(pDigits)]), st.gRunning.style, "running"}
		}
		return st.gRunning
	case fold.ModeSleeping:
		return st.gSleeping
	case fold.ModeDone:
		return st.gDone
	case fold.ModeZombie:
		return st.gZombie
	case fold.ModeWaiting:
		return st.gWaiting
	case fold.ModeChildren:
		return st.gChildren
	case fold.ModeBusy:
		return st.gBusy
	case fold.ModeBlocked:
		r, ok := blockLetter[c.Reason]
		if !ok {
			r = 'B'
		}
		return glyph{r, st.gBlocked, "blocked"}
	}
	return st.gNone
}

// legendItems explain the lane glyphs, one item each.
func (st *Styles) legendItems() []string {
	item := func(g glyph, text string) string { return g.style.Render(string(g.r)) + " " + text }
	b := func(r rune, text string) string { return st.gBlocked.Render(string(r)) + " " + text }
	return []string{
		item(st.gRunning, words.T("running,")) + " " + st.gRunning.style.Render("0-9") + words.T(" on P/cpu n"),
		item(st.gRunnable, words.T("runnable")), item(st.gBusy, words.T("running or runnable")), item(st.gSleeping, words.T("sleeping")), item(st.gNew, words.T("new")), item(st.gZombie, words.T("zombie")),
		item(st.gChildren, words.T("waits for children")), item(st.gWaiting, words.T("runtime: waiting")),
		words.T("blocked on: ") + b('L', words.T("lock")), b('F', "flock"), b('G', "gil"), b('J', words.T("join")), b('C', words.T("condition")),
		b('E', words.T("event")), b('Q', words.T("queue")), b('K', words.T("key")), b('I', "I/O"), b('N', words.T("net poller")), b('P', words.T("paused")), b('T', words.T("stopped (watch)")), b('S', words.T("turn")),
	}
}

// legendLines flows the legend into lines of at most w cells.
func (st *Styles) legendLines(w int) []string {
	var lines []string
	cur := ""
	for _, it := range st.legendItems() {
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
func (st *Styles) legendHeight(w int) int {
	if n := len(st.legendLines(w)); n <= 3 {
		return n
	}
	return 0
}
