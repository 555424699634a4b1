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

	"mtviz/internal/session"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
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

// fps is how often the lesson screen is drawn. Events are folded into the
// board as they come; drawing is what costs, so it happens on this clock only.
const fps = 10

type focus int

const (
	focusLanes focus = iota
	focusLog
	focusLesson
	focusProcs
	focusCount
)

var focusNames = [...]string{"Tasks", "Log", "Lesson", "Processes"}

// lessonModel is the lesson screen: one scenario, its running session and
// the board derived from it.
type lessonModel struct {
	sc    *spec.Scenario
	opt   session.Options
	sess  *session.Session
	board *board
	keys  lessonKeys
	help  help.Model

	w, h     int
	zoom     int
	focus    focus
	scroll   [focusCount]int
	showHelp bool
	frozenAt time.Duration // "now" while paused or finished
	frozen   bool
	frame    string
	restarts int
	tracing  bool // the runtime trace is being read
	cache    map[string]cached
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
	m := &lessonModel{sc: sc, opt: opt, keys: newLessonKeys(), help: help.New(), zoom: defaultZoom, w: w, h: h,
		cache: map[string]cached{}}
	m.help.ShortSeparator = "  "
	return m
}

// start begins a new session for the lesson.
func (m *lessonModel) start() tea.Cmd {
	m.sess = session.Start(context.Background(), m.sc, m.opt)
	m.board = newBoard(m.sc, m.sess.Cores)
	m.cache = map[string]cached{}
	m.tracing, _ = m.sess.Tracing()
	m.frozen = false
	m.render()
	return waitItems(m.sess)
}

func (m *lessonModel) Init() tea.Cmd {
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

func (m *lessonModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemsMsg:
		if msg.s != m.sess {
			return nil // a stopped run's last words
		}
		for _, it := range msg.items {
			if it.Sample != nil {
				m.board.addSample(it.Sample)
			}
			for i := range it.Events {
				m.board.apply(&it.Events[i])
			}
		}
		if m.frozen {
			m.render()
		}
		return waitItems(m.sess)
	case sessionDoneMsg:
		if msg.s == m.sess {
			m.board.finish(msg.s.Summary())
			m.freeze()
			m.render()
		}
		return nil
	case traceMsg:
		if msg.s == m.sess {
			m.tracing = msg.on
			if msg.err != nil {
				m.board.addLog(m.board.now, "", "runtime trace: "+msg.err.Error(), sim.KError)
			}
			m.render()
		}
		return nil
	case frameMsg:
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

func (m *lessonModel) freeze() {
	if !m.frozen {
		m.frozen = true
		m.frozenAt = m.liveNow()
	}
}

func (m *lessonModel) liveNow() time.Duration {
	if m.board != nil && m.board.finished {
		return m.board.now
	}
	return time.Since(m.sess.Start)
}

func (m *lessonModel) now() time.Duration {
	if m.frozen {
		return m.frozenAt
	}
	return m.liveNow()
}

func (m *lessonModel) key(msg tea.KeyMsg) tea.Cmd {
	if m.showHelp {
		// Any key closes the help, and does nothing else.
		m.showHelp = false
		m.render()
		return nil
	}
	// A key a lesson step is waiting for comes first (it may also scroll).
	if msg.Type == tea.KeyRunes && len(msg.Runes) == 1 {
		for _, p := range m.board.keyWait {
			if p.key == string(msg.Runes) {
				m.sess.Engine.Key(msg.Runes[0])
				m.render()
				return nil
			}
		}
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return backMsg{} }
	case key.Matches(msg, k.Pause):
		if m.board.finished {
			break
		}
		if m.sess.Engine.Paused() {
			m.sess.Engine.Resume()
			m.frozen = false
		} else {
			m.sess.Engine.Pause()
			m.freeze()
		}
	case key.Matches(msg, k.Restart):
		old := m.sess
		m.restarts++
		// The old run's tasks and processes end before the new run starts.
		return tea.Sequence(stopSession(old), func() tea.Msg { return restartMsg{} })
	case key.Matches(msg, k.Trace):
		s, on := m.sess, !m.tracing
		return func() tea.Msg {
			err := s.SetTrace(on)
			return traceMsg{s, on && err == nil, err}
		}
	case key.Matches(msg, k.ZoomIn):
		m.zoom = max(0, m.zoom-1)
	case key.Matches(msg, k.ZoomOut):
		m.zoom = min(len(zooms)-1, m.zoom+1)
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 1) % focusCount
	case key.Matches(msg, k.FocusBack):
		m.focus = (m.focus + focusCount - 1) % focusCount
	case key.Matches(msg, k.Up):
		m.scroll[m.focus]++
	case key.Matches(msg, k.Down):
		m.scroll[m.focus] = max(0, m.scroll[m.focus]-1)
	case key.Matches(msg, k.PageUp):
		m.scroll[m.focus] += 10
	case key.Matches(msg, k.PageDown):
		m.scroll[m.focus] = max(0, m.scroll[m.focus]-10)
	}
	m.render()
	return nil
}

