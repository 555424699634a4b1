package ui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"mtviz/internal/sim"
)

// zooms are the time one lane cell stands for.
var zooms = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
}

const defaultZoom = 3

// cellGlyph picks what one cell shows: of the states in which the task was
// alive (running, runnable, blocked, sleeping), the one that filled most of
// the cell, a block winning ties since blocks are what a learner looks for;
// "new" or "done" only when the task did nothing else in the cell. So a task
// that ran for 3 ms still shows in a 50 ms cell.
func cellGlyph(segs []seg, i int, from, to time.Duration) (glyph, int) {
	var durs [zombieState + 1]time.Duration
	var reason string
	var reasonDur time.Duration
	for ; i < len(segs); i++ {
		s := segs[i]
		end := to
		if i+1 < len(segs) && segs[i+1].t < to {
			end = segs[i+1].t
		}
		start := max(s.t, from)
		if end > start && int(s.state) < len(durs) {
			d := end - start
			durs[s.state] += d
			if s.state == sim.Blocked && d >= reasonDur {
				reason, reasonDur = s.reason, d
			}
		}
		if i+1 >= len(segs) || segs[i+1].t >= to {
			break
		}
	}
	best, bestD := sim.NoState, time.Duration(0)
	for st, d := range durs {
		if d > bestD || (d == bestD && d > 0 && sim.State(st) == sim.Blocked) {
			best, bestD = sim.State(st), d
		}
	}
	if best == sim.Created || best == sim.Done {
		// Any moment alive beats the quiet states.
		alive := time.Duration(0)
		for _, st := range []sim.State{sim.Running, sim.Runnable, sim.Blocked, sim.Sleeping, zombieState} {
			if durs[st] > alive {
				best, alive = st, durs[st]
			}
		}
	}
	return glyphFor(best, reason), i
}

// rtDominant is the runtime state that filled most of a cell, and for
// running, the P it ran on most.
func rtDominant(rt []seg, j int, from, to time.Duration) (sim.State, int, int) {
	var durs [sim.Done + 1]time.Duration
	var pDur [64]time.Duration
	for ; j < len(rt); j++ {
		s := rt[j]
		end := to
		if j+1 < len(rt) && rt[j+1].t < to {
			end = rt[j+1].t
		}
		start := max(s.t, from)
		if end > start && s.state <= sim.Done {
			durs[s.state] += end - start
			if s.state == sim.Running && s.p >= 0 && s.p < len(pDur) {
				pDur[s.p] += end - start
			}
		}
		if j+1 >= len(rt) || rt[j+1].t >= to {
			break
		}
	}
	best, bestD := sim.NoState, time.Duration(0)
	for st, d := range durs {
		if d > bestD {
			best, bestD = sim.State(st), d
		}
	}
	p, pd := 0, time.Duration(0)
	for i, d := range pDur {
		if d > pd {
			p, pd = i, d
		}
	}
	return best, p, j
}

const pDigits = "0123456789abcdefghijklmnopqrstuvwxyz"

// renderLane draws a lane's last `cells` cells ending at now, styling each
// run of equal cells once. Where the runtime trace has reported (up to
// rtUntil), it decides running (shown as the P's number) from runnable; the
// engine says why a task waits.
func renderLane(b *strings.Builder, l *lane, now, zoom, rtUntil time.Duration, cells int) {
	from := now - time.Duration(cells)*zoom
	segs := l.segs
	// The first segment that still covers the window.
	i := sort.Search(len(segs), func(k int) bool { return segs[k].t > from })
	if i > 0 {
		i--
	}
	rt := l.rt
	if l.kind == "process" {
		rtUntil = l.osUntil
	}
	j := sort.Search(len(rt), func(k int) bool { return rt[k].t > from })
	if j > 0 {
		j--
	}
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
	for c := 0; c < cells; c++ {
		cf := from + time.Duration(c)*zoom
		ct := cf + zoom
		var g glyph
		if len(segs) == 0 || i >= len(segs) || segs[0].t >= ct {
			g = gNone
		} else {
			g, i = cellGlyph(segs, i, cf, ct)
		}
		if len(rt) > 0 && ct <= rtUntil && rt[0].t < ct && g.name != "zombie" {
			var rs sim.State
			var p int
			rs, p, j = rtDominant(rt, j, cf, ct)
			switch rs {
			case sim.Running:
				g = glyph{rune(pDigits[p%len(pDigits)]), gRunning.style, "running"}
			case sim.Runnable:
				g = gRunnable
			case sim.Blocked:
				if g.name != "blocked" && g.name != "sleeping" && g.name != "" {
					g = gWaiting
				}
			}
		}
		key := g.r
		if g.name == "" || g.name == "done" {
			key = ' '
		}
		if g.name == "zombie" {
			key = 'Z' | 1<<20 // not a blocked letter Z: another style
		}
		if key != runKey && len(run) > 0 {
			flush()
		}
		runKey, runStyle = key, g.style
		run = append(run, g.r)
	}
	flush()
}

