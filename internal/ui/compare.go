package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/compare"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// CompareConfig is a comparison to show: variants to run one after another,
// or (Done) variants already run, read from recordings.
type CompareConfig struct {
	Scenario  *lesson.Scenario
	Variants  []compare.Variant
	Session   session.Options
	RecordDir string           // also write each variant's recording here
	Done      []compare.Result // a replayed comparison: nothing runs
}

// Messages from the goroutine that runs the variants.
type (
	// cmpLive is a variant's session, whose fold the screen draws.
	cmpLive struct {
		i int
		s *session.Session
	}
	cmpResult struct {
		i int
		r compare.Result
	}
	cmpErr struct{ err error }
)

// compareModel shows the variants side by side, aligned at their start, with
// one time cursor for them all, and the figures that differ below.
type compareModel struct {
	*Common
	cfg  CompareConfig
	cols []*cmpCol
	run  *runner // nil for a replayed comparison
	err  error
	help help.Model

	at       time.Duration // the cursor, from each variant's start
	follow   bool          // the cursor follows the running variant
	running  int           // the variant running now (len(cols): none)
	started  time.Time
	showHelp bool
	frame    string
}

// cmpCol is one variant: its session's fold while it runs, then its
// recording's, folded up to the cursor.
type cmpCol struct {
	v    compare.Variant
	res  *compare.Result
	sess *session.Session // the variant running now
	tl   *fold.Timeline   // the finished variant's fold
	play *record.Player   // folds the finished variant's recording into tl
}

// read calls f with the variant's fold (nil: it has not begun), held
// still while f reads it.
func (c *cmpCol) read(f func(tl *fold.Timeline)) {
	if c.res == nil && c.sess != nil {
		c.sess.Read(f)
		return
	}
	f(c.tl)
}

func newCompare(c *Common, cfg CompareConfig) *compareModel {
	m := &compareModel{Common: c, cfg: cfg, help: c.st.newHelp(), follow: true}
	m.help.ShortSeparator = "  "
	if cfg.Done != nil {
		for i := range cfg.Done {
			r := cfg.Done[i]
			m.cols = append(m.cols, &cmpCol{v: r.Variant, res: &r})
		}
		m.running = len(m.cols)
		m.follow = false
		m.at = m.lastAt()
		m.seek()
		return m
	}
	for _, v := range cfg.Variants {
		m.cols = append(m.cols, &cmpCol{v: v})
	}
	return m
}

func (m *compareModel) Init() tea.Cmd {
	if m.cfg.Done != nil {
		m.render()
		return frameTick() // the folds catch up with the cursor frame by frame
	}
	m.started = time.Now()
	m.run = startRunner(m.runAll)
	m.render()
	return tea.Batch(m.run.wait(), frameTick())
}

// runAll runs the variants in turn; it never runs two at once.
func (m *compareModel) runAll(ctx context.Context, send, _ func(tea.Msg)) {
	for i, v := range m.cfg.Variants {
		if ctx.Err() != nil {
			return
		}
		r, err := compare.Run(ctx, m.cfg.Scenario, v, m.cfg.Session, liveRuns(send, func(s *session.Session) tea.Msg { return cmpLive{i, s} }))
		if err == nil && m.cfg.RecordDir != "" {
			err = compare.Save(m.cfg.RecordDir, m.cfg.Scenario.ID, i, r)
		}
		if err != nil {
			send(cmpErr{err})
			return
		}
		send(cmpResult{i, r})
	}
}

// stop cancels the runs and reports once every process of theirs is gone.
func (m *compareModel) stop() tea.Cmd {
	m.closePlayers()
	return m.run.stop()
}

func (m *compareModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.render()
}

func (m *compareModel) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case cmpLive:
		m.running = msg.i
		m.cols[msg.i].sess = msg.s
	case cmpResult:
		c := m.cols[msg.i]
		c.res = &msg.r
		c.sess, c.tl = nil, nil
		m.running = msg.i + 1
		m.seek()
	case cmpErr:
		m.err = msg.err
	case runEnd:
		m.running = len(m.cols)
		m.run.ch = nil
	}
}

