package explore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"time"

	"mtviz/internal/engine"
	"mtviz/internal/lesson"
	"mtviz/internal/verdict"
)

// Options tune an exploration.
type Options struct {
	// Max is the most orders run: a lesson with more is sampled instead
	// (default DefaultMax).
	Max int
	// Seed seeds the sample's choices: the same seed, the same sample.
	Seed uint64
	// Cores is the run's cores (0: all).
	Cores int
	// Progress, when set, is called now and then with how far it got.
	Progress func(Progress)
}

// DefaultMax is how many orders an exploration runs at most.
const DefaultMax = 10000

// Progress is how far an exploration got.
type Progress struct {
	Done     int
	Of       int  // Max
	Sampling bool // the orders are more than Max: a sample is being run
	Elapsed  time.Duration
}

// Outcome is how some orders ended: the same counter values, the same
// deadlock or wait forever, the same verdicts.
type Outcome struct {
	Orders   int
	Final    map[string]int64
	Lost     map[string]int64
	Deadlock bool
	Forever  bool
	Checks   []verdict.Result // every check's verdict, as the first such order had them
	Goal     *verdict.Result
	Example  []string // the first order found that ends so
	key      string
}

// Shortest is the shortest order found that breaks a check (or meets the
// goal).
type Shortest struct {
	Check string
	Tasks []string
	Count int // how many orders break it (or meet the goal)
}

// Report is what an exploration found.
type Report struct {
	Lesson     string
	Set        map[string]string
	Tasks      int // goroutine tasks
	Orders     int // every order of the lesson's visible steps; estimated when not Exhaustive
	Explored   int // orders run
	Exhaustive bool
	Stopped    bool // ended early (ctrl+c): what follows covers Explored orders only
	Classes    int  // of the explored orders, how many differ by more than swapping steps that commute
	MinSteps   int
	MaxSteps   int
	Outcomes   []*Outcome    // most orders first
	Broken     []Shortest    // for each check some order breaks
	Goal       *Shortest     // the shortest order meeting the lesson's goal, if any does
	GoalText   string        // the lesson's goal, if it has one
	GoalCheck  string        // and the name of its check
	Elapsed    time.Duration // running the orders
	Runs       int           // orders run in all: a sample may follow a first look, or an attempt at every order
	Seed       uint64
	Max        int
}

// PerOrder is the time one order took, on average.
func (r *Report) PerOrder() time.Duration {
	if r.Runs == 0 {
		return 0
	}
	return r.Elapsed / time.Duration(r.Runs)
}

// explorer gathers orders into a report.
type explorer struct {
	sc       *lesson.Scenario
	opt      Options
	r        *Report
	outcomes map[string]*Outcome
	classes  map[string]bool
	broken   map[string]*Shortest
	start    time.Time
	last     time.Time
	sampling bool
	stack    [][]string // prefixes of the orders still to run, depth first
}

// Explore runs the lesson under every order of its visible steps, when
// there are at most opt.Max; otherwise under opt.Max orders chosen at
// random from opt.Seed, and says so. Cancelling ctx keeps what was run.
func Explore(ctx context.Context, sc *lesson.Scenario, opt Options) (*Report, error) {
	if err := Refuse(sc); err != nil {
		return nil, err
	}
	if opt.Max <= 0 {
		opt.Max = DefaultMax
	}
	start := time.Now()
	x := newExplorer(sc, opt)
	runs := 0
	more, err := x.everyOrder(ctx, min(opt.Max, lookAfter))
	if err == nil && more && opt.Max > lookAfter {
		// More than lookAfter orders: a few random ones estimate how many.
		// When they say far more than Max, no time goes into running Max
		// of them in order before sampling.
		var many bool
		many, runs, err = x.tooMany(ctx)
		if err == nil && !many {
			more, err = x.everyOrder(ctx, opt.Max)
		}
	}
	if err == nil && more {
		runs += x.r.Explored
		x = newExplorer(sc, opt)
		err = x.sample(ctx)
	}
	x.r.Runs = runs + x.r.Explored
	defer func() { x.r.Elapsed = time.Since(start) }()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		x.r.Stopped, x.r.Exhaustive, err = true, false, nil
	}
	if err != nil {
		return nil, err
	}
	return x.finish(), nil
}

func newExplorer(sc *lesson.Scenario, opt Options) *explorer {
	cores := opt.Cores
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	r := &Report{Lesson: sc.ID, Set: sc.Set, Seed: opt.Seed, Max: opt.Max, Tasks: engine.TaskCount(sc, cores)}
	if sc.Goal != nil {
		r.GoalText, r.GoalCheck = sc.Goal.Text, sc.Goal.Check.Name
	}
	return &explorer{sc: sc, opt: opt, r: r, outcomes: map[string]*Outcome{}, classes: map[string]bool{},
		broken: map[string]*Shortest{}, start: time.Now()}
}

// everyOrder runs the orders depth first: each run follows a prefix, then
// takes the first task that can move at each step, and leaves every other
// choice it passed for a later run. It reports whether orders were left
// when Max was reached.
func (x *explorer) everyOrder(ctx context.Context, limit int) (bool, error) {
	if x.stack == nil {
		x.stack = [][]string{nil}
	}
	for len(x.stack) > 0 {
		if x.r.Explored == limit {
			return true, nil
		}
		prefix := x.stack[len(x.stack)-1]
		x.stack = x.stack[:len(x.stack)-1]
		var path []string
		o, err := play(ctx, x.sc, x.opt.Cores, func(depth int, b engine.Board) (string, error) {
			ready := b.Ready()
			if depth < len(prefix) {
				if !contains(ready, prefix[depth]) {
					return "", fmt.Errorf("%s did not run the same way twice: at step %d, %s could not move as it did before (something outside the scheduler changed the run: a timeout, the clock)", x.sc.ID, depth+1, prefix[depth])
				}
				path = append(path, prefix[depth])
				return prefix[depth], nil
			}
			for i := len(ready) - 1; i >= 1; i-- {
				x.stack = append(x.stack, append(append([]string(nil), path...), ready[i]))
			}
			path = append(path, ready[0])
			return ready[0], nil
		})
		if err != nil {
			return false, stoppedOr(ctx, err)
		}
		x.add(o)
	}
	x.r.Exhaustive = true
	x.r.Orders = x.r.Explored
	return false, nil
}

