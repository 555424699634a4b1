package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"mtviz/internal/guard"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/report"
	"mtviz/internal/session"
	"mtviz/internal/ui"
	"mtviz/internal/watch"
)

const watchUsage = `Usage: mtviz watch [flags] --pid PID
       mtviz watch [flags] -- COMMAND [ARGS...]

Shows a program that is not a lesson, live, from /proc alone (no root
needed): a running process and all its descendants (--pid), or a command
started for the purpose. One lane per thread of every process, drawn by the
state /proc reads (running on core n, runnable, sleeping, I for D, T
stopped, Z zombie), the process tree as it changes, the cores, context
switches, and the file locks its processes hold or wait for.

--pid never signals the program. A command started by watch ends with mtviz,
its whole process group; q asks before ending it. The screen keeps showing
what was seen once the program has ended, with its exit status.

Flags:
{{flags}}

Exit codes: 0 watched to the end (the program's own exit status is shown,
not passed on), 1 the watch was stopped, 2 bad usage or input (no such
process, one this user may not read, a command that cannot start).
`

func cmdWatch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	pid := fs.Int("pid", 0, "watch the process `PID` and its descendants")
	hz := fs.Float64("hz", 10, "samples per second, `N` from 1 to 100")
	duration := durationFlag(fs, "duration", 0, "stop watching after `D` (5, 5s, 1m30s); a started command is ended")
	headlessF := fs.Bool("headless", false, "no screen: the program's output as log lines, then how it ended")
	asJSON := fs.Bool("json", false, "no screen: every sample and event as JSON Lines, as 'run --json'")
	recordPath := fs.String("record", "", "record to `FILE` for 'mtviz replay'")
	tracePath := fs.String("trace", "", "write to `FILE` in the Trace Event format, for Perfetto's UI or speedscope")
	pos, err := parseFlags(fs, args, watchUsage, stdout)
	if err != nil {
		return err
	}
	switch {
	case *hz < 1 || *hz > 100:
		return usagef("watch: --hz must be from 1 to 100, not %g", *hz)
	case *duration < 0:
		return usagef("watch: --duration must be above 0")
	case *pid < 0:
		return usagef("watch: --pid must be a process id, not %d", *pid)
	}
	if !*headlessF && !*asJSON {
		// Said before any program starts.
		if err := needTerminal("watch"); err != nil {
			return err
		}
	}
	// The output files first: a path that cannot be written, or that is
	// the program or a file it names, is refused before any program starts.
	var opt session.Options
	outs, files, err := openOutputs("watch", fileInputs(pos), outfile.Output{Flag: "--record", Path: *recordPath}, outfile.Output{Flag: "--trace", Path: *tracePath})
	if err != nil {
		return err
	}
	if *headlessF || *asJSON {
		setOutputs(&opt, files[0], files[1])
	}
	return outs.finish(watchRun(opt, outs.screen(), *pid, pos, *duration, *hz, *headlessF, *asJSON, stdout))
}

func watchRun(opt session.Options, files ui.Outputs, pid int, cmd []string, duration time.Duration, hz float64, headless, asJSON bool, stdout io.Writer) error {
	w, err := watch.Start(watch.Options{PID: pid, Cmd: cmd, Duration: duration, Start: time.Now()})
	var we *watch.Error
	if errors.As(err, &we) {
		return usageError{we.Msg}
	} else if err != nil {
		return err
	}
	// Context switches cost a status read per thread: once a second is
	// enough for a rate, and keeps a big tree's sample near the stat floor.
	opt.Hz, opt.Runner, opt.Root = hz, w, w.Root()
	opt.Switches, opt.SwitchesEvery, opt.GoTrace = true, max(1, int(hz)), session.TraceOff
	sc := w.Scenario()
	if headless || asJSON {
		return watchHeadless(sc, opt, asJSON, stdout)
	}
	out, err := ui.Run(ui.Config{Start: sc, Session: opt, Outputs: files})
	switch {
	case err != nil:
		return err
	case out.RecordError != nil:
		return fmt.Errorf("the recording is incomplete: %w", out.RecordError)
	case !out.Finished:
		return checkFailed{}
	}
	return nil
}

// watchHeadless prints the program's output and its end, or every sample.
func watchHeadless(sc *lesson.Scenario, opt session.Options, asJSON bool, stdout io.Writer) error {
	ctx, cancel := signalContext()
	defer cancel()
	guard.OnPanic(cancel)
	defer guard.OnPanic(nil)
	s := session.Start(ctx, sc, opt)
	p := report.New(stdout, asJSON, s.Read)
	p.Begin(sc, s.Cores)
	for it := range s.Items() {
		p.Item(it)
	}
	sum := s.Wait()
	p.Watched(sum)
	if err := s.RecordError(); err != nil {
		return fmt.Errorf("the recording is incomplete: %w", err)
	}
	if sum.Stopped {
		return checkFailed{}
	}
	return nil
}