type restartMsg struct{}

type traceMsg struct {
	s   *session.Session
	on  bool
	err error
}

func (m *lessonModel) View() string { return m.frame }

// render draws the screen into m.frame. It runs on the frame clock and after
// keys, never once per event.
func (m *lessonModel) render() {
	if m.board == nil || m.w < 20 || m.h < 8 {
		m.frame = "mtviz needs a terminal of at least 20×8"
		return
	}
	header := m.header()
	footer := m.footer()
	bodyH := m.h - lipgloss.Height(header) - lipgloss.Height(footer)
	var body string
	if m.showHelp {
		body = m.helpView(bodyH)
	} else if m.w >= 120 && m.h >= 32 {
		body = m.wide(bodyH)
	} else {
		body = m.narrow(bodyH)
	}
	m.frame = header + "\n" + body + "\n" + footer
}

func (m *lessonModel) header() string {
	b := m.board
	state := sOK.Render("▶ running")
	switch {
	case b.summary != nil && b.summary.OK:
		state = sOK.Render("✔ every check held")
	case b.summary != nil:
		state = sBad.Render("✘ a check failed")
	case b.finished:
		state = sDim.Render("judging…")
	case b.paused:
		state = sWarn.Render("⏸ paused")
	}
	if len(b.deadlocks) > 0 && !b.finished {
		state = sBad.Render("⚠ deadlock") + " " + state
	}
	round := ""
	if m.sc.Rounds > 1 {
		round = fmt.Sprintf("  round %d/%d", b.round, m.sc.Rounds)
	}
	phase := ""
	if b.phase != "" {
		phase = "  phase " + sBold.Render(b.phase)
	}
	left := sTitle.Render("mtviz") + " " + sBold.Render(m.sc.ID) + sDim.Render(" · "+m.sc.Title)
	trace := sDim.Render("trace off")
	if m.tracing {
		trace = sOK.Render("trace on")
	}
	right := fmt.Sprintf("%s%s  t %.1fs  %s  %d cores  %s  %s/cell", round, phase, m.now().Seconds(), state, b.cores, trace, shortDur(zooms[m.zoom]))
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fitLines(left+"\n"+strings.TrimLeft(right, " "), m.w, 2)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *lessonModel) footer() string {
	return m.cachedPanel("footer", panelKey{ver: m.board.verKeys, w: m.w}, m.drawFooter)
}

func (m *lessonModel) drawFooter() string {
	var prompts []string
	for _, p := range m.board.keyWait {
		prompts = append(prompts, sKey.Render(p.key)+" "+p.label)
	}
	h := m.help.ShortHelpView(m.keys.ShortHelp())
	if len(prompts) > 0 {
		h = strings.Join(prompts, "  ") + "   " + h
	}
	return fitLines(h, m.w, 1)
}

