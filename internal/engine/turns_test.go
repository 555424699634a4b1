package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	evt "mtviz/internal/event"
)

const turnsRace = `
objects:
  balance: {kind: counter}
tasks:
  - name: t1
    steps:
      - add: {counter: balance, n: 5}
      - add: {counter: balance, n: -5}
  - name: t2
    steps:
      - add: {counter: balance, n: 8}
      - add: {counter: balance, n: -8}
checks:
  - counter: {counter: balance, equals: 0}
`

// played is a run given turns in an order: its events, and the board
// before each step.
type played struct {
	evs    []evt.Event
	boards []Board
	err    error // the first turn refused
}

// play runs src taking turns in order, then lets the rest run freely
// (free) or stops giving turns.
func play(t *testing.T, src string, order []string, opt Options) played {
	t.Helper()
	turns := NewTurns()
	opt.Turns = turns
	e := New(load(t, src), opt)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- e.Run(ctx) }()
	var p played
	collected := make(chan []evt.Event)
	go func() {
		var evs []evt.Event
		for b := range e.Events() {
			evs = append(evs, b...)
		}
		collected <- evs
	}()
	for _, name := range order {
		b, err := turns.Settle(ctx)
		if err != nil {
			t.Fatalf("settle: %v", err)
		}
		p.boards = append(p.boards, b)
		if err := turns.Take(name); err != nil {
			p.err = err
			break
		}
	}
	b, err := turns.Settle(ctx)
	if err != nil {
		t.Fatalf("settle: %v", err)
	}
	p.boards = append(p.boards, b)
	if !b.Over {
		turns.Free()
	}
	if err := <-runErr; err != nil {
		t.Fatalf("run: %v", err)
	}
	p.evs = <-collected
	return p
}

func finalValues(evs []evt.Event) map[string]int64 {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind() == evt.KRoundEnd {
			return evs[i].RoundEnd().Values
		}
	}
	return nil
}

func kinds(evs []evt.Event, k evt.Kind) []evt.Event {
	var out []evt.Event
	for _, ev := range evs {
		if ev.Kind() == k {
			out = append(out, ev)
		}
	}
	return out
}

// The chapter's unlucky order, given by turns: t1 reads, t2 reads, t2
// writes, t1 writes (t2's +8 is lost), and so on down to -8; every time.
func TestTurnsPlayTheChaptersOrder(t *testing.T) {
	order := []string{"t1", "t2", "t2", "t1", "t1", "t1", "t2", "t2"}
	for i := 0; i < 20; i++ {
		p := play(t, turnsRace, order, Options{})
		if p.err != nil {
			t.Fatal(p.err)
		}
		if v := finalValues(p.evs)["balance"]; v != -8 {
			t.Fatalf("round %d: the balance ended at %d, not -8", i, v)
		}
		turns := kinds(p.evs, evt.KTurn)
		if len(turns) != 8 || turns[0].Turn().Text != "reads balance into its copy (to add +5)" || turns[3].Turn().Text != "writes its copy 0 +5 = 5 to balance" {
			t.Fatalf("turns: %+v", turns)
		}
		var lost int64
		for _, ev := range kinds(p.evs, evt.KRoundEnd) {
			lost = ev.RoundEnd().LostBy["balance"]
		}
		if lost != 1 {
			t.Errorf("lost updates %d, want 1 (t2's +8)", lost)
		}
		if last := p.boards[len(p.boards)-1]; !last.Over || last.Steps != 8 {
			t.Errorf("the last board: %+v", last)
		}
	}
	// Another order: no update lost, the balance ends at 0.
	p := play(t, turnsRace, []string{"t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2"}, Options{})
	if v := finalValues(p.evs)["balance"]; v != 0 || p.err != nil {
		t.Errorf("one after the other: %d, %v", v, p.err)
	}
}

// Each task's next step is on the board, and only steps that can be taken
// are offered.
func TestTurnsBoard(t *testing.T) {
	p := play(t, turnsRace, []string{"t1"}, Options{})
	b := p.boards[0]
	if len(b.Slots) != 2 || b.Slots[0].State != SlotGate || !b.Slots[0].Ready || b.Slots[0].Move.Op != "read" ||
		!slices.Equal(b.Slots[0].Move.Objects, []string{"balance"}) {
		t.Fatalf("first board: %+v", b)
	}
	b = p.boards[1]
	if s, _ := b.Slot("t1"); s.Move.Op != "write" || s.Move.Text != "writes its copy 0 +5 = 5 to balance" {
		t.Errorf("t1's next step: %+v", s)
	}
	if !slices.Equal(b.Ready(), []string{"t1", "t2"}) || !b.Settled() {
		t.Errorf("ready %v settled %v", b.Ready(), b.Settled())
	}
}

const turnsDeadlock = `
objects:
  m1: {kind: lock}
  m2: {kind: lock}
tasks:
  - name: a
    steps:
      - lock: m1
      - lock: m2
      - log: "a has both"
      - unlock: m2
      - unlock: m1
  - name: b
    steps:
      - lock: m2
      - lock: m1
      - log: "b has both"
      - unlock: m1
      - unlock: m2
`

