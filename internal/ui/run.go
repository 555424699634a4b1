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
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/spec"
	"mtviz/internal/verdict"
)

// Config says what the UI shows.
type Config struct {
	Scenarios []*spec.Scenario
	Start     *spec.Scenario    // open this lesson at once (nil: the picker)
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
	picker   *picker
	lesson   *lessonModel
	other    screen // a comparison or a sweep, when shown
	keys     lessonKeys
	pkeys    pickerKeys
	w, h     int
	quitting bool
	ran      bool
	files    *runFiles
}

type quitNowMsg struct{}

// screen is a comparison or a sweep: screens that run their own sessions.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	helpShown() bool
	// stop cancels the runs; its message comes once their processes are gone.
	stop() tea.Cmd
	// cancelRuns cancels the runs and says when they are over (nil: none ran).
	cancelRuns() <-chan struct{}
	// outcome is the verdict once every run ended (nil before).
	outcome() *verdict.Summary
}

func newRoot(cfg Config) *root {
	r := &root{cfg: cfg, picker: newPicker(cfg.Scenarios), w: 80, h: 24, keys: newLessonKeys(), pkeys: newPickerKeys()}
	r.picker.SetSize(r.w, r.h)
	// Files are handed to each run by Outputs, never shared through Session.
	r.cfg.Session.Record, r.cfg.Session.Perfetto = nil, nil
	if cfg.Outputs != nil {
		r.files = &runFiles{outs: cfg.Outputs}
	}
	switch {
	case cfg.Replay != nil:
		r.lesson = newReplayLesson(cfg.Replay, r.w, r.h)
	case cfg.Start != nil && cfg.Start.Sweep != nil:
		r.other = newSweep(cfg.Start, cfg.Session, cfg.CSV, r.w, r.h)
	case cfg.Start != nil:
		r.lesson = newLesson(cfg.Start, r.cfg.Session, r.w, r.h)
		r.lesson.files = r.files
		r.lesson.play.on = cfg.Scheduler || cfg.Schedule != nil
		if cfg.Schedule != nil {
			r.lesson.play.follow = cfg.Schedule.Tasks()
		}
	case cfg.Compare != nil:
		r.other = newCompare(*cfg.Compare, r.w, r.h)
	}
	return r
}

func (r *root) Init() tea.Cmd {
	if r.other != nil {
		return r.other.Init()
	}
	if r.lesson != nil {
		return r.lesson.Init()
	}
	return nil
}

func (r *root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.w, r.h = msg.Width, msg.Height
		r.picker.SetSize(msg.Width, msg.Height)
		if r.lesson != nil {
			r.lesson.SetSize(msg.Width, msg.Height)
		}
		if r.other != nil {
			r.other.SetSize(msg.Width, msg.Height)
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
		r.other = newCompare(CompareConfig{Scenario: msg.sc, Variants: compare.Default(msg.sc), Session: r.cfg.Session}, r.w, r.h)
		r.ran = true
		return r, r.other.Init()
	case openMsg:
		if msg.sc.Sweep != nil {
			r.other = newSweep(msg.sc, r.cfg.Session, r.cfg.CSV, r.w, r.h)
			r.ran = true
			return r, r.other.Init()
		}
		r.lesson = newLesson(msg.sc, r.cfg.Session, r.w, r.h)
		r.lesson.files = r.files
		r.ran = true
		return r, r.lesson.Init()
	case backMsg:
		return r, r.back()
	case restartMsg:
		if r.lesson != nil {
			return r, r.lesson.start()
		}
		return r, nil
	}
	if r.other != nil {
		return r, r.other.Update(msg)
	}
	if r.lesson != nil {
		return r, r.lesson.Update(msg)
	}
	return r, r.picker.Update(msg)
}

// quitKey answers the keys that quit: on a comparison or a sweep; on the
// lesson screen (asking first when a watched program would end with it);
// in the picker only its own quit key (ctrl+c), q being a letter to filter
// by. done says the key was taken.
func (r *root) quitKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	if r.other != nil && !r.other.helpShown() && key.Matches(msg, r.keys.Quit) {
		return r.quit(), true
	}
	if key.Matches(msg, r.pkeys.Quit) || (r.lesson != nil && !r.lesson.showHelp && key.Matches(msg, r.keys.Quit)) {
		// A program started by 'mtviz watch --' ends with mtviz: ask first.
		if r.lesson != nil && r.lesson.programRunning() && !r.lesson.quitAsked && msg.String() != "ctrl+c" {
			r.lesson.quitAsked = true
			r.lesson.render()
			return nil, true
		}
		return r.quit(), true
	}
	if r.lesson != nil && r.lesson.quitAsked && !key.Matches(msg, r.keys.Back) {
		r.lesson.quitAsked = false // any other key: stay
	}
	return nil, false
}

// back leaves the screen shown for the picker, stopping what it runs.
func (r *root) back() tea.Cmd {
	if r.other != nil {
		old := r.other
		r.other = nil
		return old.stop()
	}
	old := r.lesson
	r.lesson = nil
	if old != nil && old.rp != nil {
		old.rp.close()
	}
	if old != nil && old.sess != nil {
		return stopSession(old.sess)
	}
	return nil
}

// quit stops the running lesson, waits until its tasks and processes are gone,
// then quits; if that takes more than a few seconds it quits anyway, and the
// caller of Run stops the session again.
func (r *root) quit() tea.Cmd {
	if r.quitting {
		return tea.Quit
	}
	r.quitting = true
	if r.other != nil {
		return tea.Batch(r.other.stop(), tea.Tick(5*time.Second, func(time.Time) tea.Msg { return quitNowMsg{} }))
	}
	if r.lesson == nil || r.lesson.sess == nil {
		return tea.Quit
	}
	return tea.Batch(stopSession(r.lesson.sess),
		tea.Tick(3*time.Second, func(time.Time) tea.Msg { return quitNowMsg{} }))
}

func (r *root) View() string {
	if r.other != nil {
		return r.other.View()
	}
	if r.lesson != nil {
		return r.lesson.View()
	}
	return r.picker.View()
}

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
	if fr, ok := final.(*root); ok && fr.lesson != nil && fr.lesson.rp != nil {
		fr.lesson.rp.close()
	}
	var out Outcome
	if fr, ok := final.(*root); ok {
		out = fr.end(cfg)
	}
	if pn := guard.Panicked(); pn != nil {
		return out, pn
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return out, fmt.Errorf("terminal: %w", err)
	}
	return out, nil
}

// end stops what the screen ran, waits for its files, and says how the
// last lesson shown ended.
func (r *root) end(cfg Config) Outcome {
	var out Outcome
	if r.lesson != nil {
		out.Ran = r.ran || cfg.Start != nil || cfg.Replay != nil
		out.Finished, out.Summary = r.lesson.finished(), r.lesson.summary
	}
	if r.other != nil {
		out.Ran = true
		out.Summary = r.other.outcome()
		out.Finished = out.Summary != nil
		if done := r.other.cancelRuns(); done != nil {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
			}
		}
	}
	if r.lesson != nil && r.lesson.sess != nil {
		out.RecordError = endSession(r.lesson.sess)
	}
	if err := r.files.wait(5 * time.Second); err != nil && out.RecordError == nil {
		out.RecordError = err
	}
	return out
}
