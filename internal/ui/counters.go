package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/fold"
	"mtviz/internal/text"
	"mtviz/internal/words"
)

// The counters panel, and the wrapping of the lines that carry a
// lesson's point.

// counterRow is one line of the counters panel: a counter, or one
// process's own copy of it (processes share no memory), shown under it.
type counterRow struct {
	c     *fold.Counter
	label string
	value int64
	lost  int64
	sum   bool // the counter's total over the processes' copies
}

// counterRows lists the counters, each followed by the copies processes
// changed; a counter that only processes changed shows their total.
func counterRows(tl *fold.Timeline) []counterRow {
	var rows []counterRow
	for _, c := range tl.Counters {
		if c.Task != "" {
			continue
		}
		var copies []counterRow
		total, lost := c.Value, c.Lost
		for _, cp := range tl.Counters {
			if cp.Task == "" || cp.Name != c.Name || cp.Value == cp.Init && cp.Lost == 0 {
				continue
			}
			copies = append(copies, counterRow{c: cp, label: "  @" + cp.Task, value: cp.Value, lost: cp.Lost})
			total += cp.Value - cp.Init
			lost += cp.Lost
		}
		row := counterRow{c: c, label: c.Name, value: c.Value, lost: c.Lost}
		if len(copies) > 0 && c.Value == c.Init {
			row = counterRow{c: c, label: c.Name + " Σ", value: total, lost: lost, sum: true}
		}
		rows = append(rows, row)
		rows = append(rows, copies...)
	}
	return rows
}

func (st *Styles) countersView(tl *fold.Timeline, width int) string {
	if tl.Watch {
		return st.switchesView(tl, width)
	}
	rows := counterRows(tl)
	if len(rows) == 0 && len(tl.Copies) == 0 {
		return st.Dim.Render(words.T("no counters in this lesson"))
	}
	nameW := 8
	for _, r := range rows {
		nameW = max(nameW, ansi.StringWidth(r.label))
	}
	nameW = min(nameW, max(8, width/3))
	var sb strings.Builder
	for i, r := range rows {
		if i > 0 {
			sb.WriteByte('\n')
		}
		line := padRight(ansi.Truncate(r.label, nameW, "…"), nameW) + " " + st.Bold.Render(fmt.Sprintf("%12d", r.value))
		if r.lost > 0 {
			line += st.Bad.Render(words.F("  %d lost", r.lost))
		}
		if rate, ok := r.c.Rate(tl.Now); ok && rate > 0 && !tl.Finished && !r.sum {
			line += st.Dim.Render(fmt.Sprintf("  %s/s", human(rate)))
		}
		sb.WriteString(strings.Join(wrapLine(line, width, nameW+1), "\n"))
		if tl.Scenario.Rounds > 1 && r.c.Task == "" {
			sb.WriteString("\n" + strings.Join(wrapLine(st.roundEnds(tl, r.c), width, 4), "\n"))
		}
	}
	if len(tl.Copies) > 0 {
		names := make([]string, 0, len(tl.Copies))
		for t := range tl.Copies {
			names = append(names, t)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, t := range names {
			c := tl.Copies[t]
			parts[i] = fmt.Sprintf("%s: %s=%d", t, c.Counter, c.Value)
		}
		sb.WriteString("\n" + strings.Join(packParts(st.Dim.Render(words.T("private copies")), parts, width, 2), "\n"))
	}
	return sb.String()
}

// switchesView: a watched program has no counters; its context switches
// per second, per process, as /proc counted them, take their place.
func (st *Styles) switchesView(tl *fold.Timeline, width int) string {
	s := tl.SwitchSample
	if s == nil {
		return st.Dim.Render(words.T("context switches: counted once a second"))
	}
	dt := s.SwitchesSpan.Seconds()
	lines := []string{st.Dim.Render(words.F("context switches /s: all %s", human(float64(s.Switches.Vol+s.Switches.Invol)/dt)))}
	for _, p := range s.Procs {
		if tl.Procs[p.PID] == nil {
			continue
		}
		line := words.F("%-16s %8s voluntary %8s involuntary", ansi.Truncate(fmt.Sprintf("%s %d", text.Clean(p.Name), p.PID), 16, "…"),
			human(float64(p.Switches.Vol)/dt), human(float64(p.Switches.Invol)/dt))
		lines = append(lines, ansi.Truncate(line, width, "…"))
	}
	return strings.Join(lines, "\n")
}

// counterLines is how many lines countersView draws width cells wide.
func (st *Styles) counterLines(tl *fold.Timeline, width int) int {
	return lineCount(st.countersView(tl, width))
}

// packParts lays head and parts out on lines of at most width cells, two
// spaces apart, a part never split unless it is wider than a line alone;
// the lines after the first are indented.
func packParts(head string, parts []string, width, indent int) []string {
	lines := []string{head}
	for _, p := range parts {
		cur := lines[len(lines)-1]
		if ansi.StringWidth(cur)+2+ansi.StringWidth(p) <= width {
			lines[len(lines)-1] = cur + "  " + p
			continue
		}
		lines = append(lines, wrapLine(strings.Repeat(" ", indent)+p, width, indent)...)
	}
	return lines
}

// lineCount is how many lines s holds.
func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// wrapLine breaks a line that is wider than width at spaces, the lines
// after the first indented; a line that fits is left as it is.
func wrapLine(s string, width, indent int) []string {
	if width < 8 || ansi.StringWidth(s) <= width {
		return []string{s}
	}
	indent = min(indent, width/4)
	// Break at spaces only: a task's name (plain-lock, worker-1) stays
	// whole. ansi.Wrap also breaks after a hyphen, so hyphens are swapped
	// for non-breaking ones (as wide) while it wraps.
	s = strings.ReplaceAll(s, "-", nbHyphen)
	first, rest, _ := strings.Cut(ansi.Wrap(s, width, ""), "\n")
	lines := []string{first}
	if rest != "" {
		rest = strings.Join(strings.Fields(strings.ReplaceAll(rest, "\n", " ")), " ")
		for _, l := range strings.Split(ansi.Wrap(rest, width-indent, ""), "\n") {
			lines = append(lines, strings.Repeat(" ", indent)+strings.TrimLeft(l, " "))
		}
	}
	for i := range lines {
		lines[i] = strings.ReplaceAll(strings.TrimRight(lines[i], " "), nbHyphen, "-")
	}
	return lines
}

// nbHyphen is U+2011, a hyphen no line breaks after.
const nbHyphen = "\u2011"

// roundEnds shows the value a counter ended each round at: the drifting
// racy balance beside the steady locked one.
func (st *Styles) roundEnds(tl *fold.Timeline, c *fold.Counter) string {
	off := 0
	var parts []string
	for _, v := range c.Ends {
		look := st.OK
		if v != c.Init {
			look = st.Bad
			off++
		}
		parts = append(parts, look.Render(fmt.Sprint(v)))
	}
	head := words.F("  round %d/%d, %d ended off %d", len(c.Ends), tl.Scenario.Rounds, off, c.Init)
	if c.TotalLost > 0 {
		head += words.F(", %d updates lost in all", c.TotalLost)
	}
	if len(parts) == 0 {
		return st.Dim.Render(head)
	}
	return st.Dim.Render(head+words.T("; ended at:")) + " " + strings.Join(parts, " ")
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
