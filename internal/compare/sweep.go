package compare

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mtviz/internal/outfile"
	"mtviz/internal/session"
	"mtviz/internal/spec"
	"mtviz/internal/timeline"
)

// Point is one run of a sweep, measured.
type Point struct {
	Series  string           `json:"series,omitempty"`
	Over    string           `json:"over"` // the swept switch's value
	X       float64          `json:"x"`    // the same as a number, for the plot
	Figures timeline.Figures `json:"figures"`
	Verdict timeline.Verdict `json:"verdict"`
	Stopped bool             `json:"stopped,omitempty"`
	// Speedup is Work over the Work of its series' first point.
	Speedup float64 `json:"speedup"`
}

// Value is a figure of the point by name, speedup included.
func (p Point) Value(name string) float64 {
	if name == "speedup" {
		return p.Speedup
	}
	return p.Figures.Get(name)
}

// Plan is a sweep's variants in the order they run: series by series, each
// along the swept switch.
func Plan(sc *spec.Scenario) []Variant {
	sw := sc.Sweep
	axes := []Axis{}
	if sw.Series != "" {
		axes = append(axes, Axis{Name: sw.Series, Values: switchValues(sc, sw.Series)})
	}
	axes = append(axes, Axis{Name: sw.Over, Values: switchValues(sc, sw.Over)})
	return Variants(nil, axes)
}

