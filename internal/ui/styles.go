package ui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/sim"
	"mtviz/internal/timeline"
)

// Colours are ANSI 16-colour indexes, so they read the same on any terminal
// that has colour at all; light and dark backgrounds get their own shade.
var (
	cGreen   = lipgloss.AdaptiveColor{Light: "2", Dark: "10"}
	cYellow  = lipgloss.AdaptiveColor{Light: "3", Dark: "11"}
	cRed     = lipgloss.AdaptiveColor{Light: "1", Dark: "9"}
	cBlue    = lipgloss.AdaptiveColor{Light: "4", Dark: "12"}
	cMagenta = lipgloss.AdaptiveColor{Light: "5", Dark: "13"}
	cCyan    = lipgloss.AdaptiveColor{Light: "6", Dark: "14"}
	cDim     = lipgloss.AdaptiveColor{Light: "8", Dark: "8"}
)

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
		item(gRunning, "running,") + " " + gRunning.style.Render("0-9") + " on P/cpu n",
		item(gRunnable, "runnable"), item(gBusy, "running or runnable"), item(gSleeping, "sleeping"), item(gNew, "new"), item(gZombie, "zombie"),
		item(gChildren, "waits for children"), item(gWaiting, "runtime: waiting"),
		"blocked on: " + b('L', "lock"), b('F', "flock"), b('G', "gil"), b('J', "join"), b('C', "condition"),
		b('E', "event"), b('Q', "queue"), b('K', "key"), b('I', "I/O"), b('N', "net poller"), b('P', "paused"), b('T', "stopped (watch)"), b('S', "turn"),
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
