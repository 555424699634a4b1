package explore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"mtviz/internal/engine"
	"mtviz/internal/event"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/verdict"
)

// Step is one visible step of an order: who took it, and what it touched.
type Step struct {
	Task    string
	Op      string
	Objects []string
}

// Order is one run under one order of its visible steps, and how it ended.
type Order struct {
	Steps    []Step
	Final    map[string]int64 // each counter at the end of the last round
	Lost     map[string]int64 // updates lost to a stale write, by counter, every round
	Deadlock bool             // a wait-for cycle was found
	Forever  bool             // the run could not go on, with no cycle: some task waits forever
	Summary  verdict.Summary
	Goal     *verdict.Result // the lesson's goal, if it has one
	Free     bool            // after Steps, the tasks ran freely (a schedule ended before the run)
}

// Tasks are the order's task names, step by step: its schedule.
func (o *Order) Tasks() []string {
	out := make([]string, len(o.Steps))
	for i, s := range o.Steps {
		out[i] = s.Task
	}
	return out
}

// chooser picks the task that takes the step at depth, from a settled
// board on which some task can take a step.
type chooser func(depth int, b engine.Board) (string, error)

// Refuse says why a lesson cannot be explored or replayed from a schedule:
// the scheduler must hold every task, so process tasks and keys are out.
func Refuse(sc *lesson.Scenario) error {
	if err := engine.SchedulerRefuse(sc); err != nil {
		return err
	}
	for _, t := range sc.Tasks {
		if t.Kind == lesson.Process {
			return fmt.Errorf("%s: task %s is a process, which runs outside the scheduler: only lessons whose tasks are all goroutines replay the same way every time", t.Pos, t.Name)
		}
	}
	return nil
}

// maxDepth bounds one order: a lesson that loops without end would never
// finish one.
const maxDepth = 10000

// play runs the lesson once, each turn given to the task choose picks.
func play(ctx context.Context, sc *lesson.Scenario, cores int, choose chooser) (*Order, error) {
	turns := engine.NewTurns()
	e := engine.New(sc, engine.Options{Cores: cores, AutoKeys: true, Turns: turns})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- e.Run(rctx) }()
	folded := make(chan *Order, 1)
	go func() { folded <- fold(sc, e) }()
	var steps []Step
	var chooseErr error
	free := false
	for depth := 0; ; depth++ {
		b, err := turns.Settle(rctx)
		if err != nil || b.Over {
			break
		}
		if depth >= maxDepth {
			chooseErr = fmt.Errorf("an order of %s runs past %d visible steps: too long to play", sc.ID, maxDepth)
			break
		}
		name, err := choose(depth, b)
		if err == errFree {
			free = true
			turns.Free()
			break
		}
		if err == nil {
			err = turns.Take(name)
		}
		if err != nil {
			chooseErr = err
			break
		}
		sl, _ := b.Slot(name)
		steps = append(steps, Step{Task: name, Op: sl.Move.Op, Objects: sl.Move.Objects})
	}
	if chooseErr != nil {
		cancel()
	}
	err := <-runErr
	o := <-folded
	if chooseErr != nil {
		return nil, chooseErr
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	o.Steps, o.Free = steps, free
	return o, nil
}

// fold reads the run's events into its outcome and its verdicts.
func fold(sc *lesson.Scenario, e *engine.Engine) *Order {
	cfg := verdict.Config{Scenario: sc, Cores: e.Cores(), Root: os.Getpid()}
	vj, gj := verdict.New(cfg), verdict.GoalJudge(cfg)
	o := &Order{}
	for b := range e.Events() {
		it := item.Item{Events: b}
		vj.Apply(it)
		if gj != nil {
			gj.Apply(it)
		}
		for i := range b {
			switch ev := &b[i]; ev.Kind() {
			case event.KDeadlock:
				o.Deadlock = true
			case event.KStuck:
				o.Forever = true
			case event.KRoundEnd:
				o.Final = ev.RoundEnd().Values
				for k, n := range ev.RoundEnd().LostBy {
					if n > 0 {
						if o.Lost == nil {
							o.Lost = map[string]int64{}
						}
						o.Lost[k] += n
					}
				}
			}
		}
	}
	o.Summary = vj.Decide(false, nil)
	if gj != nil {
		g := gj.DecideGoal()
		o.Goal = &g
	}
	return o
}

