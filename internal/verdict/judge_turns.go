package verdict

import (
	"slices"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
)

func init() {
	judges["waits_forever"] = func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &waitsForeverJudge{c: c.(*lesson.WaitsForeverCheck)}
	}
}

// waitsForeverJudge: the task was in a deadlock's cycle, or among the
// waiting tasks of a run that could not go on.
type waitsForeverJudge struct {
	c     *lesson.WaitsForeverCheck
	found *event.Event
	edge  event.WaitEdge
	ended *event.Event
}

// waitEdges is a deadlock's or a stuck run's wait-for graph.
func waitEdges(ev *event.Event) []event.WaitEdge {
	if ev.Kind() == event.KDeadlock {
		return ev.Deadlock().Edges
	}
	return ev.Stuck().Edges
}

func (j *waitsForeverJudge) event(f *facts, ev *event.Event) {
	switch {
	case j.found != nil:
	case ev.Kind() == event.KStuck || ev.Kind() == event.KDeadlock:
		edges := waitEdges(ev)
		i := slices.IndexFunc(edges, func(e event.WaitEdge) bool { return copiesOf(j.c.Task, e.Task) })
		if i >= 0 {
			e := *ev
			j.found, j.edge = &e, edges[i]
		}
	case ev.Kind() == event.KState && ev.StateChange().State == event.Done && copiesOf(j.c.Task, ev.Task) && j.ended == nil:
		e := *ev
		j.ended = &e
	}
}

func (j *waitsForeverJudge) decide(f *facts) Result {
	switch {
	case j.found != nil && j.found.Kind() == event.KDeadlock:
		return pass("at %.2fs, in a %s", j.found.T.Seconds(), event.DeadlockText(j.found.Deadlock().Edges))
	case j.found != nil:
		return pass("at %.2fs the run could not go on: %s", j.found.T.Seconds(), event.StuckText([]event.WaitEdge{j.edge}))
	case !f.everRan(j.c.Task):
		return undecided("%s never ran", j.c.Task)
	case j.ended != nil && j.ended.StateChange().End == event.EndNormal:
		return fail("%s ended at the end of its steps, at %.2fs: nothing left it waiting", j.c.Task, j.ended.T.Seconds())
	}
	return fail("%s was never left waiting for good: the run never stood still with it waiting", j.c.Task)
}

// GoalJudge judges a lesson's goal alone, from the same items as the
// checks; nil when the lesson has none.
func GoalJudge(cfg Config) *Judge {
	g := cfg.Scenario.Goal
	if g == nil {
		return nil
	}
	sc := *cfg.Scenario
	sc.Checks = []lesson.Check{g.Check}
	cfg.Scenario = &sc
	return New(cfg)
}

// DecideGoal decides a GoalJudge's goal: passed once the learner has met it.
func (j *Judge) DecideGoal() Result {
	return j.Decide(false, nil).Checks[0]
}
