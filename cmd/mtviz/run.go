package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/engine"
	"mtviz/internal/explore"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/report"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/ui"
	"mtviz/internal/verdict"
)

const runUsage = `Usage: mtviz run [flags] LESSON|FILE

Runs one lesson: a built-in id (see 'mtviz list') or a scenario file.
Without --headless it opens the lesson on screen.

Flags:
{{flags}}

Exit codes: 0 every check held, 1 a check failed or the run was stopped,
2 bad usage or input, 3 no check failed but one could not be decided.
`

var traceModes = map[string]session.TraceMode{"auto": session.TraceAuto, "on": session.TraceOn, "off": session.TraceOff}

// checkFailed is returned when a lesson ran but a check did not hold, or
// the run was stopped before its end; its report is already printed.
type checkFailed struct{}

func (checkFailed) Error() string { return "a check failed" }

// notDecided is returned when no check failed but one could not be decided.
type notDecided struct{}

func (notDecided) Error() string { return "a check was not decided" }

type runFlags struct {
	headless, json bool
	cores          int
	hz             float64
	timeout        time.Duration
	maxProcs       int
	maxTasks       int
	goTrace        string
	perfetto       string
	record         string
	csv            string
	maxSize        int64
	// scheduler: the goroutine tasks take turns (--scheduler, --schedule);
	// schedule, when set, gives the turns.
	scheduler bool
	schedule  *explore.Schedule
}

func (f *runFlags) register(fs *flag.FlagSet, withCores bool) {
	fs.BoolVar(&f.headless, "headless", false, "no screen: print the log lines and a verdict per check")
	fs.BoolVar(&f.json, "json", false, "no screen: print every event, probe sample and the summary as JSON Lines")
	if withCores {
		fs.IntVar(&f.cores, "cores", 0, "use `N` cores (GOMAXPROCS and CPU affinity); default: all")
	}
	fs.Float64Var(&f.hz, "hz", 10, "probe samples per second, `N` from 1 to 100")
	f.timeout = 10 * time.Minute
	fs.Var(secondsFlag{&f.timeout}, "timeout", "headless: stop a run that lasts longer than `D` (10m, 90s, or plain seconds)")
	fs.IntVar(&f.maxProcs, "max-procs", session.DefaultMaxProcs, "refuse a lesson that starts more than `N` processes in a round")
	fs.IntVar(&f.maxTasks, "max-tasks", session.DefaultMaxTasks, "refuse a lesson with more than `N` task copies in a round")
	fs.StringVar(&f.goTrace, "go-trace", "auto", "read the Go runtime's trace, to tell running from runnable goroutines: `MODE` on, off, or auto (as the lesson asks; t toggles it on screen)")
	if withCores {
		fs.StringVar(&f.perfetto, "trace", "", "also write the run to `FILE` in the Trace Event format, for Perfetto's UI (ui.perfetto.dev) or speedscope: a track per process (named by its task), per thread (its OS states) and per lesson task (running, runnable, blocked on what), the cores' use and the counters")
	}
	if withCores {
		fs.StringVar(&f.record, "record", "", "write the run to `FILE` as it goes, for 'mtviz replay'")
		fs.StringVar(&f.csv, "csv", "", "a lesson that sweeps (runs once per task count, say): write its points to `FILE`, one row each with every figure")
	}
	fs.Int64Var(&f.maxSize, "max-size", lesson.MaxFile, "refuse a scenario file larger than `N` bytes (default 1 MiB)")
}

