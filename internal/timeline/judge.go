package timeline

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// Verdict is what a check came to.
type Verdict uint8

// Verdicts. A check that could not be decided (one core where the race
// needs two, a machine too busy to compare CPU, a process killed from
// outside) says so: it never passes.
const (
	Pass Verdict = iota
	Fail
	Undecided
)

var verdictNames = [...]string{"pass", "fail", "not decided"}

func (v Verdict) String() string { return verdictNames[v] }

// MarshalText writes the verdict's name in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// Result is the verdict of one check.
type Result struct {
	Name    string  `json:"name"`
	OK      bool    `json:"ok"` // the check held (Verdict pass)
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
}

// Summary is the verdict of a whole run.
type Summary struct {
	Scenario string        `json:"scenario"`
	OK       bool          `json:"ok"` // every check held and the run ran to its end
	Verdict  Verdict       `json:"verdict"`
	Checks   []Result      `json:"checks"`
	Rounds   int           `json:"rounds"`
	Cores    int           `json:"cores"`
	Duration time.Duration `json:"duration"`
	Stopped  bool          `json:"stopped,omitempty"`
	Errors   []string      `json:"errors,omitempty"`
}

func pass(format string, a ...any) Result {
	return Result{Verdict: Pass, Detail: fmt.Sprintf(format, a...)}
}
func fail(format string, a ...any) Result {
	return Result{Verdict: Fail, Detail: fmt.Sprintf(format, a...)}
}
func undecided(format string, a ...any) Result {
	return Result{Verdict: Undecided, Detail: "not decided: " + fmt.Sprintf(format, a...)}
}

// judge decides one check: it sees every event as the run goes and keeps
// what it needs, then decides from that and the shared facts.
type judge interface {
	event(f *facts, ev *sim.Event)
	decide(f *facts) Result
}

// Judge decides every check of the run from the fold. stopped says the run
// was stopped before its end.
func (tl *Timeline) Judge(stopped bool) Summary {
	f := &tl.facts
	sum := Summary{Scenario: tl.Scenario.ID, Cores: tl.Cores, Stopped: stopped,
		Rounds: len(f.ends), Duration: f.duration, Errors: f.errors}
	if f.errCount > len(f.errors) {
		sum.Errors = append(sum.Errors, fmt.Sprintf("and %d more errors", f.errCount-len(f.errors)))
	}
	if sum.Duration == 0 {
		sum.Duration = tl.Now
	}
	outside := f.killedOutside()
	for i, c := range tl.Scenario.Checks {
		r := f.judges[i].decide(f)
		r.Name = c.Name
		switch {
		case stopped:
			r = Result{Name: r.Name, Verdict: Undecided, Detail: "not decided: the run was stopped before its end; so far, " + r.Detail}
		case len(outside) > 0:
			r = Result{Name: r.Name, Verdict: Undecided, Detail: "not decided: ended from outside the lesson: " +
				strings.Join(outside, "; ") + "; what it was doing was lost. So far, " + r.Detail}
		}
		r.OK = r.Verdict == Pass
		sum.Checks = append(sum.Checks, r)
	}
	sum.Verdict = Pass
	for _, r := range sum.Checks {
		if r.Verdict > sum.Verdict {
			sum.Verdict = r.Verdict
		}
	}
	if stopped && sum.Verdict == Pass {
		sum.Verdict = Undecided
	}
	sum.OK = sum.Verdict == Pass
	return sum
}

