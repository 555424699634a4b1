package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// Messages between the lesson screen and its session.
type (
	itemsMsg       struct{ s *session.Session } // the run's fold moved
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
	*Common
	sc      *lesson.Scenario
	src     source         // where the run comes from
	tl      *fold.Timeline // the run's fold, as src.read shows it
	summary *verdict.Summary
	help    help.Model

	bodyH      int  // the panels' height, as the last frame laid them out
	expanded   bool // a row per copy of a task counted many times
	zoom       int
	focus      focus
	scroll     [focusCount]int
	showHelp   bool
	helpScroll int
	frame      string
	restarts   int
	quitAsked  bool // q once while a watched command runs: q again ends it
	cache      map[string]cached
	play       turnsState // the scheduler, when the learner chooses the order
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

// newLesson is the lesson screen of a live run (a watched program's, when
// opt has a runner); Init starts it.
func newLesson(c *Common, sc *lesson.Scenario, opt session.Options) *lessonModel {
	live := liveSource{opt: opt}
	var src source = &live
	if opt.Runner != nil {
		src = &watchSource{live}
	}
	return newLessonOf(c, sc, src)
}

func newLessonOf(c *Common, sc *lesson.Scenario, src source) *lessonModel {
	m := &lessonModel{Common: c, sc: sc, src: src, help: c.st.newHelp(), zoom: defaultZoom, cache: map[string]cached{}}
	m.help.ShortSeparator = "  "
	return m
}

// reset shows a fresh fold.
func (m *lessonModel) reset(tl *fold.Timeline) {
	m.tl = tl
	m.summary = nil
	m.cache = map[string]cached{}
}

func (m *lessonModel) Init() tea.Cmd { return tea.Batch(m.src.start(m), frameTick()) }

// locked runs f while m.tl is the source's fold and holds still: every
// way into the screen (Update, SetSize) goes through it once.
func (m *lessonModel) locked(f func()) { m.src.read(m, f) }

func frameTick() tea.Cmd {
	return tea.Tick(time.Second/fps, func(time.Time) tea.Msg { return frameMsg{} })
}

// waitItems waits while the session delivers: it blocks for one item,
// then takes whatever else is ready, so a burst becomes one message. The
// session has folded them; the screen only learns that the fold moved.
func waitItems(s *session.Session) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-s.Items(); !ok {
			<-s.Done()
			return sessionDoneMsg{s}
		}
		for n := 1; n < 512; n++ {
			select {
			case _, ok := <-s.Items():
				if !ok {
					return itemsMsg{s}
				}
				continue
			default:
			}
			break
		}
		return itemsMsg{s}
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
	m.locked(m.render)
}

// finished says the run is over and judged.
func (m *lessonModel) finished() bool { return m.summary != nil }

func (m *lessonModel) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(restartMsg); ok {
		return m.src.start(m) // a new run, and a new fold to hold
	}
	var cmd tea.Cmd
	m.locked(func() { cmd = m.update(msg) })
	return cmd
}

func (m *lessonModel) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.src.update(m, msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case frameMsg:
		if m.src.frame(m) {
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
		class := fold.Held
		switch r.Verdict {
		case verdict.Fail:
			class = fold.Failed
		case verdict.Undecided:
			class = fold.NotDecided
		}
		m.tl.AddLog(fold.Entry{Text: fmt.Sprintf("%s %s: %s", r.Verdict.Mark(), text.Clean(r.Name), text.Clean(r.Detail)), Class: class})
	}
	m.src.hold(m)
	m.render()
}

func (m *lessonModel) now() time.Duration { return m.src.now(m) }

