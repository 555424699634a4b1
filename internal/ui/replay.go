package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/fold"
	"mtviz/internal/keymap"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// replay plays a recording through the same fold and screen as a live run:
// a clock that runs at a chosen speed, pauses, and seeks. The recording is
// read as a stream (a seek back folds again from the start), and a frame
// folds for at most frameBudget: a long recording, or a seek across it,
// takes several frames, and keys are answered between them.
type replay struct {
	rec    *record.Recording
	play   *record.Player
	rkeys  keymap.Replay
	at     time.Duration  // the playback clock
	speed  int            // index into speeds
	held   bool           // the playback is paused
	last   time.Time      // wall time of the last advance
	behind bool           // the fold has not caught up with the clock yet
	failed bool           // the recording could not be read to its end
	judge  *verdict.Judge // the checks, fed what the fold is fed
}

// speeds are playback rates; 0 stands for as fast as it can.
var speeds = []float64{1, 2, 10, 0}

// frameBudget bounds a frame's folding (the screen draws 10 frames a
// second); the recording is read and checked ahead, off the update loop.
const frameBudget = 25 * time.Millisecond

func newReplay(rec *record.Recording) *replay {
	return &replay{rec: rec, play: record.NewPlayer(rec), rkeys: keymap.NewReplay(), judge: session.NewJudge(rec.Scenario, rec.Header)}
}

func (r *replay) speedName() string {
	if r.behind {
		return words.T("seeking…")
	}
	switch s := speeds[r.speed]; s {
	case 0:
		return words.T("max")
	case 1:
		return "1×"
	case 2:
		return "2×"
	default:
		return "10×"
	}
}

// lastAt is the recording's last moment.
func (r *replay) lastAt() time.Duration { return r.rec.Span }

// advance moves the clock on by the wall time since the last frame, at the
// chosen speed, and folds what the recording holds up to it, within the
// frame's budget. It reports whether anything changed.
func (r *replay) advance(m *lessonModel) bool {
	now := time.Now()
	dt := now.Sub(r.last)
	if r.last.IsZero() || r.behind {
		dt = 0 // the clock waits while a seek catches up
	}
	r.last = now
	if r.play.Done() || (r.held && !r.behind) {
		r.finish(m)
		return false
	}
	switch s := speeds[r.speed]; {
	case r.behind:
		r.behind = r.fold(m, r.at, now.Add(frameBudget))
	case s > 0:
		r.at += time.Duration(float64(dt) * s)
		r.fold(m, r.at, now.Add(frameBudget))
	default:
		r.fold(m, 1<<62, now.Add(frameBudget))
		r.at = max(r.at, m.tl.Now)
	}
	r.finish(m)
	return true
}

// fold applies items whose time has come, until the deadline. It reports
// whether items up to until are left for the next frame.
func (r *replay) fold(m *lessonModel, until time.Duration, deadline time.Time) bool {
	more := r.play.Until(until, deadline, func(it fold.Item) {
		m.tl.Apply(it)
		r.judge.Apply(it)
	})
	if err := r.play.Err(); err != nil && !r.failed {
		r.failed = true
		m.tl.AddLog(fold.Entry{T: m.tl.Now, Text: words.F("the recording could not be read on: %s", text.Clean(err.Error())), Class: fold.Bad})
	}
	return more
}

// settle folds up to the clock with no bound on time (tests).
func (r *replay) settle(m *lessonModel) {
	for r.behind = true; r.behind; {
		r.behind = r.fold(m, r.at, time.Now().Add(time.Hour))
	}
	r.finish(m)
}

// close stops reading the recording ahead.
func (r *replay) close() { r.play.Close() }

// finish judges the run once every item is folded, as the live run did.
func (r *replay) finish(m *lessonModel) {
	if r.play.Done() && m.summary == nil {
		m.finish(session.Decide(r.judge, r.rec.End))
	}
}

