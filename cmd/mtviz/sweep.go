package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/cpus"
	"mtviz/internal/session"
	"mtviz/internal/spec"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
)

// sweepHeadless runs a lesson's sweep without a screen: a line per point as
// it is measured (or a {"type":"point"} line), the table, the verdicts.
func sweepHeadless(sc *spec.Scenario, opt session.Options, f runFlags, stdout io.Writer) error {
	ctx, done := headlessContext(f.timeout)
	defer done()
	enc := json.NewEncoder(text.NewJSONWriter(stdout))
	n := len(compare.Plan(sc))
	if !f.json {
		fmt.Fprintf(stdout, "%s: %s\nsweep of %s%s: %d points, one after another\n", sc.ID, text.Clean(sc.Title), sc.Sweep.Over, seriesText(sc), n)
	}
	began := time.Now()
	pts, err := compare.RunSweep(ctx, sc, opt, func(k, n int, v compare.Variant) {
		if !f.json {
			fmt.Fprintf(stdout, "point %d of %d: %s%s\n", k+1, n, v.Label, timeLeft(began, k, n))
		}
	}, nil, func(p compare.Point, r compare.Result) {
		if f.json {
			enc.Encode(struct {
				Type string `json:"type"`
				compare.Point
			}{"point", p})
			return
		}
		fmt.Fprintf(stdout, "  %s\n", pointText(sc, p))
	})
	if err != nil && len(pts) == 0 {
		return usageError{"run: " + err.Error()}
	}
	if f.csv != "" {
		if werr := compare.WriteCSV(f.csv, sc, pts); werr != nil {
			return usageError{"run: " + werr.Error()}
		}
	}
	cores := opt.Cores
	if cores <= 0 {
		cores = cpus.All()
	}
	sum := compare.SweepSummary(sc, pts, cores, time.Since(began))
	sum.Stopped = sum.Stopped || ctx.Err() != nil
	if err != nil {
		sum.Errors = append(sum.Errors, err.Error())
	}
	if f.json {
		enc.Encode(struct {
			Type     string  `json:"type"`
			Duration float64 `json:"duration"`
			verdict.Summary
		}{"summary", seconds(sum.Duration), sum})
		return verdictError(sum)
	}
	fmt.Fprintln(stdout)
	sweepTable(stdout, sc, pts)
	p := &printer{w: stdout}
	p.summary(sum)
	return verdictError(sum)
}

func seriesText(sc *spec.Scenario) string {
	if sc.Sweep.Series == "" {
		return ""
	}
	return " for each " + sc.Sweep.Series
}

// timeLeft guesses from the points so far.
func timeLeft(began time.Time, k, n int) string {
	if k == 0 {
		return ""
	}
	per := time.Since(began) / time.Duration(k)
	return fmt.Sprintf(" (about %s left)", (per * time.Duration(n-k)).Round(time.Second))
}

func pointText(sc *spec.Scenario, p compare.Point) string {
	var parts []string
	for _, name := range sc.Sweep.Figures {
		fg, _ := spec.FigureNamed(name)
		parts = append(parts, name+" "+compare.WithUnit(fg, p.Value(name)))
	}
	s := strings.Join(parts, ", ")
	switch p.Measured {
	case verdict.Busy:
		s += fmt.Sprintf(" (busy: other programs used %.2f cores meanwhile, so these figures cannot fail a check)", p.Figures.Others)
	case verdict.Cut:
		s += " (stopped)"
	}
	return s
}

func sweepTable(w io.Writer, sc *spec.Scenario, pts []compare.Point) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{}
	if sc.Sweep.Series != "" {
		head = append(head, sc.Sweep.Series)
	}
	head = append(head, sc.Sweep.Over)
	for _, name := range sc.Sweep.Figures {
		fg, _ := spec.FigureNamed(name)
		head = append(head, figureTitle(fg))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, p := range pts {
		cells := []string{}
		if sc.Sweep.Series != "" {
			cells = append(cells, p.Series)
		}
		cells = append(cells, p.Over)
		for _, name := range sc.Sweep.Figures {
			fg, _ := spec.FigureNamed(name)
			cells = append(cells, compare.Format(fg, p.Value(name)))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
}