func (m *lessonModel) key(msg tea.KeyMsg) tea.Cmd {
	if m.quitAsked && !key.Matches(msg, m.keys.Back) {
		m.quitAsked = false // any other key: stay
	}
	if m.showHelp {
		m.helpKey(msg)
		m.render()
		return nil
	}
	// A key a lesson step is waiting for comes first, then the keys of a
	// replay, then the scheduler's.
	if cmd, ok := m.src.key(m, msg); ok {
		m.render()
		return cmd
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
		if m.src.programRunning(m) && !m.quitAsked {
			m.quitAsked = true // leaving ends the watched program: ask
			break
		}
		if m.play.cancelX != nil {
			m.play.cancelX()
		}
		return func() tea.Msg { return backMsg{} }
	case key.Matches(msg, k.Pause):
		m.src.pause(m)
	case key.Matches(msg, k.Restart):
		// One restart at a time; a watched program is not restarted.
		if cmd := m.src.restart(m); cmd != nil {
			return cmd
		}
	case key.Matches(msg, k.RuntimeTrace):
		if cmd := m.src.runtimeTrace(); cmd != nil {
			return cmd
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

// asksBeforeQuit asks once before q ends a watched program with mtviz.
func (m *lessonModel) asksBeforeQuit(tea.KeyMsg) bool {
	if !m.src.programRunning(m) || m.quitAsked {
		return false
	}
	m.quitAsked = true
	m.locked(m.render)
	return true
}

func (m *lessonModel) keyMap() help.KeyMap { return m.src.keys(m.Common) }

func (m *lessonModel) stop() tea.Cmd             { return m.src.stop() }
func (m *lessonModel) end() error                { return m.src.end() }
func (m *lessonModel) outcome() *verdict.Summary { return m.summary }

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
	state := m.state()
	if n := len(tl.Deadlocks); n > 0 && !tl.Finished {
		state = m.st.Bad.Render("⚠ "+event.CycleText(tl.Deadlocks[n-1].Edges)) + " " + state
	}
	round := ""
	if m.sc.Rounds > 1 {
		round = words.F("  round %d/%d", tl.Round, m.sc.Rounds)
	}
	phase := ""
	if tl.Phase != "" {
		phase = words.T("  phase ") + m.st.Bold.Render(tl.Phase)
	}
	left := m.st.Title.Render("mtviz") + " " + m.st.Bold.Render(m.sc.ID) + m.st.Dim.Render(" · "+text.Clean(m.sc.Title))
	mode := m.src.mode(m)
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
		room := m.w - lipgloss.Width(right) - 1 - lipgloss.Width(m.st.Title.Render("mtviz")+" "+m.st.Bold.Render(m.sc.ID)+" · ")
		left = m.st.Title.Render("mtviz") + " " + m.st.Bold.Render(m.sc.ID)
		if room >= 8 {
			left += m.st.Dim.Render(" · " + ansi.Truncate(text.Clean(m.sc.Title), room, "…"))
		}
		gap = m.w - lipgloss.Width(left) - lipgloss.Width(right)
	}
	if gap < 1 {
		return fitLines(left+"\n"+strings.TrimLeft(right, " "), m.w, 2)
	}
	return left + strings.Repeat(" ", gap) + right
}

// state is the header's word on the run: the source's own, or where the
// lesson is.
func (m *lessonModel) state() string {
	if st, ok := m.src.state(m); ok {
		return st
	}
	switch {
	case m.summary != nil:
		return m.st.verdictText(*m.summary)
	case m.tl.Finished:
		return m.st.Dim.Render(words.T("judging…"))
	case m.src.paused():
		return m.st.Warn.Render(words.T("⏸ paused"))
	}
	return m.st.OK.Render(words.T("▶ running"))
}

func (m *lessonModel) footer() string {
	if m.quitAsked {
		return fitLines(m.st.Warn.Render(words.T("the watched program still runs: q or esc again ends it; any other key stays")), m.w, 1)
	}
	return m.cachedPanel("footer", panelKey{ver: m.tl.VerKeys, w: m.w}, m.drawFooter)
}

// drawFooter shows the keys a lesson waits for, then the screen's own keys;
// the way out (esc, q) is always on it.
func (m *lessonModel) drawFooter() string {
	var prompts []string
	for _, p := range m.src.prompts(m.tl) {
		prompts = append(prompts, m.st.Key.Render(text.Clean(p.Key))+" "+text.Clean(p.Label))
	}
	short := m.keyMap().ShortHelp()
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
