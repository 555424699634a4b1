package report

import (
	"fmt"
	"io"

	"mtviz/internal/fold"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// textReporter writes for a reader: a run's log lines as its fold says
// them (the very lines the screen's Log shows), then the verdicts.
type textReporter struct {
	w       io.Writer
	fold    Fold
	printed int // log entries printed so far
}

// NewText is the text reporter; a run's log is read from fold.
func NewText(w io.Writer, fold Fold) Reporter {
	return &textReporter{w: w, fold: fold}
}

func (p *textReporter) Begin(sc *lesson.Scenario, cores int) {
	fmt.Fprintln(p.w, words.F("%s: %s (%d round(s), %d core(s))", sc.ID, text.Clean(sc.Title), sc.Rounds, cores))
}

// Item prints the log entries the fold added since the last call (the
// item itself is in the fold already).
func (p *textReporter) Item(item.Item) { p.flushLog() }

// flushLog prints the log entries the fold added since it last did: taken
// from the fold while it is read, written after.
func (p *textReporter) flushLog() {
	if p.fold == nil {
		return
	}
	var fresh []fold.Entry
	dropped := 0
	p.fold(func(tl *fold.Timeline) {
		n := tl.LogCount - p.printed
		if n > len(tl.Log) {
			dropped, n = n-len(tl.Log), len(tl.Log)
		}
		fresh = append(fresh, tl.Log[len(tl.Log)-n:]...)
		p.printed = tl.LogCount
	})
	if dropped > 0 {
		fmt.Fprintln(p.w, words.F("… %d lines not shown (more than %d at once)", dropped, fold.MaxLog))
	}
	for _, e := range fresh {
		switch e.Class {
		case fold.Quiet:
			fmt.Fprintf(p.w, "%8.3fs ---------- %s\n", Seconds(e.T), e.Text)
		default:
			// Padded by the cells a name takes: a Chinese name is two a character.
			fmt.Fprintf(p.w, "%8.3fs %s %s\n", Seconds(e.T), padCells(e.Who, 10), e.Text)
		}
	}
}

// Note prints a line of the scheduler's own, in the log's shape.
func (p *textReporter) Note(s string) {
	p.flushLog()
	fmt.Fprintf(p.w, "%9s ---------- %s\n", "", s)
}

func (p *textReporter) Goal(sc *lesson.Scenario, g *verdict.Result, steps int) {
	if g == nil || sc.Goal == nil {
		return
	}
	p.flushLog()
	met := words.T("not met")
	if g.Verdict == verdict.Pass {
		met = words.F("met in %d steps", steps)
	}
	fmt.Fprintf(p.w, "\n%s\n      %s\n", words.F("goal, %s: %s", text.Clean(sc.Goal.Text), met), text.Clean(g.Detail))
}

// Summary prints each check's verdict and why, the errors, and what the
// run came to.
func (p *textReporter) Summary(sum verdict.Summary) {
	p.flushLog()
	fmt.Fprintln(p.w)
	p.checks(sum.Checks)
	for _, e := range sum.Errors {
		fmt.Fprintln(p.w, words.F("error: %s", text.Clean(e)))
	}
	fmt.Fprintln(p.w, sum.Conclusion())
}

// checks prints each check's mark, name and detail.
func (p *textReporter) checks(rs []verdict.Result) {
	for _, r := range rs {
		fmt.Fprintf(p.w, "%s  %s\n      %s\n", r.Verdict.Mark(), text.Clean(r.Name), text.Clean(r.Detail))
	}
}

// Watched says how many processes a watch saw, and for how long.
func (p *textReporter) Watched(sum verdict.Summary) {
	p.flushLog()
	seen := 0
	if p.fold != nil {
		p.fold(func(tl *fold.Timeline) {
			for _, pr := range tl.Procs {
				if pr.Seen {
					seen++
				}
			}
		})
	}
	fmt.Fprintf(p.w, "\n%s\n", words.F("watched %d process(es) for %.1fs", seen, Seconds(sum.Duration)))
}

// ScheduleStopped is the note of a schedule that could not take its step
// step: why, and that the rest ran freely.
func ScheduleStopped(step int, err error) string {
	return words.F("the schedule stopped at step %d: %v; the rest ran freely", step, err)
}

// ScheduleTaken is the note of a schedule whose steps were all taken.
func ScheduleTaken(steps int) string {
	return words.F("the schedule's %d steps were taken; the rest ran freely", steps)
}
