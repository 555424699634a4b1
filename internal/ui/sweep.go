package ui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/compare"
	"mtviz/internal/cpus"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// Messages from the goroutine that runs a sweep.
type (
	swStart struct {
		k, n int
		v    compare.Variant
	}
	// swLive is the running point's session, whose fold the screen draws.
	swLive  struct{ s *session.Session }
	swPoint struct{ p compare.Point }
	swDone  struct {
		pts []compare.Point
		err error
	}
)

// sweepModel runs a lesson's sweep, one point after another, and draws its
// curves as the points arrive, with the running point's lanes below.
type sweepModel struct {
	*Common
	sc     *lesson.Scenario
	series []string

	run *runner

	pts      []compare.Point
	k, n     int
	cur      compare.Variant
	live     *session.Session // the running point's
	began    time.Time
	due      time.Time // when the sweep should end, from the points done
	finished bool
	stopped  bool
	err      error
	results  []verdict.Result
	summary  *verdict.Summary

	stopKey  key.Binding
	help     help.Model
	showHelp bool
	frame    string
}

func newSweep(c *Common, sc *lesson.Scenario) *sweepModel {
	m := &sweepModel{Common: c, sc: sc, help: c.st.newHelp(),
		stopKey: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", words.T("stop the sweep, keep its points"))),
		n:       len(compare.Plan(sc))}
	m.help.ShortSeparator = "  "
	m.series = []string{""}
	if sc.Sweep.Series != "" {
		for _, s := range sc.Switches {
			if s.Name == sc.Sweep.Series {
				m.series = s.Values
			}
		}
	}
	return m
}

func (m *sweepModel) Init() tea.Cmd {
	m.began = time.Now()
	m.run = startRunner(func(ctx context.Context, send, last func(tea.Msg)) {
		pts, err := compare.RunSweep(ctx, m.sc, m.runOpt,
			func(k, n int, v compare.Variant) { send(swStart{k, n, v}) },
			liveRuns(send, func(s *session.Session) tea.Msg { return swLive{s} }),
			func(p compare.Point, _ compare.Result) { send(swPoint{p}) })
		// The points go out even after s stopped the sweep.
		last(swDone{pts, err})
	})
	m.render()
	return tea.Batch(m.run.wait(), frameTick())
}

// stop cancels the sweep and reports once every process of it is gone.
func (m *sweepModel) stop() tea.Cmd { return m.run.stop() }

func (m *sweepModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.render()
}

func (m *sweepModel) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case swStart:
		m.k, m.n, m.cur, m.live = msg.k, msg.n, msg.v, nil
	case swLive:
		m.live = msg.s
	case swPoint:
		m.pts = append(m.pts, msg.p)
		m.due = eta(m.began, time.Now(), len(m.pts), m.n)
	case swDone:
		m.finish(msg.pts, msg.err)
	}
}

// finish judges the sweep from the points it has and writes the CSV.
func (m *sweepModel) finish(pts []compare.Point, err error) {
	m.pts, m.finished, m.err, m.live = pts, true, err, nil
	cores := m.runOpt.Cores
	if cores <= 0 {
		cores = cpus.All()
	}
	sum := compare.SweepSummary(m.sc, pts, cores, time.Since(m.began))
	m.results = sum.Checks
	m.summary = &sum
	if m.csv != "" {
		if werr := compare.WriteCSV(m.csv, m.sc, pts); werr != nil && m.err == nil {
			m.err = werr
		}
	}
}

func (m *sweepModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runBatch:
		for _, x := range msg {
			m.handle(x)
		}
		if m.finished {
			m.render()
			return nil
		}
		return m.run.wait()
	case frameMsg:
		m.render()
		if m.finished {
			return nil
		}
		return frameTick()
	case tea.KeyMsg:
		if m.showHelp {
			m.showHelp = false
		} else {
			switch {
			case key.Matches(msg, m.keys.Help):
				m.showHelp = true
			case key.Matches(msg, m.keys.Back):
				return func() tea.Msg { return backMsg{} }
			case key.Matches(msg, m.stopKey) && m.running():
				m.stopped = true
				m.run.cancel()
			}
		}
		m.render()
	}
	return nil
}

func (m *sweepModel) View() string { return m.frame }

func (m *sweepModel) render() {
	if m.w < 40 || m.h < 12 {
		m.frame = "mtviz needs a terminal of at least 40×12 for a sweep"
		return
	}
	header := m.header()
	footer := fitLines(m.help.ShortHelpView(m.keyMap().ShortHelp()), m.w, 1)
	bodyH := m.h - lipgloss.Height(header) - 1
	var body string
	if m.showHelp {
		body = m.helpView(bodyH)
	} else {
		body = m.body(bodyH)
	}
	m.frame = fitCount(header+"\n"+body+"\n"+footer, m.h)
}

func (m *sweepModel) header() string {
	left := m.st.Title.Render("mtviz") + " " + m.st.Bold.Render(m.sc.ID) + m.st.Dim.Render(" · "+text.Clean(m.sc.Title))
	var right string
	switch {
	case m.summary != nil:
		right = words.F("%d of %d points  ", len(m.pts), m.n) + m.st.verdictText(*m.summary)
	case m.stopped:
		right = m.st.Warn.Render(words.T("stopping…"))
	default:
		right = m.st.OK.Render(words.F("▶ point %d of %d", m.k+1, m.n))
		if !m.due.IsZero() {
			right += "  " + timeLeft(m.due, time.Now())
		}
	}
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fitLines(left+"\n"+right, m.w, 2)
	}
	return left + strings.Repeat(" ", gap) + right
}

