package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/engine"
	"mtviz/internal/event"
	"mtviz/internal/explore"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// turnsState is the lesson screen's scheduler: when it is on, every
// goroutine task stops before each visible step and the learner picks, by
// its number, who takes the next one.
type turnsState struct {
	on       bool          // the scheduler plays the runs started from now
	turns    *engine.Turns // this run's, when on
	follow   []string      // a schedule's turns still to give, one every followEvery
	followAt time.Time
	pending  []string // tasks pressed, given their turn once the board holds still
	msg      string   // the last thing it said: a refused turn, a file written
	// After the run: every order of the lesson, for the goal.
	explored  *explore.Report
	exploring bool
	cancelX   context.CancelFunc
}

// followEvery paces a schedule replayed on screen, so each step can be seen.
const followEvery = 400 * time.Millisecond

// exploredMsg brings the explorer's report for the goal.
type exploredMsg struct {
	s *session.Session
	r *explore.Report
}

// beginTurns gives the run about to start a scheduler, when it is on and
// allowed (a lesson's live run).
func (m *lessonModel) beginTurns(allowed bool) {
	p := &m.play
	if p.cancelX != nil {
		p.cancelX()
		p.cancelX = nil
	}
	p.explored, p.exploring, p.pending = nil, false, nil
	p.turns = nil
	if !p.on || !allowed {
		return
	}
	if err := engine.SchedulerRefuse(m.sc); err != nil {
		p.on, p.msg = false, err.Error()
		return
	}
	p.turns = engine.NewTurns()
	p.followAt = time.Now()
}

// stepTurns gives one turn when the board holds still: a key pressed, or
// the next of a schedule being replayed.
func (m *lessonModel) stepTurns() {
	p := &m.play
	if p.turns == nil || len(p.pending) == 0 && len(p.follow) == 0 {
		return
	}
	b := p.turns.Board()
	if !b.Settled() || b.Over || b.Free || len(b.Ready()) == 0 {
		return
	}
	var name string
	switch {
	case len(p.pending) > 0:
		name, p.pending = p.pending[0], p.pending[1:]
	case time.Since(p.followAt) >= followEvery:
		name, p.follow = p.follow[0], p.follow[1:]
		p.followAt = time.Now()
	default:
		return
	}
	if err := p.turns.Take(name); err != nil {
		p.msg = err.Error()
		p.pending = nil
		return
	}
	p.msg = ""
}

// turnsKey handles the scheduler's keys; ok is false for any other key.
func (m *lessonModel) turnsKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k, p := m.keys, &m.play
	if p.turns != nil && msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		// Keys typed faster than the screen reads them come as one: 112.
		handled := true
		for _, r := range msg.Runes {
			_, ok := m.turnsKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			handled = handled && ok
		}
		return nil, handled
	}
	switch {
	case key.Matches(msg, k.Scheduler) && m.src.lessonRun() != nil:
		p.on = !p.on
		p.follow = nil
		if p.on {
			if err := engine.SchedulerRefuse(m.sc); err != nil {
				p.on = false
				m.tl.AddLog(fold.Entry{Text: words.F("scheduler: %s", err.Error()), Class: fold.Bad})
				return nil, true
			}
		}
		return m.src.restart(m), true
	case p.turns == nil:
		return nil, false
	case key.Matches(msg, k.Take):
		n := int(msg.Runes[0] - '1')
		names := goroutineSlots(p.turns.Board())
		if n >= len(names) {
			p.msg = words.F("no task %d: the tasks are 1 to %d", n+1, len(names))
			return nil, true
		}
		p.pending = append(p.pending, names[n])
		m.stepTurns()
		return nil, true
	case key.Matches(msg, k.Free):
		p.turns.Free()
		p.follow, p.pending, p.msg = nil, nil, words.T("every task runs freely now")
		return nil, true
	case key.Matches(msg, k.Save):
		p.msg = m.saveOrder()
		return nil, true
	}
	return nil, false
}

// goroutineSlots are the tasks that take turns, in the order their
// numbers give them.
func goroutineSlots(b engine.Board) []string {
	var out []string
	for _, s := range b.Slots {
		if s.State != engine.SlotOutside {
			out = append(out, s.Task)
		}
	}
	return out
}

// saveOrder writes the turns taken so far to a new schedule file in the
// current directory, and says where.
func (m *lessonModel) saveOrder() string {
	steps := m.play.turns.Steps()
	if len(steps) == 0 {
		return words.T("no step taken yet: nothing to save")
	}
	data := explore.Format(explore.Header{Lesson: m.sc.ID, Set: m.sc.Set, What: "the order chosen on screen"}, steps)
	for i := 1; i < 1000; i++ {
		name := fmt.Sprintf("%s-%d.schedule", m.sc.ID, i)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return "could not save the order: " + err.Error()
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "could not save the order: " + err.Error()
		}
		m.tl.AddLog(fold.Entry{Text: words.F("wrote the order so far (%d steps) to %s", len(steps), name), Class: fold.Quiet})
		return "wrote " + name
	}
	return "could not save the order: " + m.sc.ID + "-1.schedule to -999 all exist"
}

