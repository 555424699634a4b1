package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"mtviz/internal/engine"
	"mtviz/internal/text"
	"mtviz/internal/words"
)

// The lesson screen's layouts: wide (every panel at once) and narrow
// (stacked, one bottom panel chosen by tab).

// rows is the lanes panel's rows for this frame.
func (m *lessonModel) rows() []laneRow { return laneRows(m.tl, m.expanded) }

func (m *lessonModel) lanesPanel(rows []laneRow, w, h int) string {
	zoom := zooms[m.zoom]
	legH := m.st.legendHeight(w - 4)
	if len(rows)+1+legH > h-2 {
		// Lanes before the legend: the help has it too.
		legH = 0
	}
	content := m.st.rowsView(m.tl, rows, w-4, h-2-legH, m.scroll[focusLanes], m.now(), zoom)
	if legH > 0 {
		content += "\n" + m.cachedPanel("legend", panelKey{w: w}, func() string { return strings.Join(m.st.legendLines(w-4), "\n") })
	}
	return m.st.panel(words.T("Tasks"), content, w, h, m.focus == focusLanes)
}

// lanesHeight is the lanes panel's height for n rows in a panel w wide:
// every row, the axis, the legend (when it fits too) and the borders, if
// that fits in maxH.
func (st *Styles) lanesHeight(n, maxH, w int) int {
	want := n + 3
	if leg := st.legendHeight(w - 4); want+leg <= maxH {
		want += leg
	}
	return max(5, min(maxH, want))
}

// scrolled shows h of lines from *off on (which it keeps in range); when
// more follow, the last line says how many and how to read them.
func (st *Styles) scrolled(lines []string, h int, off *int, name string) string {
	*off = min(*off, max(0, len(lines)-h))
	lines = lines[*off:]
	if len(lines) > h && h > 1 {
		lines = append(lines[:h-1:h-1], st.Dim.Render(words.F("… %d more lines: tab to %s, then ↓", len(lines)-(h-1), words.T(name))))
	}
	return strings.Join(lines, "\n")
}

func (m *lessonModel) lessonText(w, h int) string {
	lines := wrap(m.sc.Lesson, w)
	for i, l := range lines {
		lines[i] = text.Clean(l)
	}
	return m.st.scrolled(lines, h, &m.scroll[focusLesson], "Lesson")
}

// hasCounters says whether the lesson has counters, locks, queues (or, for
// a watched program, context switches and file locks) to show.
func (m *lessonModel) hasCounters() bool {
	tl := m.tl
	return tl.Watch || len(tl.Counters) > 0 || len(tl.Copies) > 0 || len(tl.Objects) > 0 || len(tl.Queues) > 0 || len(tl.Deadlocks) > 0
}

// countersText is the counters and the objects, each only if the lesson
// has some, w cells wide.
func (m *lessonModel) countersText(w int) string {
	tl := m.tl
	hasCtr := tl.Watch || len(counterRows(tl)) > 0 || len(tl.Copies) > 0
	hasObj := tl.Watch || len(tl.Objects) > 0 || len(tl.Queues) > 0 || len(tl.Deadlocks) > 0
	switch {
	case hasCtr && hasObj:
		return m.st.countersView(tl, w) + "\n" + m.st.objectsView(tl, w)
	case hasObj:
		return m.st.objectsView(tl, w)
	case hasCtr:
		return m.st.countersView(tl, w)
	}
	return m.st.Dim.Render(words.T("no counters, locks or queues in this lesson"))
}

func (m *lessonModel) wide(h int) string {
	leftW := m.w * 62 / 100
	rightW := m.w - leftW
	rows := m.rows()
	lanesH := m.st.lanesHeight(len(rows), h/2, leftW)
	logH := h - lanesH
	tl := m.tl
	left := m.lanesPanel(rows, leftW, lanesH) + "\n" +
		m.cachedPanel("log", panelKey{tl.VerLog, leftW, logH, m.focus == focusLog, m.scroll[focusLog]}, func() string {
			return m.st.panel(words.T("Log"), m.st.logView(tl, leftW-4, logH-2, m.scroll[focusLog]), leftW, logH, m.focus == focusLog)
		})

	coresH := len(m.coreCount()) + 3
	ctrH := max(3, m.st.counterLines(tl, rightW-4)+2)
	lockH := max(3, m.st.objectLines(tl, rightW-4)+2)
	procH := min(14, max(4, m.procCount()+3))
	lessonH := max(3, h-coresH-ctrH-lockH-procH)
	right := m.cachedPanel("cores", panelKey{ver: tl.VerProcs, w: rightW, h: coresH}, func() string {
		return m.st.panel(words.T("Cores"), m.st.coresView(tl, rightW-4), rightW, coresH, false)
	}) + "\n" +
		m.cachedPanel("counters", panelKey{ver: tl.VerCounters, w: rightW, h: ctrH}, func() string {
			return m.st.panel(words.T("Counters"), m.st.countersView(tl, rightW-4), rightW, ctrH, false)
		}) + "\n" +
		m.cachedPanel("locks", panelKey{ver: tl.VerObjects, w: rightW, h: lockH, extra: len(tl.Deadlocks)}, func() string {
			return m.st.panel(words.T("Locks · Queues"), m.st.objectsView(tl, rightW-4), rightW, lockH, false)
		}) + "\n" +
		m.cachedPanel("procs", panelKey{tl.VerProcs, rightW, procH, m.focus == focusProcs, 0}, func() string {
			return m.st.panel(words.T("Processes"), m.st.procsView(tl, rightW-4, procH-2), rightW, procH, m.focus == focusProcs)
		}) + "\n" +
		m.cachedPanel("lesson", panelKey{0, rightW, lessonH, m.focus == focusLesson, m.scroll[focusLesson]}, func() string {
			return m.st.panel(words.T("Lesson"), m.lessonText(rightW-4, lessonH-2), rightW, lessonH, m.focus == focusLesson)
		})
	// Every panel is drawn to its exact width: only the line count needs fitting.
	return fitCount(joinColumns(left, right), h)
}

