// Package session runs one scenario: the engine, the probe and the runtime
// trace side by side on one clock. It owns the run: pause, keys and the
// trace toggle are its methods, so a view never holds the engine. Every item
// it delivers is folded into a timeline and read by the verdicts' judge as
// it goes; the checks are decided by the judge at the end.
package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"mtviz/internal/contain"
	"mtviz/internal/engine"
	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
	"mtviz/internal/perfetto"
	"mtviz/internal/probe"
	"mtviz/internal/record"
	"mtviz/internal/rtrace"
	"mtviz/internal/verdict"
)

// Options tune a session.
type Options struct {
	Cores    int     // cores the run may use (0: all)
	Hz       float64 // probe rate (default 10)
	AutoKeys bool    // headless: press the keys `key` steps wait for
	MaxProcs int     // the most processes a round may start (default 64)
	MaxTasks int     // the most task copies a round may have (default 512)
	// GoTrace reads the Go runtime's own trace live, to tell running from
	// runnable goroutines and the P each ran on: TraceOn always, TraceOff
	// never, TraceAuto when the scenario asks for it.
	GoTrace TraceMode
	// Record, when set, receives the run as a recording (see package record).
	Record io.Writer
	// Label names the run in its recording: the variant of a comparison.
	Label string
	// Perfetto, when set, receives the run in the Trace Event format that
	// Perfetto's UI and speedscope read (see package perfetto): --trace.
	Perfetto io.Writer
	// Runner, when set, runs in place of the scenario engine: a watched
	// program (package watch); Root is then the process the probe follows.
	Runner Runner
	Root   int
	// Switches reads every thread's context switches (a read more per
	// thread and sample): comparisons and sweeps measure them.
	Switches bool
	// SwitchesEvery reads them on one sample in this many (default 1).
	SwitchesEvery int
	// Turns, when set, is the scheduler the run's goroutine tasks take
	// turns from (see engine.Turns): a person, or a schedule, chooses.
	Turns *engine.Turns
}

// TraceMode says when to read the runtime trace.
type TraceMode int

// Trace modes.
const (
	TraceAuto TraceMode = iota
	TraceOn
	TraceOff
)

// Runner is what runs beside the probe: the scenario engine, or a watched
// program.
type Runner interface {
	Run(ctx context.Context) error
	Events() <-chan []event.Event
	Cores() int
	Pause()
	Resume()
	Paused() bool
	Key(r rune) bool
}

// DefaultMaxProcs is the limit on a round's processes unless raised.
const DefaultMaxProcs = 64

// Refuse says why a scenario cannot run with these options, before anything
// starts: a step this engine cannot run, or more processes than allowed.
func Refuse(sc *lesson.Scenario, opt Options) error {
	if err := engine.Supported(sc); err != nil {
		return err
	}
	limit := opt.MaxProcs
	if limit <= 0 {
		limit = DefaultMaxProcs
	}
	cores := opt.Cores
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	if n := engine.ProcessCount(sc, cores); n > limit {
		return fmt.Errorf("%s starts %d processes in a round, more than the limit of %d; raise it with --max-procs", sc.ID, n, limit)
	}
	tasks := opt.MaxTasks
	if tasks <= 0 {
		tasks = DefaultMaxTasks
	}
	if n := engine.TaskCount(sc, cores); n > tasks {
		return fmt.Errorf("%s has %d tasks in a round, more than the limit of %d; raise it with --max-tasks", sc.ID, n, tasks)
	}
	return nil
}

// DefaultMaxTasks is the limit on a round's task copies unless raised: each
// is a goroutine, a lane and an event buffer.
const DefaultMaxTasks = 512

// Item is what a session delivers: a batch of events, or one sample.
type Item = fold.Item

// Summary is a run's verdict.
type Summary = verdict.Summary

// Session is one run of a scenario.
type Session struct {
	Scenario *lesson.Scenario
	Start    time.Time
	Cores    int

	engine Runner
	root   int // the process the probe follows

	traceMu  sync.Mutex
	tracer   *rtrace.Tracer
	traceErr error
	traceWG  sync.WaitGroup
	traceEnd bool
	changes  chan []rtrace.Change

	out    chan Item
	cancel context.CancelFunc
	done   chan struct{}

	// The run's fold: the one a screen draws, folded here as items are
	// delivered (see Read).
	foldMu sync.Mutex
	fold   *fold.Timeline

	mu       sync.Mutex
	summary  Summary
	goal     *verdict.Result // the lesson's goal, judged apart
	rec      *record.Writer
	recErr   error
	perfetto *perfetto.Writer // the --trace file, if any
}

