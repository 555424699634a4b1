package verdict

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// Measured says whether a sweep point's figures can be judged.
type Measured string

// How a point was measured.
const (
	// Quiet: other programs left the machine to the point; its figures count.
	Quiet Measured = "quiet"
	// Busy: other programs used more than BusyLimit cores during it; a
	// check that its figures would fail is not decided.
	Busy Measured = "busy"
	// Cut: the point was stopped before its end; the checks leave it out.
	Cut Measured = "stopped"
)

// Point is one run of a sweep, measured.
type Point struct {
	Series   string   `json:"series,omitempty"`
	Over     string   `json:"over"` // the swept switch's value
	X        float64  `json:"x"`    // the same as a number, for the plot
	Figures  Figures  `json:"figures"`
	Measured Measured `json:"measured"`
	// Speedup is Work over the Work of its series' first point.
	Speedup float64 `json:"speedup"`
}

// MeasuredOf says how a run's figures were measured.
func MeasuredOf(fg Figures, stopped bool) Measured {
	switch {
	case stopped:
		return Cut
	case fg.Others > BusyLimit:
		return Busy
	}
	return Quiet
}

// Value is a figure of the point by name, speedup included.
func (p Point) Value(name string) float64 {
	if name == "speedup" {
		return p.Speedup
	}
	return p.Figures.Get(name)
}

// sweepJudges decide a sweep check along one series' points, sorted by X;
// at is the last point with tasks at most the cores.
var sweepJudges = map[lesson.CheckKind]func(c lesson.CheckSpec, line []Point, at Point, cores int) (Verdict, string){
	lesson.CheckGrows:     judgeGrows,
	lesson.CheckLevelsOff: judgeLevelsOff,
	lesson.CheckRises:     judgeRises,
}

// JudgeSweep decides a sweep's own checks from its points.
func JudgeSweep(sc *lesson.Scenario, pts []Point, cores int) []Result {
	var out []Result
	for _, c := range sc.Sweep.Checks {
		r := judgeSweep(sc, c, pts, cores)
		r.Name, r.OK = c.Name, r.Verdict == Pass
		out = append(out, r)
	}
	return out
}

// needsCores is how many cores a sweep check needs to be decided: one
// about what happens past the cores needs more than one.
func needsCores(c lesson.Check) int {
	cv, _ := lesson.CurveOf(c.Spec)
	if cv.NeedsCores > 0 {
		return cv.NeedsCores
	}
	if c.Kind == lesson.CheckLevelsOff {
		return 2
	}
	return 1
}

