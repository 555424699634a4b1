package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

// Point is one run of a sweep, measured (see package verdict).
type Point = verdict.Point

// Plan is a sweep's variants in the order they run: series by series, each
// along the swept switch.
func Plan(sc *lesson.Scenario) []Variant {
	sw := sc.Sweep
	axes := []Axis{}
	if sw.Series != "" {
		axes = append(axes, Axis{Name: sw.Series, Values: switchValues(sc, sw.Series)})
	}
	axes = append(axes, Axis{Name: sw.Over, Values: switchValues(sc, sw.Over)})
	return Variants(nil, axes)
}

func switchValues(sc *lesson.Scenario, name string) []string {
	for _, s := range sc.Switches {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

// X is a swept value as a number: its own if it is one, else its place.
func X(sc *lesson.Scenario, value string) float64 {
	if v, err := strconv.ParseFloat(value, 64); err == nil {
		return v
	}
	return float64(slices.Index(switchValues(sc, sc.Sweep.Over), value) + 1)
}

// PointOf makes a sweep point of a finished variant.
func PointOf(sc *lesson.Scenario, r Result) Point {
	return Point{Series: r.Set[sc.Sweep.Series], Over: r.Set[sc.Sweep.Over], X: X(sc, r.Set[sc.Sweep.Over]),
		Figures: r.Figures, Measured: verdict.MeasuredOf(r.Figures, r.Summary.Stopped)}
}

// RunSweep runs every point of a sweep in turn. start is told before each
// run (k counts from 0 of n), each gets the running point's items (nil:
// none), point is told after it. A cancelled context stops the sweep: the
// points so far are returned, the cut one marked stopped.
func RunSweep(ctx context.Context, sc *lesson.Scenario, opt session.Options, start func(k, n int, v Variant),
	each func(*session.Session, fold.Item), point func(Point, Result)) ([]Point, error) {
	plan := Plan(sc)
	for _, v := range plan {
		if _, err := Prepare(sc, v, opt); err != nil {
			return nil, fmt.Errorf("point %s: %w", v.Label, err)
		}
	}
	var pts []Point
	for k, v := range plan {
		v.Cores = opt.Cores
		if ctx.Err() != nil {
			break
		}
		if start != nil {
			start(k, len(plan), v)
		}
		r, err := Run(ctx, sc, v, opt, each)
		if err != nil {
			return pts, err
		}
		p := PointOf(sc, r)
		base := p.Figures.Work // the series' first point is its own base
		if i := slices.IndexFunc(pts, func(q Point) bool { return q.Series == p.Series }); i >= 0 {
			base = pts[i].Figures.Work
		}
		if base > 0 {
			p.Speedup = p.Figures.Work / base
		}
		pts = append(pts, p)
		if point != nil {
			point(p, r)
		}
	}
	return pts, nil
}

// SweepSummary is a sweep's verdict over the points it has.
func SweepSummary(sc *lesson.Scenario, pts []Point, cores int, d time.Duration) verdict.Summary {
	return verdict.SweepSummary(sc, pts, len(Plan(sc)), cores, d)
}

// WriteCSV writes a sweep's points, one row each with every figure.
func WriteCSV(path string, sc *lesson.Scenario, pts []Point) error {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	head := []string{"series", sc.Sweep.Over}
	for _, fg := range lesson.Figures {
		head = append(head, fg.Name)
	}
	cw.Write(append(head, "others", "measured"))
	for _, p := range pts {
		row := []string{p.Series, p.Over}
		for _, fg := range lesson.Figures {
			row = append(row, plain(p.Value(fg.Name)))
		}
		cw.Write(append(row, strconv.FormatFloat(p.Figures.Others, 'f', 3, 64), string(p.Measured)))
	}
	cw.Flush()
	return outfile.WriteFile("--csv", path, []byte(b.String()))
}

// plain writes a number in plain decimal, never in e-notation: a figure of
// a million is 1000000, not 1e+06.
func plain(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