func (m *compareModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runBatch:
		for _, x := range msg {
			m.handle(x)
		}
		if m.run.ch == nil {
			return nil
		}
		return m.run.wait()
	case frameMsg:
		if m.follow {
			if c := m.live(); c != nil {
				c.read(func(tl *fold.Timeline) { m.at = tl.Now })
			} else {
				m.at = m.lastAt()
			}
		}
		m.seek()
		m.render()
		return frameTick()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return nil
}

func (m *compareModel) key(msg tea.KeyMsg) tea.Cmd {
	if m.showHelp {
		m.showHelp = false
		m.render()
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
	case key.Matches(msg, m.keys.Back):
		return func() tea.Msg { return backMsg{} }
	case key.Matches(msg, m.keys.Pause):
		m.follow = !m.follow
	case key.Matches(msg, m.rkeys.Back):
		m.follow = false
		m.at = max(0, m.at-time.Second)
	case key.Matches(msg, m.rkeys.Forward):
		m.follow = false
		m.at = min(m.lastAt(), m.at+time.Second)
	case key.Matches(msg, m.rkeys.Start):
		m.follow = false
		m.at = 0
	case key.Matches(msg, m.rkeys.End):
		m.follow = false
		m.at = m.lastAt()
	}
	m.seek()
	m.render()
	return nil
}

// live is the variant running now, if any.
func (m *compareModel) live() *cmpCol {
	if m.running < len(m.cols) && m.cols[m.running].res == nil && m.cols[m.running].sess != nil {
		return m.cols[m.running]
	}
	return nil
}

// lastAt is the latest moment any variant reached.
func (m *compareModel) lastAt() time.Duration {
	var t time.Duration
	for _, c := range m.cols {
		switch {
		case c.res != nil:
			t = max(t, c.res.Timeline.Now)
		case c.sess != nil:
			c.read(func(tl *fold.Timeline) { t = max(t, tl.Now) })
		}
	}
	return t
}

// seek folds every finished variant's recording up to the cursor (forward
// from where it is, or again from its start), within the frame's budget. It
// reports whether some is left for the next frames.
func (m *compareModel) seek() bool {
	more := false
	for _, c := range m.cols {
		if c.res == nil {
			continue
		}
		rec := c.res.Rec
		if c.play == nil {
			c.play = record.NewPlayer(rec)
		}
		if c.tl == nil || c.tl.Now > m.at {
			c.tl = fold.New(fold.Config{Scenario: rec.Scenario, Cores: rec.Header.Cores, Root: rec.Header.Root})
			c.play.Rewind()
		}
		// What is left is folded at the next frames: keys are answered.
		if c.play.Until(m.at, time.Now().Add(frameBudget/time.Duration(len(m.cols))), c.tl.Apply) {
			more = true
		}
	}
	return more
}

// closePlayers stops reading the recordings ahead.
func (m *compareModel) closePlayers() {
	for _, c := range m.cols {
		if c.play != nil {
			c.play.Close()
		}
	}
}

func (m *compareModel) View() string { return m.frame }

func (m *compareModel) render() {
	if m.w < 40 || m.h < 12 {
		m.frame = "mtviz compare needs a terminal of at least 40×12"
		return
	}
	header := m.header()
	footer := m.footer()
	table := m.table()
	bodyH := m.h - lipgloss.Height(header) - lipgloss.Height(footer) - lipgloss.Height(table)
	var body string
	if m.showHelp {
		body = m.helpView(bodyH + lipgloss.Height(table))
		table = ""
	} else {
		body = m.columns(bodyH)
	}
	parts := []string{header, body}
	if table != "" {
		parts = append(parts, table)
	}
	m.frame = fitCount(strings.Join(append(parts, footer), "\n"), m.h)
}