func judgeSweep(sc *lesson.Scenario, c lesson.Check, pts []Point, cores int) Result {
	cv, ok := lesson.CurveOf(c.Spec)
	decide := sweepJudges[c.Kind]
	if !ok || decide == nil {
		return undecided("this version cannot decide a %s sweep check", c.Kind)
	}
	if need := needsCores(c); need > cores {
		return undecided("this needs %d cores, and the run had %d", need, cores)
	}
	series := cv.Series
	if len(series) == 0 {
		series = switchValues(sc, sc.Sweep.Series)
		if sc.Sweep.Series == "" {
			series = []string{""}
		}
	}
	var details []string
	var verdicts []Result
	want := len(switchValues(sc, sc.Sweep.Over))
	for _, s := range series {
		var line []Point
		for _, p := range pts {
			if p.Series == s && p.Measured != Cut {
				line = append(line, p)
			}
		}
		slices.SortFunc(line, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		name := s
		if name == "" {
			name = words.T("the sweep")
		}
		if len(line) < want {
			verdicts = append(verdicts, Result{Verdict: Undecided})
			details = append(details, words.F("%s: not decided, %d of %d points ran", name, len(line), want))
			continue
		}
		at := line[0]
		for _, p := range line {
			if p.X <= float64(cores) {
				at = p
			}
		}
		v, d := decide(c.Spec, line, at, cores)
		verdicts = append(verdicts, Result{Verdict: v})
		details = append(details, name+words.T(": ")+d)
	}
	return Result{Verdict: Worst(verdicts), Detail: strings.Join(details, words.T("; "))}
}

func switchValues(sc *lesson.Scenario, name string) []string {
	for _, s := range sc.Switches {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

// curveView is what the sweep judges say of points.
type curveView struct{ cv *lesson.Curve }

func (v curveView) get(p Point) float64 { return p.Value(v.cv.Figure) }

func (v curveView) show(p Point) string {
	return words.F("%s at %s", WithUnit(v.cv.Figure, v.get(p)), p.Over)
}

// busy says why the points cannot fail a check: one ran while other
// programs used the machine.
func busy(ps ...Point) (string, bool) {
	for _, p := range ps {
		if p.Measured == Busy {
			return words.F("not decided: other programs used %.2f cores during the point at %s", p.Figures.Others, p.Over), true
		}
	}
	return "", false
}

// none: a base of nothing measured proves nothing, as x ≥ factor × 0 always holds.
func (v curveView) none(p Point) (Verdict, string) {
	return Undecided, words.F("not decided: %s was measured as 0 at %s, nothing to compare with", v.cv.Figure, p.Over)
}

// held turns a claim and what it rests on into a verdict: a claim that did
// not hold on busy points is not decided.
func held(ok bool, d string, on ...Point) (Verdict, string) {
	if ok {
		return Pass, d
	}
	if why, b := busy(on...); b {
		return Undecided, d + words.T("; ") + why
	}
	return Fail, d
}

func judgeGrows(c lesson.CheckSpec, line []Point, _ Point, _ int) (Verdict, string) {
	v := curveView{&c.(*lesson.GrowsCheck).Curve}
	first, last := line[0], line[len(line)-1]
	if v.get(first) <= 0 {
		return v.none(first)
	}
	d := words.F("%s against %s (at least %.3g× wanted)", v.show(last), v.show(first), v.cv.Factor)
	return held(v.get(last) >= v.cv.Factor*v.get(first), d, first, last)
}

// judgeLevelsOff: the figure grows from one task up to tasks = cores, then
// stops: a curve that never grew did not level off, it was flat.
func judgeLevelsOff(c lesson.CheckSpec, line []Point, at Point, cores int) (Verdict, string) {
	v := curveView{&c.(*lesson.LevelsOffCheck).Curve}
	first, last := line[0], line[len(line)-1]
	if last.X <= at.X {
		return Undecided, words.F("not decided: no point past %s (the cores)", at.Over)
	}
	if at.X <= first.X {
		return Undecided, words.F("not decided: no point below tasks = cores (%s) to grow from", at.Over)
	}
	if v.get(first) <= 0 {
		return v.none(first)
	}
	// Up to the cores, each added core should add at least half a core's
	// worth: with 2 cores, 1.5× what one task did.
	grow := 1 + 0.5*(min(at.X, float64(cores))-first.X)
	if v.get(at) < grow*v.get(first) {
		d := words.F("it never grew: %s against %s with one task (at least %.3g× wanted up to tasks = cores)", v.show(at), v.show(first), grow)
		return held(false, d, first, at)
	}
	top := last
	for _, p := range line {
		if p.X > at.X && v.get(p) > v.get(top) {
			top = p
		}
	}
	d := words.F("it grew to %s with tasks = cores (from %s); past it at most %s (at most %.3g× allowed)", v.show(at), v.show(first), v.show(top), v.cv.Factor)
	return held(v.get(top) <= v.cv.Factor*v.get(at), d, line...)
}

func judgeRises(c lesson.CheckSpec, line []Point, at Point, _ int) (Verdict, string) {
	v := curveView{&c.(*lesson.RisesCheck).Curve}
	last := line[len(line)-1]
	if last.X <= at.X {
		return Undecided, words.F("not decided: no point past %s (the cores)", at.Over)
	}
	if v.get(at) <= 0 {
		return v.none(at)
	}
	d := words.F("%s against %s with tasks = cores (at least %.3g× wanted)", v.show(last), v.show(at), v.cv.Factor)
	return held(v.get(last) >= v.cv.Factor*v.get(at), d, at, last)
}

// SweepSummary is a sweep's verdict: its own checks over the points it has;
// a sweep with points missing was stopped.
func SweepSummary(sc *lesson.Scenario, pts []Point, planned, cores int, d time.Duration) Summary {
	results := JudgeSweep(sc, pts, cores)
	sum := Summary{Scenario: sc.ID, Checks: results, Rounds: 1, Cores: cores, Duration: d,
		Stopped: len(pts) < planned || slices.ContainsFunc(pts, func(p Point) bool { return p.Measured == Cut }), Verdict: Worst(results)}
	sum.OK = sum.Verdict == Pass && !sum.Stopped
	return sum
}

// Format writes a figure's value for a table.
func Format(figure string, v float64) string {
	switch figure {
	case "lost", "threads":
		return strconv.FormatFloat(v, 'f', 0, 64)
	case "work", "switches":
		return human(v)
	case "speedup":
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// WithUnit writes a figure's value and its unit.
func WithUnit(figure string, v float64) string {
	f, _ := lesson.FigureNamed(figure)
	switch {
	case f.Unit == "":
		return Format(figure, v)
	case strings.HasPrefix(f.Unit, "/"), f.Unit == "×":
		return Format(figure, v) + f.Unit
	}
	return Format(figure, v) + " " + f.Unit
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case v >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
