package ui

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/session"
)

var update = flag.Bool("update", false, "rewrite golden files")

func builtin(t testing.TB, id string) *lesson.Scenario {
	sc, err := lesson.Builtin(id)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// fakeLesson is a lesson screen fed with a fixed history of events and
// samples, frozen at a fixed time, so its drawing is repeatable.
func fakeLesson(t testing.TB, lanes int, w, h int) *lessonModel {
	sc := builtin(t, "race")
	m := newLesson(tc(w, h), sc, session.Options{})
	m.reset(fold.New(fold.Config{Scenario: sc, Cores: 2, Root: 4242}))
	holdAt(m, 3*time.Second)
	names := []string{"main", "racy-5", "racy-8", "locked-5", "locked-8"}
	for i := 5; i < lanes; i++ {
		names = append(names, fmt.Sprintf("worker-%d", i))
	}
	ev := func(e event.Event) { m.tl.Event(&e) }
	ev(event.Event{T: 0, Round: 1, Data: event.RoundStart{}})
	for i, n := range names {
		ev(event.Event{T: 0, Task: n, Data: event.TaskStart{State: event.Created}})
		states := []event.State{event.Running, event.Blocked, event.Runnable, event.Running, event.Sleeping}
		for k := 0; k < 60; k++ {
			st := states[(k+i)%len(states)]
			var reason event.Reason
			if st == event.Blocked {
				reason = event.ReasonLock
			}
			ev(event.Event{T: time.Duration(k) * 50 * time.Millisecond, Task: n, Data: event.StateChange{State: st, Reason: reason, Object: "lock", Holder: "main"}})
		}
	}
	ev(event.Event{T: time.Second, Data: event.CounterChange{Object: "balance", Value: -862, Lost: 86431}})
	ev(event.Event{T: time.Second, Data: event.LockChange{Object: "lock", Holder: "locked-5", Count: 1, Waiters: []string{"locked-8"}}})
	ev(event.Event{T: time.Second, Task: "main", Data: event.Log{Text: "two tasks change the balance with no lock"}})
	ev(event.Event{T: 2 * time.Second, Round: 1, Data: event.RoundEnd{Values: map[string]int64{"balance": -862, "locked": 0}}})
	m.tl.Apply(fold.Item{Sample: &probe.Sample{T: 2 * time.Second, Cores: []float64{97, 41},
		Procs: []probe.Proc{{PID: 4242, PPID: 1, Name: "mtviz", State: "R", CPU: 138, NThreads: 9}}}})
	m.render()
	return m
}

func TestLessonFitsEveryTerminal(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {60, 20}, {40, 12}} {
		m := fakeLesson(t, 5, sz[0], sz[1])
		for _, help := range []bool{false, true} {
			m.showHelp = help
			m.render()
			lines := strings.Split(m.View(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%dx%d help=%v: %d lines", sz[0], sz[1], help, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%dx%d help=%v: line %d is %d wide", sz[0], sz[1], help, i, w)
				}
			}
		}
	}
}

// On a small screen, lanes too many to show scroll in a third of it, and
// the panel below keeps room: here every line of the log.
func TestManyLanesLeaveRoomBelow(t *testing.T) {
	m := fakeLesson(t, 500, 80, 24)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "lanes 1-") {
		t.Errorf("500 lanes do not say that they scroll:\n%s", view)
	}
	for _, line := range []string{"round 1 of 10", "two tasks change the balance", "round 1 ended"} {
		if !strings.Contains(view, line) {
			t.Errorf("the log's %q is not shown at 80x24 beside 500 lanes:\n%s", line, view)
		}
	}
}

// The whole screen at 100×30, without colour: a change in layout shows up
// as a change in this file.
func TestLessonGolden(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lipgloss.SetColorProfile(termenv.ANSI256)
	m := fakeLesson(t, 5, 100, 30)
	got := m.View() + "\n"
	const file = "testdata/lesson-100x30.golden"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(file, []byte(got), 0o644)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("screen changed; run go test ./internal/ui -run Golden -update and review the diff\ngot:\n%s", got)
	}
}

func TestFoldFromEvents(t *testing.T) {
	m := fakeLesson(t, 5, 100, 30)
	tl := m.tl
	if len(tl.Lanes) != 5 || tl.Lanes[0].Name != "main" {
		t.Errorf("lanes: %d", len(tl.Lanes))
	}
	if c := tl.Counters[0]; c.Value != -862 || c.Lost != 86431 || len(c.Ends) != 1 {
		t.Errorf("balance counter: %+v", c)
	}
	if o := tl.Objects[0]; o.Holder != "locked-5" || len(o.Waiters) != 1 {
		t.Errorf("lock: %+v", o)
	}
	tl.Event(&event.Event{T: 3 * time.Second, Task: "main", Data: event.KeyWait{Key: "w", Label: "wake"}})
	tl.Event(&event.Event{T: 3 * time.Second, Task: "main", Data: event.StateChange{State: event.Blocked, Reason: event.ReasonKey, Object: "w"}})
	if len(tl.Keys) != 1 || tl.Keys[0].Key != "w" || tl.Keys[0].Label != "wake" {
		t.Errorf("key prompt: %+v", tl.Keys)
	}
	m.render()
	if !strings.Contains(m.View(), "wake") {
		t.Error("the footer does not show the key the lesson waits for")
	}
	tl.Event(&event.Event{T: 3 * time.Second, Task: "main", Data: event.StateChange{State: event.Running}})
	if len(tl.Keys) != 0 {
		t.Error("the prompt stayed after the task went on")
	}
}

