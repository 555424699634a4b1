package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"mtviz/internal/guard"
	"mtviz/internal/probe"
	"mtviz/internal/session"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
	"mtviz/internal/ui"
)

const runUsage = `Usage: mtviz run [flags] LESSON|FILE

Runs one lesson: a built-in id (see 'mtviz list') or a scenario file.
Without --headless it opens the lesson on screen.

Flags:
  --headless        no screen: print the lesson's log lines and a verdict per check
  --json            no screen: print every event, probe sample and the summary as JSON Lines
  --cores N         use N cores (GOMAXPROCS and CPU affinity); default: all
  --hz N            probe samples per second (default 10, 1 to 100)
  --timeout D       headless: stop a run that lasts longer than D (default 10m)
  --max-procs N     refuse a lesson that starts more than N processes in a round (default 64)
  --trace MODE      read the Go runtime's trace, to tell running from runnable goroutines:
                    on, off, or auto (default: as the lesson asks; t toggles it on screen)

Exit codes: 0 every check held, 1 a check failed or the run was stopped, 2 bad usage or input.
`

var traceModes = map[string]session.TraceMode{"auto": session.TraceAuto, "on": session.TraceOn, "off": session.TraceOff}

// checkFailed is returned when a lesson ran but a check did not hold; its
// report is already printed.
type checkFailed struct{}

func (checkFailed) Error() string { return "a check failed" }

type runFlags struct {
	headless, json bool
	cores          int
	hz             float64
	timeout        time.Duration
	maxProcs       int
	trace          string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.headless, "headless", false, "")
	fs.BoolVar(&f.json, "json", false, "")
	fs.IntVar(&f.cores, "cores", 0, "")
	fs.Float64Var(&f.hz, "hz", 10, "")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Minute, "")
	fs.IntVar(&f.maxProcs, "max-procs", session.DefaultMaxProcs, "")
	fs.StringVar(&f.trace, "trace", "auto", "")
}

func (f *runFlags) validate() error {
	if f.cores < 0 || f.cores > runtime.NumCPU() {
		return usagef("run: --cores must be from 1 to %d (this machine's cores), not %d", runtime.NumCPU(), f.cores)
	}
	if f.hz < 1 || f.hz > 100 {
		return usagef("run: --hz must be from 1 to 100, not %g", f.hz)
	}
	if f.timeout <= 0 {
		return usagef("run: --timeout must be above 0")
	}
	if _, ok := traceModes[f.trace]; !ok {
		return usagef("run: --trace must be on, off or auto, not %q", f.trace)
	}
	if f.maxProcs < 1 || f.maxProcs > 4096 {
		return usagef("run: --max-procs must be from 1 to 4096, not %d", f.maxProcs)
	}
	return nil
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f.register(fs)
	pos, err := parseFlags(fs, args, runUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run: name one lesson or file, as in 'mtviz run race'; run 'mtviz list' for the lessons")
	}
	if err := f.validate(); err != nil {
		return err
	}
	sc, err := resolve(pos[0])
	if err != nil {
		return err
	}
	opt := session.Options{Cores: f.cores, Hz: f.hz, MaxProcs: f.maxProcs, Trace: traceModes[f.trace]}
	if err := session.Refuse(sc, opt); err != nil {
		return usageError{"run: " + err.Error()}
	}
	if err := limitCores(f.cores); err != nil {
		return err
	}
	if f.headless || f.json {
		return headless(sc, opt, f, stdout)
	}
	return ui.Run(ui.Config{Scenarios: builtins(), Start: sc, Session: opt})
}

// resolve finds a lesson by built-in id, or loads a file.
func resolve(arg string) (*spec.Scenario, error) {
	if strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") {
		if _, err := os.Stat(arg); err != nil {
			return nil, usagef("run: cannot read scenario file %s: %v", arg, errText(err))
		}
		sc, err := spec.LoadFile(arg)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		return sc, nil
	}
	for _, sc := range builtins() {
		if sc.ID == arg {
			return sc, nil
		}
	}
	return nil, usagef("run: no lesson %q; run 'mtviz list' for the lessons, or give a path to a .yaml file", arg)
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// builtins loads every embedded lesson. They are tested, so a failure here
// is a bug in the binary, and it says so.
func builtins() []*spec.Scenario {
	all, err := spec.Builtins()
	if err != nil {
		fmt.Fprintf(os.Stderr, "mtviz: a built-in lesson is broken: %v\n", err)
	}
	return all
}

