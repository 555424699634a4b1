package verdict

import (
	"strings"
	"testing"

	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// The distributed checks, from made-up events: each verdict, and that a
// killed process's missing last words do not fail a check.
func TestDistJudges(t *testing.T) {
	final := func(b sim.BrokerState) sim.Event {
		b.Final = true
		return sim.Event{T: ms(9000), Kind: sim.KBroker, Object: "nats", Broker: &b}
	}
	good := final(sim.BrokerState{Tasks: 10, Published: 10, Recorded: 10, Results: 10})
	work := func(t int, task string, w sim.Work) sim.Event {
		return sim.Event{T: ms(t), Kind: sim.KWork, Task: task, Object: "nats", Work: &w}
	}
	kill := func(t int, task string) sim.Event {
		return sim.Event{T: ms(t), Kind: sim.KSignal, Target: task, Signal: 9}
	}
	cases := []struct {
		name  string
		check spec.Check
		evs   []sim.Event
		want  Verdict
		says  string
	}{
		{"recorded", spec.Check{Kind: "recorded", Spec: &spec.RecordedCheck{Broker: "nats"}}, []sim.Event{good}, Pass, "each of the 10 tasks"},
		{"recorded missing", spec.Check{Kind: "recorded", Spec: &spec.RecordedCheck{Broker: "nats"}},
			[]sim.Event{final(sim.BrokerState{Tasks: 10, Published: 10, Recorded: 9, NMissing: 1, Missing: []int64{7}})}, Fail, "1 tasks have no result (7)"},
		{"recorded twice", spec.Check{Kind: "recorded", Spec: &spec.RecordedCheck{Broker: "nats"}},
			[]sim.Event{final(sim.BrokerState{Tasks: 10, Published: 10, Recorded: 9, NTwice: 1, Twice: []int64{3}})}, Fail, "more than one (3)"},
		{"recorded unread", spec.Check{Kind: "recorded", Spec: &spec.RecordedCheck{Broker: "nats"}}, nil, Undecided, "did not read"},
		{"refused", spec.Check{Kind: "refused", Spec: &spec.RefusedCheck{Of: spec.Of{Task: "intruder"}, Broker: "nats"}}, []sim.Event{
			{T: ms(100), Kind: sim.KRefused, Object: "nats", Addr: "127.0.0.1:5000"},
			work(101, "intruder", sim.Work{Op: sim.WorkRefused, Addr: "127.0.0.1:5000"})}, Pass, "127.0.0.1:5000"},
		{"refused someone else", spec.Check{Kind: "refused", Spec: &spec.RefusedCheck{Of: spec.Of{Task: "intruder"}, Broker: "nats"}}, []sim.Event{
			{T: ms(100), Kind: sim.KRefused, Object: "nats", Addr: "127.0.0.1:6000"},
			work(101, "intruder", sim.Work{Op: sim.WorkRefused, Addr: "127.0.0.1:5000"})}, Fail, "names no refusal"},
		{"redelivered", spec.Check{Kind: "redelivered", Spec: &spec.RedeliveredCheck{Of: spec.Of{Task: "worker-1"}, Broker: "nats"}}, []sim.Event{
			work(100, "worker-1", sim.Work{Op: sim.WorkTook, ID: 4, Delivery: 1}),
			work(101, "worker-1", sim.Work{Op: sim.WorkTook, ID: 5, Delivery: 1}), // done, but it died before saying so
			kill(200, "worker-1"),
			work(1300, "worker-2", sim.Work{Op: sim.WorkTook, ID: 4, Delivery: 2}),
			work(1310, "worker-2", sim.Work{Op: sim.WorkDone, ID: 4}), good}, Pass, "tasks [5] it had finished"},
		{"redelivered not done", spec.Check{Kind: "redelivered", Spec: &spec.RedeliveredCheck{Of: spec.Of{Task: "worker-1"}, Broker: "nats"}}, []sim.Event{
			work(100, "worker-1", sim.Work{Op: sim.WorkTook, ID: 4, Delivery: 1}), kill(200, "worker-1"),
			work(1300, "worker-2", sim.Work{Op: sim.WorkTook, ID: 4, Delivery: 2}), good}, Fail, "were not done: [4]"},
		{"redelivered never killed", spec.Check{Kind: "redelivered", Spec: &spec.RedeliveredCheck{Of: spec.Of{Task: "worker-1"}, Broker: "nats"}}, []sim.Event{good}, Undecided, "did not SIGKILL"},
		{"resumed", spec.Check{Kind: "resumed", Spec: &spec.ResumedCheck{Of: spec.Of{Task: "master-again"}, After: "master", Broker: "nats"}}, []sim.Event{
			kill(200, "master"),
			work(300, "master-again", sim.Work{Op: sim.WorkBegun, Tasks: 10, Published: 6, Collected: 4}),
			work(900, "master-again", sim.Work{Op: sim.WorkCollected, Tasks: 10, Collected: 10}), good}, Pass, "found 6 of 10 tasks published"},
		{"resumed short", spec.Check{Kind: "resumed", Spec: &spec.ResumedCheck{Of: spec.Of{Task: "master-again"}, After: "master", Broker: "nats"}}, []sim.Event{
			kill(200, "master"),
			work(300, "master-again", sim.Work{Op: sim.WorkBegun, Tasks: 10, Published: 6, Collected: 4}), good}, Fail, "did not collect"},
		{"resumed, first finished", spec.Check{Kind: "resumed", Spec: &spec.ResumedCheck{Of: spec.Of{Task: "master-again"}, After: "master", Broker: "nats"}}, []sim.Event{
			work(100, "master", sim.Work{Op: sim.WorkCollected, Tasks: 10, Collected: 10}), kill(200, "master"), good}, Undecided, "before it could be killed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check.Name = c.name
			sc := &spec.Scenario{ID: "d", Checks: []spec.Check{c.check}}
			evs := append([]sim.Event{{Kind: sim.KRound, Round: 1}}, c.evs...)
			evs = append(evs, sim.Event{T: ms(9500), Kind: sim.KRoundEnd, Round: 1}, sim.Event{T: ms(9500), Kind: sim.KEnd})
			r := fold(sc, 2, evs, nil).Decide(false, nil).Checks[0]
			if r.Verdict != c.want || !strings.Contains(r.Detail, c.says) {
				t.Errorf("%v %q; want %v saying %q", r.Verdict, r.Detail, c.want, c.says)
			}
		})
	}
}
