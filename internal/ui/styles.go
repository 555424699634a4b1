package ui

import (
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/sim"
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
	gSleeping = glyph{'z', lipgloss.NewStyle().Foreground(cBlue), "sleeping"}
	gDone     = glyph{' ', lipgloss.NewStyle(), "done"}
	gZombie   = glyph{'Z', lipgloss.NewStyle().Foreground(cMagenta).Bold(true), "zombie"}
	gWaiting  = glyph{'w', lipgloss.NewStyle().Foreground(cRed), "waiting"}
	gBlocked  = lipgloss.NewStyle().Foreground(cRed).Bold(true)
)

// blockLetter names why a task is blocked, in one cell.
var blockLetter = map[string]rune{
	sim.ReasonLock: 'L', sim.ReasonGIL: 'G', sim.ReasonJoin: 'J', sim.ReasonCond: 'C',
	sim.ReasonEvent: 'E', sim.ReasonQueue: 'Q', sim.ReasonKey: 'K', sim.ReasonPaused: 'P', sim.ReasonIO: 'I',
}

func glyphFor(st sim.State, reason string) glyph {
	switch st {
	case sim.Created:
		return gNew
	case sim.Runnable:
		return gRunnable
	case sim.Running:
		return gRunning
	case sim.Sleeping:
		return gSleeping
	case sim.Done:
		return gDone
	case zombieState:
		return gZombie
	case sim.Blocked:
		r, ok := blockLetter[reason]
		if !ok {
			r = 'B'
		}
		return glyph{r, gBlocked, "blocked"}
	}
	return gNone
}

// legend explains the lane glyphs.
func legend() string {
	item := func(g glyph, text string) string { return g.style.Render(string(g.r)) + " " + text }
	b := func(r rune, text string) string { return gBlocked.Render(string(r)) + " " + text }
	return item(gRunning, "running") + " " + gRunning.style.Render("0-9") + " on P n  " + item(gRunnable, "runnable") + "  " + item(gSleeping, "sleeping") + "  " +
		item(gNew, "new") + "  " + item(gZombie, "zombie (from /proc)") + "\nblocked on: " + b('L', "lock") + " " + b('G', "gil") + " " + b('J', "join") + " " +
		b('C', "condition") + " " + b('E', "event") + " " + b('Q', "queue") + " " + b('K', "key") + " " + b('I', "I/O") + " " + b('P', "paused")
}