// runnerFor is what runs: the watcher given, or the lesson's engine; with
// the process the probe follows from, and the cores.
func runnerFor(sc *lesson.Scenario, opt Options, start time.Time) (eng Runner, root, cores int) {
	if opt.Runner != nil {
		return opt.Runner, opt.Root, opt.Runner.Cores()
	}
	e := engine.New(sc, engine.Options{Cores: opt.Cores, Start: start, AutoKeys: opt.AutoKeys, Turns: opt.Turns})
	if engine.ProcessCount(sc, e.Cores()) > 0 {
		// The run's box tries a process in a cgroup the first time: done
		// now, before the probe looks at mtviz's children, it is not one
		// of the lesson's.
		contain.Ready()
	}
	return e, os.Getpid(), e.Cores()
}

// openOutputs starts the recording and the Perfetto trace, those asked for.
func (s *Session) openOutputs(opt Options, hz float64, watching bool) {
	if opt.Record != nil {
		s.rec = record.NewWriter(opt.Record)
		h := record.NewHeader(s.Scenario, s.Cores, s.Start, s.root, hz)
		h.Label, h.Watch = opt.Label, watching
		s.recErr = s.rec.Header(h)
	}
	if opt.Perfetto != nil {
		s.perfetto = perfetto.New(opt.Perfetto, s.root)
	}
}

// Start begins a run. Items must be read until the channel closes.
func Start(parent context.Context, sc *lesson.Scenario, opt Options) *Session {
	ctx, cancel := context.WithCancel(parent)
	start := time.Now()
	eng, root, cores := runnerFor(sc, opt, start)
	s := &Session{Scenario: sc, engine: eng, root: root, Start: start, Cores: cores,
		out: make(chan Item, 4), cancel: cancel, done: make(chan struct{})}
	hz := opt.Hz
	if hz <= 0 {
		hz = 10
	}
	watching := opt.Runner != nil
	pr := probe.New(probe.Options{Hz: hz, Start: start, Threads: true, Switches: opt.Switches, SwitchesEvery: opt.SwitchesEvery, Root: root})
	s.fold = fold.New(fold.Config{Scenario: sc, Cores: s.Cores, Root: root, Watch: watching})
	vj := verdict.New(verdict.Config{Scenario: sc, Cores: s.Cores, Root: root})
	gj := verdict.GoalJudge(verdict.Config{Scenario: sc, Cores: s.Cores, Root: root})
	s.openOutputs(opt, hz, watching)
	injectFault()
	s.changes = make(chan []rtrace.Change, 64)
	changes := (<-chan []rtrace.Change)(s.changes)
	if opt.GoTrace == TraceOn || opt.GoTrace == TraceAuto && sc.RuntimeTrace {
		s.SetRuntimeTrace(true)
	}
	probeCtx, stopProbe := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	var runErr error
	go func() {
		defer guard.Recover()
		defer wg.Done()
		runErr = eng.Run(ctx)
	}()
	go func() {
		defer guard.Recover()
		defer wg.Done()
		pr.Run(probeCtx)
	}()
	go func() {
		defer guard.Recover()
		defer close(s.done)
		defer close(s.out)
		evs, sams := eng.Events(), pr.Samples()
		deliver := func(it Item) {
			// Names from /proc, programs' output and children's words
			// become screen text here, once, for every consumer.
			it = fold.CleanItem(it)
			s.foldMu.Lock()
			s.fold.Apply(it)
			s.foldMu.Unlock()
			vj.Apply(it)
			if gj != nil {
				gj.Apply(it)
			}
			s.record(it)
			s.out <- it
		}
		for evs != nil || sams != nil || changes != nil {
			select {
			case b, ok := <-evs:
				if !ok {
					evs = nil
					// The run is over: one more sample covers its last moments.
					stopProbe()
					go s.endRuntimeTrace()
					continue
				}
				deliver(Item{Events: b})
			case cs, ok := <-changes:
				if !ok {
					changes = nil
					continue
				}
				deliver(Item{Events: runtimeEvents(cs)})
			case smp, ok := <-sams:
				if !ok {
					sams = nil
					continue
				}
				deliver(Item{Sample: &smp})
			}
		}
		wg.Wait()
		stopProbe()
		stopped := runErr != nil
		end := record.End{Stopped: stopped}
		if runErr != nil && !errors.Is(runErr, engine.ErrStopped) {
			end.Errors = append(end.Errors, runErr.Error())
		}
		sum := vj.Decide(end.Stopped, end.Errors)
		s.mu.Lock()
		s.summary = sum
		s.goal = decideGoal(gj, end.Stopped)
		if s.rec != nil {
			if err := s.rec.End(end); err != nil && s.recErr == nil {
				s.recErr = err
			}
		}
		if s.perfetto != nil {
			if err := s.perfetto.Close(); err != nil && s.recErr == nil {
				s.recErr = fmt.Errorf("--trace: %w", err)
			}
		}
		s.mu.Unlock()
	}()
	return s
}

// NewJudge is the judge of a recorded run, for a caller that feeds it
// the items as it reads them.
func NewJudge(sc *lesson.Scenario, h record.Header) *verdict.Judge {
	return verdict.New(verdict.Config{Scenario: sc, Cores: h.Cores, Root: h.Root})
}

