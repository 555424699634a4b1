// Package report turns a run into lines: its items, verdicts and figures
// as text for a reader, or as JSON Lines for a program. run, replay,
// compare, sweep, watch and explore print through one Reporter, so that
// each kind of line is written in one place; the verdicts' words are
// internal/verdict's, and the text's own words are said in the screen's
// language (package words), while JSON keys and values stay English.
package report

import (
	"io"
	"strings"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/explore"
	"mtviz/internal/fold"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/verdict"

	"github.com/charmbracelet/x/ansi"
)

// Reporter writes a run, a comparison or a sweep, headless, as its moments
// come. The text and the JSON Lines say the same moments; each says only
// what it has a line for (the text has no line per sample, the JSON none
// for a variant's start).
type Reporter interface {
	// A run, replayed or live, or a watch.

	// Begin opens a run of sc on cores cores.
	Begin(sc *lesson.Scenario, cores int)
	// Item is one item of the run, as the session delivered it; the text
	// prints the lines it added to the fold.
	Item(it item.Item)
	// Note is a line of mtviz's own during a run (the scheduler's).
	Note(s string)
	// Goal says whether a run that followed a schedule met sc's goal, in
	// steps steps; nothing when the lesson has none.
	Goal(sc *lesson.Scenario, g *verdict.Result, steps int)
	// Summary ends a run (and a sweep's points): its verdicts.
	Summary(sum verdict.Summary)
	// Watched ends a watch: the processes seen, or the summary.
	Watched(sum verdict.Summary)

	// A comparison: its variants one after another, then its table and
	// what it came to.

	CompareBegin(sc *lesson.Scenario, variants int)
	VariantStart(i, n int, v compare.Variant)
	Variant(r compare.Result)
	Table(rs []compare.Result, all bool)
	Outcome(sc *lesson.Scenario, own []verdict.Result, sum verdict.Summary)

	// A sweep: its points one after another, then its table and summary.

	SweepBegin(sc *lesson.Scenario, points int)
	// PointStart says point k of n begins; left is a guess at the time
	// the rest takes, below 0 when there is none yet.
	PointStart(k, n int, v compare.Variant, left time.Duration)
	Point(sc *lesson.Scenario, p compare.Point)
	SweepEnd(sc *lesson.Scenario, pts []compare.Point, sum verdict.Summary)

	// Explored is what an exploration of sc's orders found; written names
	// the schedule file written for each broken check (and "goal").
	Explored(sc *lesson.Scenario, r *explore.Report, written map[string]string)
}

// Fold reads a run's fold: read is given the timeline as it stands, and
// keeps nothing of it. A session's Read is one; Own is another.
type Fold func(read func(*fold.Timeline))

// Own is the fold of a caller that folds the items itself, on the
// reporter's goroutine, before handing them to Item (a replay).
func Own(tl *fold.Timeline) Fold {
	return func(read func(*fold.Timeline)) { read(tl) }
}

// New is the text reporter, or with asJSON the JSON Lines one; the text of
// a run reads its log from fold (nil for a comparison or a sweep).
func New(w io.Writer, asJSON bool, fold Fold) Reporter {
	if asJSON {
		return NewJSON(w)
	}
	return NewText(w, fold)
}

// Seconds is a time as every line prints it: seconds, to the microsecond.
func Seconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1e6 }

// padCells pads s with spaces to w terminal cells: a Chinese word takes
// two a character.
func padCells(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
