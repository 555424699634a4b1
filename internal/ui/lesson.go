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
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/session"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
	"mtviz/internal/text"
	"mtviz/internal/timeline"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// Messages between the lesson screen and its session.
type (
	itemsMsg struct {
		s     *session.Session
		items []session.Item
	}
	sessionDoneMsg struct{ s *session.Session }
	frameMsg       struct{}
	// stoppedMsg says an old session has ended and reaped everything it started.
	stoppedMsg struct{ s *session.Session }
	backMsg    struct{}
)

// fps is how often the lesson screen is drawn. Items are folded as they
// come; drawing is what costs, so it happens on this clock only.
const fps = 10

type focus int

const (
	focusLanes focus = iota
	focusLog
	focusLesson
	focusProcs
	// The counters and the cores take focus only on a narrow screen, where
	// tab brings them into the bottom panel when they do not fit above it.
	focusCounters
	focusCores
	focusCount
)

// focusNames are the panels that take focus, in English: words.T says
// them in the screen's language.
var focusNames = [...]string{words.N("Tasks"), words.N("Log"), words.N("Lesson"), words.N("Processes"), words.N("Counters"), words.N("Cores")}

// lessonModel is the lesson screen: one scenario, its running session (or
// a recording played back) and the fold of what it delivered.
type lessonModel struct {
	sc      *spec.Scenario
	opt     session.Options
	sess    *session.Session // a live run
	rp      *replay          // or a recorded one
	tl      *timeline.Timeline
	summary *verdict.Summary
	keys    lessonKeys
	help    help.Model

	w, h       int
	bodyH      int  // the panels' height, as the last frame laid them out
	expanded   bool // a row per copy of a task counted many times
	zoom       int
	focus      focus
	scroll     [focusCount]int
	showHelp   bool
	helpScroll int
	frozenAt   time.Duration // "now" while paused or finished
	frozen     bool
	frame      string
	restarts   int
	restarting bool // the old run is being stopped: r waits for it
	quitAsked  bool // q once while a watched command runs: q again ends it
	cache      map[string]cached
	// clock is the live run's time now; tests fix it.
	clock func() time.Duration
	play  turnsState // the scheduler, when the learner chooses the order
	files *runFiles  // where each run is written, when asked
}

// cached is a panel drawn for one version of its content and one size.
type cached struct {
	key panelKey
	out string
}

type panelKey struct {
	ver     uint64
	w, h    int
	focused bool
	extra   int
}

// cachedPanel draws a panel only when its content's version, size or focus
// changed since the last frame.
func (m *lessonModel) cachedPanel(name string, k panelKey, draw func() string) string {
	if c, ok := m.cache[name]; ok && c.key == k {
		return c.out
	}
	out := draw()
	m.cache[name] = cached{k, out}
	return out
}

func newLesson(sc *spec.Scenario, opt session.Options, w, h int) *lessonModel {
	m := &lessonModel{sc: sc, opt: opt, keys: newLessonKeys(), help: newHelp(), zoom: defaultZoom, w: w, h: h,
		cache: map[string]cached{}}
	m.help.ShortSeparator = "  "
	return m
}

// start begins a new session for the lesson.
func (m *lessonModel) start() tea.Cmd {
	m.beginTurns()
	// Every run is written to files of its own (--record, --trace).
	opt := m.opt
	files, note := m.files.open(&opt)
	m.sess = session.Start(context.Background(), m.sc, opt)
	s := m.sess
	m.clock = func() time.Duration { return time.Since(s.Start) }
	m.reset(timeline.New(timeline.Config{Scenario: m.sc, Cores: m.sess.Cores, Root: m.sess.Root(), Watch: m.watching()}))
	if note.Text != "" {
		m.tl.AddLog(note)
	}
	m.restarting = false
	m.render()
	return tea.Batch(waitItems(m.sess), m.files.close(s, files))
}

// reset shows a fresh fold.
func (m *lessonModel) reset(tl *timeline.Timeline) {
	m.tl = tl
	m.summary = nil
	m.cache = map[string]cached{}
	m.frozen = false
}

func (m *lessonModel) Init() tea.Cmd {
	if m.rp != nil {
		return frameTick()
	}
	return tea.Batch(m.start(), frameTick())
}