// Decide is the verdict of a recorded run whose items the judge has had.
func Decide(vj *verdict.Judge, end record.End) Summary {
	return vj.Decide(end.Stopped, end.Errors)
}

// record writes an item to the recording, if there is one; the first
// failure is kept and the rest of the run goes unrecorded.
func (s *Session) record(it Item) {
	if s.rec == nil && s.perfetto == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec != nil && s.recErr == nil {
		s.recErr = s.rec.Item(it)
	}
	if s.perfetto != nil {
		s.perfetto.Item(it)
	}
}

// RecordError is why the recording failed, if it did.
func (s *Session) RecordError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recErr
}

// RootPID is the process a session's probe observes the tree of: mtviz.
func RootPID() int { return os.Getpid() }

// Root is the process this session's probe follows: mtviz, or the watched
// program.
func (s *Session) Root() int { return s.root }

// Pause stops every task at its next step; Resume lets them go on.
func (s *Session) Pause() { s.engine.Pause() }

// Resume undoes Pause.
func (s *Session) Resume() { s.engine.Resume() }

// Paused reports whether the run is paused.
func (s *Session) Paused() bool { return s.engine.Paused() }

// Key presses a key that a step of the lesson waits for; false if no step
// was waiting for it.
func (s *Session) Key(r rune) bool { return s.engine.Key(r) }

// SetRuntimeTrace starts or stops reading the runtime's trace during the run. The
// trace can slow goroutines that block and wake very often, so the learner
// can turn it off.
func (s *Session) SetRuntimeTrace(on bool) error {
	s.traceMu.Lock()
	defer s.traceMu.Unlock()
	if s.traceEnd || on == (s.tracer != nil) {
		return s.traceErr
	}
	if !on {
		s.tracer.Stop()
		s.tracer = nil
		return nil
	}
	t, err := rtrace.Start(s.Start)
	s.traceErr = err
	if err != nil {
		return err
	}
	s.tracer = t
	s.traceWG.Add(1)
	go func() {
		defer s.traceWG.Done()
		for b := range t.Changes() {
			s.changes <- b
		}
	}()
	return nil
}

// Tracing reports whether the runtime trace is being read, and if it could
// not be started, why.
func (s *Session) Tracing() (bool, error) {
	s.traceMu.Lock()
	defer s.traceMu.Unlock()
	return s.tracer != nil, s.traceErr
}

// endRuntimeTrace stops the runtime trace for good at the end of the run.
func (s *Session) endRuntimeTrace() {
	s.traceMu.Lock()
	s.traceEnd = true
	if s.tracer != nil {
		s.tracer.Stop()
		s.tracer = nil
	}
	s.traceMu.Unlock()
	s.traceWG.Wait()
	close(s.changes)
}

// Read calls f with the run's fold, every item delivered so far folded in,
// and holds it still meanwhile: a screen draws this fold rather than fold
// the items again. f may add to the log; it must not wait for the session
// (its deliverer waits for f).
func (s *Session) Read(f func(tl *fold.Timeline)) {
	s.foldMu.Lock()
	defer s.foldMu.Unlock()
	f(s.fold)
}

// Items delivers events and samples as they come; closed when the run is over
// and judged.
func (s *Session) Items() <-chan Item { return s.out }

// Stop ends the run early.
func (s *Session) Stop() { s.cancel() }

// Wait waits for the end of the run (draining Items if nobody else does) and
// returns its summary.
func (s *Session) Wait() Summary {
	for range s.out {
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary
}

// Done is closed when the run is over and judged.
func (s *Session) Done() <-chan struct{} { return s.done }

// Summary returns the verdict once Done is closed.
func (s *Session) Summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary
}

// injectFault panics in a guarded goroutine when MTVIZ_FAULT=panic-after:D
// is set: the tests use it to prove that a panic still restores the terminal
// and leaves no child process behind.
func injectFault() {
	v, ok := strings.CutPrefix(os.Getenv("MTVIZ_FAULT"), "panic-after:")
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return
	}
	guard.Go(func() {
		time.Sleep(d)
		panic("fault injected by MTVIZ_FAULT")
	})
}

// runtimeEvents turns the runtime trace's changes into events.
func runtimeEvents(cs []rtrace.Change) []event.Event {
	out := make([]event.Event, 0, len(cs))
	for _, c := range cs {
		x := event.RuntimeState{Why: c.Why}
		switch c.State {
		case rtrace.Running:
			x.State, x.P = event.Running, c.P
		case rtrace.Runnable:
			x.State = event.Runnable
		case rtrace.Waiting, rtrace.Syscall:
			x.State = event.Blocked
		case rtrace.Gone:
			x.State = event.Done
		default:
			continue
		}
		out = append(out, event.Event{T: c.T, Task: c.Task, Data: x})
	}
	return out
}