func (f *runFlags) validate(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if f.cores < 0 || f.cores > runtime.NumCPU() || given["cores"] && f.cores == 0 && fs.Name() == "run" {
		return usagef(fs.Name()+": --cores must be from 1 to %d (this machine's cores), not %d", runtime.NumCPU(), f.cores)
	}
	if f.hz < 1 || f.hz > 100 {
		return usagef(fs.Name()+": --hz must be from 1 to 100, not %g", f.hz)
	}
	if f.timeout <= 0 {
		return usagef("%s: --timeout must be above 0", fs.Name())
	}
	if _, ok := traceModes[f.goTrace]; !ok {
		return usagef(fs.Name()+": --go-trace must be on, off or auto, not %q", f.goTrace)
	}
	if _, mode := traceModes[f.perfetto]; mode {
		return usagef("%s: --trace takes a file to write the run to, for Perfetto; the runtime trace's mode is --go-trace %s", fs.Name(), f.perfetto)
	}
	if f.maxSize < 1 {
		return usagef(fs.Name()+": --max-size must be above 0, not %d", f.maxSize)
	}
	if f.maxTasks < 1 || f.maxTasks > 100000 {
		return usagef(fs.Name()+": --max-tasks must be from 1 to 100000, not %d", f.maxTasks)
	}
	if f.maxProcs < 1 || f.maxProcs > 4096 {
		return usagef(fs.Name()+": --max-procs must be from 1 to 4096, not %d", f.maxProcs)
	}
	return nil
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	var f runFlags
	var tf turnFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f.register(fs, true)
	nats := addRunNATSFlags(fs)
	tf.register(fs)
	pos, err := parseFlags(fs, args, runUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run: name one lesson or file, as in 'mtviz run race'; run 'mtviz list' for the lessons")
	}
	if err := f.validate(fs); err != nil {
		return err
	}
	if st, err := os.Stat(pos[0]); err == nil && st.IsDir() {
		if tf.given() {
			return usagef("run: --set, --scheduler and --schedule take one lesson, not a folder of them")
		}
		// What names one run's files or one lesson's broker cannot serve
		// a folder of lessons: refused, never silently dropped.
		var oneRun []string
		fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "record", "trace", "csv", "nats", "token-file", "nkey-seed", "creds", "replicas":
				oneRun = append(oneRun, "--"+fl.Name)
			}
		})
		if len(oneRun) > 0 {
			return usagef("run: %s: for one lesson, not a folder of them", strings.Join(oneRun, ", "))
		}
		return runDir(pos[0], f, stdout, stderr)
	}
	sc, err := resolve("run", pos[0], f.maxSize)
	if err != nil {
		return err
	}
	if err := nats.apply(sc); err != nil {
		return err
	}
	if sc, err = tf.prepare(sc, &f); err != nil {
		return err
	}
	opt := session.Options{Cores: f.cores, Hz: f.hz, MaxProcs: f.maxProcs, MaxTasks: f.maxTasks, GoTrace: traceModes[f.goTrace]}
	if err := session.Refuse(sc, opt); err != nil {
		return usageError{"run: " + err.Error()}
	}
	if err := limitCores(f.cores); err != nil {
		return err
	}
	if sc.Sweep != nil && (f.record != "" || f.perfetto != "") {
		return usagef("run: %s is a sweep of many runs: --record and --trace take one run; --csv FILE writes the sweep's points", sc.ID)
	}
	if sc.Sweep == nil && f.csv != "" {
		return usagef("run: --csv is for lessons that sweep (switching, cpu-vs-io); %s is one run", sc.ID)
	}
	var inputs []outfile.Input
	if isFile(pos[0]) {
		inputs = append(inputs, outfile.Input{What: "the lesson being run", Path: pos[0]})
	}
	if tf.schedule != "" {
		inputs = append(inputs, outfile.Input{What: "the schedule being followed", Path: tf.schedule})
	}
	if sc.Sweep != nil {
		return runSweep(sc, opt, f, inputs, stdout)
	}
	outs, files, err := openOutputs("run", inputs, outfile.Output{Flag: "--record", Path: f.record}, outfile.Output{Flag: "--trace", Path: f.perfetto})
	if err != nil {
		return err
	}
	if f.headless || f.json {
		setOutputs(&opt, files[0], files[1])
		return outs.finish(headless(sc, opt, f, stdout))
	}
	// On screen, every run (a restart, another lesson) is written: the
	// first to the paths asked, the next ones beside them, numbered.
	return outs.finish(onScreen("run", ui.Config{Scenarios: builtins(), Start: sc, Session: opt, Scheduler: f.scheduler, Schedule: f.schedule, Outputs: outs.screen()}))
}

// runSweep runs a lesson that sweeps: its points, once each can run.
func runSweep(sc *lesson.Scenario, opt session.Options, f runFlags, inputs []outfile.Input, stdout io.Writer) error {
	// The points are written at the end, beside the file and renamed;
	// the path is checked now, before the first point runs.
	if f.csv != "" {
		if err := outfile.Check(inputs, []outfile.Output{{Flag: "--csv", Path: f.csv}}); err != nil {
			return usagef("run: %v", err)
		}
	}
	opt.Cores = f.cores
	// Every point must be able to run before the first one starts.
	for _, v := range compare.Plan(sc) {
		if _, err := compare.Prepare(sc, v, opt); err != nil {
			return usageError{"run: point " + v.Label + ": " + err.Error()}
		}
	}
	if f.headless || f.json {
		return sweepHeadless(sc, opt, f, stdout)
	}
	return onScreen("run", ui.Config{Scenarios: builtins(), Start: sc, Session: opt, CSV: f.csv})
}