func frameTick() tea.Cmd {
	return tea.Tick(time.Second/fps, func(time.Time) tea.Msg { return frameMsg{} })
}

// waitItems reads what the session produced: it blocks for one item, then
// takes whatever else is ready, so a burst becomes one message.
func waitItems(s *session.Session) tea.Cmd {
	return func() tea.Msg {
		it, ok := <-s.Items()
		if !ok {
			<-s.Done()
			return sessionDoneMsg{s}
		}
		items := []session.Item{it}
		for len(items) < 512 {
			select {
			case it, ok := <-s.Items():
				if !ok {
					return itemsMsg{s, items}
				}
				items = append(items, it)
				continue
			default:
			}
			break
		}
		return itemsMsg{s, items}
	}
}

// stopSession ends a session and waits until it has cleaned up.
func stopSession(s *session.Session) tea.Cmd {
	return func() tea.Msg {
		s.Stop()
		s.Wait()
		return stoppedMsg{s}
	}
}

func (m *lessonModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.help.Width = w
	m.render()
}

// finished says the run is over and judged.
func (m *lessonModel) finished() bool { return m.summary != nil }

func (m *lessonModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemsMsg:
		if msg.s != m.sess {
			return nil // a stopped run's last words
		}
		for _, it := range msg.items {
			m.tl.Apply(it)
		}
		if m.frozen {
			m.render()
		}
		return waitItems(m.sess)
	case sessionDoneMsg:
		if msg.s == m.sess {
			m.finish(msg.s.Summary())
			return m.exploreGoal()
		}
		return nil
	case filesMsg:
		m.filesDone(msg)
		return nil
	case exploredMsg:
		if msg.s == m.sess {
			m.play.explored, m.play.exploring = msg.r, false
			m.render()
		}
		return nil
	case traceMsg:
		if msg.s == m.sess {
			if msg.err != nil {
				m.tl.AddLog(timeline.Entry{Text: "runtime trace: " + msg.err.Error(), Class: timeline.Bad})
			}
			m.render()
		}
		return nil
	case frameMsg:
		if m.rp != nil {
			// A seek catching up is drawn once it has: a frame stays small.
			if m.rp.advance(m) && !m.rp.behind {
				m.render()
			}
			return frameTick()
		}
		m.stepTurns()
		// A frozen screen (paused or finished) changes only when data or keys
		// do; those redraw it themselves.
		if !m.frozen {
			m.render()
		}
		return frameTick()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return nil
}

// finish shows the verdicts.
func (m *lessonModel) finish(sum verdict.Summary) {
	m.summary = &sum
	for _, r := range sum.Checks {
		class := timeline.Held
		switch r.Verdict {
		case verdict.Fail:
			class = timeline.Failed
		case verdict.Undecided:
			class = timeline.NotDecided
		}
		m.tl.AddLog(timeline.Entry{Text: fmt.Sprintf("%s %s: %s", r.Verdict.Mark(), text.Clean(r.Name), text.Clean(r.Detail)), Class: class})
	}
	m.freeze()
	m.render()
}

func (m *lessonModel) freeze() {
	if !m.frozen {
		m.frozenAt = m.liveNow()
		m.frozen = true
	}
}

func (m *lessonModel) liveNow() time.Duration {
	if m.rp != nil {
		return m.rp.at
	}
	if m.tl != nil && m.tl.Finished {
		return m.tl.Now
	}
	if m.clock == nil {
		return 0
	}
	return m.clock()
}

func (m *lessonModel) now() time.Duration {
	if m.frozen {
		return m.frozenAt
	}
	return m.liveNow()
}

// tracing says whether the runtime trace is being read: the session's word.
func (m *lessonModel) tracing() bool {
	if m.sess == nil {
		return false
	}
	on, _ := m.sess.Tracing()
	return on
}

// paused says whether the run (or the playback) is paused: the session's
// word, or the replay's.
func (m *lessonModel) paused() bool {
	switch {
	case m.rp != nil:
		return m.rp.paused
	case m.sess != nil:
		return m.sess.Paused()
	}
	return false
}

