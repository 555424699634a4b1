package report

import (
	"fmt"
	"strings"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// The text of a comparison and of a sweep.

func (p *textReporter) CompareBegin(sc *lesson.Scenario, n int) {
	fmt.Fprintln(p.w, words.F("%s: %s, %d variants, one after another", sc.ID, text.Clean(sc.Title), n))
}

func (p *textReporter) VariantStart(i, n int, v compare.Variant) {
	fmt.Fprintf(p.w, "\n%s\n", words.F("variant %d of %d: %s", i+1, n, text.Clean(v.Label)))
}

// Variant prints a variant's verdicts and what it came to.
func (p *textReporter) Variant(r compare.Result) {
	for _, c := range r.Summary.Checks {
		fmt.Fprintf(p.w, "  %s %s\n              %s\n", padCells(c.Verdict.Mark(), 11), text.Clean(c.Name), text.Clean(c.Detail))
	}
	for _, e := range r.Summary.Errors {
		fmt.Fprintf(p.w, "  %s\n", words.F("error: %s", text.Clean(e)))
	}
	fmt.Fprintf(p.w, "  %s\n", words.F("%s, on %d core(s) in %.1fs", r.Summary.State(), r.Summary.Cores, Seconds(r.Summary.Duration)))
}

// Table prints the figures that differ (or every one, with all), each
// with its ratio to the first variant's.
func (p *textReporter) Table(rs []compare.Result, all bool) {
	rows := compare.Table(rs, all)
	fmt.Fprintln(p.w)
	if len(rows) == 0 {
		fmt.Fprintln(p.w, words.T("no figure differs by more than 5% between the variants"))
		return
	}
	head := []string{words.T("figure")}
	for _, r := range rs {
		head = append(head, text.Clean(r.Label))
	}
	lines := [][]string{head}
	for _, row := range rows {
		cells := []string{FigureTitle(row.Figure)}
		for i, v := range row.Values {
			c := compare.Format(row.Figure, v)
			if row.Apart {
				c += " " + row.Units[i]
			}
			if i > 0 && row.Ratios[i] != 0 {
				c += " (" + compare.Ratio(row.Ratios[i]) + ")"
			}
			cells = append(cells, c)
		}
		lines = append(lines, cells)
	}
	table(p.w, lines, false)
	for _, row := range rows {
		if row.Apart {
			fmt.Fprintln(p.w, words.F("%s is counted in different units by the variants (%s): no ratio is made", row.Figure.Name, strings.Join(row.Units, ", ")))
		}
	}
}

// Outcome prints the comparison's own checks and what it came to.
func (p *textReporter) Outcome(sc *lesson.Scenario, own []verdict.Result, sum verdict.Summary) {
	if len(own) > 0 {
		fmt.Fprintln(p.w)
	}
	p.checks(own)
	fmt.Fprintf(p.w, "\n%s: %s\n", sc.ID, sum.State())
}

// FigureTitle is a figure's name with its unit, as a table's head says it.
func FigureTitle(f lesson.Figure) string {
	if f.Unit == "" {
		return f.Name
	}
	return f.Name + " (" + f.Unit + ")"
}

func (p *textReporter) SweepBegin(sc *lesson.Scenario, n int) {
	series := ""
	if sc.Sweep.Series != "" {
		series = words.F(" for each %s", sc.Sweep.Series)
	}
	fmt.Fprintf(p.w, "%s: %s\n%s\n", sc.ID, text.Clean(sc.Title), words.F("sweep of %s%s: %d points, one after another", sc.Sweep.Over, series, n))
}

func (p *textReporter) PointStart(k, n int, v compare.Variant, left time.Duration) {
	guess := ""
	if left >= 0 {
		guess = words.F(" (about %s left)", left.Round(time.Second))
	}
	fmt.Fprintln(p.w, words.F("point %d of %d: %s%s", k+1, n, v.Label, guess))
}

// Point prints a point's figures as it is measured.
func (p *textReporter) Point(sc *lesson.Scenario, pt compare.Point) {
	var parts []string
	for _, name := range sc.Sweep.Figures {
		fg, _ := lesson.FigureNamed(name)
		parts = append(parts, name+" "+compare.WithUnit(fg, pt.Value(name)))
	}
	s := strings.Join(parts, ", ")
	switch pt.Measured {
	case verdict.Busy:
		s += words.F(" (busy: other programs used %.2f cores meanwhile, so these figures cannot fail a check)", pt.Figures.Others)
	case verdict.Cut:
		s += words.T(" (stopped)")
	}
	fmt.Fprintf(p.w, "  %s\n", s)
}

// SweepEnd prints the sweep's table, then its verdicts.
func (p *textReporter) SweepEnd(sc *lesson.Scenario, pts []compare.Point, sum verdict.Summary) {
	fmt.Fprintln(p.w)
	head := []string{}
	if sc.Sweep.Series != "" {
		head = append(head, sc.Sweep.Series)
	}
	head = append(head, sc.Sweep.Over)
	for _, name := range sc.Sweep.Figures {
		fg, _ := lesson.FigureNamed(name)
		head = append(head, FigureTitle(fg))
	}
	lines := [][]string{head}
	for _, pt := range pts {
		cells := []string{}
		if sc.Sweep.Series != "" {
			cells = append(cells, pt.Series)
		}
		cells = append(cells, pt.Over)
		for _, name := range sc.Sweep.Figures {
			fg, _ := lesson.FigureNamed(name)
			cells = append(cells, compare.Format(fg, pt.Value(name)))
		}
		lines = append(lines, cells)
	}
	table(p.w, lines, true)
	p.Summary(sum)
}
