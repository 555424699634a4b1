package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"mtviz/internal/explore"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/report"
	"mtviz/internal/text"
)

const exploreUsage = `Usage: mtviz explore [flags] LESSON|FILE

Runs the lesson under every order of its visible steps (each read, write,
lock, unlock, wait, notify, set, put and get of its goroutine tasks), each
on real goroutines, when there are at most --max; otherwise under a sample
of --max orders drawn at random, and says so. It reports how many orders
end with each outcome (the counters' final values and updates lost, a
deadlock, a task left waiting forever, each check's verdict, the lesson's
goal), how many orders there are up to steps that commute (steps of two
tasks on different objects can be swapped without changing anything), and,
for each check some order breaks, the shortest such order. Lessons with
process tasks or key steps cannot be explored: processes run outside the
scheduler.

Flags:
{{flags}}

ctrl+c stops it and keeps what was explored, and says so.
Exit codes: 0 explored, 1 stopped before the end, 2 bad usage or input.
`

type exploreFlags struct {
	max     int
	seed    uint64
	out     string
	json    bool
	sets    setFlags
	cores   int
	timeout time.Duration
	maxSize int64
}

func cmdExplore(args []string, stdout, stderr io.Writer) error {
	var f exploreFlags
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.IntVar(&f.max, "max", explore.DefaultMax, "run at most `N` orders: more is a sample")
	fs.Uint64Var(&f.seed, "seed", 1, "the sample's seed `S`: the same seed, the same sample")
	fs.StringVar(&f.out, "out", "", "write the shortest order that breaks each check (and the one that meets the goal) to `DIR`, a schedule file each, for 'mtviz run LESSON --schedule FILE'")
	fs.BoolVar(&f.json, "json", false, "print one {\"type\":\"explore\",...} line")
	fs.Var(&f.sets, "set", "one of the lesson's switches, `NAME=V`; give --set again for another")
	fs.IntVar(&f.cores, "cores", 0, "the `N` cores the runs may use (default: all)")
	f.timeout = 10 * time.Minute
	fs.Var(secondsFlag{&f.timeout}, "timeout", "stop after `D`, keeping what was explored")
	fs.Int64Var(&f.maxSize, "max-size", lesson.MaxFile, "refuse a scenario file larger than `N` bytes (default 1 MiB)")
	pos, err := parseFlags(fs, args, exploreUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("explore: name one lesson or file, as in 'mtviz explore race-play'")
	}
	switch {
	case f.max < 1 || f.max > 1000000:
		return usagef("explore: --max must be from 1 to 1000000, not %d", f.max)
	case f.timeout <= 0:
		return usagef("explore: --timeout must be above 0")
	case f.maxSize < 1:
		return usagef("explore: --max-size must be above 0, not %d", f.maxSize)
	}
	sc, err := resolveFor("explore", pos[0], f.maxSize)
	if err != nil {
		return err
	}
	if sc, err = applySets("explore", sc, f.sets); err != nil {
		return err
	}
	if err := explore.Refuse(sc); err != nil {
		return usageError{"explore: " + err.Error()}
	}
	if err := limitCores(f.cores); err != nil {
		return err
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return usagef("explore: --out %s: %v", text.Clean(f.out), errText(err))
		}
		// Where the schedules go can be written: found now, not after the
		// exploration.
		probe := filepath.Join(f.out, sc.ID+".schedule")
		if err := outfile.Check(nil, []outfile.Output{{Flag: "--out", Path: probe}}); err != nil {
			return usagef("explore: %v", err)
		}
	}
	ctx, done := headlessContext(f.timeout)
	defer done()
	bar := progressBar(stderr)
	r, err := explore.Explore(ctx, sc, explore.Options{Max: f.max, Seed: f.seed, Cores: f.cores, Progress: bar})
	if bar != nil {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	if err != nil {
		return usageError{"explore: " + err.Error()}
	}
	written, err := writeShortest(f.out, sc, r)
	if err != nil {
		return fmt.Errorf("explore: --out: %w", err)
	}
	report.New(stdout, f.json, nil).Explored(sc, r, written)
	if r.Stopped {
		return checkFailed{}
	}
	return nil
}

