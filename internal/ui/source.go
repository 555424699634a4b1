package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/fold"
	"mtviz/internal/session"
	"mtviz/internal/words"
)

// source is where a lesson screen's run comes from: a lesson's live
// session, a recording played back (replay), or a watched program. The
// screen draws the source's fold at the source's time; everything the
// three do differently is behind this.
type source interface {
	// start begins the run, and again on a restart; its command brings
	// what the run delivers (nil: the frames do).
	start(m *lessonModel) tea.Cmd
	// read calls f while the fold is m.tl and holds still.
	read(m *lessonModel, f func())
	// update takes the source's own messages; ok is false for others.
	update(m *lessonModel, msg tea.Msg) (cmd tea.Cmd, ok bool)
	// frame moves the run on at a frame's tick; it says whether to draw.
	frame(m *lessonModel) bool
	// now is the run's time on screen; it stands still while the run is
	// paused or once it ended.
	now(m *lessonModel) time.Duration
	// paused says whether the run (or the playback) is paused: the one
	// word on it. pause pauses or resumes it.
	paused() bool
	pause(m *lessonModel)
	// hold stops the clock on screen: the run has ended.
	hold(m *lessonModel)
	// key takes the source's own keys before the screen's; ok is false
	// for any other key.
	key(m *lessonModel, msg tea.KeyMsg) (cmd tea.Cmd, ok bool)
	// restart and runtimeTrace answer r and t (nil: they do nothing here).
	restart(m *lessonModel) tea.Cmd
	runtimeTrace() tea.Cmd
	// keys are the footer's keys and the ? help's columns.
	keys(c *Common) keyList
	// state is the header's word on the run, when the source has its own.
	state(m *lessonModel) (string, bool)
	// mode is the header's word on how it is read: the trace, the speed.
	mode(m *lessonModel) string
	// prompts are the keys the lesson waits for that can be pressed.
	prompts(tl *fold.Timeline) []fold.KeyPrompt
	// lessonRun is the live lesson's session, which the scheduler drives
	// (nil for a recording or a watched program).
	lessonRun() *session.Session
	// programRunning: a program started by 'mtviz watch --' still runs,
	// and would end with mtviz.
	programRunning(m *lessonModel) bool
	stop() tea.Cmd
	end() error
}

// liveSource is a lesson run now, by the engine, in a session. The screen
// reads the session's own fold.
type liveSource struct {
	opt        session.Options
	sess       *session.Session
	restarting bool // the old run is being stopped: r waits for it
	tracing    bool // the session's word, asked before its fold is held
	// heldAt is where the clock on screen stands while it is held (see
	// held): the moment the run was paused or ended.
	heldAt time.Duration
}

// held says the clock on screen stands still: the run has not begun, is
// paused (the session's word, the only one on it) or has ended.
func (s *liveSource) held(m *lessonModel) bool {
	return s.sess == nil || s.sess.Paused() || m.finished()
}

func (s *liveSource) start(m *lessonModel) tea.Cmd {
	m.beginTurns(!s.watching())
	opt := s.opt
	opt.Turns = m.play.turns
	// Every run is written to files of its own (--record, --trace).
	files, note := m.files.open(&opt)
	s.sess = session.Start(context.Background(), m.sc, opt)
	s.restarting = false
	s.read(m, func() {
		m.reset(m.tl)
		if note.Text != "" {
			m.tl.AddLog(note)
		}
		m.render()
	})
	return tea.Batch(waitItems(s.sess), m.files.close(s.sess, files))
}

func (s *liveSource) watching() bool { return s.opt.Runner != nil }

func (s *liveSource) read(m *lessonModel, f func()) {
	if s.sess == nil {
		f() // no run yet: the fold the screen was given
		return
	}
	// The trace's word is asked before the fold is held: turning the trace
	// off waits for the session's deliverer, which may wait for the fold.
	s.tracing, _ = s.sess.Tracing()
	s.sess.Read(func(tl *fold.Timeline) {
		m.tl = tl
		f()
	})
}

func (s *liveSource) update(m *lessonModel, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case itemsMsg:
		if msg.s != s.sess {
			return nil, true // a stopped run's last words
		}
		if s.held(m) {
			m.render()
		}
		return waitItems(s.sess), true
	case sessionDoneMsg:
		if msg.s == s.sess {
			m.finish(msg.s.Summary())
			return m.exploreGoal(), true
		}
		return nil, true
	case filesMsg:
		if msg.s == s.sess {
			m.filesDone(msg)
		}
		return nil, true
	case exploredMsg:
		if msg.s == s.sess {
			m.play.explored, m.play.exploring = msg.r, false
			m.render()
		}
		return nil, true
	case traceMsg:
		if msg.s == s.sess {
			if msg.err != nil {
				m.tl.AddLog(fold.Entry{Text: words.F("runtime trace: %s", msg.err.Error()), Class: fold.Bad})
			}
			m.render()
		}
		return nil, true
	}
	return nil, false
}

