package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/keymap"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/timeline"
)

// replay plays a recording through the same fold and screen as a live run:
// a clock that runs at a chosen speed, pauses, and seeks (a seek back folds
// again from the start, which is cheap: the fold runs far faster than
// real time).
type replay struct {
	rec    *record.Recording
	keys   keymap.Replay
	pos    int           // items folded so far
	at     time.Duration // the playback clock
	speed  int           // index into speeds
	paused bool
	last   time.Time // wall time of the last advance
}

// speeds are playback rates; 0 stands for as fast as it can.
var speeds = []float64{1, 2, 10, 0}

// fastest is how many items a frame folds at the top speed.
const fastest = 4000

func newReplay(rec *record.Recording) *replay {
	return &replay{rec: rec, keys: keymap.NewReplay()}
}

func (r *replay) speedName() string {
	switch s := speeds[r.speed]; s {
	case 0:
		return "max"
	case 1:
		return "1×"
	case 2:
		return "2×"
	default:
		return "10×"
	}
}

// end is the recording's last moment.
func (r *replay) end() time.Duration {
	var t time.Duration
	for i := range r.rec.Items {
		t = max(t, r.rec.Items[i].T())
	}
	return t
}

// advance moves the clock on by the wall time since the last frame, at the
// chosen speed, and folds what the recording holds up to it. It reports
// whether anything changed.
func (r *replay) advance(m *lessonModel) bool {
	now := time.Now()
	dt := now.Sub(r.last)
	if r.last.IsZero() {
		dt = 0
	}
	r.last = now
	if r.paused || r.pos >= len(r.rec.Items) {
		r.finish(m)
		return false
	}
	if s := speeds[r.speed]; s > 0 {
		r.at += time.Duration(float64(dt) * s)
		r.fold(m, r.at, len(r.rec.Items))
	} else {
		r.fold(m, 1<<62, fastest)
		r.at = max(r.at, m.tl.Now)
	}
	r.finish(m)
	return true
}

// fold applies items whose time has come, at most n of them.
func (r *replay) fold(m *lessonModel, until time.Duration, n int) {
	items := r.rec.Items
	for ; r.pos < len(items) && n > 0; n-- {
		if items[r.pos].T() > until {
			break
		}
		m.tl.Apply(items[r.pos])
		r.pos++
	}
}

// finish judges the run once every item is folded, as the live run did.
func (r *replay) finish(m *lessonModel) {
	if r.pos >= len(r.rec.Items) && m.summary == nil {
		sum, _ := session.Judge(r.rec)
		m.finish(sum)
		m.frozen = false // the replay's clock, not a frozen one, says now
	}
}

// seek folds the recording again from the start up to t.
func (r *replay) seek(m *lessonModel, t time.Duration) {
	t = max(0, min(t, r.end()))
	if t < r.at || m.tl == nil {
		m.reset(newFold(r.rec))
		r.pos = 0
	}
	r.at = t
	r.fold(m, t, len(r.rec.Items))
	if r.pos < len(r.rec.Items) {
		m.summary = nil
	}
	r.finish(m)
}

func newFold(rec *record.Recording) *timeline.Timeline {
	return timeline.New(timeline.Config{Scenario: rec.Scenario, Cores: rec.Header.Cores, Root: rec.Header.Root, Watch: rec.Header.Watch})
}

// key handles the replay's own keys, and space (pause the playback).
func (r *replay) key(m *lessonModel, msg tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.keys.Pause):
		r.paused = !r.paused
		r.last = time.Now()
	case key.Matches(msg, r.keys.Back):
		r.seek(m, r.at-time.Second)
	case key.Matches(msg, r.keys.Forward):
		r.seek(m, r.at+time.Second)
	case key.Matches(msg, r.keys.Start):
		r.seek(m, 0)
	case key.Matches(msg, r.keys.End):
		r.seek(m, r.end())
	case key.Matches(msg, r.keys.Faster):
		r.speed = min(len(speeds)-1, r.speed+1)
	case key.Matches(msg, r.keys.Slower):
		r.speed = max(0, r.speed-1)
	case key.Matches(msg, m.keys.Restart):
		r.seek(m, 0)
		r.paused = false
	default:
		return nil, false
	}
	return nil, true
}

// newReplayLesson is the lesson screen playing a recording.
func newReplayLesson(rec *record.Recording, w, h int) *lessonModel {
	m := newLesson(rec.Scenario, session.Options{}, w, h)
	m.rp = newReplay(rec)
	m.reset(newFold(rec))
	m.render()
	return m
}
