package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/keymap"
	"mtviz/internal/lesson"
	"mtviz/internal/record"
	"mtviz/internal/session"
)

// keyRecording is a recorded run of a lesson that waited for the key w.
func keyRecording(t *testing.T) *record.Recording {
	src := "title: keys\ntasks:\n  - name: main\n    steps:\n      - key: {key: w, label: wake the parent, auto: 1s}\n"
	sc, err := lesson.Load("k.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := record.NewWriter(&buf)
	w.Header(record.NewHeader(sc, 2, time.Unix(1700000000, 0), 7, 10))
	ms := time.Millisecond
	w.Item(fold.Item{Events: []event.Event{{T: ms, Round: 1, Data: event.RoundStart{}},
		{T: 2 * ms, Task: "main", Data: event.TaskStart{State: event.Created}},
		{T: 3 * ms, Task: "main", Data: event.KeyWait{Key: "w", Label: "wake the parent"}},
		{T: 4 * ms, Task: "main", Data: event.StateChange{State: event.Blocked, Reason: event.ReasonKey, Object: "w"}},
	}})
	w.Item(fold.Item{Events: []event.Event{{T: 900 * ms, Data: event.Finish{}}}})
	w.End(record.End{})
	rec, err := record.ReadBytes("k.jsonl", buf.Bytes(), record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// A replay offers, in its footer and its ? help, only keys that act on a
// recording: not the key the recorded lesson waited for, not the runtime
// trace, not the scheduler. The same lesson's help, live, offers them.
func TestReplayOffersOnlyItsKeys(t *testing.T) {
	rec := keyRecording(t)
	play := newReplayLesson(tc(160, 48), rec)
	defer rp(play).close()
	rp(play).seek(play, 100*time.Millisecond)
	rp(play).settle(play)
	if len(play.tl.Keys) != 1 {
		t.Fatalf("the recording's key prompt was not folded: %+v", play.tl.Keys)
	}
	play.render()
	footer := ansi.Strip(play.footer())
	play.showHelp = true
	play.render()
	help := ansi.Strip(play.View())
	for _, absent := range []string{"wake the parent", "runtime trace", "scheduler"} {
		if strings.Contains(footer, absent) {
			t.Errorf("the replay footer offers %q:\n%s", absent, footer)
		}
		if strings.Contains(help, absent) {
			t.Errorf("the replay help offers %q:\n%s", absent, help)
		}
	}
	for _, present := range []string{"pause/resume the playback", "back one second", "faster", "play from the start", "zoom in", "next panel"} {
		if !strings.Contains(help, present) {
			t.Errorf("the replay help lacks %q:\n%s", present, help)
		}
	}
	if !strings.Contains(footer, "back one second") {
		t.Errorf("the replay footer lacks its keys:\n%s", footer)
	}

	// The live screen, folded from the same events, offers all of them.
	live := newLesson(tc(160, 48), rec.Scenario, session.Options{})
	live.reset(fold.New(fold.Config{Scenario: rec.Scenario, Cores: 2, Root: 7}))
	live.tl.Event(&event.Event{T: 3 * time.Millisecond, Task: "main", Data: event.KeyWait{Key: "w", Label: "wake the parent"}})
	live.showHelp = true
	live.render()
	lhelp := ansi.Strip(live.View())
	for _, present := range []string{"wake the parent", "runtime trace", "scheduler"} {
		if !strings.Contains(lhelp, present) {
			t.Errorf("the live help lacks %q:\n%s", present, lhelp)
		}
	}
}

// Every key the replay's help lists does something to a replay: its
// screen or its position changes.
func TestReplayHelpKeysAllAct(t *testing.T) {
	rec := keyRecording(t)
	for _, col := range keymap.NewLesson().ReplayHelp(newReplay(rec).rkeys) {
		for _, b := range col {
			if b.Keys()[0] == "q" {
				continue // the root model quits
			}
			m := newReplayLesson(tc(120, 40), rec)
			rp(m).seek(m, 500*time.Millisecond)
			rp(m).settle(m)
			rp(m).speed, m.scroll[m.focus] = 1, 5 // room to go either way
			before := replayState(m)
			k := b.Keys()[0]
			msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
			if kt, ok := keyTypes[k]; ok {
				msg = tea.KeyMsg{Type: kt}
			}
			cmd := m.key(msg)
			if replayState(m) == before && cmd == nil {
				t.Errorf("key %q (%s) does nothing in a replay", k, b.Help().Desc)
			}
			rp(m).close()
		}
	}
}

var keyTypes = map[string]tea.KeyType{
	" ": tea.KeySpace, "left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
	"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "up": tea.KeyUp, "down": tea.KeyDown,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "esc": tea.KeyEsc, "ctrl+c": tea.KeyCtrlC,
}

type replayKeyState struct {
	at                 time.Duration
	paused, help       bool
	speed, zoom, focus int
	scroll             [focusCount]int
}

func replayState(m *lessonModel) replayKeyState {
	return replayKeyState{rp(m).at, rp(m).held, m.showHelp, rp(m).speed, m.zoom, int(m.focus), m.scroll}
}
