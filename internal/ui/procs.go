package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/contain"
	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/probe"
	"mtviz/internal/words"
)

// procsView is the process tree as the probe read it, with the task each
// process runs, and for a while after, the processes that ended.
func (st *Styles) procsView(tl *fold.Timeline, width, height int) string {
	if tl.Sample == nil {
		return st.Dim.Render(words.T("waiting for the first probe sample…"))
	}
	// Every process is placed in the tree, in arrays; only the lines shown
	// are written out, so a sample of tens of thousands costs little more
	// than what fits.
	t := newProcTree(tl)
	type line struct {
		label string
		r     *procRow
	}
	var out []line
	var walk func(i int, prefix string, last bool, depth int)
	walk = func(i int, prefix string, last bool, depth int) {
		if len(out) >= height {
			return
		}
		branch, next := "", prefix
		if depth > 0 {
			if last {
				branch, next = "└─", prefix+"  "
			} else {
				branch, next = "├─", prefix+"│ "
			}
		}
		out = append(out, line{prefix + branch + fmt.Sprint(t.rows[i].pid), &t.rows[i]})
		for c := t.first[i]; c >= 0; c = t.next[c] {
			walk(c, next, t.next[c] < 0, depth+1)
		}
	}
	for _, r := range t.roots {
		walk(r, "", true, 0)
	}
	// Columns as wide as what they hold.
	pidW, ppidW, nameW := 3, 4, 4
	for _, l := range out {
		l.r.fill(st, tl)
		pidW = max(pidW, ansi.StringWidth(l.label))
		ppidW = max(ppidW, len(fmt.Sprint(l.r.ppid)))
		nameW = max(nameW, ansi.StringWidth(l.r.cols[3]))
	}
	nameW = min(nameW, 15)
	thrW := max(3, ansi.StringWidth(words.T("THR")))
	var sb strings.Builder
	sb.WriteString(st.Dim.Render(fmt.Sprintf("%s %s S  CPU%% %s %s %s", padRight("PID", pidW), leftPad("PPID", ppidW), leftPad(words.T("THR"), thrW), padRight(words.T("NAME"), nameW), words.T("TASK"))))
	for i, l := range out {
		if i+1 >= height {
			sb.WriteString(st.Dim.Render("\n" + words.F("… %d more (tab to the Processes panel)", len(t.rows)-i)))
			break
		}
		c := l.r.cols
		text := fmt.Sprintf("%s %s %-1s %5s %s %s %s%s", padRight(l.label, pidW), leftPad(fmt.Sprint(l.r.ppid), ppidW),
			c[0], c[1], leftPad(c[2], thrW), padRight(ansi.Truncate(c[3], nameW, "…"), nameW), c[4], c[5])
		sb.WriteString("\n" + l.r.style.Render(ansi.Truncate(text, width, "…")))
	}
	return sb.String()
}

// procTree is the Processes panel's tree: the processes of the last sample
// and those that ended a moment ago, each under its parent when the parent
// is there, children in the order read.
type procTree struct {
	rows        []procRow
	first, next []int // each row's first child and next sibling (-1: none)
	roots       []int
}

func newProcTree(tl *fold.Timeline) procTree {
	n := len(tl.Sample.Procs) + len(tl.Ended)
	t := procTree{rows: make([]procRow, 0, n)}
	at := make(map[int]int, n)
	for i := range tl.Sample.Procs {
		pp := &tl.Sample.Procs[i]
		at[pp.PID] = len(t.rows)
		t.rows = append(t.rows, procRow{pid: pp.PID, ppid: pp.PPID, live: pp})
	}
	for _, pid := range tl.Ended {
		p := tl.Procs[pid]
		if _, dup := at[pid]; p == nil || dup || tl.Now-p.GoneAt > keepGone || (!p.Seen && p.Exit == nil) {
			continue
		}
		at[pid] = len(t.rows)
		t.rows = append(t.rows, procRow{pid: pid, ppid: p.PPID})
	}
	t.first, t.next = make([]int, len(t.rows)), make([]int, len(t.rows))
	lastKid := make([]int, len(t.rows))
	for i := range t.rows {
		t.first[i], t.next[i], lastKid[i] = -1, -1, -1
	}
	for i, r := range t.rows {
		p, ok := at[r.ppid]
		if !ok || p == i {
			t.roots = append(t.roots, i)
			continue
		}
		if lastKid[p] < 0 {
			t.first[p] = i
		} else {
			t.next[lastKid[p]] = i
		}
		lastKid[p] = i
	}
	return t
}

// procRow is a line of the Processes panel: a live process (as the last
// sample read it) or one that ended a moment ago.
type procRow struct {
	pid, ppid int
	live      *probe.Proc // nil: ended
	cols      [6]string   // state, cpu, threads, name, task, note
	style     lipgloss.Style
}

// fill writes the row's columns.
func (r *procRow) fill(st *Styles, tl *fold.Timeline) {
	p := tl.Procs[r.pid]
	task := ""
	if p != nil {
		task = p.Task
		if p.Program != "" {
			task = p.Task + ": " + p.Program
		}
	}
	if r.live == nil {
		how := words.T("ended")
		if p.Exit != nil {
			how = event.ExitText(p.Exit.Exit().Code, p.Exit.Exit().Signal) + words.T(", reaped by ") + reaperShort(p.Exit)
		}
		r.cols, r.style = [6]string{"-", "", "", p.Name, task, words.T("  gone: ") + how}, st.Dim
		return
	}
	note := ""
	if p != nil && p.FirstPPID != 0 && p.PPID != p.FirstPPID {
		note = words.F("  parent was %d", p.FirstPPID)
	}
	switch {
	case r.pid == tl.Root:
		task = words.T("(this program)")
	case r.ppid == tl.Root && r.live.Name == contain.GuardName:
		task = words.T("(mtviz's guard: ends the lesson's processes if mtviz is killed)")
	}
	r.style = lipgloss.NewStyle()
	if r.live.State == probe.Zombie {
		r.style = st.gZombie.style
		note += words.T("  zombie: ended, not yet reaped")
	}
	pp := r.live
	r.cols = [6]string{string(pp.State), fmt.Sprintf("%5.1f", pp.CPU), fmt.Sprint(pp.NThreads), pp.Name, task, note}
}
