package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"mtviz/internal/lesson"
	"mtviz/internal/session"
)

func press(m *lessonModel, r rune) tea.Cmd {
	return m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
}

// pump runs a lesson screen as the program would: the session's items and
// other commands' messages come back to Update, and frames tick.
type pump struct {
	m    *lessonModel
	msgs chan tea.Msg
}

func startScheduled(t *testing.T, sc *lesson.Scenario) *pump {
	t.Helper()
	// The tests read the screen's words: no colour codes between them,
	// whatever profile an earlier test left (as with -count=20).
	prof := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii)
	t.Cleanup(func() { lipgloss.SetColorProfile(prof) })
	m := newLesson(tc(120, 40), sc, session.Options{})
	m.play.on = true
	p := &pump{m: m, msgs: make(chan tea.Msg, 64)}
	p.run(m.src.start(m))
	t.Cleanup(func() {
		if m.play.cancelX != nil {
			m.play.cancelX()
		}
		m.src.lessonRun().Stop()
		p.until(t, func() bool { return m.summary != nil && !m.play.exploring })
	})
	return p
}

func (p *pump) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { p.msgs <- cmd() }()
	}
}

// until pumps until cond holds.
func (p *pump) until(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			p.m.locked(p.m.render)
			t.Fatalf("never came; the screen shows:\n%s", p.m.View())
		}
		select {
		case msg := <-p.msgs:
			p.run(p.m.Update(msg))
		case <-time.After(20 * time.Millisecond):
			p.m.Update(frameMsg{})
		}
	}
	p.m.locked(p.m.render)
}

func (p *pump) settledAt(steps int) func() bool {
	return func() bool {
		b := p.m.play.turns.Board()
		return b.Steps == steps && b.Settled() && len(b.Ready()) > 0
	}
}

// Number keys give turns, a fast typist's keys in the order typed; the
// board says each task's next step.
func TestSchedulerKeysOnTheLessonScreen(t *testing.T) {
	p := startScheduled(t, builtin(t, "race-play"))
	m := p.m
	p.until(t, p.settledAt(0))
	press(m, '1')
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("12")}) // typed fast, read as one
	p.until(t, p.settledAt(3))
	v := m.View()
	for _, want := range []string{"Scheduler: you choose · step 3 · goal: make the balance end wrong",
		"1 t1         ▸ reads balance into its copy (to add -5)", "2 t2         ▸ writes its copy 5 +8 = 13 to balance"} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen lacks %q:\n%s", want, v)
		}
	}
	press(m, '3')
	if m.locked(m.render); !strings.Contains(m.View(), "no task 3: the tasks are 1 to 2") {
		t.Errorf("a third task:\n%s", m.View())
	}
	// o writes the order so far to a new file, never over one.
	t.Chdir(t.TempDir())
	os.WriteFile("race-play-1.schedule", []byte("mine\n"), 0o644)
	press(m, 'o')
	data, err := os.ReadFile("race-play-2.schedule")
	if err != nil || !strings.HasSuffix(string(data), "t1\nt1\nt2\n") {
		t.Errorf("saved: %q %v", data, err)
	}
	if mine, _ := os.ReadFile("race-play-1.schedule"); string(mine) != "mine\n" {
		t.Errorf("an existing file was written over")
	}
	// a: every task runs freely to the end.
	press(m, 'a')
	p.until(t, func() bool { return m.summary != nil })
	if v := m.View(); !strings.Contains(v, "every task runs freely") {
		t.Errorf("after a:\n%s", v)
	}
}

// Two key presses deadlock deadlock-play: the cycle is drawn, the goal
// met in 2 steps, and the explorer says how many orders meet it.
func TestSchedulerReachesTheDeadlock(t *testing.T) {
	p := startScheduled(t, builtin(t, "deadlock-play"))
	m := p.m
	p.until(t, p.settledAt(0))
	press(m, '1')
	press(m, '1')
	p.until(t, p.settledAt(2))
	press(m, '2') // b's m2 is a's now
	if m.locked(m.render); !strings.Contains(m.View(), "b cannot lock now: it waits for m2, held by a") {
		t.Errorf("b's refused turn:\n%s", m.View())
	}
	// Again from the start, as r does.
	m.src.lessonRun().Stop()
	p.until(t, func() bool { return m.summary != nil })
	p.run(m.src.start(m))
	p.until(t, p.settledAt(0))
	press(m, '1')
	press(m, '2')
	p.until(t, func() bool { return m.summary != nil && m.play.explored != nil })
	v := m.View()
	for _, want := range []string{"deadlock: a → m2 → b → m1 → a", "★ goal met in 2 steps", "2 of 6 orders meet it; the shortest take 2 steps, e.g. a b"} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen lacks %q:\n%s", want, v)
		}
	}
}

// A process task is outside the scheduler, and the board says so; a
// lesson waiting for keys of its own cannot have the scheduler.
func TestSchedulerOutsideAndRefused(t *testing.T) {
	sc, err := lesson.Load("mixed.yaml", []byte(`title: mixed
tasks:
  - name: g
    steps:
      - log: hello
  - name: p
    kind: process
    steps:
      - log: from a process
`))
	if err != nil {
		t.Fatal(err)
	}
	p := startScheduled(t, sc)
	p.until(t, func() bool { return strings.Contains(p.m.View(), "a process: outside the scheduler, it runs freely") })
	m := newLesson(tc(100, 30), builtin(t, "race-steps"), session.Options{})
	m.play.on = true
	m.beginTurns(true)
	if m.play.turns != nil || !strings.Contains(m.play.msg, "waits for key n") {
		t.Errorf("race-steps with the scheduler: %v %q", m.play.turns, m.play.msg)
	}
}