// body: the charts, one per figure, side by side when there is room; the
// legend; then the running point's lanes, or the verdicts once done.
func (m *sweepModel) body(h int) string {
	figs := m.sc.Sweep.Figures
	chartH := max(8, h*55/100)
	lower := h - chartH - 1
	var charts []string
	if m.w >= 40*len(figs) {
		w := m.w / len(figs)
		for i, f := range figs {
			cw := w
			if i == len(figs)-1 {
				cw = m.w - w*(len(figs)-1)
			}
			charts = append(charts, m.st.panel(m.chartTitle(f), m.st.plotView(m.sc, m.pts, f, m.series, cw-4, chartH-2), cw, chartH, false))
		}
	} else {
		each := max(6, chartH/len(figs))
		for _, f := range figs {
			charts = append(charts, m.st.panel(m.chartTitle(f), m.st.plotView(m.sc, m.pts, f, m.series, m.w-4, each-2), m.w, each, false))
		}
		lower = h - each*len(figs) - 1
	}
	top := charts[0]
	if m.w >= 40*len(figs) {
		for _, c := range charts[1:] {
			top = joinColumns(top, c)
		}
	} else {
		top = strings.Join(charts, "\n")
	}
	legend := "  " + m.st.legendLine(m.series) + m.st.Dim.Render("   x: "+m.sc.Sweep.Over)
	if len(m.series) == 1 {
		legend = m.st.Dim.Render("  x: " + m.sc.Sweep.Over)
	}
	out := top + "\n" + fitLines(legend, m.w, 1)
	if lower < 3 {
		return fitCount(out, h)
	}
	if m.summary != nil || m.live == nil {
		return fitCount(out+"\n"+m.st.panel(words.T("Checks"), m.checksText(m.w-4), m.w, lower, false), h)
	}
	title := words.T("Running ") + text.Clean(m.cur.Label)
	var lanes string
	m.live.Read(func(tl *fold.Timeline) { lanes = m.st.lanesView(tl, m.w-4, lower-2, 0, tl.Now, zooms[defaultZoom]) })
	return fitCount(out+"\n"+m.st.panel(title, lanes, m.w, lower, false), h)
}

func (m *sweepModel) chartTitle(figure string) string {
	fg, _ := lesson.FigureNamed(figure)
	return figureName(fg) + words.T(" against ") + m.sc.Sweep.Over
}

func (m *sweepModel) checksText(w int) string {
	if m.summary == nil {
		return m.st.Dim.Render(words.T("the checks are decided when every point has run"))
	}
	var lines []string
	if m.err != nil {
		lines = append(lines, m.st.Bad.Render(words.T("error: ")+text.Clean(m.err.Error())))
	}
	for _, r := range m.results {
		lines = append(lines, r.Verdict.Mark()+" "+text.Clean(r.Name))
		for _, l := range wrap(text.Clean(r.Detail), w-2) {
			lines = append(lines, "  "+m.st.Dim.Render(l))
		}
	}
	if m.csv != "" && m.err == nil {
		lines = append(lines, m.st.Dim.Render(words.T("points written to ")+text.Clean(m.csv)))
	}
	return strings.Join(lines, "\n")
}

func (m *sweepModel) helpView(h int) string {
	var lines []string
	for _, l := range wrap(words.F("A sweep runs the lesson once per value of %s, one run after another, each with the machine to itself, "+
		"and plots what each run measured: work per second from the lesson's counters, context switches and threads from /proc. "+
		"The curves fill in as the points arrive; s stops the sweep and keeps the points so far (the checks then say what could not be decided).", m.sc.Sweep.Over), m.w-6) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "")
	for _, l := range proseLines(m.sc.Lesson, m.w-6) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", "  "+m.st.Dim.Render(words.T("any key closes")))
	return m.st.panel(words.T("Help"), strings.Join(lines, "\n"), m.w, h, true)
}

// running: the sweep has points still to run and s has not stopped it,
// so s can stop it.
func (m *sweepModel) running() bool { return !m.finished && !m.stopped }

// eta is when a sweep begun at began should end, now that done of its n
// points took until now: the rest at the same pace.
func eta(began, now time.Time, done, n int) time.Time {
	if done <= 0 {
		return time.Time{}
	}
	per := now.Sub(began) / time.Duration(done)
	return now.Add(per * time.Duration(max(0, n-done)))
}

// timeLeft counts down to due; it only falls between points, and past due
// it says the last point is about to end rather than a time.
func timeLeft(due, now time.Time) string {
	left := due.Sub(now).Round(time.Second)
	if left < time.Second {
		return words.T("ending soon")
	}
	return words.F("about %s left", left.String())
}

// proseLines wraps a lesson's text, kept line by line as written, to w
// cells and cleans each line: newlines are the text's own structure, and
// must not reach the sanitiser, which would show them as \x0a.
func proseLines(s string, w int) []string {
	lines := wrap(s, w)
	for i, l := range lines {
		lines[i] = text.Clean(l)
	}
	return lines
}

// keyMap: s while the sweep runs, and the way out.
func (m *sweepModel) keyMap() help.KeyMap {
	keys := []key.Binding{m.keys.Help, m.keys.Back, m.keys.Quit}
	if m.running() {
		keys = append([]key.Binding{m.stopKey}, keys...)
	}
	return keyList{short: keys, full: [][]key.Binding{keys}}
}

func (m *sweepModel) asksBeforeQuit(tea.KeyMsg) bool { return false }

// end cancels the sweep and waits for its end.
func (m *sweepModel) end() error {
	waitDone(m.run.cancelRuns())
	return nil
}

func (m *sweepModel) outcome() *verdict.Summary { return m.summary }
