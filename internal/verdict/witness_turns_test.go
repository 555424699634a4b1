package verdict

import (
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

func init() {
	lessonWitnesses["waits_forever"] = witnesses{check: &spec.WaitsForeverCheck{Of: spec.Of{Task: "consumer"}},
		pass: witness{evs: []sim.Event{ran(0, "consumer"), at(100, sim.Event{Kind: sim.KStuck,
			Edges: []sim.WaitEdge{{Task: "consumer", Reason: sim.ReasonCond, Object: "c"}}})}, says: "consumer waits on condition c, and no task left will notify it"},
		fail: witness{evs: []sim.Event{ran(0, "consumer"), state(100, "consumer", sim.Done)}, says: "ended at the end of its steps"},
		open: witness{says: "consumer never ran"}}
}