func (s *liveSource) frame(m *lessonModel) bool {
	m.stepTurns()
	// A held screen (paused or finished) changes only when data or keys
	// do; those redraw it themselves.
	return !s.held(m)
}

func (s *liveSource) now(m *lessonModel) time.Duration {
	if s.held(m) {
		return s.heldAt
	}
	return s.clock(m)
}

// clock is the run's time now: the fold's end once the run is over.
func (s *liveSource) clock(m *lessonModel) time.Duration {
	switch {
	case m.tl != nil && m.tl.Finished:
		return m.tl.Now
	case s.sess == nil:
		return 0
	}
	return time.Since(s.sess.Start)
}

func (s *liveSource) paused() bool { return s.sess != nil && s.sess.Paused() }

// pause pauses or resumes the run, while it runs.
func (s *liveSource) pause(m *lessonModel) {
	if m.finished() || s.sess == nil {
		return
	}
	if s.sess.Paused() {
		s.sess.Resume()
		return
	}
	s.heldAt = s.clock(m)
	s.sess.Pause()
}

// hold keeps the moment the run ended, unless it was paused then: the
// clock stands where the pause stopped it.
func (s *liveSource) hold(m *lessonModel) {
	if s.sess != nil && !s.sess.Paused() {
		s.heldAt = s.clock(m)
	}
}

// key hands a key a lesson step waits for to the run.
func (s *liveSource) key(m *lessonModel, msg tea.KeyMsg) (tea.Cmd, bool) {
	if s.sess == nil || msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return nil, false
	}
	for _, p := range m.tl.Keys {
		if p.Key == string(msg.Runes) {
			s.sess.Key(msg.Runes[0])
			return nil, true
		}
	}
	return nil, false
}

// restart stops the run and starts it again: the old run's tasks and
// processes end before the new run starts; while it stops, r is ignored.
func (s *liveSource) restart(m *lessonModel) tea.Cmd {
	if s.sess == nil || s.restarting {
		return nil
	}
	s.restarting = true
	m.restarts++
	return tea.Sequence(stopSession(s.sess), func() tea.Msg { return restartMsg{} })
}

func (s *liveSource) runtimeTrace() tea.Cmd {
	if s.sess == nil {
		return nil
	}
	sess, on := s.sess, !s.tracing
	return func() tea.Msg { return traceMsg{sess, sess.SetRuntimeTrace(on)} }
}

func (s *liveSource) keys(c *Common) keyList {
	return keyList{short: c.keys.ShortHelp(), full: c.keys.FullHelp()}
}

func (s *liveSource) state(*lessonModel) (string, bool) { return "", false }

func (s *liveSource) mode(m *lessonModel) string {
	switch {
	case s.tracing:
		return m.st.OK.Render(words.T("trace on"))
	case m.w < 100:
		return "" // room for what matters
	}
	return m.st.Dim.Render(words.T("trace off"))
}

func (s *liveSource) prompts(tl *fold.Timeline) []fold.KeyPrompt { return tl.Keys }

func (s *liveSource) lessonRun() *session.Session { return s.sess }

func (s *liveSource) programRunning(*lessonModel) bool { return false }

func (s *liveSource) stop() tea.Cmd {
	if s.sess == nil {
		return nil
	}
	return stopSession(s.sess)
}

func (s *liveSource) end() error {
	if s.sess == nil {
		return nil
	}
	return endSession(s.sess)
}

// watchSource is a watched program ('mtviz watch'): a session whose
// runner is the watcher. Space freezes the screen only; the program runs
// on, and is not restarted, traced nor scheduled.
type watchSource struct{ liveSource }

func (s *watchSource) restart(*lessonModel) tea.Cmd { return nil }
func (s *watchSource) runtimeTrace() tea.Cmd        { return nil }
func (s *watchSource) lessonRun() *session.Session  { return nil }

func (s *watchSource) keys(c *Common) keyList {
	pause := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", words.T("freeze/unfreeze the screen")))
	return keyList{short: []key.Binding{pause, c.keys.ZoomIn, c.keys.ZoomOut, c.keys.Focus}, full: c.keys.FullHelp()}
}

func (s *watchSource) state(m *lessonModel) (string, bool) {
	switch {
	case m.summary != nil:
		return m.st.OK.Render(words.T("■ the watch has ended")), true
	case s.paused():
		return m.st.Warn.Render(words.T("⏸ screen frozen (the program runs on)")), true
	}
	return m.st.OK.Render(words.T("▶ watching")), true
}

// programRunning: the command started by 'mtviz watch --' still runs.
func (s *watchSource) programRunning(m *lessonModel) bool {
	r, ok := s.opt.Runner.(interface{ Running() bool })
	return ok && r.Running() && !m.finished()
}
