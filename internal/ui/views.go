package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/words"
)

// The panels' contents, each drawn from the fold alone.

const pDigits = "0123456789abcdefghijklmnopqrstuvwxyz"

// renderLane draws a lane's last `cells` cells ending at now, styling each
// run of equal cells once.
func (st *Styles) renderLane(b *strings.Builder, tl *fold.Timeline, l *fold.Lane, now, zoom time.Duration, cells int) {
	osUntil := tl.OSUntil(l)
	var run []rune
	var runStyle lipgloss.Style
	var runKey rune
	flush := func() {
		if len(run) > 0 {
			c := codesFor(runKey, runStyle)
			b.WriteString(c.pre)
			b.WriteString(string(run))
			b.WriteString(c.suf)
			run = run[:0]
		}
	}
	l.Cells(now, zoom, cells, osUntil, func(c fold.Cell) {
		g := st.glyphFor(c)
		key := g.r
		switch c.Mode {
		case fold.ModeNone, fold.ModeDone:
			key = ' '
		case fold.ModeZombie:
			key = 'Z' | 1<<20 // not a blocked letter Z: another style
		case fold.ModeChildren:
			key = 'J' | 1<<20
		}
		if key != runKey && len(run) > 0 {
			flush()
		}
		runKey, runStyle = key, g.style
		run = append(run, g.r)
	})
	flush()
}

// lanesView is the timeline panel's content, every lane in scenario order;
// first is the first lane shown (the panel scrolls when the lanes do not
// all fit).
func (st *Styles) lanesView(tl *fold.Timeline, width, height, first int, now, zoom time.Duration) string {
	rows := make([]laneRow, len(tl.Lanes))
	for i, l := range tl.Lanes {
		rows[i] = laneRow{lane: l, name: laneName(l)}
	}
	return st.rowsView(tl, rows, width, height, first, now, zoom)
}

// rowsView draws lane rows: a name, the lane's cells ending at now, and
// what the task (or the copies a row stands for) is doing.
func (st *Styles) rowsView(tl *fold.Timeline, rows []laneRow, width, height, first int, now, zoom time.Duration) string {
	nameW := 10
	for _, r := range rows {
		nameW = max(nameW, min(18, ansi.StringWidth(r.name)+1))
	}
	// The state column is as wide as what it says, up to two fifths of the
	// panel; the lanes get the rest, at least 30 cells.
	descW := 0
	texts := make([]string, len(rows))
	for i, r := range rows {
		if r.copies != nil {
			texts[i] = copiesText(tl, r)
		} else {
			texts[i] = tl.LaneText(r.lane)
		}
		descW = max(descW, ansi.StringWidth(texts[i]))
	}
	descW = min(max(descW, 12), width*2/5, max(0, width-nameW-2-30))
	cells := width - nameW - descW - 2
	if descW < 12 {
		cells, descW = max(10, width-nameW-1), 0
	}
	var sb strings.Builder
	// One line goes to the time axis; if the lanes do not all fit, one more
	// says how many are hidden and how to see them.
	first = max(0, min(first, len(rows)-1))
	shown, shownText := rows, texts
	if avail := height - 1; avail > 1 && len(rows) > avail {
		first = min(first, len(rows)-(avail-1))
		shown, shownText = rows[first:first+avail-1], texts[first:first+avail-1]
	} else {
		first = 0
	}
	for i, r := range shown {
		sb.WriteString(st.Bold.Render(padRight(truncateKeep(r.name, nameW-1, r.lane.Daemon && r.copies == nil), nameW)))
		st.renderLane(&sb, tl, r.lane, now, zoom, cells)
		if descW > 0 {
			sb.WriteString("  ")
			sb.WriteString(st.descStyle(tl, r.lane).Render(ansi.Truncate(shownText[i], descW, "…")))
		}
		sb.WriteByte('\n')
	}
	if len(shown) < len(rows) {
		sb.WriteString(st.Dim.Render(words.F("… lanes %d-%d of %d: ↑/↓ with Tasks in focus, or a taller window", first+1, first+len(shown), len(rows))))
		sb.WriteByte('\n')
	}
	sb.WriteString(strings.Repeat(" ", nameW))
	sb.WriteString(st.axis(now, zoom, cells))
	return sb.String()
}