func switchValues(sc *spec.Scenario, name string) []string {
	for _, s := range sc.Switches {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

// X is a swept value as a number: its own if it is one, else its place.
func X(sc *spec.Scenario, value string) float64 {
	if v, err := strconv.ParseFloat(value, 64); err == nil {
		return v
	}
	return float64(slices.Index(switchValues(sc, sc.Sweep.Over), value) + 1)
}

// PointOf makes a sweep point of a finished variant.
func PointOf(sc *spec.Scenario, r Result) Point {
	return Point{Series: r.Set[sc.Sweep.Series], Over: r.Set[sc.Sweep.Over], X: X(sc, r.Set[sc.Sweep.Over]),
		Figures: r.Figures, Verdict: r.Summary.Verdict, Stopped: r.Summary.Stopped}
}

// RunSweep runs every point of a sweep in turn. start is told before each
// run (k counts from 0 of n), each gets the running point's items (nil:
// none), point is told after it. A cancelled context stops the sweep: the
// points so far are returned, the cut one marked stopped.
func RunSweep(ctx context.Context, sc *spec.Scenario, opt session.Options, start func(k, n int, v Variant),
	each func(*session.Session, timeline.Item), point func(Point, Result)) ([]Point, error) {
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

// JudgeSweep decides a sweep's own checks from its points.
func JudgeSweep(sc *spec.Scenario, pts []Point, cores int) []timeline.Result {
	var out []timeline.Result
	for _, c := range sc.Sweep.Checks {
		r := judgeSweep(sc, c, pts, cores)
		r.Name, r.OK = c.Name, r.Verdict == timeline.Pass
		out = append(out, r)
	}
	return out
}

func judgeSweep(sc *spec.Scenario, c spec.Check, pts []Point, cores int) timeline.Result {
	if c.NeedsCores > cores {
		return result(timeline.Undecided, "not decided: this needs %d cores, and the run had %d", c.NeedsCores, cores)
	}
	series := c.Values
	if len(series) == 0 {
		series = switchValues(sc, sc.Sweep.Series)
		if sc.Sweep.Series == "" {
			series = []string{""}
		}
	}
	var details []string
	verdict := timeline.Pass
	worse := func(v timeline.Verdict) {
		if v == timeline.Fail || v == timeline.Undecided && verdict == timeline.Pass {
			verdict = v
		}
	}
	want := len(switchValues(sc, sc.Sweep.Over))
	for _, s := range series {
		var line []Point
		for _, p := range pts {
			if p.Series == s && !p.Stopped {
				line = append(line, p)
			}
		}
		slices.SortFunc(line, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		name := s
		if name == "" {
			name = "the sweep"
		}
		if len(line) < want {
			worse(timeline.Undecided)
			details = append(details, fmt.Sprintf("%s: not decided, %d of %d points ran", name, len(line), want))
			continue
		}
		v, d := decideLine(c, line, cores)
		worse(v)
		details = append(details, name+": "+d)
	}
	return result(verdict, "%s", strings.Join(details, "; "))
}

// decideLine decides a check on one series' points, sorted by X.
func decideLine(c spec.Check, line []Point, cores int) (timeline.Verdict, string) {
	get := func(p Point) float64 { return p.Value(c.Figure) }
	f, _ := spec.FigureNamed(c.Figure)
	show := func(p Point) string { return fmt.Sprintf("%s at %s", WithUnit(f, get(p)), p.Over) }
	busy := func(ps ...Point) (string, bool) {
		for _, p := range ps {
			if p.Figures.Others > timeline.BusyLimit {
				return fmt.Sprintf("not decided: other programs used %.2f cores during the point at %s", p.Figures.Others, p.Over), true
			}
		}
		return "", false
	}
	first, last := line[0], line[len(line)-1]
	// A base of nothing measured proves nothing: x ≥ factor × 0 always holds.
	none := func(p Point) (timeline.Verdict, string) {
		return timeline.Undecided, fmt.Sprintf("not decided: %s was measured as 0 at %s, nothing to compare with", c.Figure, p.Over)
	}
	at := first
	for _, p := range line {
		if p.X <= float64(cores) {
			at = p
		}
	}
	var ok bool
	var d string
	switch c.Kind {
	case "grows":
		if get(first) <= 0 {
			return none(first)
		}
		ok = get(last) >= c.Min*get(first)
		d = fmt.Sprintf("%s against %s (at least %.3g× wanted)", show(last), show(first), c.Min)
		if why, b := busy(first, last); b && !ok {
			return timeline.Undecided, d + "; " + why
		}
	case "levels_off":
		if last.X <= at.X {
			return timeline.Undecided, fmt.Sprintf("not decided: no point past %s (the cores)", at.Over)
		}
		if get(at) <= 0 {
			return none(at)
		}
		top := last
		for _, p := range line {
			if p.X > at.X && get(p) > get(top) {
				top = p
			}
		}
		ok = get(top) <= c.Min*get(at)
		d = fmt.Sprintf("with tasks = cores %s; past it at most %s (at most %.3g× allowed)", show(at), show(top), c.Min)
		if why, b := busy(line...); b && !ok {
			return timeline.Undecided, d + "; " + why
		}
	case "rises":
		if last.X <= at.X {
			return timeline.Undecided, fmt.Sprintf("not decided: no point past %s (the cores)", at.Over)
		}
		if get(at) <= 0 {
			return none(at)
		}
		ok = get(last) >= c.Min*get(at)
		d = fmt.Sprintf("%s against %s with tasks = cores (at least %.3g× wanted)", show(last), show(at), c.Min)
		if why, b := busy(at, last); b && !ok {
			return timeline.Undecided, d + "; " + why
		}
	default:
		return timeline.Undecided, "not decided: unknown sweep check " + c.Kind
	}
	if ok {
		return timeline.Pass, d
	}
	return timeline.Fail, d
}

func result(v timeline.Verdict, format string, a ...any) timeline.Result {
	return timeline.Result{Verdict: v, Detail: fmt.Sprintf(format, a...)}
}

// SweepSummary is a sweep's verdict: its own checks over the points it has;
// a sweep with points missing was stopped.
func SweepSummary(sc *spec.Scenario, pts []Point, cores int, d time.Duration) timeline.Summary {
	results := JudgeSweep(sc, pts, cores)
	sum := timeline.Summary{Scenario: sc.ID, Checks: results, Rounds: 1, Cores: cores, Duration: d,
		Stopped: len(pts) < len(Plan(sc)) || slices.ContainsFunc(pts, func(p Point) bool { return p.Stopped }), Verdict: timeline.Pass}
	for _, r := range results {
		if r.Verdict == timeline.Fail || r.Verdict == timeline.Undecided && sum.Verdict == timeline.Pass {
			sum.Verdict = r.Verdict
		}
	}
	sum.OK = sum.Verdict == timeline.Pass && !sum.Stopped
	return sum
}

// WriteCSV writes a sweep's points, one row each with every figure.
func WriteCSV(path string, sc *spec.Scenario, pts []Point) error {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	head := []string{"series", sc.Sweep.Over}
	for _, fg := range spec.Figures {
		head = append(head, fg.Name)
	}
	cw.Write(append(head, "others", "verdict"))
	for _, p := range pts {
		row := []string{p.Series, p.Over}
		for _, fg := range spec.Figures {
			row = append(row, strconv.FormatFloat(p.Value(fg.Name), 'g', 6, 64))
		}
		verdict := p.Verdict.String()
		if p.Stopped {
			verdict = "stopped"
		}
		cw.Write(append(row, strconv.FormatFloat(p.Figures.Others, 'f', 3, 64), verdict))
	}
	cw.Flush()
	return outfile.WriteFile("--csv", path, []byte(b.String()))
}
