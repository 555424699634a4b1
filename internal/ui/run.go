// Package ui is the terminal interface: a lesson picker and the lesson screen.
// It reads the engine's events and the probe's samples through a session and
// drives the engine only through explicit commands: pause, restart, and the
// keys a lesson waits for.
package ui

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/compare"
	"mtviz/internal/explore"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

// Config says what the UI shows.
type Config struct {
	Scenarios []*lesson.Scenario
	Start     *lesson.Scenario  // open this lesson at once (nil: the picker)
	Replay    *record.Recording // or play this recording
	Compare   *CompareConfig    // or compare these variants
	Session   session.Options
	CSV       string // a sweep also writes its points here
	// Scheduler opens the lesson with the scheduler on: the learner
	// chooses who takes each step. Schedule, when set, is replayed first,
	// a step at a time, and then the learner goes on.
	Scheduler bool
	Schedule  *explore.Schedule
	// Outputs, when set, gives each lesson run on the screen its --record
	// and --trace files: the first run's, then a restart's or another
	// lesson's. Session.Record and Session.Perfetto are not used.
	Outputs Outputs
}

// Outcome is how the last lesson shown ended.
type Outcome struct {
	Ran      bool             // a lesson was opened
	Finished bool             // and its run came to its end before the screen closed
	Summary  *verdict.Summary // its verdicts, when it finished
	// RecordError is why a run's --record or --trace file could not be
	// written, if one could not.
	RecordError error
}

type root struct {
	cfg      Config
	c        *Common
	picker   *picker
	screen   screen // what is shown: the picker, or a screen opened from it
	quitting bool
}

type quitNowMsg struct{}

func newRoot(cfg Config) *root {
	c := newCommon(80, 24, cfg.Session, cfg.CSV)
	// Files are handed to each run by Outputs, never shared through the
	// options: every lesson run on the screen is written to files of its own.
	c.runOpt.Record, c.runOpt.Perfetto = nil, nil
	if cfg.Outputs != nil {
		c.files = &runFiles{outs: cfg.Outputs}
	}
	r := &root{cfg: cfg, c: c, picker: newPicker(c, cfg.Scenarios)}
	r.picker.SetSize(c.w, c.h)
	r.screen = r.picker
	switch {
	case cfg.Replay != nil:
		r.screen = newReplayLesson(c, cfg.Replay)
	case cfg.Start != nil && cfg.Start.Sweep != nil:
		r.screen = newSweep(c, cfg.Start)
	case cfg.Start != nil:
		m := newLesson(c, cfg.Start, c.runOpt)
		m.play.on = cfg.Scheduler || cfg.Schedule != nil
		if cfg.Schedule != nil {
			m.play.follow = cfg.Schedule.Tasks()
		}
		r.screen = m
	case cfg.Compare != nil:
		r.screen = newCompare(c, *cfg.Compare)
	}
	return r
}

func (r *root) Init() tea.Cmd { return r.screen.Init() }

func (r *root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.c.w, r.c.h = msg.Width, msg.Height
		r.picker.SetSize(msg.Width, msg.Height)
		if r.screen != screen(r.picker) {
			r.screen.SetSize(msg.Width, msg.Height)
		}
		return r, nil
	case tea.KeyMsg:
		if cmd, done := r.quitKey(msg); done {
			return r, cmd
		}
	case quitNowMsg:
		return r, tea.Quit
	case stoppedMsg:
		if r.quitting {
			return r, tea.Quit
		}
		return r, nil
	case compareMsg:
		return r, r.open(newCompare(r.c, CompareConfig{Scenario: msg.sc, Variants: compare.Default(msg.sc), Session: r.c.runOpt}))
	case openMsg:
		if msg.sc.Sweep != nil {
			return r, r.open(newSweep(r.c, msg.sc))
		}
		return r, r.open(newLesson(r.c, msg.sc, r.c.runOpt))
	case backMsg:
		return r, r.back()
	}
	return r, r.screen.Update(msg)
}

// open shows a screen opened from the picker.
func (r *root) open(s screen) tea.Cmd {
	r.screen = s
	return s.Init()
}

// quitKey answers the keys that quit (q and ctrl+c, on every screen; q is
// no letter to filter by): the screen may ask first. done says the key
// was taken.
func (r *root) quitKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	if !key.Matches(msg, r.c.pkeys.Quit) {
		return nil, false
	}
	if msg.String() != "ctrl+c" && r.screen.asksBeforeQuit(msg) {
		return nil, true
	}
	return r.quit(), true
}

// back leaves the screen shown for the picker, stopping what it runs.
func (r *root) back() tea.Cmd {
	old := r.screen
	r.screen = r.picker
	return old.stop()
}

// quit stops what the screen runs, waits until its tasks and processes are
// gone, then quits; if that takes more than a few seconds it quits anyway,
// and Run stops the runs again.
func (r *root) quit() tea.Cmd {
	if r.quitting {
		return tea.Quit
	}
	r.quitting = true
	stop := r.screen.stop()
	if stop == nil {
		return tea.Quit
	}
	return tea.Batch(stop, tea.Tick(stopGrace, func(time.Time) tea.Msg { return quitNowMsg{} }))
}

func (r *root) View() string { return r.screen.View() }

// endSession stops a session and waits (5 s at most) for its end; it says
// why its files could not be written, if they could not.
func endSession(s *session.Session) error {
	s.Stop()
	done := make(chan struct{})
	go func() {
		s.Wait()
		close(done)
	}()
	select {
	case <-done:
		return s.RecordError()
	case <-time.After(5 * time.Second):
		return errors.New("the run did not end in time to finish its files")
	}
}

// Run shows the UI until the user quits, then makes sure the running lesson
// has stopped before returning. It says how the last lesson ended.
func Run(cfg Config) (Outcome, error) {
	applyTheme(chosenTheme)
	r := newRoot(cfg)
	p := tea.NewProgram(r, tea.WithAltScreen(), tea.WithFPS(fps))
	// Bubble Tea restores the terminal on SIGINT and SIGTERM but not on
	// SIGHUP (the terminal closed) nor SIGQUIT (whose default leaves the
	// terminal raw after a goroutine dump): handle them here, as a quit.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(hup)
	stop := make(chan struct{})
	defer close(stop)
	// end quits the program as q does, which restores the terminal and waits
	// for the input reader (Kill would not wait, and races with it); if the
	// program does not end in time, it is killed.
	end := func() {
		p.Quit()
		select {
		case <-stop:
		case <-time.After(2 * time.Second):
			p.Kill()
		}
	}
	go func() {
		select {
		case <-hup:
			end()
		case <-stop:
		}
	}()
	// A panic in a goroutine of mtviz's own ends the program the same way.
	guard.OnPanic(end)
	defer guard.OnPanic(nil)
	final, err := p.Run()
	var out Outcome
	if fr, ok := final.(*root); ok {
		if fr.screen != screen(fr.picker) {
			out.Ran = true
			out.Summary = fr.screen.outcome()
			out.Finished = out.Summary != nil
			out.RecordError = fr.screen.end()
		}
		if err := fr.c.files.wait(5 * time.Second); err != nil && out.RecordError == nil {
			out.RecordError = err
		}
	}
	if pn := guard.Panicked(); pn != nil {
		return out, pn
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return out, fmt.Errorf("terminal: %w", err)
	}
	return out, nil
}