// sgr is the escape sequences a style puts around text. Lanes are drawn
// every frame, so each glyph's sequences are worked out once per colour
// profile instead of asking lipgloss to style every run.
type sgr struct{ pre, suf string }

type sgrKey struct {
	profile termenv.Profile
	r       rune
}

var sgrCache sync.Map // sgrKey → sgr

func codesFor(r rune, st lipgloss.Style) sgr {
	k := sgrKey{lipgloss.ColorProfile(), r}
	if c, ok := sgrCache.Load(k); ok {
		return c.(sgr)
	}
	out := st.Render("\x00")
	i := strings.IndexByte(out, 0)
	c := sgr{out[:i], out[i+1:]}
	sgrCache.Store(k, c)
	return c
}

// axis draws time labels under the lanes: seconds before now.
func axis(now, zoom time.Duration, cells int) string {
	line := []rune(strings.Repeat(" ", cells))
	step := 10
	for c := cells; c >= 0; c -= step {
		ago := time.Duration(cells-c) * zoom
		label := "now"
		if ago > 0 {
			label = "-" + shortDur(ago)
		}
		pos := c - len([]rune(label))
		if c == cells {
			pos = cells - 3
		}
		if pos < 0 {
			break
		}
		copy(line[pos:], []rune(label))
		if pos < cells && c < cells {
			line[min(c, cells-1)] = '╵'
		}
	}
	return sDim.Render(string(line))
}

func shortDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		s := fmt.Sprintf("%.1fs", d.Seconds())
		return strings.Replace(s, ".0s", "s", 1)
	default:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
}

// lanesView is the timeline panel's content.
func (b *board) lanesView(width, height int, now, zoom time.Duration) string {
	nameW := 10
	for _, l := range b.lanes {
		nameW = max(nameW, min(16, len(l.name)+1))
	}
	descW := 30
	if width < 100 {
		descW = 22
	}
	cells := width - nameW - descW - 2
	if cells < 10 {
		cells, descW = max(10, width-nameW-1), 0
	}
	var sb strings.Builder
	// One line goes to the time axis; if the lanes do not all fit, one more
	// says how many are hidden.
	shown := b.lanes
	if avail := height - 1; avail > 1 && len(shown) > avail {
		shown = shown[:avail-1]
	}
	for _, l := range shown {
		name := l.name
		if l.daemon {
			name += "*"
		}
		sb.WriteString(sBold.Render(padRight(ansi.Truncate(name, nameW-1, "…"), nameW)))
		renderLane(&sb, l, now, zoom, b.rtUntil, cells)
		if descW > 0 {
			d := l.current().describe()
			if r := l.rtNow(b.rtUntil); r != "" && l.current().state == sim.Running {
				d = r
			}
			sb.WriteString("  ")
			sb.WriteString(descStyle(l.current()).Render(ansi.Truncate(d, descW, "…")))
		}
		sb.WriteByte('\n')
	}
	if len(shown) < len(b.lanes) {
		sb.WriteString(sDim.Render(fmt.Sprintf("… %d more tasks (enlarge the window)", len(b.lanes)-len(shown))))
		sb.WriteByte('\n')
	}
	sb.WriteString(strings.Repeat(" ", nameW))
	sb.WriteString(axis(now, zoom, cells))
	return sb.String()
}