// resolveFor finds a built-in lesson by id, or loads a file, for a command.
func resolveFor(cmd, arg string, maxSize int64) (*lesson.Scenario, error) {
	return resolve(cmd, arg, maxSize)
}

// applySets loads the lesson again with the --set switches, one value each.
func applySets(cmd string, sc *lesson.Scenario, sets setFlags) (*lesson.Scenario, error) {
	if len(sets) == 0 {
		return sc, nil
	}
	set := map[string]string{}
	for _, a := range sets {
		if len(a.Values) != 1 {
			return nil, usagef("%s: --set %s takes one value, not %s ('mtviz compare' runs several)", cmd, a.Name, strings.Join(a.Values, ","))
		}
		set[a.Name] = a.Values[0]
	}
	out, err := lesson.Reload(sc, set)
	if err != nil {
		if se, ok := err.(*lesson.SetError); ok {
			return nil, usagef("%s: --set: %s", cmd, se.Msg)
		}
		return nil, usageError{cmd + ": " + err.Error()}
	}
	return out, nil
}

// progressBar draws how far an exploration got on stderr, when it is a
// terminal: a bar, the orders run, and when the total is known, the time
// left.
func progressBar(w io.Writer) func(explore.Progress) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return nil
	}
	return func(p explore.Progress) {
		if p.Elapsed < time.Second || p.Of == 0 {
			return
		}
		const width = 30
		n := min(width, p.Done*width/p.Of)
		what := fmt.Sprintf("%d orders so far (at most %d)", p.Done, p.Of)
		if p.Sampling {
			left := time.Duration(float64(p.Elapsed) / float64(max(1, p.Done)) * float64(p.Of-p.Done))
			what = fmt.Sprintf("sample: %d of %d orders, about %s left", p.Done, p.Of, left.Round(time.Second))
		}
		fmt.Fprintf(w, "\r\x1b[K[%s%s] %s, %s", strings.Repeat("#", n), strings.Repeat(".", width-n), what, p.Elapsed.Round(100*time.Millisecond))
	}
}

// slugRE is what a file name made of a check's name leaves out: all but
// letters and digits, of any script, so that a Chinese name is kept.
var slugRE = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// writeShortest writes, to dir, the shortest order breaking each check,
// and the shortest meeting the goal; it returns each file by check.
func writeShortest(dir string, sc *lesson.Scenario, r *explore.Report) (map[string]string, error) {
	written := map[string]string{}
	if dir == "" {
		return written, nil
	}
	used := map[string]bool{}
	write := func(key, slug, what string, tasks []string) error {
		slug = strings.Trim(slugRE.ReplaceAllString(strings.ToLower(slug), "-"), "-")
		if r := []rune(slug); len(r) > 40 {
			slug = strings.TrimRight(string(r[:40]), "-")
		}
		if slug == "" {
			slug = "check"
		}
		name := sc.ID + "-" + slug
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%s-%d", sc.ID, slug, i)
		}
		used[name] = true
		p := filepath.Join(dir, name+".schedule")
		if err := explore.WriteFile(p, explore.Format(explore.Header{Lesson: sc.ID, Set: sc.Set, What: what}, tasks)); err != nil {
			return err
		}
		written[key] = p
		return nil
	}
	for _, b := range r.Broken {
		if err := write(b.Check, b.Check, "the shortest order found that breaks: "+b.Check, b.Tasks); err != nil {
			return written, err
		}
	}
	if r.Goal != nil {
		if err := write("goal", "goal", "the shortest order found that meets the goal: "+r.GoalText, r.Goal.Tasks); err != nil {
			return written, err
		}
	}
	return written, nil
}