// signalContext ends on SIGINT, SIGTERM or SIGHUP.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

func headless(sc *spec.Scenario, opt session.Options, f runFlags, stdout io.Writer) error {
	ctx, cancel := signalContext()
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, f.timeout)
	defer cancelT()
	opt.AutoKeys = true
	guard.OnPanic(cancel)
	defer guard.OnPanic(nil)
	s := session.Start(ctx, sc, opt)
	out := newPrinter(stdout, f.json, sc, s.Cores)
	items := s.Items()
	for items != nil {
		select {
		case it, ok := <-items:
			if !ok {
				items = nil
				continue
			}
			if it.Sample != nil {
				out.sample(it.Sample)
			}
			for i := range it.Events {
				out.event(&it.Events[i])
			}
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
	out.summary(sum)
	if !sum.OK {
		return checkFailed{}
	}
	return nil
}

type printer struct {
	w    io.Writer
	json bool
	enc  *json.Encoder
}

func newPrinter(w io.Writer, asJSON bool, sc *spec.Scenario, cores int) *printer {
	p := &printer{w: w, json: asJSON, enc: json.NewEncoder(w)}
	if !asJSON {
		fmt.Fprintf(w, "%s: %s (%d round(s), %d core(s))\n", sc.ID, sc.Title, sc.Rounds, cores)
	}
	return p
}

func seconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1e6 }

func (p *printer) event(ev *sim.Event) {
	if p.json {
		p.enc.Encode(struct {
			Type string  `json:"type"`
			T    float64 `json:"t"`
			*sim.Event
		}{"event", seconds(ev.T), ev})
		return
	}
	switch ev.Kind {
	case sim.KLog:
		fmt.Fprintf(p.w, "%8.3fs %-10s %s\n", seconds(ev.T), ev.Task, ev.Text)
	case sim.KPhase:
		fmt.Fprintf(p.w, "%8.3fs ---------- phase %s\n", seconds(ev.T), ev.Text)
	case sim.KError:
		fmt.Fprintf(p.w, "%8.3fs %-10s error: %s\n", seconds(ev.T), ev.Task, ev.Text)
	case sim.KKey:
		fmt.Fprintf(p.w, "%8.3fs %-10s waits for key %s (%s); pressed automatically\n", seconds(ev.T), ev.Task, ev.Object, ev.Text)
	case sim.KRoundEnd:
		var parts []string
		keys := make([]string, 0, len(ev.Values))
		for k := range ev.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := fmt.Sprintf("%s=%d", k, ev.Values[k])
			if l := ev.LostBy[k]; l > 0 {
				s += fmt.Sprintf(" (%d overwritten)", l)
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(p.w, "%8.3fs round %d ended: %s\n", seconds(ev.T), ev.Value, strings.Join(parts, ", "))
	}
}

func (p *printer) sample(s *probe.Sample) {
	if p.json {
		p.enc.Encode(struct {
			Type string  `json:"type"`
			T    float64 `json:"t"`
			*probe.Sample
		}{"sample", seconds(s.T), s})
	}
}

func (p *printer) summary(sum session.Summary) {
	if p.json {
		p.enc.Encode(struct {
			Type     string  `json:"type"`
			Duration float64 `json:"duration"`
			session.Summary
		}{"summary", seconds(sum.Duration), sum})
		return
	}
	fmt.Fprintln(p.w)
	for _, r := range sum.Checks {
		mark := "PASS"
		if !r.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(p.w, "%s  %s\n      %s\n", mark, r.Name, r.Detail)
	}
	for _, e := range sum.Errors {
		fmt.Fprintf(p.w, "error: %s\n", e)
	}
	switch {
	case sum.Stopped:
		fmt.Fprintf(p.w, "stopped before the end after %.1fs\n", seconds(sum.Duration))
	case sum.OK:
		fmt.Fprintf(p.w, "ok: every check held (%.1fs)\n", seconds(sum.Duration))
	default:
		fmt.Fprintf(p.w, "FAILED: a check did not hold (%.1fs)\n", seconds(sum.Duration))
	}
}