func (m *compareModel) header() string {
	state := ""
	switch {
	case m.err != nil:
		state = m.st.Bad.Render(words.T("error: ") + text.Clean(m.err.Error()))
	case m.running < len(m.cols):
		el := time.Since(m.started).Seconds()
		state = m.st.OK.Render(words.F("▶ running %d of %d (%.0fs)", m.running+1, len(m.cols), el))
	default:
		w := compare.Outcome(m.cfg.Scenario, m.results())
		state = m.st.verdictText(w)
	}
	cursor := fmt.Sprintf("t %.1fs", m.at.Seconds())
	if m.follow {
		cursor += words.T(" (following)")
	}
	left := m.st.Title.Render("mtviz compare") + " " + m.st.Bold.Render(m.cfg.Scenario.ID)
	right := cursor + "  " + state
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fitLines(left+"\n"+right, m.w, 2)
	}
	return left + strings.Repeat(" ", gap) + right
}

// verdictText is what a run (or a set of variants) came to, with its mark.
func (st *Styles) verdictText(s verdict.Summary) string {
	switch {
	case s.Stopped:
		return st.Warn.Render("■ " + s.State())
	case s.Verdict == verdict.Pass && len(s.Checks) > 0:
		return st.OK.Render("✔ " + s.State())
	case s.Verdict == verdict.Fail:
		return st.Bad.Render("✘ " + s.State())
	}
	return st.Warn.Render("? " + s.State())
}

func (m *compareModel) results() []compare.Result {
	var rs []compare.Result
	for _, c := range m.cols {
		if c.res != nil {
			rs = append(rs, *c.res)
		}
	}
	return rs
}

// columns draws each variant: its cores, counters and lanes at the cursor.
func (m *compareModel) columns(h int) string {
	n := len(m.cols)
	var blocks []string
	for i, c := range m.cols {
		w := m.w / n
		if i == n-1 {
			w = m.w - (n-1)*(m.w/n)
		}
		blocks = append(blocks, m.column(c, w, h))
	}
	out := blocks[0]
	for _, b := range blocks[1:] {
		out = joinColumns(out, b)
	}
	return fitCount(out, h)
}

func (m *compareModel) column(c *cmpCol, w, h int) string {
	title := text.Clean(c.v.Label)
	switch {
	case c.res != nil:
		title += " " + c.res.Summary.Verdict.Mark()
	case c.sess != nil:
		title += " ▶"
	default:
		title += words.T(" (waits)")
	}
	var out string
	c.read(func(tl *fold.Timeline) {
		if tl == nil {
			out = m.st.panel(title, m.st.Dim.Render(words.T("runs after the variants before it")), w, h, false)
			return
		}
		out = m.drawColumn(title, tl, w, h)
	})
	return out
}

// drawColumn is a variant's cores, counters, lanes and log at the cursor.
func (m *compareModel) drawColumn(title string, tl *fold.Timeline, w, h int) string {
	cores := m.st.coresView(tl, w-4)
	coresH := lipgloss.Height(cores) + 2
	ctr := m.st.countersView(tl, w-4)
	ctrH := max(3, m.st.counterLines(tl, w-4)+2)
	lanesH := h - coresH - ctrH
	if lanesH < 5 || lanesH < len(tl.Lanes)+3 {
		// The lanes are the point: the counters give way first.
		ctr, ctrH = "", 0
		lanesH = h - coresH
	}
	now := min(m.at, tl.Now)
	out := m.st.panel(title, cores, w, coresH, false)
	if ctrH > 0 {
		out += "\n" + m.st.panel(words.T("Counters"), ctr, w, ctrH, false)
	}
	// The lanes take what they need; the log what is left, if enough.
	need := len(tl.Lanes) + 3
	logH := 0
	if lanesH-need >= 5 {
		lanesH, logH = need, lanesH-need
	}
	out += "\n" + m.st.panel(words.T("Tasks"), m.st.lanesView(tl, w-4, lanesH-2, 0, now, zooms[defaultZoom]), w, lanesH, false)
	if logH > 0 {
		out += "\n" + m.st.panel(words.T("Log"), m.st.logView(tl, w-4, logH-2, 0), w, logH, false)
	}
	return out
}

