package session

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mtviz/internal/event"
)

// distributed: its checks pass, and the test confirms from the raw events
// and samples what they say: the broker, the master and the workers were
// separate processes, children of mtviz, seen alive by the probe; the
// server's record at the end has every task once; the killed worker died
// of SIGKILL; the task ids handed out again after the kill were done by
// other workers; the server refused the intruder's own address; and no
// private directory of this process is left.
func TestLessonDistributed(t *testing.T) {
	evs, ss, sum := runLesson(t, "distributed")
	if !sum.OK {
		t.Errorf("distributed's checks: %+v", sum.Checks)
	}
	f := facts{evs, ss}
	broker, master, again := f.pid(t, "broker nats"), f.pid(t, "master"), f.pid(t, "master-again")
	w1, w2 := f.pid(t, "worker-1"), f.pid(t, "worker-2")
	pids := []int{broker, master, again, w1, w2}
	for _, pid := range pids {
		if r := f.read(pid); len(r) == 0 || r[0].PPID != os.Getpid() {
			t.Errorf("the probe did not read PID %d as mtviz's child: %+v", pid, r)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(pids)))) != len(pids) {
		t.Errorf("PIDs not distinct: %v", pids)
	}
	d := distFactsOf(t, evs, w1)
	final, refused, intruderFrom, took := d.final, d.refused, d.intruderFrom, d.took
	if final == nil || final.Tasks != 3000 || final.Recorded != 3000 || final.Left != 0 || final.Published != 3000 {
		t.Errorf("the server's record at the end: %+v", final)
	}
	if refused == "" || refused != intruderFrom {
		t.Errorf("the server refused %q; the intruder connected from %q", refused, intruderFrom)
	}
	if len(took) == 0 {
		t.Error("no task was handed out again after worker-1 was killed")
	}
	for id, n := range took {
		if n != -1 {
			t.Errorf("task %d was handed out again but not done", id)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("mtviz-run-%d-*", os.Getpid())))
	if len(dirs) > 0 {
		t.Errorf("left behind: %v", dirs)
	}
}

// distFacts is what distributed's events say, gathered once.
type distFacts struct {
	final                 *event.BrokerState // the server's record at the end
	refused, intruderFrom string             // the address the server refused, and the intruder's own
	took                  map[int64]int      // tasks handed out again after the kill: -1 once done
}

func distFactsOf(t *testing.T, evs []event.Event, w1 int) distFacts {
	t.Helper()
	var d distFacts
	var killedAt time.Duration
	d.took = map[int64]int{}
	for _, ev := range evs {
		switch {
		case ev.Kind() == event.KBroker && ev.BrokerRead().Broker != nil && ev.BrokerRead().Broker.Final:
			d.final = ev.BrokerRead().Broker
		case ev.Kind() == event.KExit && ev.PID == w1:
			if ev.Exit().Signal != 9 {
				t.Errorf("worker-1 ended with signal %d, want 9", ev.Exit().Signal)
			}
		case ev.Kind() == event.KSignal && ev.SignalSent().Target == "worker-1":
			killedAt = ev.T
		case ev.Kind() == event.KRefused && ev.Task == "broker nats":
			d.refused = ev.Refused().Addr
		case ev.Kind() == event.KWork && ev.WorkStep().Work.Op == event.WorkRefused:
			d.intruderFrom = ev.WorkStep().Work.Addr
		case ev.Kind() == event.KWork && ev.WorkStep().Work.Op == event.WorkTook && ev.WorkStep().Work.Delivery >= 2 && killedAt > 0:
			d.took[ev.WorkStep().Work.ID]++
		case ev.Kind() == event.KWork && ev.WorkStep().Work.Op == event.WorkDone && d.took[ev.WorkStep().Work.ID] > 0:
			d.took[ev.WorkStep().Work.ID] = -1 // done
		}
	}
	return d
}
