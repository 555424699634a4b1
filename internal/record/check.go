package record

import (
	"fmt"
	"math"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// Plausibility limits: what no run of mtviz on any machine records. A file
// past one is refused at its line, before the fold or a screen is asked to
// build it (a sample claiming 8 million cores, a 60,000-deep chain of
// processes, a time 292 years on).
const (
	MaxCores = 4096    // cores in a header or a sample
	MaxPID   = 1 << 22 // the kernel's PID_MAX_LIMIT
	// MaxDepth is how deep a sample's process tree may be.
	MaxDepth = 512
	// MaxProcs and MaxThreads bound one sample.
	MaxProcs   = 65536
	MaxThreads = 1 << 20
	// MaxTasks is how many task names a recording may use (the engine's
	// --max-tasks goes to 100,000).
	MaxTasks = 100000 + 4096
	// MaxList bounds an event's lists (waiters, a cycle, its edges).
	MaxList = 100000
	// MaxSpan is the latest time a recording may reach: a month of samples
	// at one a second is about what fits in MaxFile.
	MaxSpan = 31 * 24 * time.Hour
	// MaxLate is how far before the latest batch of events a batch may go:
	// a child process's events reach mtviz a little after its own.
	MaxLate = 10 * time.Second
	// minHz and maxHz bound the sample rate (as --hz does).
	minHz, maxHz = 1, 100
)

// checkHeader refuses a header no mtviz writes.
func checkHeader(h *Header) error {
	switch {
	case h.Scenario != "" && !lesson.IsID(h.Scenario):
		return fmt.Errorf("the header's scenario %q is not a lesson id (lowercase letters, digits and dashes)", h.Scenario)
	case h.Cores < 1 || h.Cores > MaxCores:
		return fmt.Errorf("the header says %d cores; a recording has from 1 to %d", h.Cores, MaxCores)
	case h.Root < 1 || h.Root > MaxPID:
		return fmt.Errorf("the header's root PID %d is not a process id (1 to %d)", h.Root, MaxPID)
	case !(h.Hz >= minHz && h.Hz <= maxHz):
		return fmt.Errorf("the header's sample rate is %g a second; mtviz samples from %d to %d times a second", h.Hz, minHz, maxHz)
	}
	return nil
}

// checker holds what the checks of one item need of the items before it.
type checker struct {
	hz      float64
	samples int
	lastSmp time.Duration // the latest sample
	latest  time.Duration // the latest event of the engine's batches
	runtime time.Duration // the latest event of the runtime trace's batches
	tasks   map[string]bool
	parents map[int]int // this sample's
	depths  map[int]int // this sample's
}

func newChecker(h Header) checker {
	return checker{hz: h.Hz, tasks: map[string]bool{}, parents: map[int]int{}, depths: map[int]int{}}
}

func (c *checker) item(it *fold.Item) error {
	if it.Sample != nil {
		return c.sample(it.Sample)
	}
	return c.events(it.Events)
}

func checkTime(t time.Duration) error {
	if t < 0 {
		return fmt.Errorf("a time before the run began (%v)", t)
	}
	if t > MaxSpan {
		return fmt.Errorf("a time %.0f days into the run: more than a recording can span (%.0f days)", t.Hours()/24, MaxSpan.Hours()/24)
	}
	return nil
}

func checkPID(what string, pid int, zero bool) error {
	if pid < 0 || pid > MaxPID || pid == 0 && !zero {
		return fmt.Errorf("%s %d is not a process id (1 to %d)", what, pid, MaxPID)
	}
	return nil
}

// sample checks one probe sample: its time, its rate, its cores and its
// process tree.
func (c *checker) sample(s *probe.Sample) error {
	if err := checkTime(s.T); err != nil {
		return err
	}
	if s.T < c.lastSmp {
		return fmt.Errorf("a sample at %v, before the one before it (%v): samples go forward in time", s.T, c.lastSmp)
	}
	c.lastSmp = s.T
	c.samples++
	// The probe samples hz times a second, and once more at the end of a
	// run: twice as many, and a few to spare, is already implausible.
	if allowed := 16 + 2*c.hz*s.T.Seconds(); float64(c.samples) > allowed {
		return fmt.Errorf("%d samples in the first %v: more than %g a second, the rate the header gives", c.samples, s.T, c.hz)
	}
	if len(s.Cores) > MaxCores {
		return fmt.Errorf("a sample of %d cores; a recording has at most %d", len(s.Cores), MaxCores)
	}
	for _, u := range s.Cores {
		if !(u >= 0 && u <= 100) {
			return fmt.Errorf("a core %g%% busy: a core's use is from 0 to 100%%", u)
		}
	}
	if len(s.Procs) > MaxProcs {
		return fmt.Errorf("a sample of %d processes; at most %d are read", len(s.Procs), MaxProcs)
	}
	if err := c.procs(s.Procs); err != nil {
		return err
	}
	for _, p := range s.Gone {
		if err := checkPID("a process gone,", p, false); err != nil {
			return err
		}
	}
	for _, l := range s.Locks {
		if err := checkPID("a lock's holder", l.PID, false); err != nil {
			return err
		}
	}
	return nil
}

// procs checks the processes of a sample: ids, threads, and a tree no
// deeper than MaxDepth, without a cycle.
func (c *checker) procs(ps []probe.Proc) error {
	clear(c.parents)
	clear(c.depths)
	threads := 0
	for i := range ps {
		p := &ps[i]
		if err := checkPID("a process", p.PID, false); err != nil {
			return err
		}
		if err := checkPID("a parent", p.PPID, true); err != nil {
			return err
		}
		if _, dup := c.parents[p.PID]; dup {
			return fmt.Errorf("process %d twice in one sample", p.PID)
		}
		if !(p.CPU >= 0 && p.CPU <= 100*MaxCores) || p.NThreads < 0 || p.NThreads > MaxThreads {
			return fmt.Errorf("process %d: %g%% of a core and %d threads is not a reading of /proc", p.PID, p.CPU, p.NThreads)
		}
		threads += len(p.Threads)
		if threads > MaxThreads {
			return fmt.Errorf("more than %d threads in one sample", MaxThreads)
		}
		for _, th := range p.Threads {
			if err := checkPID("a thread", th.TID, false); err != nil {
				return err
			}
			if !(th.CPU >= 0 && th.CPU <= 100*MaxCores) {
				return fmt.Errorf("thread %d: %g%% of a core is not a reading of /proc", th.TID, th.CPU)
			}
		}
		c.parents[p.PID] = p.PPID
	}
	for i := range ps {
		if err := c.depth(ps[i].PID); err != nil {
			return err
		}
	}
	return nil
}

// depth finds how deep pid stands in the sample's tree, remembering the
// depth of every process on the way up.
func (c *checker) depth(pid int) error {
	var chain []int
	p, base := pid, 0
	for {
		if d, ok := c.depths[p]; ok {
			base = d
			break
		}
		parent, in := c.parents[p]
		if !in {
			break
		}
		chain = append(chain, p)
		if len(chain) > MaxDepth {
			return deepError(chain)
		}
		p = parent
	}
	for i := len(chain) - 1; i >= 0; i-- {
		base++
		if base > MaxDepth {
			return deepError(chain)
		}
		c.depths[chain[i]] = base
	}
	return nil
}

func deepError(chain []int) error {
	seen := map[int]bool{}
	for _, p := range chain {
		if seen[p] {
			return fmt.Errorf("process %d is its own ancestor", p)
		}
		seen[p] = true
	}
	return fmt.Errorf("a process tree more than %d deep", MaxDepth)
}

// events checks a batch of events: kinds, times in order within the batch
// and not far behind the batches before it, ids, and list lengths.
func (c *checker) events(evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	last := &c.latest
	if evs[0].Kind() == event.KRuntime {
		last = &c.runtime // the runtime trace's batches are a stream of their own
	}
	if evs[0].T < *last-MaxLate {
		return fmt.Errorf("events at %v, more than %v before the batch before them (%v)", evs[0].T, MaxLate, *last)
	}
	prev := evs[0].T
	for i := range evs {
		ev := &evs[i]
		if err := c.event(ev); err != nil {
			return err
		}
		if ev.T < prev {
			return fmt.Errorf("an event at %v after one at %v: a batch of events goes forward in time", ev.T, prev)
		}
		prev = ev.T
	}
	*last = max(*last, prev)
	return nil
}

func (c *checker) event(ev *event.Event) error {
	if !ev.Kind().Known() {
		return fmt.Errorf("an event of unknown kind %q", ev.Kind())
	}
	if err := checkTime(ev.T); err != nil {
		return err
	}
	if err := checkPID("an event's process", ev.PID, true); err != nil {
		return err
	}
	if ev.Task != "" && !c.tasks[ev.Task] {
		if len(c.tasks) >= MaxTasks {
			return fmt.Errorf("more than %d tasks", MaxTasks)
		}
		c.tasks[ev.Task] = true
	}
	if ev.Round < 0 {
		return fmt.Errorf("a %s event whose round, signal or P is out of range", ev.Kind())
	}
	return checkPayload(ev)
}

// checkPayload checks what an event's kind carries: process ids, lists,
// numbers in range.
func checkPayload(ev *event.Event) error {
	long, bad := false, false
	switch p := ev.Data.(type) {
	case event.Process:
		if err := checkPID("a parent", p.PPID, true); err != nil {
			return err
		}
		bad = p.GoMaxProcs < 0 || p.GoMaxProcs > math.MaxInt32
	case event.Exit:
		if err := checkPID("a reaper", p.ReaperPID, true); err != nil {
			return err
		}
		bad = badSignal(p.Signal)
	case event.SignalSent:
		bad = badSignal(p.Signal)
	case event.ProgramEnd:
		bad = badSignal(p.Signal)
	case event.RuntimeState:
		bad = p.P < 0 || p.P > MaxCores
	case event.LockChange:
		long = len(p.Waiters) > MaxList
	case event.CondChange:
		long = len(p.Waiters) > MaxList
	case event.FlagChange:
		long = len(p.Waiters) > MaxList
	case event.QueueChange:
		long = len(p.Waiters) > MaxList || len(p.Items) > event.MaxQueueItems
	case event.Deadlock:
		long = len(p.Cycle) > MaxList || len(p.Edges) > MaxList
	case event.Stuck:
		long = len(p.Edges) > MaxList
	}
	switch {
	case long:
		return fmt.Errorf("a %s event with lists longer than a run makes", ev.Kind())
	case bad:
		return fmt.Errorf("a %s event whose round, signal or P is out of range", ev.Kind())
	}
	return nil
}

func badSignal(sig int) bool { return sig < 0 || sig > 128 }