func (m *lessonModel) key(msg tea.KeyMsg) tea.Cmd {
	if m.showHelp {
		m.helpKey(msg)
		m.render()
		return nil
	}
	// A key a lesson step is waiting for comes first.
	if m.lessonKey(msg) {
		m.render()
		return nil
	}
	if m.rp != nil {
		if cmd, ok := m.rp.key(m, msg); ok {
			m.render()
			return cmd
		}
	}
	if cmd, ok := m.turnsKey(msg); ok {
		m.render()
		return cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpScroll = true, 0
	case key.Matches(msg, k.Back):
		if m.programRunning() && !m.quitAsked {
			m.quitAsked = true // leaving ends the watched program: ask
			break
		}
		if m.play.cancelX != nil {
			m.play.cancelX()
		}
		return func() tea.Msg { return backMsg{} }
	case key.Matches(msg, k.Pause):
		m.togglePause()
	case key.Matches(msg, k.Restart):
		if m.watching() {
			break
		}
		// The old run's tasks and processes end before the new run starts;
		// while it stops, r is ignored: one restart at a time.
		return m.restart()
	case key.Matches(msg, k.Trace):
		if m.sess == nil || m.watching() {
			break
		}
		s, on := m.sess, !m.tracing()
		return func() tea.Msg {
			return traceMsg{s, s.SetRuntimeTrace(on)}
		}
	case key.Matches(msg, k.ZoomIn):
		m.zoom = max(0, m.zoom-1)
	case key.Matches(msg, k.ZoomOut):
		m.zoom = min(len(zooms)-1, m.zoom+1)
	case key.Matches(msg, k.Focus):
		m.moveFocus(1)
	case key.Matches(msg, k.FocusBack):
		m.moveFocus(-1)
	case key.Matches(msg, k.Expand):
		m.expanded = !m.expanded
		m.scroll[focusLanes] = 0
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown):
		m.scrollBy(msg)
	}
	m.render()
	return nil
}

// watching: the screen shows a watched program, not a lesson.
func (m *lessonModel) watching() bool { return m.opt.Runner != nil }

// programRunning: a command started by 'mtviz watch --' still runs, and
// quitting would end it.
func (m *lessonModel) programRunning() bool {
	r, ok := m.opt.Runner.(interface{ Running() bool })
	return ok && r.Running() && !m.finished()
}

// scrollBy moves the focused panel: the log counts lines back from its
// newest, the lanes and the lesson text from their top.
func (m *lessonModel) scrollBy(msg tea.KeyMsg) {
	k := m.keys
	d := 0
	switch {
	case key.Matches(msg, k.Up):
		d = -1
	case key.Matches(msg, k.Down):
		d = 1
	case key.Matches(msg, k.PageUp):
		d = -10
	case key.Matches(msg, k.PageDown):
		d = 10
	}
	if m.focus == focusLog {
		d = -d
	}
	m.scroll[m.focus] = max(0, m.scroll[m.focus]+d)
}

type restartMsg struct{}

type traceMsg struct {
	s   *session.Session
	err error
}

func (m *lessonModel) View() string { return m.frame }

// render draws the screen into m.frame. It runs on the frame clock and after
// keys, never once per item.
func (m *lessonModel) render() {
	if m.tl == nil || m.w < 20 || m.h < 8 {
		m.frame = "mtviz needs a terminal of at least 20×8"
		return
	}
	header := m.header()
	footer := m.footer()
	if m.play.turns != nil && !m.showHelp {
		// The scheduler goes above the panels, which keep what is left.
		header += "\n" + m.turnsPanel(m.w)
	}
	bodyH := m.h - lipgloss.Height(header) - lipgloss.Height(footer)
	m.bodyH = bodyH
	var body string
	if m.showHelp {
		body = m.helpView(bodyH)
	} else if m.isWide() {
		body = m.wide(bodyH)
	} else {
		body = m.narrow(bodyH)
	}
	m.frame = header + "\n" + body + "\n" + footer
}