// seek moves the clock to t: forward from where the fold is, or again
// from the start. The folding itself is done by this frame and the next.
func (r *replay) seek(m *lessonModel, t time.Duration) {
	t = max(0, min(t, r.lastAt()))
	if m.tl == nil || t < m.tl.Now {
		m.reset(newFold(r.rec))
		r.play.Rewind()
		r.judge = session.NewJudge(r.rec.Scenario, r.rec.Header)
		r.failed = false
	}
	r.at = t
	r.behind = r.fold(m, t, time.Now().Add(frameBudget))
	if !r.play.Done() {
		m.summary = nil
	}
	r.finish(m)
}

func newFold(rec *record.Recording) *fold.Timeline {
	return fold.New(fold.Config{Scenario: rec.Scenario, Cores: rec.Header.Cores, Root: rec.Header.Root, Watch: rec.Header.Watch})
}

// key handles the replay's own keys, and space (pause the playback).
func (r *replay) key(m *lessonModel, msg tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, r.rkeys.Pause):
		r.pause(m)
	case key.Matches(msg, r.rkeys.Back):
		r.seek(m, r.at-time.Second)
	case key.Matches(msg, r.rkeys.Forward):
		r.seek(m, r.at+time.Second)
	case key.Matches(msg, r.rkeys.Start):
		r.seek(m, 0)
	case key.Matches(msg, r.rkeys.End):
		r.seek(m, r.lastAt())
	case key.Matches(msg, r.rkeys.Faster):
		r.speed = min(len(speeds)-1, r.speed+1)
	case key.Matches(msg, r.rkeys.Slower):
		r.speed = max(0, r.speed-1)
	case key.Matches(msg, r.rkeys.Restart):
		r.seek(m, 0)
		r.held = false
	default:
		return nil, false
	}
	return nil, true
}

// newReplayLesson is the lesson screen playing a recording.
func newReplayLesson(c *Common, rec *record.Recording) *lessonModel {
	m := newLessonOf(c, rec.Scenario, newReplay(rec))
	m.reset(newFold(rec))
	m.render()
	return m
}

// The replay as the lesson screen's source: the only fold of the run is
// the screen's own, and its clock is the playback's.

func (r *replay) start(*lessonModel) tea.Cmd                   { return nil } // the frames play it
func (r *replay) read(_ *lessonModel, f func())                { f() }
func (r *replay) update(*lessonModel, tea.Msg) (tea.Cmd, bool) { return nil, false }

// frame: a seek catching up is drawn once it has, so a frame stays small.
func (r *replay) frame(m *lessonModel) bool         { return r.advance(m) && !r.behind }
func (r *replay) now(*lessonModel) time.Duration    { return r.at }
func (r *replay) paused() bool                      { return r.held }
func (r *replay) hold(*lessonModel)                 {} // the playback's clock says when
func (r *replay) restart(*lessonModel) tea.Cmd      { return nil }
func (r *replay) runtimeTrace() tea.Cmd             { return nil }
func (r *replay) state(*lessonModel) (string, bool) { return "", false }
func (r *replay) lessonRun() *session.Session       { return nil }
func (r *replay) programRunning(*lessonModel) bool  { return false }
func (r *replay) stop() tea.Cmd                     { r.close(); return nil }
func (r *replay) end() error                        { r.close(); return nil }

func (r *replay) pause(*lessonModel) {
	r.held = !r.held
	r.last = time.Now()
}

// keys: in a replay the help lists only the keys that act on a recording.
func (r *replay) keys(c *Common) keyList {
	return keyList{short: r.rkeys.ShortHelp(), full: c.keys.ReplayHelp(r.rkeys)}
}

func (r *replay) mode(m *lessonModel) string {
	return m.st.Key.Render(words.T("replay ") + r.speedName())
}

// prompts: a replay cannot press the keys the lesson waited for.
func (r *replay) prompts(*fold.Timeline) []fold.KeyPrompt { return nil }
