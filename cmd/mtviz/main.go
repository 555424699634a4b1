// Command mtviz lets a person watch processes and threads being scheduled:
// pick a lesson and real goroutines and child processes run it while the
// screen shows each task's state, every core's use, locks and counters.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mtviz/internal/engine"
	"mtviz/internal/text"
)

// Exit codes.
const (
	exitOK        = 0
	exitCheck     = 1 // a lesson's check failed (or the run did not finish)
	exitUsage     = 2 // bad usage or input
	exitUndecided = 3 // no check failed, but one could not be decided
)

// usageError is bad usage or input: it is printed as is and exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const mainUsage = `mtviz: watch processes and threads being scheduled

Usage:
  mtviz                       open the lesson picker
  mtviz run LESSON|FILE|DIR   run one lesson on screen (or --headless); a folder's lessons join the picker
  mtviz compare LESSON|FILE   run a lesson several ways (cores, its switches) side by side
  mtviz explore LESSON|FILE   run a lesson under every order of its steps; count each outcome
  mtviz watch --pid PID       watch any program's processes and threads live (or: watch -- CMD ARGS)
  mtviz replay FILE           play a run recorded with 'run --record'
  mtviz list                  list the built-in lessons
  mtviz check FILE...         check scenario files without running them
  mtviz steps                 print the scenario vocabulary: steps, objects, checks
  mtviz show LESSON           print a built-in lesson's scenario file
  mtviz new NAME [--from L]   write NAME.yaml, a lesson of your own to start from
  mtviz master                start a NATS server and a master that hands out tasks
  mtviz worker                join a master's job, here or from another machine
  mtviz bench distributed     measure the master and workers on this machine
  mtviz version               which mtviz this is (also --version)
  mtviz completion SHELL      shell completion for bash, zsh or fish
  mtviz help [COMMAND]        show help

Flags for every command, anywhere before "--":
  --lang en|zh                the lessons' language (or MTVIZ_LANG; else LC_ALL, LANG)
  --theme dark|light|auto     the screen's colours (or MTVIZ_THEME); auto asks the
                              terminal for its background, then reads COLORFGBG

Run 'mtviz COMMAND --help' for a command's flags.
Exit codes: 0 ok, 1 a lesson's check failed (or the run was stopped before
its end), 2 bad usage or input, 3 no check failed but one could not be decided.
`

type command struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) error // its --help prints its usage
}

var commands []command

func init() {
	commands = []command{
		{"run", cmdRun},
		{"compare", cmdCompare},
		{"explore", cmdExplore},
		{"watch", cmdWatch},
		{"replay", cmdReplay},
		{"list", cmdList},
		{"check", cmdCheck},
		{"steps", cmdSteps},
		{"show", cmdShow},
		{"new", cmdNew},
		{"master", cmdMaster},
		{"worker", cmdWorker},
		{"bench", cmdBench},
	}
}

func main() {
	engine.MaybeChild()
	fastTrace()
	// What a run keeps is bounded (the fold, the event buffers); this keeps
	// the garbage of a busy run from piling up above it. GOMEMLIMIT wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
	// MTVIZ_CPUPROFILE=FILE writes a CPU profile, for measuring mtviz itself.
	if path := os.Getenv("MTVIZ_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			code := Main(os.Args[1:], os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs mtviz with the given arguments and returns its exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	args, err := takeLang(args)
	if err == nil {
		args, err = takeTheme(args)
	}
	if err == nil {
		err = dispatch(args, stdout, stderr)
	}
	var ue usageError
	var ce checkFailed
	var nd notDecided
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		// An error may quote a file or a server: its text is cleaned too.
		fmt.Fprintln(stderr, "mtviz: "+text.CleanLines(ue.msg))
		return exitUsage
	case errors.As(err, &ce):
		return exitCheck
	case errors.As(err, &nd):
		return exitUndecided
	default:
		fmt.Fprintln(stderr, "mtviz: "+text.CleanLines(err.Error()))
		return exitCheck
	}
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return cmdPicker(stdout, stderr)
	}
	switch args[0] {
	case "--version", "-version", "version":
		return cmdVersion(args[1:], stdout, stderr)
	case "completion":
		return cmdCompletion(args[1:], stdout, stderr)
	case "-h", "--help", "-help", "help":
		if len(args) > 1 && args[0] == "help" {
			for _, c := range commands {
				if c.name == args[1] {
					// The command prints its own help, flags and all.
					return c.run([]string{"--help"}, stdout, stderr)
				}
			}
			if args[1] == "completion" || args[1] == "version" {
				return dispatch([]string{args[1], "--help"}, stdout, stderr)
			}
			return usagef("no command %q; run 'mtviz help'", args[1])
		}
		fmt.Fprint(stdout, mainUsage)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if strings.HasPrefix(args[0], "-") {
		return usagef("unknown flag %s; run 'mtviz --help'", text.Clean(args[0]))
	}
	return unknownCommand(args[0])
}

// parseFlags parses flags wherever they stand among the positional arguments,
// so that `mtviz run race --headless` works as well as `mtviz run --headless race`.
// On -h or --help it prints usage to stdout and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	// After "--" every word is an argument, flag-like or not (watch -- CMD).
	var rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, helpText(fs, usage))
				return nil, err
			}
			return nil, usagef("%s: %s; run 'mtviz %s --help'", fs.Name(), flagMessage(fs, args, err), fs.Name())
		}
		if fs.NArg() == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// flagMessage turns the flag package's wording into a plain sentence that
// names the flag as it was typed.
func flagMessage(fs *flag.FlagSet, args []string, err error) string {
	m := err.Error()
	if rest, ok := strings.CutPrefix(m, "flag provided but not defined: -"); ok {
		return unknownFlag(fs, args, rest)
	}
	if strings.HasPrefix(m, "invalid value ") {
		if i := strings.Index(m, " for flag -"); i > 0 {
			m = m[:i] + " for flag --" + m[i+len(" for flag -"):]
		}
	}
	return text.Clean(m)
}

// fastTrace makes the Go runtime hand out its trace every 100 ms instead of
// every second, so that lanes built from it lag by a tenth of a second. The
// setting is read when the runtime starts, so mtviz runs itself again with
// it (same PID: exec, not a child). MTVIZ_NO_REEXEC=1 turns this off.
func fastTrace() {
	const setting = "traceadvanceperiod=100000000"
	godebug := os.Getenv("GODEBUG")
	if strings.Contains(godebug, "traceadvanceperiod") || os.Getenv("MTVIZ_NO_REEXEC") == "1" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	if godebug != "" {
		godebug += ","
	}
	env := append(os.Environ(), "GODEBUG="+godebug+setting)
	syscall.Exec(exe, os.Args, env) // returns only on failure: then run as we are
}

// secondsFlag is a duration flag that also takes plain seconds: 5 is 5s, 0.5 is
// 500ms; 1m30s is as Go writes durations.
type secondsFlag struct{ d *time.Duration }

func (s secondsFlag) String() string {
	if s.d == nil {
		return "0s"
	}
	return s.d.String()
}

func (s secondsFlag) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f > 1e6 {
			return fmt.Errorf("%q is not a number of seconds from 0 to 1000000", v)
		}
		*s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write seconds (5, 0.5) or a Go duration (5s, 1m30s, 250ms)", v)
	}
	*s.d = d
	return nil
}

// durationFlag defines a duration flag that takes plain seconds too.
func durationFlag(fs *flag.FlagSet, name string, value time.Duration, usage string) *time.Duration {
	d := value
	fs.Var(secondsFlag{&d}, name, usage)
	return &d
}