// Replay runs the lesson under a schedule, on real goroutines, and returns
// how it ended. A turn that cannot be given is refused at its line. When
// the schedule ends before the run does, the rest runs freely (Order.Free
// says so): a screen's schedule may hold only the choices made so far.
func Replay(ctx context.Context, sc *lesson.Scenario, cores int, s *Schedule) (*Order, error) {
	if err := Refuse(sc); err != nil {
		return nil, err
	}
	o, err := play(ctx, sc, cores, func(depth int, b engine.Board) (string, error) {
		if depth >= len(s.Turns) {
			return "", errFree
		}
		name := s.Turns[depth].Task
		if err := canTake(b, name); err != nil {
			return "", s.errAt(depth, err.Error())
		}
		return name, nil
	})
	if err == nil && len(o.Steps) < len(s.Turns) {
		n := len(o.Steps)
		return nil, s.errAt(n, fmt.Sprintf("the run was over after %d steps; %s has no step to take", n, s.Turns[n].Task))
	}
	return o, err
}

// errAt is a refusal of the schedule's i-th turn (or of its end).
func (s *Schedule) errAt(i int, msg string) error {
	line := 0
	if i < len(s.Turns) {
		line = s.Turns[i].Line
		if line == 0 {
			msg = fmt.Sprintf("step %d: %s", i+1, msg)
		}
	}
	return &LineError{File: s.File, Line: line, Msg: msg}
}

// canTake says why a task named by a schedule cannot take a step on a
// settled board.
func canTake(b engine.Board, name string) error {
	sl, ok := b.Slot(name)
	switch {
	case !ok:
		var names []string
		for _, s := range b.Slots {
			names = append(names, s.Task)
		}
		return fmt.Errorf("%s is not a task of this lesson (%s)", name, strings.Join(names, ", "))
	case sl.State == engine.SlotDone:
		return fmt.Errorf("%s has ended: it has no step left here (%s could move)", name, strings.Join(b.Ready(), " or "))
	case sl.State == engine.SlotIdle:
		return fmt.Errorf("%s has not started here (%s could move)", name, strings.Join(b.Ready(), " or "))
	case sl.State == engine.SlotOutside:
		return fmt.Errorf("%s is a process task, outside the scheduler", name)
	case sl.State != engine.SlotGate:
		return fmt.Errorf("%s is still taking its step", name)
	case !sl.Ready:
		return fmt.Errorf("%s cannot %s here: it %s (%s could move)", name, sl.Move.Op, sl.Why, strings.Join(b.Ready(), " or "))
	}
	return nil
}

// Follow gives a running engine's tasks the schedule's turns, in order,
// and returns how many it gave. It stops at the first turn that cannot be
// given, with the schedule's line; when the schedule ends before the run,
// the caller decides what comes next (the rest runs freely, or a person
// goes on choosing).
func Follow(ctx context.Context, turns *engine.Turns, s *Schedule) (int, error) {
	for i, t := range s.Turns {
		b, err := turns.Settle(ctx)
		if err != nil {
			return i, err
		}
		if b.Over {
			return i, s.errAt(i, fmt.Sprintf("the run was over after %d steps; %s has no step to take", i, t.Task))
		}
		if err := canTake(b, t.Task); err != nil {
			return i, s.errAt(i, err.Error())
		}
		if err := turns.Take(t.Task); err != nil {
			return i, s.errAt(i, err.Error())
		}
	}
	return len(s.Turns), nil
}

// FromEvents is the schedule a recorded run took: the task of each turn
// event, in order (a run recorded with --record while someone chose).
func FromEvents(file string, evs []event.Event) (*Schedule, error) {
	s := &Schedule{File: file}
	for _, ev := range evs {
		if ev.Kind() == event.KTurn {
			s.Turns = append(s.Turns, Turn{Task: ev.Task})
		}
	}
	if len(s.Turns) == 0 {
		return nil, &LineError{File: file, Msg: "the recording holds no turns: it was not recorded with the scheduler (run --scheduler you --record FILE)"}
	}
	return s, nil
}

// outcomeKey is what makes two orders end the same way.
func (o *Order) outcomeKey() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(o.Final)) {
		fmt.Fprintf(&b, "%s=%d;", k, o.Final[k])
	}
	for _, k := range slices.Sorted(maps.Keys(o.Lost)) {
		fmt.Fprintf(&b, "lost %s=%d;", k, o.Lost[k])
	}
	fmt.Fprintf(&b, "d%v;f%v;", o.Deadlock, o.Forever)
	for _, c := range o.Summary.Checks {
		fmt.Fprintf(&b, "%s=%s;", c.Name, c.Verdict)
	}
	if o.Goal != nil {
		fmt.Fprintf(&b, "goal=%s", o.Goal.Verdict)
	}
	return b.String()
}

// errFree, from a chooser, lets every task run freely from there on.
var errFree = errors.New("run freely")

func contains(ss []string, s string) bool { return slices.Contains(ss, s) }