// judges makes a check's judge, by kind: one entry per check of the
// vocabulary (a test fails when a check has none).
var judges = map[string]func(c spec.Check, sc *spec.Scenario) judge{
	"counter":         func(c spec.Check, _ *spec.Scenario) judge { return &counterJudge{c: c} },
	"threads":         func(c spec.Check, _ *spec.Scenario) judge { return &threadsJudge{c: c} },
	"cpu_time":        func(c spec.Check, _ *spec.Scenario) judge { return &cpuTimeJudge{c: c} },
	"drift":           func(c spec.Check, _ *spec.Scenario) judge { return &driftJudge{c: c} },
	"cpu":             func(c spec.Check, _ *spec.Scenario) judge { return &cpuJudge{c: c} },
	"cpu_ratio":       func(c spec.Check, _ *spec.Scenario) judge { return &ratioJudge{c: c} },
	"cpu_min":         func(c spec.Check, _ *spec.Scenario) judge { return &cpuJudge{c: c, atLeast: true} },
	"parent":          func(c spec.Check, _ *spec.Scenario) judge { return &parentJudge{c: c} },
	"overlap":         func(c spec.Check, _ *spec.Scenario) judge { return &overlapJudge{c: c} },
	"lifetime":        func(c spec.Check, _ *spec.Scenario) judge { return &lifetimeJudge{c: c} },
	"logs":            func(c spec.Check, _ *spec.Scenario) judge { return &logsJudge{c: c} },
	"never_logged":    func(c spec.Check, _ *spec.Scenario) judge { return &neverJudge{c: c} },
	"after_exit":      func(c spec.Check, _ *spec.Scenario) judge { return &afterExitJudge{c: c} },
	"gone_with":       func(c spec.Check, _ *spec.Scenario) judge { return &goneWithJudge{c: c} },
	"zombie":          func(c spec.Check, _ *spec.Scenario) judge { return &zombieJudge{c: c} },
	"adopted":         func(c spec.Check, _ *spec.Scenario) judge { return &adoptedJudge{c: c} },
	"terminated":      func(c spec.Check, _ *spec.Scenario) judge { return &terminatedJudge{c: c} },
	"exit_status":     func(c spec.Check, _ *spec.Scenario) judge { return &exitStatusJudge{c: c} },
	"survived":        func(c spec.Check, _ *spec.Scenario) judge { return &survivedJudge{c: c} },
	"program":         func(c spec.Check, _ *spec.Scenario) judge { return &programJudge{c: c} },
	"received":        func(c spec.Check, _ *spec.Scenario) judge { return newReceivedJudge(c) },
	"processes":       newProcessesJudge,
	"transitions":     func(c spec.Check, _ *spec.Scenario) judge { return &transitionsJudge{c: c} },
	"runtime":         func(c spec.Check, _ *spec.Scenario) judge { return newRuntimeJudge(c) },
	"lines":           func(c spec.Check, _ *spec.Scenario) judge { return &linesJudge{c: c} },
	"before":          func(c spec.Check, _ *spec.Scenario) judge { return &beforeJudge{c: c} },
	"deadlock":        func(c spec.Check, _ *spec.Scenario) judge { return &deadlockJudge{c: c} },
	"holds":           func(c spec.Check, _ *spec.Scenario) judge { return &holdsJudge{c: c} },
	"stopped_blocked": func(c spec.Check, _ *spec.Scenario) judge { return &stoppedJudge{c: c} },
	"recorded":        func(c spec.Check, _ *spec.Scenario) judge { return &recordedJudge{c: c} },
	"refused":         func(c spec.Check, _ *spec.Scenario) judge { return &refusedJudge{c: c} },
	"redelivered":     func(c spec.Check, _ *spec.Scenario) judge { return &redeliveredJudge{c: c} },
	"resumed":         func(c spec.Check, _ *spec.Scenario) judge { return &resumedJudge{c: c} },
}

// HasJudge reports whether a check kind can be decided.
func HasJudge(kind string) bool { return judges[kind] != nil }

func newJudge(c spec.Check, sc *spec.Scenario) judge {
	if mk := judges[c.Kind]; mk != nil {
		return mk(c, sc)
	}
	return unknownJudge{c.Kind}
}

type unknownJudge struct{ kind string }

func (unknownJudge) event(*facts, *sim.Event) {}
func (u unknownJudge) decide(*facts) Result {
	return undecided("this version cannot decide a %s check", u.kind)
}

// noEvents is embedded by judges that decide from the shared facts alone.
type noEvents struct{}

func (noEvents) event(*facts, *sim.Event) {}

// counterJudge: a counter's value at each round's end is mtviz's own copy
// plus what each process added to its own copy, as the Counters panel
// totals them (processes share no memory: each counts in its own).
type counterJudge struct {
	c      spec.Check
	copies map[int]map[string]point // round → process task → its copy's last value
}

func (j *counterJudge) event(f *facts, ev *sim.Event) {
	if ev.Kind != sim.KCounter || ev.Task == "" || ev.Object != j.c.Counter {
		return
	}
	if j.copies == nil {
		j.copies = map[int]map[string]point{}
	}
	byTask := j.copies[ev.Round]
	if byTask == nil {
		byTask = map[string]point{}
		j.copies[ev.Round] = byTask
	}
	if last, ok := byTask[ev.Task]; !ok || ev.T >= last.t {
		byTask[ev.Task] = point{ev.T, ev.Value}
	}
}

