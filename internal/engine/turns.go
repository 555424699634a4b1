package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// Turns is a scheduler someone else plays: a person at the screen, a
// schedule file, or the explorer. Every goroutine task of the run stops at
// a gate before each visible step (a read or write of a counter, a lock
// taken or let go, a wait, a notify, a set, a put, a get, a join) and
// takes it only when given its turn, on its own goroutine, as it would
// have. Between two visible steps a task runs alone: what it does there
// (a log line, a branch on an event) belongs to the step before it, so
// the same order of turns gives the same values every time.
//
// A task is given a turn only when its step can be taken without waiting
// (the lock is free, the queue holds a value): a task whose step would
// wait shows as blocked on what it waits for, as it would be, and when
// every live task waits so, the run is stuck and ends at once, as the
// engine ends any stuck run. Process tasks and the programs of run steps
// are outside the scheduler: they run freely.
type Turns struct {
	mu    sync.Mutex
	w     *world // the round being played
	gates map[*task]*turnGate
	free  bool
	ended bool
	steps []string
	kick  chan struct{}
}

// Move is a visible step a task is about to take.
type Move struct {
	Op string `json:"op"` // read, write, lock, unlock, wait, wake, notify, set, clear, put, get, join
	// Objects are what the step touches: steps of two tasks on different
	// objects commute.
	Objects []string `json:"objects"`
	Text    string   `json:"text"` // what it does, in words
}

// SlotState says where a task stands for the scheduler.
type SlotState uint8

// Where a task stands.
const (
	SlotIdle    SlotState = iota // not started (yet)
	SlotMoving                   // running between two visible steps
	SlotGate                     // at its gate: Move is its next step
	SlotDone                     // ended
	SlotOutside                  // a process task: it runs outside the scheduler
)

// Slot is one task on the board.
type Slot struct {
	Task  string
	State SlotState
	Move  Move   // at its gate: its next step
	Ready bool   // at its gate, the step can be taken now
	Why   string // at its gate and not ready: what it waits for
}

// Board is the run as the scheduler sees it: each task of the round and
// its next step, and how many steps were taken.
type Board struct {
	Slots []Slot
	Steps int  // visible steps taken so far, every round
	Round int  // the round being played (0 before the first)
	Over  bool // the run is over
	Free  bool // every task runs freely: no more turns
}

// Ready lists the tasks that can take their step now, in the lesson's order.
func (b Board) Ready() []string {
	var out []string
	for _, s := range b.Slots {
		if s.State == SlotGate && s.Ready {
			out = append(out, s.Task)
		}
	}
	return out
}

// Settled says no goroutine task is between two steps: the board holds
// still until someone is given a turn.
func (b Board) Settled() bool {
	for _, s := range b.Slots {
		if s.State == SlotMoving {
			return false
		}
	}
	return true
}

// Slot returns the named task's slot.
func (b Board) Slot(name string) (Slot, bool) {
	for _, s := range b.Slots {
		if s.Task == name {
			return s, true
		}
	}
	return Slot{}, false
}

// NewTurns makes a scheduler for one run (Options.Turns).
func NewTurns() *Turns {
	return &Turns{gates: map[*task]*turnGate{}, kick: make(chan struct{}, 1)}
}

// turnGate is a task held before a visible step.
type turnGate struct {
	step  turnStep
	open  chan struct{}
	shown waitInfo // what the task's state says it waits for
	ready bool     // whether it shows as ready
	set   bool     // whether its state was set at all
	taken bool     // opened by Take, not by Free
}

func (s *Turns) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// attach starts playing a round.
func (s *Turns) attach(w *world) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.w = w
	s.gates = map[*task]*turnGate{}
	s.mu.Unlock()
	s.poke()
}

// runEnded says the run is over.
func (s *Turns) runEnded() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.poke()
}

func (s *Turns) isFree() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.free
}

// turn holds t at its gate until it is given its turn; false if it must
// stop instead. Once the scheduler lets every task run freely, it returns
// at once.
func (s *Turns) turn(t *task, st turnStep) bool {
	s.mu.Lock()
	if s.free {
		s.mu.Unlock()
		return true
	}
	g := &turnGate{step: st, open: make(chan struct{})}
	s.gates[t] = g
	s.mu.Unlock()
	s.poke()
	select {
	case <-g.open:
	case <-t.stop:
		s.mu.Lock()
		if s.gates[t] == g {
			delete(s.gates, t)
		}
		s.mu.Unlock()
		g.unshow(t)
		s.poke()
		return false
	}
	g.unshow(t)
	if g.set {
		t.running()
	}
	if g.taken {
		t.emit(evt.Event{Task: t.name, Data: evt.Turn{Object: st.object, Text: st.Text}})
	}
	return true
}

// moving is a goroutine task of the round between two steps, if any.
func (s *Turns) moving() *task {
	if s.w == nil {
		return nil
	}
	for _, t := range s.w.tasks {
		if t.def.Kind == lesson.Process && t != s.w.self {
			continue
		}
		if t.started.Load() && s.gates[t] == nil && !t.isDone() {
			return t
		}
	}
	return nil
}