// exploreGoal runs, once a run with a goal has ended, every order of the
// lesson, to say which would have met it in fewer steps.
func (m *lessonModel) exploreGoal() tea.Cmd {
	p := &m.play
	sess := m.src.lessonRun()
	if p.turns == nil || sess == nil || m.sc.Goal == nil || sess.Goal() == nil || explore.Refuse(m.sc) != nil {
		return nil // no goal, or a run stopped before its end: nothing to compare
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancelX, p.exploring = cancel, true
	s, sc, cores := sess, m.sc, sess.Cores
	return func() tea.Msg {
		r, err := explore.Explore(ctx, sc, explore.Options{Cores: cores})
		if err != nil {
			return exploredMsg{s, nil}
		}
		return exploredMsg{s, r}
	}
}

// hasRunSteps says whether some task runs a program, which the scheduler
// does not hold.
func hasRunSteps(sc *lesson.Scenario) bool {
	for _, t := range sc.Tasks {
		if lesson.Has(t.Steps, lesson.OpRun) {
			return true
		}
	}
	return false
}

// turnsPanel draws the scheduler: each task, its number and its next
// step; what the learner may press; the goal, and once the run is over,
// whether it was met and which orders would have met it sooner.
func (m *lessonModel) turnsPanel(w int) string {
	p := &m.play
	b := p.turns.Board()
	var lines []string
	num := 0
	for _, s := range b.Slots {
		if s.State != engine.SlotOutside {
			num++
		}
		lines = append(lines, m.st.slotLine(s, num))
	}
	if hasRunSteps(m.sc) {
		lines = append(lines, m.st.Dim.Render(words.T("the programs of run steps run outside the scheduler")))
	}
	if n := len(m.tl.Deadlocks); n > 0 {
		lines = append(lines, m.st.Bad.Render(words.T("deadlock: ")+event.CycleText(m.tl.Deadlocks[n-1].Edges)))
	}
	lines = append(lines, m.turnsFooter(b)...)
	title := words.F("Scheduler: you choose · step %d", b.Steps)
	if b.Free {
		title = words.F("Scheduler: off since step %d, every task runs freely", b.Steps)
	}
	if g := m.sc.Goal; g != nil {
		title += words.T(" · goal: ") + text.Clean(g.Text)
	}
	return m.st.panel(title, strings.Join(lines, "\n"), w, len(lines)+2, false)
}

func (st *Styles) slotLine(s engine.Slot, num int) string {
	name := padRight(text.Clean(s.Task), 10)
	switch s.State {
	case engine.SlotOutside:
		return "   " + name + st.Dim.Render(words.T(" a process: outside the scheduler, it runs freely"))
	case engine.SlotIdle:
		return "   " + name + st.Dim.Render(words.T(" not started"))
	case engine.SlotDone:
		return "   " + name + st.Dim.Render(words.T(" ended"))
	case engine.SlotMoving:
		return fmt.Sprintf(" %s %s %s", st.Key.Render(fmt.Sprint(num)), name, st.Dim.Render(words.T("… taking its step")))
	}
	if !s.Ready {
		return fmt.Sprintf(" %s %s %s", st.Dim.Render(fmt.Sprint(num)), name,
			st.Bad.Render("✗ "+s.Move.Op+": ")+text.Clean(s.Why))
	}
	return fmt.Sprintf(" %s %s ▸ %s", st.Key.Render(fmt.Sprint(num)), name, text.Clean(s.Move.Text))
}

// turnsFooter is what the learner may do, or, once the run is over, the
// goal's verdict and the explorer's word on it.
func (m *lessonModel) turnsFooter(b engine.Board) []string {
	p := &m.play
	var out []string
	if p.msg != "" {
		out = append(out, m.st.Warn.Render(text.Clean(p.msg)))
	}
	if m.summary == nil {
		if !b.Over && !b.Free {
			out = append(out, m.st.Dim.Render(words.T("press a task's number: it takes the step shown · a: all run freely · o: save the order · s: scheduler off")))
		}
		return out
	}
	sess := m.src.lessonRun()
	if m.sc.Goal == nil || sess == nil || sess.Goal() == nil {
		return out
	}
	g := sess.Goal()
	if g == nil {
		return out
	}
	if g.Verdict == verdict.Pass {
		out = append(out, m.st.OK.Render(words.F("★ goal met in %d steps: ", b.Steps))+text.Clean(g.Detail))
	} else {
		out = append(out, m.st.Warn.Render(words.T("goal not met: "))+text.Clean(g.Detail))
	}
	switch r := p.explored; {
	case p.exploring:
		out = append(out, m.st.Dim.Render(words.T("exploring every order of the lesson…")))
	case r == nil:
	case r.Goal == nil:
		out = append(out, words.F("no order of the %d explored meets it", r.Explored))
	default:
		shorter := words.T("the shortest take")
		if len(r.Goal.Tasks) < b.Steps {
			shorter = words.T("shorter orders take")
		}
		out = append(out, words.F("%d of %d orders meet it; %s %d steps, e.g. %s", r.Goal.Count, r.Explored, shorter,
			len(r.Goal.Tasks), strings.Join(r.Goal.Tasks, " ")))
	}
	return out
}
