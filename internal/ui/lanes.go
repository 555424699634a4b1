package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/words"
)

// collapseAt is how many copies of one counted task (count: N) make the
// lanes panel show them as one summary lane until the learner expands
// them: async's 250 pollers and 250 readers become two lanes side by side.
// Fewer copies (gil's one per core) stay lanes of their own: their
// alternation is the point.
const collapseAt = 8

// laneRow is one row of the lanes panel: a task's lane, or a summary of
// the copies of one counted task, drawn with the first copy's lane.
type laneRow struct {
	lane   *fold.Lane
	copies []*fold.Lane // a summary row: every copy, in order
	name   string
}

// laneRows orders the lanes for the panel: the tasks at work first (running,
// runnable, waiting on a lock, a queue, I/O...), then those that only wait
// for others (join, a key), then those that ended, then those not started;
// in scenario order within each group. Unless expanded, the copies of a
// task counted collapseAt times or more are one row.
func laneRows(tl *fold.Timeline, expanded bool) []laneRow {
	groups := map[string][]*fold.Lane{}
	var rows []laneRow
	seen := map[string]bool{}
	for _, l := range tl.Lanes {
		g := tl.Scenario.CopyOf(l.Name)
		if g == "" || expanded {
			rows = append(rows, laneRow{lane: l, name: laneName(l)})
			continue
		}
		groups[g] = append(groups[g], l)
	}
	for _, l := range tl.Lanes {
		g := tl.Scenario.CopyOf(l.Name)
		if g == "" || expanded || seen[g] {
			continue
		}
		seen[g] = true
		cs := groups[g]
		if len(cs) < collapseAt {
			for _, c := range cs {
				rows = append(rows, laneRow{lane: c, name: laneName(c)})
			}
			continue
		}
		rows = append(rows, laneRow{lane: cs[0], copies: cs, name: fmt.Sprintf("%s ×%d", g, len(cs))})
	}
	// Rows were built lanes first, then groups: back into scenario order.
	order := map[*fold.Lane]int{}
	for i, l := range tl.Lanes {
		order[l] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ai, aj := rowActivity(tl, rows[i]), rowActivity(tl, rows[j])
		if ai != aj {
			return ai < aj
		}
		return order[rows[i].lane] < order[rows[j].lane]
	})
	return rows
}

// activity groups, in the order the panel shows them.
const (
	actWorking = iota
	actWaitsForOthers
	actEnded
	actNotStarted
)

func laneActivity(tl *fold.Timeline, l *fold.Lane) int {
	c := l.Now(tl.OSUntil(l), tl.Now)
	switch c.Mode {
	case fold.ModeNone, fold.ModeNew:
		return actNotStarted
	case fold.ModeDone:
		return actEnded
	case fold.ModeBlocked:
		if r := l.Current().Reason; r == event.ReasonJoin || r == event.ReasonKey {
			return actWaitsForOthers
		}
	}
	return actWorking
}

func rowActivity(tl *fold.Timeline, r laneRow) int {
	if r.copies == nil {
		return laneActivity(tl, r.lane)
	}
	a := actNotStarted
	for _, c := range r.copies {
		a = min(a, laneActivity(tl, c))
	}
	return a
}

// copiesText says what the copies of a summary row are doing now, the
// commonest first: "240 blocked on poll, 10 running (enter: a lane each)".
func copiesText(tl *fold.Timeline, r laneRow) string {
	count := map[string]int{}
	for _, c := range r.copies {
		count[modeWord(tl, c)]++
	}
	kinds := make([]string, 0, len(count))
	for w := range count {
		kinds = append(kinds, w)
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, w := range kinds {
		parts[i] = fmt.Sprintf("%d %s", count[w], w)
	}
	return strings.Join(parts, words.T(", ")) + words.T(" (enter: a lane each)")
}

// modeWords name each mode of a lane, in English: words.T says them in the
// screen's language. A mode not named here is busy.
var modeWords = map[fold.Mode]string{
	fold.ModeNone: words.N("new"), fold.ModeNew: words.N("new"), fold.ModeRunning: words.N("running"),
	fold.ModeRunnable: words.N("runnable"), fold.ModeBlocked: words.N("blocked"), fold.ModeSleeping: words.N("sleeping"),
	fold.ModeDone: words.N("done"), fold.ModeZombie: words.N("zombie"), fold.ModeChildren: words.N("waiting for children"),
	fold.ModeWaiting: words.N("runtime: waiting"),
}

// modeWord is a lane's state now in a word or three, for counting copies:
// a blocked lane says on what.
func modeWord(tl *fold.Timeline, l *fold.Lane) string {
	c := l.Now(tl.OSUntil(l), tl.Now)
	if r := l.Current().Reason; c.Mode == fold.ModeBlocked && r != "" {
		return words.T("blocked on ") + string(r)
	}
	if w, ok := modeWords[c.Mode]; ok {
		return words.T(w)
	}
	return words.T("busy")
}