func (m *lessonModel) coreCount() []float64 {
	if m.tl.Sample == nil {
		return []float64{0}
	}
	return m.tl.Sample.Cores
}

func (m *lessonModel) procCount() int {
	if m.tl.Sample == nil {
		return 1
	}
	n := len(m.tl.Sample.Procs)
	for _, pid := range m.tl.Ended {
		if p := m.tl.Procs[pid]; p != nil && m.tl.Now-p.GoneAt <= keepGone {
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

// isWide says whether the screen has room for every panel at once.
func (m *lessonModel) isWide() bool { return m.w >= 120 && m.h >= 32 }

// minBottom is the least height the narrow layout keeps for its bottom
// panel: a title, three lines and a border.
const minBottom = 5

// narrowPlan is how the narrow layout shares the screen's height.
type narrowPlan struct {
	rows   []laneRow
	lanesH int
	// midH is the row of cores beside counters and objects (0: none);
	// ctrWhole says the counters and objects fit in it whole.
	midH     int
	ctrInMid bool
	ctrWhole bool
	bottomH  int
}

// planNarrow stacks the panels for a small terminal: the lanes, cores
// beside counters and objects, then one panel chosen by tab. When the
// counters do not fit, lanes that scroll anyway give up room first; then
// the middle row is cut, and tab shows the counters whole below.
func (m *lessonModel) planNarrow(h int) narrowPlan {
	p := narrowPlan{rows: m.rows()}
	n := len(p.rows)
	lanesMax := h / 2
	if n+3 > lanesMax {
		// The lanes scroll anyway: a third of the screen shows them as
		// well, and leaves the panel below room for the process tree.
		lanesMax = h / 3
	}
	p.lanesH = m.st.lanesHeight(n, lanesMax, m.w)
	coresH := len(m.coreCount()) + 3
	want := coresH
	p.ctrInMid = m.w >= 70 && m.hasCounters()
	if p.ctrInMid {
		want = max(coresH, lineCount(m.countersText(m.w-m.w/2-4))+2)
	}
	if h-p.lanesH-want < minBottom && n+3 > h/3 {
		p.lanesH = m.st.lanesHeight(n, h/3, m.w)
	}
	p.midH = min(want, h-p.lanesH-minBottom)
	p.ctrWhole = p.ctrInMid && p.midH == want
	if !p.ctrWhole && (m.focus == focusCounters || m.focus == focusCores) {
		// The bottom panel shows the counters or the cores: the middle
		// row gives it its room.
		p.midH = 0
	}
	if p.midH < coresH {
		// Too short for everything: drop the middle row; tab shows it.
		p.midH, p.ctrInMid, p.ctrWhole = 0, false, false
	}
	p.bottomH = h - p.lanesH - p.midH
	return p
}

// cycle is what tab goes through: on a wide screen the panels that take
// focus; on a narrow one also the panels that have something to show and
// are not shown whole above the bottom panel.
func (m *lessonModel) cycle() []focus {
	if m.isWide() {
		return []focus{focusLanes, focusLog, focusLesson, focusProcs}
	}
	return m.cycleFor(m.planNarrow(m.bodyH))
}

func (m *lessonModel) cycleFor(p narrowPlan) []focus {
	fs := []focus{focusLanes, focusLog, focusLesson, focusProcs}
	if m.hasCounters() && !p.ctrWhole {
		fs = append(fs, focusCounters)
	}
	if p.midH == 0 {
		fs = append(fs, focusCores)
	}
	return fs
}

// moveFocus goes d panels on along the cycle.
func (m *lessonModel) moveFocus(d int) {
	fs := m.cycle()
	i := 0
	for k, f := range fs {
		if f == m.focus {
			i = k
		}
	}
	m.focus = fs[(i+d+len(fs))%len(fs)]
}

// narrow draws the stacked layout planNarrow worked out.
func (m *lessonModel) narrow(h int) string {
	tl := m.tl
	p := m.planNarrow(h)
	parts := []string{m.lanesPanel(p.rows, m.w, p.lanesH)}
	if p.midH > 0 {
		coresH := len(m.coreCount()) + 3
		if p.ctrInMid {
			half := m.w / 2
			ctr := strings.Split(m.countersText(m.w-half-4), "\n")
			off := 0
			parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top,
				m.st.panel(words.T("Cores"), m.st.coresView(tl, half-4), half, p.midH, false),
				m.st.panel(words.T("Counters · Objects"), m.st.scrolled(ctr, p.midH-2, &off, "Counters"), m.w-half, p.midH, false)))
		} else {
			parts = append(parts, m.st.panel(words.T("Cores"), m.st.coresView(tl, m.w-4), m.w, min(coresH, p.midH), false))
		}
	}
	f := m.focus
	if f == focusLanes {
		// Before any tab: the process tree for a lesson about processes,
		// the log otherwise.
		f = focusLog
		if engine.HasProcesses(m.sc) {
			f = focusProcs
		}
	}
	ch := p.bottomH - 2
	var content string
	switch f {
	case focusLesson:
		content = m.lessonText(m.w-4, ch)
	case focusProcs:
		content = m.st.procsView(tl, m.w-4, ch)
	case focusCounters:
		content = m.st.scrolled(strings.Split(m.countersText(m.w-4), "\n"), ch, &m.scroll[focusCounters], "Counters")
	case focusCores:
		content = m.st.coresView(tl, m.w-4)
	default:
		content = m.st.logView(tl, m.w-4, ch, m.scroll[focusLog])
	}
	title := ""
	for _, i := range m.cycleFor(p)[1:] {
		name := words.T(focusNames[i])
		switch {
		case i == f && m.focus == i:
			name = "[" + name + "]" // shown and in focus
		case i == f:
			name = "(" + name + ")" // shown
		}
		title += name + " "
	}
	parts = append(parts, m.st.panel(strings.TrimSpace(title)+"  (tab)", content, m.w, p.bottomH, m.focus != focusLanes))
	return fitLines(strings.Join(parts, "\n"), m.w, h)
}

// helpView lists every key once and every glyph of the lanes; it scrolls.
func (m *lessonModel) helpView(h int) string {
	var lines []string
	add := func(s string) { lines = append(lines, s) }
	keyLine := func(b key.Binding) {
		add("  " + padRight(m.st.Key.Render(b.Help().Key), 12) + " " + b.Help().Desc)
	}
	add(m.st.Dim.Render(words.T("↑/↓ scroll · any other key closes")))
	add("")
	add(m.st.Bold.Render(words.T("Keys")))
	for _, col := range m.keyMap().FullHelp() {
		for _, b := range col {
			keyLine(b)
		}
	}
	if prompts := m.src.prompts(m.tl); len(prompts) > 0 {
		add("")
		add(m.st.Bold.Render(words.T("This lesson waits for")))
		for _, p := range prompts {
			add("  " + padRight(m.st.Key.Render(text.Clean(p.Key)), 12) + " " + text.Clean(p.Label))
		}
	}
	add("")
	add(m.st.Bold.Render(words.T("Lanes")))
	for _, l := range wrap(words.T("One row per task; time runs left to right, now at the right edge. A name ending in * is a daemon."), m.w-6) {
		add("  " + l)
	}
	for _, l := range m.st.legendLines(m.w - 6) {
		add("  " + l)
	}
	for _, l := range wrap(words.T("Why a task waits comes from the engine as it happens. Whether a goroutine was running (the digit is its P) "+
		"or runnable comes from the Go runtime's own trace, read live about 0.1 s behind; for a process task, from /proc "+
		"(the digit is the CPU core it last ran on). When the engine and /proc disagree, the lane says so: a process whose "+
		"steps are done but which /proc reads alive waits for its children (W); one /proc reads Z is a zombie until reaped. "+
		"The trace can slow goroutines that block and wake very often: t turns it off; the header says which. "+
		"Cores, processes and CPU come from the probe."), m.w-6) {
		add("  " + l)
	}
	add("")
	add(m.st.Dim.Render(words.T("↑/↓ scroll · any other key closes")))
	off := min(m.helpScroll, max(0, len(lines)-(h-2)))
	m.helpScroll = off
	return m.st.panel(words.T("Help"), strings.Join(lines[off:], "\n"), m.w, h, true)
}
