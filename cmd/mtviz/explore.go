package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"mtviz/internal/explore"
	"mtviz/internal/outfile"
	"mtviz/internal/spec"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
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
	fs.Int64Var(&f.maxSize, "max-size", spec.MaxFile, "refuse a scenario file larger than `N` bytes (default 1 MiB)")
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
	if f.json {
		printExploreJSON(stdout, r)
	} else {
		printExplore(stdout, sc, r, written)
	}
	if r.Stopped {
		return checkFailed{}
	}
	return nil
}

// resolveFor finds a built-in lesson by id, or loads a file, for a command.
func resolveFor(cmd, arg string, maxSize int64) (*spec.Scenario, error) {
	return resolve(cmd, arg, maxSize)
}

// applySets loads the lesson again with the --set switches, one value each.
func applySets(cmd string, sc *spec.Scenario, sets setFlags) (*spec.Scenario, error) {
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
	out, err := spec.Reload(sc, set)
	if err != nil {
		if se, ok := err.(*spec.SetError); ok {
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
func writeShortest(dir string, sc *spec.Scenario, r *explore.Report) (map[string]string, error) {
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

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands writes n with its thousands apart: 9,465,511,770.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// printExplore writes what the exploration found, as text.
func printExplore(w io.Writer, sc *spec.Scenario, r *explore.Report, written map[string]string) {
	name := sc.ID
	if set := spec.SetText(sc.Set); set != "" {
		name += " (" + set + ")"
	}
	steps := fmt.Sprintf("%d to %d", r.MinSteps, r.MaxSteps)
	if r.MinSteps == r.MaxSteps {
		steps = fmt.Sprint(r.MinSteps)
	}
	fmt.Fprintf(w, "%s: %s, %s visible steps an order\n", name, plural(r.Tasks, "task", "tasks"), steps)
	switch {
	case r.Stopped:
		fmt.Fprintf(w, "stopped after %s: what follows covers those only\n", plural(r.Explored, "order", "orders"))
	case r.Exhaustive:
		fmt.Fprintf(w, "every order explored: %s", plural(r.Orders, "order", "orders"))
	default:
		fmt.Fprintf(w, "more than %s orders (about %s, estimated from the sample): a sample of %s, drawn at random with seed %d", thousands(r.Max), thousands(r.Orders), thousands(r.Explored), r.Seed)
	}
	if !r.Stopped {
		fmt.Fprintf(w, ", %s up to steps that commute, in %.2fs (%.2f ms an order)\n", thousands(r.Classes), r.Elapsed.Seconds(), float64(r.PerOrder().Microseconds())/1000)
	}
	fmt.Fprintf(w, "\n%s:\n", plural(len(r.Outcomes), "outcome", "outcomes"))
	for _, o := range r.Outcomes {
		fmt.Fprintf(w, "  %-11s %s\n", plural(o.Orders, "order", "orders"), outcomeText(o))
	}
	of := r.Explored
	if r.GoalText != "" {
		fmt.Fprintf(w, "\ngoal, %s: ", text.Clean(r.GoalText))
		if r.Goal == nil {
			fmt.Fprintf(w, "no order meets it\n")
		} else {
			fmt.Fprintf(w, "met by %d of %d orders; the shortest, %s: %s%s\n", r.Goal.Count, of, plural(len(r.Goal.Tasks), "step", "steps"), strings.Join(r.Goal.Tasks, " "), wrote(written["goal"]))
		}
	}
	if len(r.Broken) == 0 {
		fmt.Fprintln(w, "\nno order breaks a check")
		return
	}
	fmt.Fprintln(w, "\nchecks some order breaks, and the shortest order that does:")
	for _, b := range r.Broken {
		fmt.Fprintf(w, "  %s: broken by %d of %d orders; %s: %s%s\n", text.Clean(b.Check), b.Count, of, plural(len(b.Tasks), "step", "steps"), strings.Join(b.Tasks, " "), wrote(written[b.Check]))
	}
}

func wrote(path string) string {
	if path == "" {
		return ""
	}
	return " (written to " + path + ")"
}

// outcomeText is one outcome in a line: final values, what went wrong,
// the checks that failed, the goal.
func outcomeText(o *explore.Outcome) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(o.Final)) {
		v := fmt.Sprintf("%s=%d", k, o.Final[k])
		if n := o.Lost[k]; n > 0 {
			v += fmt.Sprintf(" (%s lost)", plural(int(n), "update", "updates"))
		}
		parts = append(parts, v)
	}
	if o.Deadlock {
		parts = append(parts, "deadlock")
	}
	if o.Forever {
		parts = append(parts, "a task waits forever")
	}
	var failed []string
	for _, c := range o.Checks {
		if c.Verdict != verdict.Pass {
			failed = append(failed, c.Verdict.String()+": "+text.Clean(c.Name))
		}
	}
	if len(failed) == 0 {
		parts = append(parts, "every check held")
	} else {
		parts = append(parts, strings.Join(failed, "; "))
	}
	if o.Goal != nil && o.Goal.Verdict == verdict.Pass {
		parts = append(parts, "goal met")
	}
	return strings.Join(parts, ", ")
}

type exploreOutcomeJSON struct {
	Orders   int                        `json:"orders"`
	Final    map[string]int64           `json:"final"`
	Lost     map[string]int64           `json:"lost,omitempty"`
	Deadlock bool                       `json:"deadlock"`
	Forever  bool                       `json:"waits_forever"`
	Checks   map[string]verdict.Verdict `json:"checks"`
	Goal     *verdict.Verdict           `json:"goal,omitempty"`
	Example  []string                   `json:"example"`
}

type exploreGoalJSON struct {
	Text     string   `json:"text"`
	Check    string   `json:"check"`
	Orders   int      `json:"orders"`
	Shortest []string `json:"shortest,omitempty"`
}

// printExploreJSON writes the exploration as one JSON line.
func printExploreJSON(w io.Writer, r *explore.Report) {
	out := struct {
		Type       string               `json:"type"`
		Lesson     string               `json:"lesson"`
		Set        map[string]string    `json:"set,omitempty"`
		Orders     int                  `json:"orders"`
		Explored   int                  `json:"explored"`
		Exhaustive bool                 `json:"exhaustive"`
		Stopped    bool                 `json:"stopped,omitempty"`
		Classes    int                  `json:"commuting_classes"`
		Tasks      int                  `json:"tasks"`
		MinSteps   int                  `json:"min_steps"`
		MaxSteps   int                  `json:"max_steps"`
		Seconds    float64              `json:"seconds"`
		PerOrder   float64              `json:"per_order_ms"`
		Seed       uint64               `json:"seed,omitempty"`
		Outcomes   []exploreOutcomeJSON `json:"outcomes"`
		Shortest   map[string][]string  `json:"shortest"`
		Goal       *exploreGoalJSON     `json:"goal,omitempty"`
	}{Type: "explore", Lesson: r.Lesson, Set: r.Set, Orders: r.Orders, Explored: r.Explored, Exhaustive: r.Exhaustive,
		Stopped: r.Stopped, Classes: r.Classes, Tasks: r.Tasks, MinSteps: r.MinSteps, MaxSteps: r.MaxSteps,
		Seconds: r.Elapsed.Seconds(), PerOrder: math.Round(float64(r.PerOrder().Microseconds())) / 1000,
		Outcomes: []exploreOutcomeJSON{}, Shortest: map[string][]string{}}
	if !r.Exhaustive {
		out.Seed = r.Seed
	}
	for _, o := range r.Outcomes {
		oj := exploreOutcomeJSON{Orders: o.Orders, Final: o.Final, Lost: o.Lost, Deadlock: o.Deadlock, Forever: o.Forever,
			Checks: map[string]verdict.Verdict{}, Example: o.Example}
		if oj.Final == nil {
			oj.Final = map[string]int64{}
		}
		for _, c := range o.Checks {
			oj.Checks[c.Name] = c.Verdict
		}
		if o.Goal != nil {
			v := o.Goal.Verdict
			oj.Goal = &v
		}
		out.Outcomes = append(out.Outcomes, oj)
	}
	for _, b := range r.Broken {
		out.Shortest[b.Check] = b.Tasks
	}
	if r.GoalText != "" {
		out.Goal = &exploreGoalJSON{Text: r.GoalText, Check: r.GoalCheck}
		if r.Goal != nil {
			out.Goal.Orders, out.Goal.Shortest = r.Goal.Count, r.Goal.Tasks
		}
	}
	json.NewEncoder(w).Encode(out)
}
