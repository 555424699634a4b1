package ui

import (
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/compare"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
)

// plotView draws one figure of a sweep's points as one curve per series,
// the swept value on a log₂ axis when it is a count, in w×h cells (the
// legend is the caller's).
func (st *Styles) plotView(sc *lesson.Scenario, pts []compare.Point, figure string, series []string, w, h int) string {
	fg, _ := lesson.FigureNamed(figure)
	xs := sweepXs(sc)
	logX := isCounts(xs)
	toX := func(x float64) float64 {
		if logX {
			return math.Log2(x)
		}
		return x
	}
	minX, maxX := toX(xs[0]), toX(xs[len(xs)-1])
	if maxX <= minX {
		maxX = minX + 1
	}
	maxY := 0.0
	for _, p := range pts {
		maxY = max(maxY, p.Value(figure))
	}
	if maxY == 0 {
		maxY = 1
	}
	maxY *= 1.1
	xfmt := func(_ int, v float64) string {
		if logX {
			return compare.Format(lesson.Figure{Name: "threads"}, math.Round(math.Exp2(v)))
		}
		return compare.Format(lesson.Figure{Name: "threads"}, v)
	}
	yfmt := func(_ int, v float64) string { return compare.Format(fg, v) }
	lc := linechart.New(w, h, minX, maxX, 0, maxY,
		linechart.WithXLabelFormatter(xfmt), linechart.WithYLabelFormatter(yfmt),
		linechart.WithStyles(st.Dim, st.Dim, lipgloss.NewStyle()))
	// The chart would label the x axis at even steps (1, 3, 11 on a log
	// axis); label it at the swept values instead, where the points are.
	lc.SetXStep(1 << 20)
	lc.SetYStep(max(1, (h-2)/3))
	lc.DrawXYAxisAndLabel()
	origin := lc.Origin()
	for x := 0; x < lc.Canvas.Width(); x++ {
		lc.Canvas.SetString(canvas.Point{X: x, Y: origin.Y + 1}, " ")
	}
	free := 0
	for _, x := range xs {
		at := canvas.CanvasPointFromFloat64Point(origin, lc.ScaleFloat64Point(canvas.Float64Point{X: toX(x)}))
		col := at.X + 1
		label := xfmt(0, toX(x))
		col = min(col, lc.Canvas.Width()-len(label))
		if col < free {
			continue // no room: the neighbour's label stands
		}
		lc.Canvas.SetStringWithStyle(canvas.Point{X: col, Y: origin.Y + 1}, label, st.Dim)
		free = col + len(label) + 1
	}
	for si, s := range series {
		look := st.series[si%len(st.series)]
		var line []canvas.Float64Point
		for _, p := range pts {
			if p.Series == s && p.Measured != verdict.Cut {
				line = append(line, canvas.Float64Point{X: toX(p.X), Y: p.Value(figure)})
			}
		}
		for i := 1; i < len(line); i++ {
			lc.DrawBrailleLineWithStyle(line[i-1], line[i], look.style)
		}
		for _, pt := range line {
			lc.DrawRuneWithStyle(pt, look.mark, look.style)
		}
	}
	return lc.View()
}

// sweepXs are the swept values as numbers, in order.
func sweepXs(sc *lesson.Scenario) []float64 {
	var xs []float64
	for _, s := range sc.Switches {
		if s.Name == sc.Sweep.Over {
			for _, v := range s.Values {
				xs = append(xs, compare.X(sc, v))
			}
		}
	}
	if len(xs) == 0 {
		return []float64{1}
	}
	return xs
}

// isCounts is whether the values are counts that grow by factors: a log axis
// shows 1, 2, 4 … 256 evenly.
func isCounts(xs []float64) bool {
	for _, x := range xs {
		if x < 1 {
			return false
		}
	}
	return len(xs) > 2 && xs[len(xs)-1]/xs[0] >= 16
}

// legendLine names each series with its mark.
func (st *Styles) legendLine(series []string) string {
	var parts []string
	for i, s := range series {
		look := st.series[i%len(st.series)]
		parts = append(parts, look.style.Render(string(look.mark)+" "+text.Clean(s)))
	}
	return strings.Join(parts, "   ")
}