func (j *counterJudge) decide(f *facts) Result {
	c := j.c
	if len(f.ends) == 0 {
		return undecided("no round finished")
	}
	var init int64
	for _, o := range f.sc.Objects {
		if o.Name == c.Counter {
			init = o.Value
		}
	}
	var bad, procs []string
	for _, ev := range f.ends {
		v := ev.Values[c.Counter]
		byTask := j.copies[ev.Round]
		for _, task := range slices.Sorted(maps.Keys(byTask)) {
			d := byTask[task].v - init
			v += d
			if len(f.ends) == 1 && d != 0 {
				procs = append(procs, fmt.Sprintf("%s %+d", task, d))
			}
		}
		if v != c.Equals {
			bad = append(bad, fmt.Sprintf("round %d ended at %d", ev.Round, v))
		}
	}
	from := ""
	switch {
	case len(procs) > 0:
		from = "; processes counted in their own copies: " + strings.Join(procs, ", ")
	case len(j.copies) > 0:
		from = ", with what processes counted in their own copies"
	}
	if len(bad) > 0 {
		return fail("%s ended at %d in %d of %d rounds; %s%s", c.Counter, c.Equals, len(f.ends)-len(bad), len(f.ends), strings.Join(bad, ", "), from)
	}
	if len(f.ends) == 1 {
		return pass("%s ended at %d%s", c.Counter, c.Equals, from)
	}
	return pass("%s ended at %d in all %d rounds%s", c.Counter, c.Equals, len(f.ends), from)
}

type driftJudge struct {
	noEvents
	c spec.Check
}

func (j *driftJudge) decide(f *facts) Result {
	c := j.c
	if len(f.ends) == 0 {
		return undecided("no round finished")
	}
	drifted, lost := 0, int64(0)
	var finals []string
	for _, ev := range f.ends {
		v := ev.Values[c.Counter]
		if v != c.Equals {
			drifted++
		}
		lost += ev.LostBy[c.Counter]
		finals = append(finals, fmt.Sprint(v))
	}
	detail := fmt.Sprintf("%s ended away from %d in %d of %d rounds (final values %s); %d updates were lost to a stale write",
		c.Counter, c.Equals, drifted, len(f.ends), strings.Join(finals, ", "), lost)
	if drifted > 0 {
		return pass("%s", detail)
	}
	if lost > 0 {
		// Lost updates that cancel out leave the balance where it began.
		detail += " (they cancelled out)"
	}
	if cores := f.cores(); cores < c.NeedsCores {
		return undecided("%s; with %d core(s) tasks seldom switch mid-update, and no round drifted (the race is expected with %d cores)", detail, cores, c.NeedsCores)
	}
	return fail("%s; this machine gave no race in these rounds", detail)
}

func (f *facts) cores() int { return f.coreCount }

// BusyLimit is how many cores other programs may use during a phase before
// a CPU check cannot tell what the lesson's tasks could have used.
const BusyLimit = 0.25

// cpuJudge: a phase used at most Max cores (cpu), or at least Min (cpu_min).
type cpuJudge struct {
	noEvents
	c       spec.Check
	atLeast bool
}

func (j *cpuJudge) decide(f *facts) Result {
	c := j.c
	v, others, n := f.phaseCPU(c.Phase)
	if n == 0 {
		return undecided("no probe sample fell inside phase %s", c.Phase)
	}
	bound, ok := fmt.Sprintf("at most %.2f allowed", c.Max), round2(v) <= c.Max
	if j.atLeast {
		bound, ok = fmt.Sprintf("at least %.2f wanted", c.Min), round2(v) >= c.Min
	}
	d := fmt.Sprintf("during %s this run used %.2f cores (mean of %d probe samples of mtviz and its processes; %s)", c.Phase, v, n, bound)
	if cores := f.cores(); cores < c.NeedsCores {
		return undecided("%s; this needs %d cores and this run had %d", d, c.NeedsCores, cores)
	}
	if ok {
		return pass("%s", d)
	}
	if others > BusyLimit {
		return undecided("%s, while other programs used %.2f cores: the probe cannot tell whose time it was", d, others)
	}
	return fail("%s", d)
}

type ratioJudge struct {
	noEvents
	c spec.Check
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func (j *ratioJudge) decide(f *facts) Result {
	c := j.c
	a, oa, na := f.phaseCPU(c.Phase)
	b, ob, nb := f.phaseCPU(c.Over)
	if na == 0 || nb == 0 {
		return undecided("no probe sample fell inside phase %s or %s", c.Phase, c.Over)
	}
	if b <= 0 {
		return undecided("%s used no measurable CPU, so there is nothing to compare %s with", c.Over, c.Phase)
	}
	ratio := a / b
	d := fmt.Sprintf("%s used %.2f cores, %s used %.2f: ratio %.2f (at least %.2f wanted)", c.Phase, a, c.Over, b, ratio, c.Min)
	if cores := f.cores(); cores < c.NeedsCores {
		return undecided("%s; the comparison needs %d cores and this run had %d", d, c.NeedsCores, cores)
	}
	if round2(ratio) >= c.Min {
		return pass("%s", d)
	}
	if oa > BusyLimit || ob > BusyLimit {
		return undecided("%s; other programs used %.2f cores during %s and %.2f during %s, so the run could not use the machine", d, oa, c.Phase, ob, c.Over)
	}
	return fail("%s", d)
}
