package verdict

import (
	"mtviz/internal/event"
	"mtviz/internal/lesson"
)

func init() {
	lessonWitnesses["waits_forever"] = witnesses{check: &lesson.WaitsForeverCheck{Of: lesson.Of{Task: "consumer"}},
		pass: witness{evs: []event.Event{ran(0, "consumer"), at(100, event.Event{
			Data: event.Stuck{Edges: []event.WaitEdge{{Task: "consumer", Reason: event.ReasonCond, Object: "c"}}},
		})}, says: "consumer waits on condition c, and no task left will notify it"},
		fail: witness{evs: []event.Event{ran(0, "consumer"), state(100, "consumer", event.Done)}, says: "ended at the end of its steps"},
		open: witness{says: "consumer never ran"}}
}