func (m *lessonModel) lanesPanel(w, h int) string {
	zoom := zooms[m.zoom]
	content := m.board.lanesView(w-4, h-4, m.now(), zoom)
	leg := m.cachedPanel("legend", panelKey{w: w}, func() string { return fitLines(legend(), w-4, 2) })
	return panel("Tasks", content+"\n"+leg, w, h, m.focus == focusLanes)
}

func (m *lessonModel) lanesHeight(maxH int) int {
	return max(5, min(maxH, len(m.board.lanes)+5))
}

func (m *lessonModel) lessonText(w, h int) string {
	lines := wrap(m.sc.Lesson, w)
	off := min(m.scroll[focusLesson], max(0, len(lines)-h))
	m.scroll[focusLesson] = off
	return strings.Join(lines[off:], "\n")
}

func (m *lessonModel) wide(h int) string {
	leftW := m.w * 62 / 100
	rightW := m.w - leftW
	lanesH := m.lanesHeight(h / 2)
	logH := h - lanesH
	b := m.board
	left := m.lanesPanel(leftW, lanesH) + "\n" +
		m.cachedPanel("log", panelKey{b.verLog, leftW, logH, m.focus == focusLog, m.scroll[focusLog]}, func() string {
			return panel("Log", b.logView(leftW-4, logH-2, m.scroll[focusLog]), leftW, logH, m.focus == focusLog)
		})

	coresH := len(m.coreCount()) + 3
	ctrH := max(3, m.counterLines()+2)
	lockH := max(3, len(m.board.locks)+len(m.board.queues)+2)
	procH := min(14, max(4, m.procCount()+3))
	lessonH := max(3, h-coresH-ctrH-lockH-procH)
	right := m.cachedPanel("cores", panelKey{ver: b.verSample, w: rightW, h: coresH}, func() string {
		return panel("Cores", b.coresView(rightW-4), rightW, coresH, false)
	}) + "\n" +
		m.cachedPanel("counters", panelKey{ver: b.verCounters, w: rightW, h: ctrH}, func() string {
			return panel("Counters", b.countersView(rightW-4), rightW, ctrH, false)
		}) + "\n" +
		m.cachedPanel("locks", panelKey{ver: b.verLocks, w: rightW, h: lockH}, func() string {
			return panel("Locks · Queues", b.locksView(rightW-4), rightW, lockH, false)
		}) + "\n" +
		m.cachedPanel("procs", panelKey{b.verSample, rightW, procH, m.focus == focusProcs, 0}, func() string {
			return panel("Processes", b.procsView(rightW-4, procH-2), rightW, procH, m.focus == focusProcs)
		}) + "\n" +
		m.cachedPanel("lesson", panelKey{0, rightW, lessonH, m.focus == focusLesson, m.scroll[focusLesson]}, func() string {
			return panel("Lesson", m.lessonText(rightW-4, lessonH-2), rightW, lessonH, m.focus == focusLesson)
		})
	// Every panel is drawn to its exact width: only the line count needs fitting.
	return fitCount(joinColumns(left, right), h)
}

func (m *lessonModel) counterLines() int {
	if m.sc.Rounds > 1 {
		return 2 * len(m.board.counters)
	}
	return len(m.board.counters)
}

func (m *lessonModel) coreCount() []float64 {
	if m.board.sample == nil {
		return []float64{0}
	}
	return m.board.sample.Cores
}

func (m *lessonModel) procCount() int {
	if m.board.sample == nil {
		return 1
	}
	n := len(m.board.sample.Procs)
	for _, pid := range m.board.gone {
		if pv := m.board.procs[pid]; pv != nil && m.board.now-pv.goneAt <= keepGone {
			n++
		}
	}
	return n
}