// stoppedOr is err, unless the exploration was stopped: a run cut short
// by the stop may fail in any way (a task stopped is not ready to follow
// its prefix), and that is the stop, not a fault of the lesson.
func stoppedOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// lookAfter is how many orders are run in order before a look at how
// many there are; lookRuns, how many random orders that look runs.
const (
	lookAfter = 1000
	lookRuns  = 32
)

// tooMany says whether a first look, a few random orders, estimates more
// than 4 × Max orders; it returns the runs it took.
func (x *explorer) tooMany(ctx context.Context) (bool, int, error) {
	rng := rand.New(rand.NewPCG(x.opt.Seed, 0x6c6f6f6b))
	var sum float64
	for i := 0; i < lookRuns; i++ {
		width := 1.0
		_, err := play(ctx, x.sc, x.opt.Cores, func(depth int, b engine.Board) (string, error) {
			ready := b.Ready()
			width *= float64(len(ready))
			return ready[rng.IntN(len(ready))], nil
		})
		if err != nil {
			return false, i, stoppedOr(ctx, err)
		}
		sum += width
	}
	return sum/lookRuns > 4*float64(x.opt.Max), lookRuns, nil
}

// sample runs Max orders, each step's task drawn at random among those
// that can move, and estimates the number of orders (Knuth's estimator:
// the mean, over the samples, of the product of the choices each had).
func (x *explorer) sample(ctx context.Context) error {
	x.sampling = true
	rng := rand.New(rand.NewPCG(x.opt.Seed, 0x6d74_7669_7a))
	var sum float64
	for x.r.Explored < x.opt.Max {
		width := 1.0
		o, err := play(ctx, x.sc, x.opt.Cores, func(depth int, b engine.Board) (string, error) {
			ready := b.Ready()
			width *= float64(len(ready))
			return ready[rng.IntN(len(ready))], nil
		})
		if err != nil {
			return stoppedOr(ctx, err)
		}
		sum += width
		x.add(o)
		x.r.Orders = int(sum/float64(x.r.Explored) + 0.5)
	}
	return nil
}

// add counts one order.
func (x *explorer) add(o *Order) {
	r := x.r
	r.Explored++
	n := len(o.Steps)
	if r.Explored == 1 || n < r.MinSteps {
		r.MinSteps = n
	}
	r.MaxSteps = max(r.MaxSteps, n)
	x.classes[canonical(o.Steps)] = true
	key := o.outcomeKey()
	oc := x.outcomes[key]
	if oc == nil {
		oc = &Outcome{key: key, Final: o.Final, Lost: o.Lost, Deadlock: o.Deadlock, Forever: o.Forever, Checks: o.Summary.Checks, Goal: o.Goal, Example: o.Tasks()}
		x.outcomes[key] = oc
	}
	oc.Orders++
	for _, c := range o.Summary.Checks {
		if c.Verdict == verdict.Fail {
			x.shortest(x.brokenOf(c.Name), o)
		}
	}
	if o.Goal != nil && o.Goal.Verdict == verdict.Pass {
		if r.Goal == nil {
			r.Goal = &Shortest{Check: o.Goal.Name}
		}
		x.shortest(r.Goal, o)
	}
	x.progress(false)
}

func (x *explorer) brokenOf(name string) *Shortest {
	s := x.broken[name]
	if s == nil {
		s = &Shortest{Check: name}
		x.broken[name] = s
		x.r.Broken = append(x.r.Broken, Shortest{}) // filled in by finish
	}
	return s
}

func (x *explorer) shortest(s *Shortest, o *Order) {
	s.Count++
	if s.Tasks == nil || len(o.Steps) < len(s.Tasks) {
		s.Tasks = o.Tasks()
	}
}

// progressEvery is how often Progress is called.
const progressEvery = 100 * time.Millisecond

func (x *explorer) progress(final bool) {
	if x.opt.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(x.last) < progressEvery {
		return
	}
	x.last = now
	x.opt.Progress(Progress{Done: x.r.Explored, Of: x.opt.Max, Sampling: x.sampling, Elapsed: now.Sub(x.start)})
}

// finish orders the outcomes, most orders first, and the broken checks as
// the lesson lists them.
func (x *explorer) finish() *Report {
	r := x.r
	r.Classes = len(x.classes)
	for _, oc := range x.outcomes {
		r.Outcomes = append(r.Outcomes, oc)
	}
	sort.SliceStable(r.Outcomes, func(i, j int) bool {
		if r.Outcomes[i].Orders != r.Outcomes[j].Orders {
			return r.Outcomes[i].Orders > r.Outcomes[j].Orders
		}
		return r.Outcomes[i].key < r.Outcomes[j].key
	})
	r.Broken = r.Broken[:0]
	for _, c := range x.sc.Checks {
		if s := x.broken[c.Name]; s != nil {
			r.Broken = append(r.Broken, *s)
			delete(x.broken, c.Name)
		}
	}
	var rest []string
	for name := range x.broken {
		rest = append(rest, name)
	}
	sort.Strings(rest)
	for _, name := range rest {
		r.Broken = append(r.Broken, *x.broken[name])
	}
	x.progress(true)
	return r
}