// table is the figures that differ, each with its ratio to the first variant.
func (m *compareModel) table() string {
	var rs []compare.Result
	var at []int // the column of each result
	for i, c := range m.cols {
		if c.res != nil {
			rs = append(rs, *c.res)
			at = append(at, i)
		}
	}
	if len(rs) < 2 {
		return m.st.Dim.Render(words.F("figures once two variants have run (%d of %d done)", len(rs), len(m.cols)))
	}
	rows := compare.Table(rs, false)
	if len(rows) == 0 {
		return m.st.Dim.Render(words.T("no figure differs by more than 5% between the variants"))
	}
	// Each value sits under its variant's column; the figure's name leads.
	colW := m.w / len(m.cols)
	const nameW = 14
	var lines []string
	for _, row := range rows {
		cells := make([]string, len(m.cols))
		for k, v := range row.Values {
			cell := compare.Format(row.Figure, v)
			if row.Apart {
				cell += " " + row.Units[k]
			}
			if k > 0 && row.Ratios[k] != 0 {
				cell += " " + compare.Ratio(row.Ratios[k])
			}
			cells[at[k]] = cell
		}
		line := ""
		for i, c := range cells {
			w := colW
			if i == 0 {
				line = padRight(m.st.Bold.Render(figureName(row.Figure)), min(nameW, colW/2))
				w = colW - min(nameW, colW/2)
			}
			line += padRight(" "+c, w)
		}
		lines = append(lines, line)
	}
	if len(lines) > 6 {
		lines = lines[:6]
	}
	if len(rs) == len(m.cols) {
		for _, c := range compare.Checks(m.cfg.Scenario, rs) {
			lines = append(lines, c.Verdict.Mark()+" "+text.Clean(c.Name)+": "+text.Clean(c.Detail))
		}
	}
	return fitLines(strings.Join(lines, "\n"), m.w, len(lines))
}

func figureName(f lesson.Figure) string {
	if f.Unit == "" {
		return f.Name
	}
	return f.Name + " " + f.Unit
}

func (m *compareModel) footer() string {
	return fitLines(m.help.ShortHelpView(m.keyMap().ShortHelp()), m.w, 1)
}

// keyMap: the cursor's keys, and the way out.
func (m *compareModel) keyMap() help.KeyMap {
	keys := []key.Binding{m.rkeys.Back, m.rkeys.Forward, key.NewBinding(key.WithKeys(" "), key.WithHelp("space", words.T("follow/hold"))), m.keys.Help, m.keys.Back, m.keys.Quit}
	return keyList{short: keys, full: [][]key.Binding{keys}}
}

func (m *compareModel) helpView(h int) string {
	lines := []string{
		m.st.Bold.Render(words.T("Compare")),
		"",
	}
	for _, l := range wrap(words.T("The variants run one after another, each with the whole machine, and stand side by side aligned at their start. "+
		"One cursor steps them all: ←/→ a second, home/end, space to follow the running variant or hold. "+
		"Below, the figures that differ by more than 5%, with each variant's ratio to the first. "+
		"CPU, context switches and threads are what /proc read; work and lost updates are the lesson's counters."), m.w-6) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", "  "+m.st.Dim.Render(words.T("any key closes")))
	return m.st.panel(words.T("Help"), strings.Join(lines, "\n"), m.w, h, true)
}

func (m *compareModel) asksBeforeQuit(tea.KeyMsg) bool { return false }

// end cancels the runs and waits for their end.
func (m *compareModel) end() error {
	m.closePlayers()
	waitDone(m.run.cancelRuns())
	return nil
}

func (m *compareModel) outcome() *verdict.Summary {
	rs := m.results()
	if len(rs) < len(m.cols) {
		return nil
	}
	w := compare.Outcome(m.cfg.Scenario, rs)
	return &w
}