func descStyle(s seg) lipgloss.Style {
	switch s.state {
	case sim.Blocked:
		return gBlocked
	case sim.Running:
		return gRunning.style
	case sim.Runnable:
		return gRunnable.style
	case sim.Sleeping:
		return gSleeping.style
	}
	return sDim
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

func bar(pct float64, w int) string {
	full := int(math.Round(pct / 100 * float64(w)))
	full = max(0, min(w, full))
	style := gRunning.style
	if pct > 90 {
		style = sBad
	} else if pct > 60 {
		style = sWarn
	}
	return style.Render(strings.Repeat("█", full)) + sDim.Render(strings.Repeat("░", w-full))
}

// coresView shows each core's use as the probe measured it, with history.
func (b *board) coresView(width int) string {
	if b.sample == nil || len(b.sample.Cores) == 0 {
		return sDim.Render("waiting for the first probe sample…")
	}
	var sb strings.Builder
	histW := max(0, min(30, (width-16)/2))
	barW := max(4, width-16-histW)
	for i, v := range b.sample.Cores {
		fmt.Fprintf(&sb, "cpu%-2d %s %3.0f%% %s\n", i, bar(v, barW), v, sDim.Render(sparkline(b.coreHist[i], histW, 100)))
	}
	thr := 0
	for _, p := range b.sample.Procs {
		thr += p.NThreads
	}
	total := b.sample.TotalCPU()
	fmt.Fprintf(&sb, "%s %.2f cores  %d proc  %d threads", sBold.Render("mtviz"), total, len(b.sample.Procs), thr)
	if b.cores > 0 {
		fmt.Fprintf(&sb, "  (run uses %d)", b.cores)
	}
	return sb.String()
}

func (b *board) countersView(width int) string {
	if len(b.counters) == 0 && len(b.copies) == 0 {
		return sDim.Render("no counters in this lesson")
	}
	var sb strings.Builder
	for i, c := range b.counters {
		if i > 0 {
			sb.WriteByte('\n')
		}
		line := fmt.Sprintf("%-10s %s", c.name, sBold.Render(fmt.Sprintf("%12d", c.v)))
		if c.lost > 0 {
			line += sBad.Render(fmt.Sprintf("  %d lost", c.lost))
		}
		if r, ok := c.rate(); ok && r > 0 && !b.finished {
			line += sDim.Render(fmt.Sprintf("  %s/s", human(r)))
		}
		sb.WriteString(ansi.Truncate(line, width, "…"))
		if b.sc.Rounds > 1 {
			sb.WriteString("\n" + ansi.Truncate(b.roundEnds(c), width, "…"))
		}
	}
	if len(b.copies) > 0 {
		names := make([]string, 0, len(b.copies))
		for t := range b.copies {
			names = append(names, t)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, t := range names {
			parts[i] = t + ": " + b.copies[t]
		}
		sb.WriteString("\n" + ansi.Truncate(sDim.Render("private copies  ")+strings.Join(parts, "  "), width, "…"))
	}
	return sb.String()
}

// roundEnds shows the value a counter ended each round at: the drifting
// racy balance beside the steady locked one.
func (b *board) roundEnds(c *counterView) string {
	off := 0
	var parts []string
	for _, v := range c.ends {
		st := sOK
		if v != c.init {
			st = sBad
			off++
		}
		parts = append(parts, st.Render(fmt.Sprint(v)))
	}
	head := fmt.Sprintf("  rounds %d/%d off %d", len(c.ends), b.sc.Rounds, off)
	if c.totalLost > 0 {
		head += fmt.Sprintf(", %d lost", c.totalLost)
	}
	if len(parts) == 0 {
		return sDim.Render(head)
	}
	return sDim.Render(head+":") + " " + strings.Join(parts, " ")
}

func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func (b *board) locksView(width int) string {
	if len(b.locks) == 0 && len(b.queues) == 0 {
		return sDim.Render("no locks or queues in this lesson")
	}
	var sb strings.Builder
	for i, q := range b.queues {
		if i > 0 {
			sb.WriteByte('\n')
		}
		line := fmt.Sprintf("%-8s queue ", q.name)
		if len(q.items) == 0 {
			line += sDim.Render("empty")
		} else {
			line += fmt.Sprintf("[%s]", strings.Join(q.items, " "))
		}
		if len(q.waiters) > 0 {
			line += gBlocked.Render("  waiting: " + strings.Join(q.waiters, ", "))
		}
		sb.WriteString(ansi.Truncate(line, width, "…"))
	}
	for i, l := range b.locks {
		if i > 0 || len(b.queues) > 0 {
			sb.WriteByte('\n')
		}
		line := fmt.Sprintf("%-8s %-5s ", l.name, l.kind)
		switch {
		case l.kind == "event" && l.holder != "":
			line += sOK.Render("set")
		case l.kind == "event":
			line += sDim.Render("clear")
		case l.kind == "condition":
			line += sDim.Render("waits for notify")
		case l.holder == "":
			line += sDim.Render("free")
		default:
			line += "held by " + sBold.Render(l.holder)
			if l.count > 1 || l.kind == "rlock" {
				line += fmt.Sprintf(" ×%d", l.count)
			}
		}
		if l.kind == "flock" {
			line += sDim.Render(" (/proc/locks)")
		}
		if len(l.waiters) > 0 {
			line += gBlocked.Render("  waiting: " + strings.Join(l.waiters, ", "))
		}
		sb.WriteString(ansi.Truncate(line, width, "…"))
	}
	return sb.String()
}

// keepGone is how long an ended process stays in the tree, greyed.
const keepGone = 10 * time.Second

// procsView is the process tree as the probe read it, with the task each
// process runs, and for a while after, the processes that ended.
func (b *board) procsView(width, height int) string {
	if b.sample == nil {
		return sDim.Render("waiting for the first probe sample…")
	}
	type row struct {
		pid, ppid int
		text      string
		style     lipgloss.Style
	}
	rows := map[int]*row{}
	var order []int
	for _, p := range b.sample.Procs {
		task, name := "", p.Name
		if pv := b.procs[p.PID]; pv != nil {
			task = pv.task
		}
		if p.PID == b.rootPID() {
			task = "(this program)"
		}
		st := p.State
		style := lipgloss.NewStyle()
		note := ""
		if st == "Z" {
			style = gZombie.style
			note = "  zombie: ended, not yet reaped"
		}
		rows[p.PID] = &row{p.PID, p.PPID, fmt.Sprintf("%s %5.1f %3d  %-7s %s%s", st, p.CPU, p.NThreads, name, task, note), style}
		order = append(order, p.PID)
	}
	for _, pid := range b.gone {
		pv := b.procs[pid]
		if pv == nil || rows[pid] != nil || b.now-pv.goneAt > keepGone {
			continue
		}
		how := "ended"
		if pv.exit != "" {
			how = pv.exit
		}
		rows[pid] = &row{pid, pv.ppid, fmt.Sprintf("-  gone: %s  %s", how, pv.task), sDim}
		order = append(order, pid)
	}
	children := map[int][]int{}
	var roots []int
	for _, pid := range order {
		r := rows[pid]
		if rows[r.ppid] != nil && r.ppid != pid {
			children[r.ppid] = append(children[r.ppid], pid)
		} else {
			roots = append(roots, pid)
		}
	}
	var sb strings.Builder
	sb.WriteString(sDim.Render(fmt.Sprintf("%-14s %7s S  CPU%% THR  NAME    TASK", "PID", "PPID")))
	lines := 1
	var walk func(pid int, prefix string, last bool, depth int)
	walk = func(pid int, prefix string, last bool, depth int) {
		if lines >= height {
			return
		}
		r := rows[pid]
		branch := ""
		next := prefix
		if depth > 0 {
			if last {
				branch, next = "└─", prefix+"  "
			} else {
				branch, next = "├─", prefix+"│ "
			}
		}
		label := padRight(prefix+branch+fmt.Sprint(pid), 14)
		line := fmt.Sprintf("%s %7d %s", label, r.ppid, r.text)
		sb.WriteString("\n" + r.style.Render(ansi.Truncate(line, width, "…")))
		lines++
		kids := children[pid]
		for i, c := range kids {
			walk(c, next, i == len(kids)-1, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, "", true, 0)
	}
	if lines >= height && len(order) > lines-1 {
		sb.WriteString(sDim.Render(fmt.Sprintf("\n… %d more (tab to the Processes panel)", len(order)-lines+1)))
	}
	return sb.String()
}

// logLines renders the log, newest last, scrolled `back` lines up.
func (b *board) logView(width, height, back int) string {
	end := len(b.log) - back
	end = max(0, min(len(b.log), end))
	start := max(0, end-height)
	var sb strings.Builder
	for i := start; i < end; i++ {
		l := b.log[i]
		who := ""
		if l.who != "" {
			who = l.who + " "
		}
		text := fmt.Sprintf("%7.3fs %s%s", l.t.Seconds(), who, l.text)
		style := lipgloss.NewStyle()
		switch {
		case l.kind == sim.KError || strings.HasPrefix(l.text, "FAIL"):
			style = sBad
		case l.kind == "verdict":
			style = sOK
		case l.kind == sim.KPhase || l.kind == sim.KRound || l.kind == sim.KRoundEnd:
			style = sDim
		case l.kind == sim.KKey:
			style = sKey
		}
		if i > start {
			sb.WriteByte('\n')
		}
		sb.WriteString(style.Render(ansi.Truncate(text, width, "…")))
	}
	return sb.String()
}