// Two turns make the deadlock: the run ends at once, the cycle found.
func TestTurnsDeadlock(t *testing.T) {
	p := play(t, turnsDeadlock, []string{"a", "b"}, Options{})
	if p.err != nil {
		t.Fatal(p.err)
	}
	dl := kinds(p.evs, evt.KDeadlock)
	if len(dl) != 1 || evt.CycleText(dl[0].Deadlock().Edges) == "" {
		t.Fatalf("deadlocks: %+v", dl)
	}
	if got := evt.CycleText(dl[0].Deadlock().Edges); got != "a → m2 → b → m1 → a" && got != "b → m1 → a → m2 → b" {
		t.Errorf("cycle %q", got)
	}
	if last := p.boards[len(p.boards)-1]; !last.Over || last.Steps != 2 {
		t.Errorf("last board %+v", last)
	}
	// A lock another task holds is no step to take, and says why.
	p = play(t, turnsDeadlock, []string{"a", "a", "b"}, Options{})
	if p.err == nil || !errors.Is(p.err, ErrTurn) || !strings.Contains(p.err.Error(), "b cannot lock now: it waits for m2, held by a") {
		t.Errorf("b's turn on a lock a holds: %v", p.err)
	}
	if s, _ := p.boards[2].Slot("b"); s.Ready || s.Why != "waits for m2, held by a" {
		t.Errorf("b on the board: %+v", s)
	}
	// In the other order nobody waits for good.
	p = play(t, turnsDeadlock, []string{"a", "a", "a", "a", "b", "b", "b", "b"}, Options{})
	if p.err != nil || len(kinds(p.evs, evt.KDeadlock)) != 0 || len(kinds(p.evs, evt.KLog)) != 2 {
		t.Errorf("a then b: %v %+v", p.err, kinds(p.evs, evt.KLog))
	}
}

const turnsCondition = `
objects:
  c: {kind: condition}
tasks:
  - name: consumer
    steps:
      - lock: c
      - wait: c
      - log: "consumer: woken"
      - unlock: c
  - name: producer
    steps:
      - lock: c
      - notify: c
      - unlock: c
`

// A notify before the wait is lost: the consumer waits forever, and the
// run ends as stuck. Notified while the producer holds the lock, it waits
// for the lock, then takes it back in a step of its own.
func TestTurnsCondition(t *testing.T) {
	p := play(t, turnsCondition, []string{"producer", "producer", "producer", "consumer", "consumer"}, Options{})
	if p.err != nil {
		t.Fatal(p.err)
	}
	st := kinds(p.evs, evt.KStuck)
	if len(st) != 1 || !strings.Contains(evt.StuckText(st[0].Stuck().Edges), "consumer waits on condition c, and no task left will notify it") {
		t.Fatalf("stuck: %+v", st)
	}
	p = play(t, turnsCondition, []string{"consumer", "consumer", "producer", "producer"}, Options{})
	if p.err != nil {
		t.Fatal(p.err)
	}
	b := p.boards[len(p.boards)-1]
	s, _ := b.Slot("consumer")
	if s.Move.Op != "wake" || s.Ready || s.Why != "was notified; waits for c's lock, held by producer" {
		t.Fatalf("the notified consumer: %+v", s)
	}
	if err := NewTurns().Take("x"); err == nil {
		t.Error("a turn before the run started")
	}
	p = play(t, turnsCondition, []string{"consumer", "consumer", "producer", "producer", "producer", "consumer", "consumer"}, Options{})
	if p.err != nil || len(kinds(p.evs, evt.KStuck)) != 0 || len(kinds(p.evs, evt.KLog)) != 1 {
		t.Errorf("the consumer first: %v %+v", p.err, p.evs)
	}
}

// A goroutine locked to its OS thread takes turns too; a refused name says
// who can.
func TestTurnsLockedThreadsAndNames(t *testing.T) {
	src := strings.Replace(turnsRace, "  - name: t1\n", "  - name: t1\n    locked: true\n", 1)
	p := play(t, src, []string{"t2", "t1", "t1", "t2"}, Options{})
	if p.err != nil {
		t.Fatal(p.err)
	}
	if v := finalValues(p.evs)["balance"]; v != 8 {
		// t2 read 0, t1 read 0 and wrote 5, t2 wrote 8; then the rest ran freely.
		t.Logf("balance %d after the free end", v)
	}
	turns := kinds(p.evs, evt.KTurn)
	if len(turns) != 4 || turns[1].Task != "t1" {
		t.Errorf("turns: %+v", turns)
	}
	p = play(t, turnsRace, []string{"t3"}, Options{})
	if p.err == nil || !strings.Contains(p.err.Error(), "t3 is not a goroutine task of test (t1, t2)") {
		t.Errorf("unknown task: %v", p.err)
	}
	p = play(t, turnsRace, []string{"t1", "t1", "t1", "t1", "t1"}, Options{})
	if p.err == nil || !strings.Contains(p.err.Error(), "t1 has ended") {
		t.Errorf("a task with no step left: %v", p.err)
	}
}

// After free, every task runs on by itself and the run ends.
func TestTurnsFree(t *testing.T) {
	turns := NewTurns()
	e := New(load(t, turnsRace), Options{Turns: turns})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	go func() {
		for range e.Events() {
		}
	}()
	if _, err := turns.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	turns.Free()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b, _ := turns.Settle(ctx); !b.Over || !b.Free {
		t.Errorf("after free: %+v", b)
	}
	if err := turns.Take("t1"); err == nil {
		t.Error("a turn after the run")
	}
}

func TestSchedulerRefusesKeys(t *testing.T) {
	sc := load(t, "tasks:\n  - name: a\n    steps:\n      - key: {key: n, label: next}\n")
	if err := SchedulerRefuse(sc); err == nil || !strings.Contains(err.Error(), "waits for key n") {
		t.Errorf("%v", err)
	}
	if err := SchedulerRefuse(load(t, turnsRace)); err != nil {
		t.Error(err)
	}
}
