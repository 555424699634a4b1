package session

import (
	"fmt"
	"strings"
	"time"

	"mtviz/internal/probe"
	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

// Result is the verdict of one check.
type Result struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Summary is the verdict of a whole run.
type Summary struct {
	Scenario string        `json:"scenario"`
	OK       bool          `json:"ok"`
	Checks   []Result      `json:"checks"`
	Rounds   int           `json:"rounds"`
	Cores    int           `json:"cores"`
	Duration time.Duration `json:"duration"`
	Stopped  bool          `json:"stopped,omitempty"`
	Errors   []string      `json:"errors,omitempty"`
}

// Judge decides every check of a scenario from what was recorded: the
// engine's events and the probe's samples.
func Judge(sc *spec.Scenario, cores int, events []sim.Event, samples []probe.Sample, runErr error) Summary {
	sum := Summary{Scenario: sc.ID, OK: true, Cores: cores, Stopped: runErr != nil}
	var ends []sim.Event
	for _, ev := range events {
		switch ev.Kind {
		case sim.KRoundEnd:
			ends = append(ends, ev)
		case sim.KError:
			sum.Errors = append(sum.Errors, ev.Task+": "+ev.Text)
		case sim.KEnd:
			sum.Duration = ev.T
		}
	}
	sum.Rounds = len(ends)
	if runErr != nil {
		sum.OK = false
	}
	rec := newRecord(events, samples)
	for _, c := range sc.Checks {
		var r Result
		switch c.Kind {
		case "counter":
			r = checkCounter(c, ends)
		case "drift":
			r = checkDrift(c, ends, cores)
		case "cpu":
			r = checkCPU(c, events, samples)
		case "cpu_ratio":
			r = checkRatio(c, events, samples, cores)
		case "parent":
			r = rec.checkParent(c)
		case "overlap":
			r = rec.checkOverlap(c)
		case "lifetime":
			r = rec.checkLifetime(c)
		case "logs":
			r = rec.checkLogs(c)
		case "never_logged":
			r = rec.checkNeverLogged(c)
		case "after_exit":
			r = rec.checkAfterExit(c)
		case "gone_with":
			r = rec.checkGoneWith(c)
		case "zombie":
			r = rec.checkZombie(c)
		case "adopted":
			r = rec.checkAdopted(c)
		case "terminated":
			r = rec.checkTerminated(c)
		case "program":
			r = rec.checkProgram(c)
		case "received":
			r = rec.checkReceived(c)
		case "processes":
			r = rec.checkProcesses(c, sc, cores)
		case "transitions":
			r = rec.checkTransitions(c)
		case "runtime":
			r = rec.checkRuntime(c)
		case "lines":
			r = rec.checkLines(c)
		case "before":
			r = rec.checkBefore(c)
		case "deadlock":
			r = rec.checkDeadlock(c)
		case "holds":
			r = rec.checkHolds(c)
		case "stopped_blocked":
			r = rec.checkStoppedBlocked(c)
		default:
			r = Result{Detail: "this version cannot decide a " + c.Kind + " check"}
		}
		r.Name = c.Name
		if runErr != nil && r.OK {
			r.Detail += " (but the run was stopped before its end)"
		}
		sum.OK = sum.OK && r.OK
		sum.Checks = append(sum.Checks, r)
	}
	return sum
}

func checkCounter(c spec.Check, ends []sim.Event) Result {
	if len(ends) == 0 {
		return Result{Detail: "no round finished"}
	}
	var bad []string
	for _, ev := range ends {
		if v := ev.Values[c.Counter]; v != c.Equals {
			bad = append(bad, fmt.Sprintf("round %d ended at %d", ev.Value, v))
		}
	}
	if len(bad) > 0 {
		return Result{Detail: fmt.Sprintf("%s ended at %d in %d of %d rounds; %s", c.Counter, c.Equals,
			len(ends)-len(bad), len(ends), strings.Join(bad, ", "))}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%s ended at %d in all %d rounds", c.Counter, c.Equals, len(ends))}
}

func checkDrift(c spec.Check, ends []sim.Event, cores int) Result {
	if len(ends) == 0 {
		return Result{Detail: "no round finished"}
	}
	drifted, lost := 0, int64(0)
	var finals []string
	for _, ev := range ends {
		v := ev.Values[c.Counter]
		if v != c.Equals {
			drifted++
		}
		lost += ev.LostBy[c.Counter]
		finals = append(finals, fmt.Sprint(v))
	}
	detail := fmt.Sprintf("%s ended away from %d in %d of %d rounds (final values %s); %d updates were overwritten by a stale write",
		c.Counter, c.Equals, drifted, len(ends), strings.Join(finals, ", "), lost)
	if drifted > 0 {
		return Result{OK: true, Detail: detail}
	}
	if cores < c.NeedsCores {
		return Result{OK: true, Detail: detail + fmt.Sprintf("; with %d core(s) tasks seldom switch mid-update, and this run showed no race (it needs %d cores to be expected)", cores, c.NeedsCores)}
	}
	return Result{Detail: detail + "; this machine gave no race in these rounds"}
}

// window is a stretch of the run's time.
type window struct{ from, to time.Duration }

// phaseWindows finds where each run of a phase began and ended: a phase
// ends where the next phase or the round begins or ends.
func phaseWindows(events []sim.Event, phase string) []window {
	var out []window
	open := false
	var from time.Duration
	for _, ev := range events {
		boundary := ev.Kind == sim.KPhase || ev.Kind == sim.KRoundEnd || ev.Kind == sim.KRound || ev.Kind == sim.KEnd
		if !boundary {
			continue
		}
		if open {
			out = append(out, window{from, ev.T})
			open = false
		}
		if ev.Kind == sim.KPhase && ev.Text == phase {
			open, from = true, ev.T
		}
	}
	return out
}

// phaseCPU averages the cores used by the observed processes over a phase.
// A sample's CPU covers the interval before it, so samples are taken from one
// interval after the phase began until it ended.
func phaseCPU(events []sim.Event, samples []probe.Sample, phase string) (float64, int) {
	ws := phaseWindows(events, phase)
	total, n := 0.0, 0
	for _, w := range ws {
		var prev time.Duration = -1
		for _, s := range samples {
			if prev >= w.from && s.T <= w.to {
				total += s.TotalCPU()
				n++
			}
			prev = s.T
		}
	}
	if n == 0 {
		return 0, 0
	}
	return total / float64(n), n
}

func checkCPU(c spec.Check, events []sim.Event, samples []probe.Sample) Result {
	v, n := phaseCPU(events, samples, c.Phase)
	if n == 0 {
		return Result{Detail: fmt.Sprintf("no probe sample fell inside phase %s", c.Phase)}
	}
	d := fmt.Sprintf("during %s the processes used %.2f cores (mean of %d probe samples; at most %.2f allowed)", c.Phase, v, n, c.Max)
	return Result{OK: v <= c.Max, Detail: d}
}

func checkRatio(c spec.Check, events []sim.Event, samples []probe.Sample, cores int) Result {
	a, na := phaseCPU(events, samples, c.Phase)
	b, nb := phaseCPU(events, samples, c.Over)
	if na == 0 || nb == 0 {
		return Result{Detail: fmt.Sprintf("no probe sample fell inside phase %s or %s", c.Phase, c.Over)}
	}
	ratio := 0.0
	if b > 0 {
		ratio = a / b
	}
	d := fmt.Sprintf("%s used %.2f cores, %s used %.2f: ratio %.2f (at least %.2f wanted)", c.Phase, a, c.Over, b, ratio, c.Min)
	if cores < c.NeedsCores {
		return Result{OK: true, Detail: d + fmt.Sprintf("; the comparison needs %d cores and this run had %d, so it only reports", c.NeedsCores, cores)}
	}
	return Result{OK: ratio >= c.Min, Detail: d}
}