func (m *lessonModel) header() string {
	tl := m.tl
	state := sOK.Render(words.T("▶ running"))
	switch {
	case m.watching() && m.summary != nil:
		state = sOK.Render(words.T("■ the watch has ended"))
	case m.watching() && m.paused():
		state = sWarn.Render(words.T("⏸ screen frozen (the program runs on)"))
	case m.watching():
		state = sOK.Render(words.T("▶ watching"))
	case m.summary != nil:
		state = verdictText(*m.summary)
	case tl.Finished:
		state = sDim.Render(words.T("judging…"))
	case m.paused():
		state = sWarn.Render(words.T("⏸ paused"))
	}
	if n := len(tl.Deadlocks); n > 0 && !tl.Finished {
		state = sBad.Render("⚠ "+sim.CycleText(tl.Deadlocks[n-1].Edges)) + " " + state
	}
	round := ""
	if m.sc.Rounds > 1 {
		round = words.F("  round %d/%d", tl.Round, m.sc.Rounds)
	}
	phase := ""
	if tl.Phase != "" {
		phase = words.T("  phase ") + sBold.Render(tl.Phase)
	}
	left := sTitle.Render("mtviz") + " " + sBold.Render(m.sc.ID) + sDim.Render(" · "+text.Clean(m.sc.Title))
	mode := sDim.Render(words.T("trace off"))
	if m.tracing() {
		mode = sOK.Render(words.T("trace on"))
	} else if m.w < 100 {
		mode = "" // room for what matters
	}
	if m.rp != nil {
		mode = sKey.Render(words.T("replay ") + m.rp.speedName())
	}
	cores := words.F("%d cores", tl.Cores)
	if tl.Cores == 1 {
		cores = words.T("1 core")
	}
	right := fmt.Sprintf("%s%s  t %.1fs  %s  %s", round, phase, m.now().Seconds(), state, cores)
	if mode != "" {
		right += "  " + mode
	}
	right += "  " + shortDur(zooms[m.zoom]) + "/cell"
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		// The title gives way first: one line more for the panels.
		room := m.w - lipgloss.Width(right) - 1 - lipgloss.Width(sTitle.Render("mtviz")+" "+sBold.Render(m.sc.ID)+" · ")
		left = sTitle.Render("mtviz") + " " + sBold.Render(m.sc.ID)
		if room >= 8 {
			left += sDim.Render(" · " + ansi.Truncate(text.Clean(m.sc.Title), room, "…"))
		}
		gap = m.w - lipgloss.Width(left) - lipgloss.Width(right)
	}
	if gap < 1 {
		return fitLines(left+"\n"+strings.TrimLeft(right, " "), m.w, 2)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *lessonModel) footer() string {
	if m.quitAsked {
		return fitLines(sWarn.Render(words.T("the watched program still runs: q or esc again ends it; any other key stays")), m.w, 1)
	}
	return m.cachedPanel("footer", panelKey{ver: m.tl.VerKeys, w: m.w}, m.drawFooter)
}

// drawFooter shows the keys a lesson waits for, then the screen's own keys;
// the way out (esc, q) is always on it.
func (m *lessonModel) drawFooter() string {
	var prompts []string
	for _, p := range m.lessonPrompts() {
		prompts = append(prompts, sKey.Render(text.Clean(p.Key))+" "+text.Clean(p.Label))
	}
	short := m.keys.ShortHelp()
	if m.rp != nil {
		short = m.rp.keys.ShortHelp()
	}
	if m.watching() {
		pause := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", words.T("freeze/unfreeze the screen")))
		short = []key.Binding{pause, m.keys.ZoomIn, m.keys.ZoomOut, m.keys.Focus}
	}
	// The way out and the help always show; the lesson's own keys come
	// first; the other keys as room allows, whole or not at all.
	exit := m.help.ShortHelpView([]key.Binding{m.keys.Help, m.keys.Back, m.keys.Quit})
	room := m.w - ansi.StringWidth(exit) - 2
	h := strings.Join(prompts, "  ")
	if ansi.StringWidth(h) > room {
		h = ansi.Truncate(h, max(0, room), "…")
	}
	for _, b := range short {
		part := m.help.ShortHelpView([]key.Binding{b})
		sep := ""
		if h != "" {
			sep = "  "
		}
		if ansi.StringWidth(h)+len(sep)+ansi.StringWidth(part) > room {
			break
		}
		h += sep + part
	}
	if h == "" {
		return fitLines(exit, m.w, 1)
	}
	return fitLines(h+"  "+exit, m.w, 1)
}