func laneName(l *fold.Lane) string {
	if l.Daemon {
		return l.Name + "*"
	}
	return l.Name
}

// truncateKeep cuts a name to w cells, keeping a daemon's trailing * so the
// marker is never lost.
func truncateKeep(s string, w int, daemon bool) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if daemon && w > 2 {
		return ansi.Truncate(strings.TrimSuffix(s, "*"), w-1, "…") + "*"
	}
	return ansi.Truncate(s, w, "…")
}

func (st *Styles) descStyle(tl *fold.Timeline, l *fold.Lane) lipgloss.Style {
	switch l.Now(tl.OSUntil(l), tl.Now).Mode {
	case fold.ModeBlocked, fold.ModeChildren:
		return st.gBlocked
	case fold.ModeRunning:
		return st.gRunning.style
	case fold.ModeRunnable:
		return st.gRunnable.style
	case fold.ModeSleeping:
		return st.gSleeping.style
	case fold.ModeZombie:
		return st.gZombie.style
	}
	return st.Dim
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

var sparks = []rune("▁▂▃▄▅▆▇█")

func sparkline(vals []float64, n int, top float64) string {
	if len(vals) > n {
		vals = vals[len(vals)-n:]
	}
	out := make([]rune, 0, n)
	for i := len(vals); i < n; i++ {
		out = append(out, ' ')
	}
	for _, v := range vals {
		k := int(math.Round(v / top * float64(len(sparks)-1)))
		out = append(out, sparks[max(0, min(len(sparks)-1, k))])
	}
	return string(out)
}

func (st *Styles) bar(pct float64, w int) string {
	full := int(math.Round(pct / 100 * float64(w)))
	full = max(0, min(w, full))
	style := st.gRunning.style
	if pct > 90 {
		style = st.Bad
	} else if pct > 60 {
		style = st.Warn
	}
	return style.Render(strings.Repeat("█", full)) + st.Dim.Render(strings.Repeat("░", w-full))
}

// coresView shows each core's use as the probe measured it, with history.
func (st *Styles) coresView(tl *fold.Timeline, width int) string {
	s := tl.Sample
	if s == nil || len(s.Cores) == 0 {
		return st.Dim.Render(words.T("waiting for the first probe sample…"))
	}
	var sb strings.Builder
	histW := max(0, min(30, (width-16)/2))
	barW := max(4, width-16-histW)
	for i, v := range s.Cores {
		fmt.Fprintf(&sb, "cpu%-2d %s %3.0f%% %s\n", i, st.bar(v, barW), v, st.Dim.Render(sparkline(tl.CoreHist[i], histW, 100)))
	}
	thr := 0
	for _, p := range s.Procs {
		thr += p.NThreads
	}
	who := "mtviz"
	if p := tl.Procs[tl.Root]; tl.Watch && p != nil && p.Name != "" {
		who = text.Clean(p.Name) // the watched program and its tree
	}
	line := words.F("%s %.2f cores  %d proc  %d threads", st.Bold.Render(who), s.TotalCPU(), len(s.Procs), thr)
	if tl.Cores > 0 {
		line += words.F("  (run uses %d)", tl.Cores)
	}
	sb.WriteString(ansi.Truncate(line, width, "…"))
	return sb.String()
}

// graphLines draws the wait-for graph of the last deadlock found: one arrow
// per task, from it to the task it waits for, through what it waits on.
func (st *Styles) graphLines(tl *fold.Timeline, width int) []string {
	if len(tl.Deadlocks) == 0 {
		return nil
	}
	d := tl.Deadlocks[len(tl.Deadlocks)-1]
	head := words.T("deadlock: the wait-for graph has a cycle")
	if tl.Finished {
		head = words.F("deadlock found at %.2fs: the wait-for graph had a cycle", d.T.Seconds())
	}
	var out []string
	for _, l := range wrapLine(head, width, 2) {
		out = append(out, st.Bad.Render(l))
	}
	w := 0
	for _, e := range d.Edges {
		w = max(w, ansi.StringWidth(e.Task))
	}
	for _, e := range d.Edges {
		head, tail := "  "+padRight(e.Task, w)+words.T(" ─ joins"), "─▶ "+e.Holder
		if e.Reason != event.ReasonJoin {
			head, tail = "  "+padRight(e.Task, w)+words.F(" ─ waits for %s,", e.Object), words.T("held by ─▶ ")+e.Holder
		}
		if ansi.StringWidth(head)+1+ansi.StringWidth(tail) <= width {
			out = append(out, head+" "+tail)
			continue
		}
		// An edge too wide for the panel goes on over lines, under its
		// task: every edge of the cycle is shown whole.
		out = append(out, wrapLine(head, width, w+5)...)
		out = append(out, wrapLine(strings.Repeat(" ", min(w+5, width/4))+tail, width, w+5)...)
	}
	return out
}

// objectLines is how many lines objectsView draws width cells wide.
func (st *Styles) objectLines(tl *fold.Timeline, width int) int {
	return lineCount(st.objectsView(tl, width))
}

// watchLocks words the file locks /proc/locks lists for a watched program:
// who holds each file, and who waits for it.
func (st *Styles) watchLocks(tl *fold.Timeline) []string {
	if tl.Sample == nil {
		return nil
	}
	var lines []string
	for _, fl := range tl.Sample.Locks {
		who := fmt.Sprintf("PID %d", fl.PID)
		if p := tl.Procs[fl.PID]; p != nil && p.Name != "" {
			who = fmt.Sprintf("%s %d", text.Clean(p.Name), fl.PID)
		}
		verb := words.T("holds")
		if fl.Waiting {
			verb = st.gBlocked.Render(words.T("waits for"))
		}
		lines = append(lines, words.F("%s %s %s %s on inode %s", who, verb, fl.Mode, fl.Type, fl.File))
	}
	return lines
}

// queueLine is a queue's line: how full, what it holds, who waits.
func (st *Styles) queueLine(q *fold.Queue, nameW int) string {
	line := padRight(ansi.Truncate(q.Name, nameW, "…"), nameW) + words.T(" queue ")
	if q.Cap > 0 {
		// A bounded buffer says how full it is: 2/2 full.
		fill := fmt.Sprintf("%d/%d ", q.Len, q.Cap)
		if q.Len >= q.Cap {
			fill = st.gBlocked.Render(words.F("%d/%d full", q.Len, q.Cap)) + " "
		}
		line += fill
	}
	switch {
	case q.Len == 0:
		line += st.Dim.Render(words.T("empty"))
	case q.Len > len(q.Items):
		line += words.F("%d items [%s …]", q.Len, strings.Join(q.Items, " "))
	default:
		line += fmt.Sprintf("[%s]", strings.Join(q.Items, " "))
	}
	if len(q.Waiters) > 0 {
		line += st.gBlocked.Render(words.T("  waiting: ") + strings.Join(q.Waiters, ", "))
	}
	return line
}

func (st *Styles) objectsView(tl *fold.Timeline, width int) string {
	if tl.Watch {
		lines := st.watchLocks(tl)
		if len(lines) == 0 {
			return st.Dim.Render(words.T("no file lock held or awaited (/proc/locks)"))
		}
		var out []string
		for _, l := range lines {
			out = append(out, wrapLine(l, width, 2)...)
		}
		return strings.Join(out, "\n")
	}
	if len(tl.Objects) == 0 && len(tl.Queues) == 0 {
		return st.Dim.Render(words.T("no locks or queues in this lesson"))
	}
	nameW := 5
	for _, o := range tl.Objects {
		nameW = max(nameW, ansi.StringWidth(o.Name))
	}
	for _, q := range tl.Queues {
		nameW = max(nameW, ansi.StringWidth(q.Name))
	}
	nameW = min(nameW, max(5, width/4))
	var lines []string
	for _, q := range tl.Queues {
		lines = append(lines, wrapLine(st.queueLine(q, nameW), width, nameW+1)...)
	}
	for _, o := range tl.Objects {
		line := padRight(ansi.Truncate(o.Name, nameW, "…"), nameW) + " " + padRight(string(o.Kind), 5) + " "
		switch {
		case o.Kind == lesson.Event && o.Set:
			line += st.OK.Render(words.T("set"))
		case o.Kind == lesson.Event:
			line += st.Dim.Render(words.T("clear"))
		case o.Kind == lesson.Condition:
			line += st.Dim.Render(words.T("waits for notify"))
		case o.Kind == lesson.Semaphore:
			line += words.F("%d of %d free", o.Permits-o.Count, o.Permits)
			if o.Holder != "" {
				line += words.T(", held by ") + st.Bold.Render(o.Holder)
			}
		case o.Holder == "":
			line += st.Dim.Render(words.T("free"))
		default:
			line += words.T("held by ") + st.Bold.Render(o.Holder)
			if o.Count > 1 || o.Kind == lesson.RLock {
				line += fmt.Sprintf(" ×%d", o.Count)
			}
			if l := tl.Lane(o.Holder); l != nil && l.Current().State == event.Done {
				line += st.Dim.Render(words.T(" (its holder has ended)"))
			}
		}
		if o.Kind == lesson.FileLock {
			line += st.Dim.Render(" (/proc/locks)")
		}
		if len(o.Waiters) > 0 {
			line += st.gBlocked.Render(words.T("  waiting: ") + strings.Join(o.Waiters, ", "))
		}
		lines = append(lines, wrapLine(line, width, nameW+1)...)
	}
	lines = append(lines, st.graphLines(tl, width)...)
	return strings.Join(lines, "\n")
}

// keepGone is how long an ended process stays in the tree, greyed.
const keepGone = 10 * time.Second

func reaperShort(ev *event.Event) string {
	switch x := ev.Exit(); {
	case x.Adopted:
		return words.T("mtviz (adopter)")
	case x.Reaper != "":
		return x.Reaper
	}
	return "mtviz"
}

func leftPad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// logView renders the log, newest last, scrolled `back` lines up.
func (st *Styles) logView(tl *fold.Timeline, width, height, back int) string {
	log := tl.Log
	end := len(log) - back
	end = max(0, min(len(log), end))
	// From the newest entry back, as many as fill the panel; a verdict
	// wraps onto more lines, so that its reasons can be read whole.
	var out []string
	i := end - 1
	for ; i >= 0 && len(out) < height; i-- {
		l := log[i]
		who := ""
		if l.Who != "" {
			who = l.Who + " "
		}
		text := fmt.Sprintf("%7.3fs %s%s", l.T.Seconds(), who, l.Text)
		st := st.classStyle(l.Class)
		var lines []string
		if ansi.StringWidth(text) <= width {
			lines = []string{st.Render(text)}
		} else {
			// A long line wraps, indented under its text, so that it can be
			// read whole.
			head := fmt.Sprintf("%7.3fs ", l.T.Seconds())
			for k, w := range wrap(who+l.Text, max(10, width-len(head))) {
				if k == 0 {
					w = head + w
				} else {
					w = strings.Repeat(" ", len(head)) + w
				}
				lines = append(lines, st.Render(ansi.Truncate(w, width, "…")))
			}
		}
		out = append(lines, out...)
	}
	if len(out) > height {
		out = out[len(out)-height:]
	}
	if i < 0 && tl.LogCount > len(log) && len(out) > 0 && len(out) == height {
		// The oldest lines were dropped to keep memory bounded: say so.
		out[0] = st.Dim.Render(words.F("… %d older lines dropped", tl.LogCount-len(log)))
	} else if i < 0 && tl.LogCount > len(log) && len(out) < height {
		out = append([]string{st.Dim.Render(words.F("… %d older lines dropped", tl.LogCount-len(log)))}, out...)
	}
	return strings.Join(out, "\n")
}

func (st *Styles) classStyle(c fold.Class) lipgloss.Style {
	switch c {
	case fold.Bad, fold.Failed:
		return st.Bad
	case fold.Held:
		return st.OK
	case fold.NotDecided:
		return st.Warn
	case fold.Quiet:
		return st.Dim
	case fold.Prompt:
		return st.Key
	}
	return lipgloss.NewStyle()
}