// board reads the round; each task at its gate shows, in its state, what
// it waits for or that it waits for its turn. s.mu is held.
func (s *Turns) board() Board {
	b := Board{Steps: len(s.steps), Over: s.ended, Free: s.free}
	w := s.w
	if w == nil {
		return b
	}
	b.Round = w.round
	for _, t := range w.tasks {
		sl := Slot{Task: t.name}
		g := s.gates[t]
		switch {
		case t.def.Kind == lesson.Process && t != w.self:
			sl.State = SlotOutside
		case g != nil:
			sl.State, sl.Move = SlotGate, g.step.Move
			ok, why := g.step.ready(t)
			g.show(t, ok, why)
			sl.Ready, sl.Why = ok, why.why
		case !t.started.Load():
			sl.State = SlotIdle
		case t.isDone():
			sl.State = SlotDone
		default:
			sl.State = SlotMoving
		}
		b.Slots = append(b.Slots, sl)
	}
	return b
}

// Board is the run now, settled or not.
func (s *Turns) Board() Board {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.board()
}

// Steps are the tasks given a turn so far, in order: the run's schedule.
func (s *Turns) Steps() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.steps...)
}

// stuckPoll is how often a board on which no step can be taken is read
// again, when something outside the scheduler (a process) could still
// change it.
const stuckPoll = 20 * time.Millisecond

// Settle waits until no goroutine task is between two steps, and returns
// the board: some task can take its step, or the run is over (or every
// task runs freely). A run in which no task can take its step and every
// live task waits for good is ended at once, as a stuck run; Settle then
// waits for its end.
func (s *Turns) Settle(ctx context.Context) (Board, error) {
	for {
		s.mu.Lock()
		b := s.board()
		mv := s.moving()
		w := s.w
		s.mu.Unlock()
		var wait <-chan struct{}
		var poll <-chan time.Time
		var tm *time.Timer
		switch {
		case b.Over || b.Free:
			return b, nil
		case mv != nil:
			wait = mv.done
		case len(b.Ready()) > 0:
			return b, nil
		case liveAtGates(b):
			// Nothing can move: stuck (or a process may still act).
			w.endStuckNow()
			tm = time.NewTimer(stuckPoll)
			poll = tm.C
		}
		select {
		case <-s.kick:
		case <-wait:
		case <-poll:
		case <-ctx.Done():
		}
		if tm != nil {
			tm.Stop()
		}
		if ctx.Err() != nil {
			return b, ctx.Err()
		}
	}
}

func liveAtGates(b Board) bool {
	for _, sl := range b.Slots {
		if sl.State == SlotGate {
			return true
		}
	}
	return false
}

// ErrTurn is a turn that cannot be given; its message says why.
var ErrTurn = errors.New("no turn")

// turnError is why a task cannot take a step now.
type turnError struct{ msg string }

func (e turnError) Error() string { return e.msg }
func (e turnError) Is(err error) bool {
	return err == ErrTurn
}

// Take gives the named task its turn: it takes its next visible step. It
// returns at once; Settle waits for the step to be done. It fails, saying
// why, when the task cannot take a step now.
func (s *Turns) Take(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	switch {
	case s.ended:
		return turnError{words.T("the run is over")}
	case s.free:
		return turnError{words.T("every task runs freely now")}
	case w == nil:
		return turnError{words.T("the run has not started")}
	}
	t := w.byCopy[name]
	if t == nil || t.def.Kind == lesson.Process && t != w.self {
		return turnError{words.F("%s is not a goroutine task of %s (%s)", name, w.e.sc.ID, strings.Join(s.goroutines(), words.T(", ")))}
	}
	if mv := s.moving(); mv != nil {
		return turnError{words.F("%s is still taking its step", mv.name)}
	}
	g := s.gates[t]
	switch {
	case g == nil && t.isDone():
		return turnError{words.F("%s has ended: it has no step left", name)}
	case g == nil:
		return turnError{words.F("%s has not started", name)}
	}
	if ok, why := g.step.ready(t); !ok {
		return turnError{words.F("%s cannot %s now: it %s", name, g.step.Op, why.why)}
	}
	delete(s.gates, t)
	s.steps = append(s.steps, name)
	g.taken = true
	close(g.open)
	return nil
}

func (s *Turns) goroutines() []string {
	var out []string
	for _, t := range s.w.tasks {
		if t.def.Kind != lesson.Process || t == s.w.self {
			out = append(out, t.name)
		}
	}
	return out
}

// Free lets every task run freely from now on, as without a scheduler.
func (s *Turns) Free() {
	s.mu.Lock()
	s.free = true
	for t, g := range s.gates {
		delete(s.gates, t)
		close(g.open)
	}
	s.mu.Unlock()
	s.poke()
}

// endStuckNow ends the round if every live task waits for good: the
// scheduler knows the tasks hold still, so the engine's wait of a few
// ticks (for a reading of one moment) is not needed.
func (w *world) endStuckNow() {
	w.e.collectMu.Lock()
	defer w.e.collectMu.Unlock()
	if !w.stuck() {
		return
	}
	w.findDeadlocks()
	w.findDeadlocks() // a cycle is reported when seen twice
	w.stuckFor = stuckTicks - 1
	w.endIfStuck()
}

// SchedulerRefuse says why a lesson cannot be played with a scheduler: a
// task that waits for the learner's keys would hold every turn up.
func SchedulerRefuse(sc *lesson.Scenario) error {
	var bad error
	for _, t := range sc.Tasks {
		lesson.Walk(t.Steps, func(st *lesson.Step) {
			if k, ok := st.Do.(*lesson.KeyStep); ok && bad == nil {
				bad = fmt.Errorf("%s: task %s waits for key %s; a lesson that waits for keys of its own cannot be played with the scheduler", st.Pos, t.Name, k.Key)
			}
		})
	}
	return bad
}