func TestPickerRanksIdsFirst(t *testing.T) {
	all, err := lesson.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	p := newPicker(tc(80, 24), all)
	p.SetSize(80, 24)
	for _, r := range "/dead" {
		p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if len(p.shown) < 2 || p.shown[0].ID != "deadlock" {
		t.Errorf("typing 'dead' puts %s first", p.shown[0].ID)
	}
}

func TestPickerFiltersByTyping(t *testing.T) {
	p := newPicker(tc(80, 24), []*lesson.Scenario{builtin(t, "race"), builtin(t, "gil")})
	p.SetSize(80, 24)
	for _, r := range "/interp" {
		p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if len(p.shown) != 1 || p.shown[0].ID != "gil" {
		t.Fatalf("typing 'interp' shows %d lessons", len(p.shown))
	}
	cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if msg, ok := cmd().(openMsg); !ok || msg.sc.ID != "gil" {
		t.Errorf("enter gave %#v", cmd())
	}
	if !strings.Contains(p.View(), "gil") {
		t.Error("the filtered lesson is not on screen")
	}
}

// One draw of the lesson screen at 200×60 with 16 lanes: "frame" is a
// steady frame (time moved, panels whose data did not change come from the
// cache), "full" draws every panel anew, as when all the data changed.
func BenchmarkRender200x60(b *testing.B) {
	m := fakeLesson(b, 16, 200, 60)
	b.Run("frame", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m.render()
		}
	})
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m.cache = map[string]cached{}
			m.render()
		}
	})
}

// A title, lesson text, key label or log line with escape sequences is
// drawn escaped: no OSC sequence or bell reaches the screen.
func TestScreenShowsEscapesEscaped(t *testing.T) {
	sc, err := lesson.Load("osc.yaml", []byte("title: \"t \\e]2;pwned\\a\"\nlesson: \"l \\e]52;c;aGk=\\a\"\ntasks:\n  - {name: main, steps: [{log: a}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := newLesson(tc(120, 40), sc, session.Options{})
	m.reset(fold.New(fold.Config{Scenario: sc, Cores: 2, Root: 1}))
	m.tl.Event(&event.Event{Task: "main", Data: event.Log{Text: "x \x1b]2;owned\x07"}})
	m.tl.Event(&event.Event{Task: "main", Data: event.KeyWait{Key: "g", Label: "go \x1b]52;c;eA==\x07"}})
	m.focus = focusLesson
	m.render()
	if v := m.View(); strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") {
		t.Errorf("an escape sequence reached the screen: %q", v)
	}
}

// A bounded queue says how full it is.
func TestBoundedQueueShowsItsFill(t *testing.T) {
	sc := &lesson.Scenario{ID: "q", Rounds: 1, Objects: []lesson.Object{{Name: "buf", Kind: lesson.Queue, Size: 2}}}
	tl := fold.New(fold.Config{Scenario: sc, Cores: 2, Root: 1})
	tl.Event(&event.Event{Data: event.QueueChange{Object: "buf", Len: 2, Items: []string{"a", "b"}}})
	if v := ansi.Strip(tc(80, 24).st.objectsView(tl, 80)); !strings.Contains(v, "buf   queue 2/2 full [a b]") {
		t.Errorf("the queue shows %q", v)
	}
}

// q quits the picker, as in k9s, lazygit and htop; after /, q is a letter
// of the filter.
func TestPickerQQuitsSlashFilters(t *testing.T) {
	p := newPicker(tc(80, 24), []*lesson.Scenario{builtin(t, "race"), builtin(t, "gil")})
	p.SetSize(80, 24)
	if cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}}); cmd == nil || cmd() != tea.Quit() {
		t.Error("q did not quit the picker")
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'/'}})
	if cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}}); cmd != nil && cmd() == tea.Quit() {
		t.Error("q quit while filtering")
	}
	if p.filter.Value() != "q" {
		t.Errorf("the filter holds %q, not q", p.filter.Value())
	}
	p.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if p.filter.Value() != "" || p.filtering || len(p.shown) != 2 {
		t.Errorf("esc left the filter %q (filtering %v, %d shown)", p.filter.Value(), p.filtering, len(p.shown))
	}
}

// Chinese prose, written without spaces, wraps between characters and
// loses none of them; a word wider than the line is cut, not dropped.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	zh := "两个线程同时修改同一个余额，最后余额为 0。没有锁的时候，更新会丢失。"
	lines := wrap(zh, 20)
	if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != strings.ReplaceAll(zh, " ", "") {
		t.Errorf("wrapped text lost characters:\n%q\n%q", got, zh)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 20 {
			t.Errorf("line %q is %d cells wide", l, ansi.StringWidth(l))
		}
	}
	// A Latin word or a number inside Chinese prose moves to the next
	// line whole, where the line has room for it.
	mixed := "线程在启动前是 New（新建），然后是 Runnable（就绪），等待 I/O 2.5 秒"
	for w := 12; w <= 30; w++ {
		lines := wrap(mixed, w)
		for _, word := range []string{"Runnable", "I/O", "2.5"} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, word) }) {
				t.Errorf("at %d cells %q was cut: %q", w, word, lines)
			}
		}
		if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != strings.ReplaceAll(mixed, " ", "") {
			t.Errorf("at %d cells characters were lost: %q", w, lines)
		}
	}
	long := strings.Repeat("x", 50)
	if got := strings.Join(wrap(long, 20), ""); got != long {
		t.Errorf("a long word came out %q", got)
	}
}

// tc is a Common of a w×h terminal, with no options.
func tc(w, h int) *Common { return newCommon(w, h, session.Options{}, "") }

// rp is the replay a lesson screen plays.
func rp(m *lessonModel) *replay { return m.src.(*replay) }

// holdAt sets where the clock of a lesson screen with no run yet stands.
func holdAt(m *lessonModel, t time.Duration) { m.src.(*liveSource).heldAt = t }
