package verdict

import (
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
)

// Figures are what one run is measured by, for comparing runs side by side
// and for the points of a sweep. Each comes from what the OS or the engine
// reported: CPU, switches and threads from /proc, work and lost updates
// from the lesson's counters.
type Figures struct {
	Wall     float64 `json:"wall"`     // seconds, start to the last item
	CPU      float64 `json:"cpu"`      // cores used by mtviz's tree, mean over the work
	Work     float64 `json:"work"`     // work units per second of work
	Switches float64 `json:"switches"` // context switches per second of work
	Lost     int64   `json:"lost"`     // updates lost to a stale write
	Threads  int     `json:"threads"`  // most threads in the tree at once
	// Others is the cores other programs used meanwhile: when it is high,
	// the figures say more about the machine than about the lesson.
	Others float64 `json:"others"`
	Span   float64 `json:"span"` // seconds of work: first to last change of a work counter (the run without one)
	Units  int64   `json:"units"`
	// WorkUnit is what Work counts: "work units" (busy steps), "answers"
	// (request steps): a run's work compares only with work of its unit.
	WorkUnit string `json:"work_unit,omitempty"`
}

// figureOf measures each figure of the vocabulary (lesson.Figures) from a
// run's Figures; a test fails when a figure has none. speedup belongs to a
// sweep's points (Point.Value).
var figureOf = map[string]func(Figures) float64{
	"wall":     func(f Figures) float64 { return f.Wall },
	"cpu":      func(f Figures) float64 { return f.CPU },
	"work":     func(f Figures) float64 { return f.Work },
	"switches": func(f Figures) float64 { return f.Switches },
	"lost":     func(f Figures) float64 { return float64(f.Lost) },
	"threads":  func(f Figures) float64 { return float64(f.Threads) },
	"speedup":  func(Figures) float64 { return 0 },
}

// Get returns a figure by its spec name.
func (f Figures) Get(name string) float64 {
	if get := figureOf[name]; get != nil {
		return get(f)
	}
	return 0
}

// workSpan follows the counters busy and request steps count work in.
type workSpan struct {
	counters    map[string]bool
	workers     map[string]bool // tasks with a step that counts work
	first, last time.Duration
	seen        bool
	switches    []switchPoint
	threadsMost int
}

type switchPoint struct {
	t time.Duration
	n uint64
}

func workCounters(sc *lesson.Scenario) (counters, workers map[string]bool) {
	counters, workers = map[string]bool{}, map[string]bool{}
	for _, t := range sc.Tasks {
		lesson.Walk(t.Steps, func(st *lesson.Step) {
			if c := st.Counts(); c != "" && (st.Op == lesson.OpBusy || st.Op == lesson.OpRequest) {
				counters[c] = true
				workers[t.Name] = true
			}
		})
	}
	return counters, workers
}

func (w *workSpan) event(ev *event.Event) {
	// The work starts when a task that counts it first runs: that event is
	// stamped by the task itself, where the counter's reports come from a
	// collector that many busy tasks can keep waiting.
	if ev.Kind() == event.KState && ev.StateChange().State == event.Running && w.workers[lesson.BaseTask(ev.Task)] {
		if !w.seen || ev.T < w.first {
			w.first, w.seen = ev.T, true
		}
		return
	}
	if ev.Kind() != event.KCounter || !w.counters[ev.CounterChange().Object] {
		return
	}
	if !w.seen {
		w.first, w.seen = ev.T, true
	}
	w.last = max(w.last, ev.T)
}

// Figures measures the run read so far.
func (j *Judge) Figures() Figures {
	f := &j.f
	fg := Figures{Wall: j.now.Seconds(), WorkUnit: lesson.WorkUnit(f.sc)}
	from, to := time.Duration(0), j.now
	if f.work.seen && f.work.last > f.work.first {
		from, to = f.work.first, f.work.last
	}
	fg.Span = (to - from).Seconds()
	for c := range f.work.counters {
		fg.Units += f.counts.added(c)
	}
	fg.Lost = f.counts.lost
	if fg.Span > 0 {
		fg.Work = float64(fg.Units) / fg.Span
	}
	// A sample covers the interval since the one before it: those that
	// overlap the span count.
	n := 0
	for i := 1; i < len(f.cpu); i++ {
		if p := f.cpu[i]; p.t > from && f.cpu[i-1].t < to {
			fg.CPU += p.tree
			fg.Others += max(0, p.machine-p.tree)
			n++
		}
	}
	if n > 0 {
		fg.CPU /= float64(n)
		fg.Others /= float64(n)
	}
	var sw uint64
	var d time.Duration
	ps := f.work.switches
	for i := 1; i < len(ps); i++ {
		if ps[i].t > from && ps[i-1].t < to {
			sw += ps[i].n
			d += ps[i].t - ps[i-1].t
		}
	}
	if d > 0 {
		fg.Switches = float64(sw) / d.Seconds()
	}
	fg.Threads = f.work.threadsMost
	return fg
}