// fitCount cuts or pads text to exactly h lines, leaving each line as it is.
func fitCount(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// joinColumns puts two blocks of lines side by side. Every panel is drawn
// exactly to its width, so lines are simply concatenated.
func joinColumns(left, right string) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	n := max(len(l), len(r))
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte('\n')
		}
		if i < len(l) {
			sb.WriteString(l[i])
		}
		if i < len(r) {
			sb.WriteString(r[i])
		}
	}
	return sb.String()
}

// narrow stacks the panels for small terminals: the lanes, cores beside
// counters and locks, then one of log, lesson or processes, chosen by tab.
func (m *lessonModel) narrow(h int) string {
	lanesH := m.lanesHeight(h / 2)
	coresH := len(m.coreCount()) + 3
	mid := ""
	midH := 0
	if m.w >= 70 {
		half := m.w / 2
		ctr := m.board.countersView(m.w-half-4) + "\n" + m.board.locksView(m.w-half-4)
		midH = max(coresH, m.counterLines()+len(m.board.locks)+len(m.board.queues)+2)
		mid = lipgloss.JoinHorizontal(lipgloss.Top,
			panel("Cores", m.board.coresView(half-4), half, midH, false),
			panel("Counters · Objects", ctr, m.w-half, midH, false))
	} else {
		midH = coresH
		mid = panel("Cores", m.board.coresView(m.w-4), m.w, midH, false)
	}
	restH := h - lanesH - midH
	if restH < 3 {
		// Too short for everything: drop the middle row first.
		mid, midH = "", 0
		restH = h - lanesH
	}
	f := m.focus
	if f == focusLanes {
		// Before any tab: the process tree for a lesson about processes,
		// the log otherwise.
		f = focusLog
		if sim.HasProcesses(m.sc) {
			f = focusProcs
		}
	}
	var content string
	switch f {
	case focusLesson:
		content = m.lessonText(m.w-4, restH-2)
	case focusProcs:
		content = m.board.procsView(m.w-4, restH-2)
	default:
		content = m.board.logView(m.w-4, restH-2, m.scroll[focusLog])
	}
	title := ""
	for i := focusLog; i < focusCount; i++ {
		name := focusNames[i]
		if i == f {
			name = "[" + name + "]"
		}
		title += name + " "
	}
	parts := []string{m.lanesPanel(m.w, lanesH)}
	if mid != "" {
		parts = append(parts, mid)
	}
	parts = append(parts, panel(strings.TrimSpace(title)+"  (tab)", content, m.w, restH, m.focus != focusLanes))
	return fitLines(strings.Join(parts, "\n"), m.w, h)
}

func (m *lessonModel) helpView(h int) string {
	var sb strings.Builder
	sb.WriteString(sBold.Render("Keys") + "\n\n")
	for _, col := range m.keys.FullHelp() {
		for _, b := range col {
			fmt.Fprintf(&sb, "  %-10s %s\n", sKey.Render(b.Help().Key), b.Help().Desc)
		}
	}
	if len(m.board.keyWait) > 0 {
		sb.WriteString("\n" + sBold.Render("This lesson waits for") + "\n")
		for _, p := range m.board.keyWait {
			fmt.Fprintf(&sb, "  %-10s %s\n", sKey.Render(p.key), p.label)
		}
	}
	sb.WriteString("\n" + sBold.Render("Lanes") + "\n  One row per task; time runs left to right, now at the right edge.\n  ")
	sb.WriteString(legend())
	sb.WriteString("\n  A name ending in * is a daemon. Why a task waits comes from the engine as it happens;\n" +
		"  whether a goroutine was running (the digit is its P) or runnable comes from the Go\n" +
		"  runtime's own trace, read live about 0.1 s behind; for a process task, from /proc.\n" +
		"  The trace can slow goroutines that block and wake very often (the Go runtime's own\n" +
		"  figure is up to 60% for a channel ping-pong): t turns it off; the header says which.\n" +
		"  Cores, processes and CPU come from the probe.\n")
	sb.WriteString("\n" + sDim.Render("press any key to close"))
	return panel("Help", sb.String(), m.w, h, true)
}