// setOutputs hands a run its recording and Perfetto trace files, those asked for.
func setOutputs(opt *session.Options, rec, perfetto *outfile.File) {
	if rec != nil {
		opt.Record = rec
	}
	if perfetto != nil {
		opt.Perfetto = perfetto
	}
}

// outcomeError turns how the screen ended into the exit code's error: a
// lesson left before its end exits 1, one that ended by its verdict.
func outcomeError(out ui.Outcome, err error) error {
	switch {
	case err != nil:
		return err
	case out.RecordError != nil:
		return fmt.Errorf("the recording is incomplete: %w", out.RecordError)
	case out.Finished && out.Summary != nil:
		return verdictError(*out.Summary)
	case out.Ran:
		return checkFailed{}
	}
	return nil
}

// resolve finds a lesson by built-in id, or loads a file of at most
// maxSize bytes.
func resolve(cmd, arg string, maxSize int64) (*lesson.Scenario, error) {
	if isFile(arg) {
		if _, err := os.Stat(arg); err != nil {
			return nil, usagef("%s: cannot read scenario file %s: %v", cmd, text.Clean(arg), errText(err))
		}
		sc, err := lesson.LoadFileLimit(arg, maxSize)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		return sc, nil
	}
	sc, err := builtin(arg, cmd)
	if err != nil {
		return nil, usagef("%s, or give a path to a .yaml file or a folder of them", strings.TrimSuffix(err.Error(), "; run 'mtviz list' for the lessons")+"; run 'mtviz list' for the lessons")
	}
	return sc, nil
}

// isFile says whether a lesson argument names a file, not a built-in.
func isFile(arg string) bool {
	return strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml")
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// builtins loads every embedded lesson. They are tested, so a failure here
// is a bug in the binary, and it says so.
func builtins() []*lesson.Scenario {
	all, err := lesson.Builtins()
	if err != nil {
		fmt.Fprintf(os.Stderr, "mtviz: a built-in lesson is broken: %v\n", err)
	}
	return all
}

// signalContext ends on SIGINT, SIGTERM, SIGHUP or SIGQUIT: each stops the
// run and its processes the same way (SIGQUIT's goroutine dump is skipped).
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
}

// headlessContext is a headless command's context: it ends on a signal,
// after timeout, or when any goroutine panics (so that its processes are
// ended before the panic is printed). done releases it.
func headlessContext(timeout time.Duration) (context.Context, func()) {
	ctx, cancel := signalContext()
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	guard.OnPanic(cancel)
	return ctx, func() {
		guard.OnPanic(nil)
		cancelT()
		cancel()
	}
}

func headless(sc *lesson.Scenario, opt session.Options, f runFlags, stdout io.Writer) error {
	ctx, done := headlessContext(f.timeout)
	defer done()
	opt.AutoKeys = true
	notes := make(chan string, 4)
	var turns *engine.Turns
	if f.schedule != nil {
		turns = engine.NewTurns()
		opt.Turns = turns
	}
	s := session.Start(ctx, sc, opt)
	// The session folds the run, once; the text reads its fold.
	out := report.New(stdout, f.json, s.Read)
	out.Begin(sc, s.Cores)
	if turns != nil {
		go func() {
			defer close(notes)
			followSchedule(ctx, turns, f.schedule, func(n string) { notes <- n })
		}()
	} else {
		close(notes)
	}
	items := s.Items()
	for items != nil {
		select {
		case it, ok := <-items:
			if !ok {
				items = nil
				continue
			}
			out.Item(it)
		case <-guard.Signal():
			// The run's own goroutines may be the ones that failed: give the
			// engine a moment to stop its processes, then leave.
			select {
			case <-s.Done():
			case <-time.After(3 * time.Second):
			}
			return guard.Panicked()
		}
	}
	sum := s.Wait()
	if notes != nil {
		for n := range notes {
			out.Note(n)
		}
	}
	steps := 0
	if turns != nil {
		steps = len(turns.Steps())
	}
	out.Goal(sc, s.Goal(), steps)
	out.Summary(sum)
	if err := s.RecordError(); err != nil {
		return fmt.Errorf("the recording is incomplete: %w", err)
	}
	return verdictError(sum)
}

// verdictError turns a run's verdict into the exit code's error.
func verdictError(sum verdict.Summary) error {
	switch {
	case sum.Stopped || sum.Verdict == verdict.Fail:
		return checkFailed{}
	case sum.Verdict == verdict.Undecided:
		return notDecided{}
	}
	return nil
}
