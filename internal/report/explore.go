package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"mtviz/internal/explore"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

// The report of an exploration (mtviz explore): one line of JSON, or the
// outcomes and the shortest orders in words.

// Explored writes what the exploration found, as text; written names the
// schedule file written for each broken check (and "goal").
func (p *textReporter) Explored(sc *lesson.Scenario, r *explore.Report, written map[string]string) {
	name := sc.ID
	if set := lesson.SetText(sc.Set); set != "" {
		name += " (" + set + ")"
	}
	steps := fmt.Sprint(r.MinSteps)
	if r.MinSteps != r.MaxSteps {
		steps = words.F("%d to %d", r.MinSteps, r.MaxSteps)
	}
	fmt.Fprintln(p.w, words.F("%s: %s, %s visible steps an order", name, plural(r.Tasks, words.N("task"), words.N("tasks")), steps))
	switch {
	case r.Stopped:
		fmt.Fprintln(p.w, words.F("stopped after %s: what follows covers those only", plural(r.Explored, words.N("order"), words.N("orders"))))
	case r.Exhaustive:
		fmt.Fprint(p.w, words.F("every order explored: %s", plural(r.Orders, words.N("order"), words.N("orders"))))
	default:
		fmt.Fprint(p.w, words.F("more than %s orders (about %s, estimated from the sample): a sample of %s, drawn at random with seed %d", thousands(r.Max), thousands(r.Orders), thousands(r.Explored), r.Seed))
	}
	if !r.Stopped {
		fmt.Fprintln(p.w, words.F(", %s up to steps that commute, in %.2fs (%.2f ms an order)", thousands(r.Classes), r.Elapsed.Seconds(), float64(r.PerOrder().Microseconds())/1000))
	}
	fmt.Fprintf(p.w, "\n%s:\n", plural(len(r.Outcomes), words.N("outcome"), words.N("outcomes")))
	for _, o := range r.Outcomes {
		fmt.Fprintf(p.w, "  %s %s\n", padCells(plural(o.Orders, words.N("order"), words.N("orders")), 11), outcomeText(o))
	}
	p.exploredGoal(r, written)
	if len(r.Broken) == 0 {
		fmt.Fprintf(p.w, "\n%s\n", words.T("no order breaks a check"))
		return
	}
	fmt.Fprintf(p.w, "\n%s\n", words.T("checks some order breaks, and the shortest order that does:"))
	for _, b := range r.Broken {
		fmt.Fprintf(p.w, "  %s\n", words.F("%s: broken by %d of %d orders; %s: %s%s", text.Clean(b.Check), b.Count, r.Explored,
			plural(len(b.Tasks), words.N("step"), words.N("steps")), strings.Join(b.Tasks, " "), wrote(written[b.Check])))
	}
}

// exploredGoal says how many orders meet the lesson's goal, and the
// shortest that does.
func (p *textReporter) exploredGoal(r *explore.Report, written map[string]string) {
	if r.GoalText == "" {
		return
	}
	met := words.T("no order meets it")
	if r.Goal != nil {
		met = words.F("met by %d of %d orders; the shortest, %s: %s%s", r.Goal.Count, r.Explored,
			plural(len(r.Goal.Tasks), words.N("step"), words.N("steps")), strings.Join(r.Goal.Tasks, " "), wrote(written["goal"]))
	}
	fmt.Fprintf(p.w, "\n%s\n", words.F("goal, %s: %s", text.Clean(r.GoalText), met))
}

// plural is n things: 1 order, 9,000 orders, in the screen's language.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + words.T(one)
	}
	return thousands(n) + " " + words.T(many)
}

// thousands writes n with its thousands apart: 9,465,511,770.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func wrote(path string) string {
	if path == "" {
		return ""
	}
	return words.F(" (written to %s)", path)
}

// outcomeText is one outcome in a line: final values, what went wrong,
// the checks that failed, the goal.
func outcomeText(o *explore.Outcome) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(o.Final)) {
		v := fmt.Sprintf("%s=%d", k, o.Final[k])
		if n := o.Lost[k]; n > 0 {
			v += words.F(" (%s lost)", plural(int(n), words.N("update"), words.N("updates")))
		}
		parts = append(parts, v)
	}
	if o.Deadlock {
		parts = append(parts, words.T("deadlock"))
	}
	if o.Forever {
		parts = append(parts, words.T("a task waits forever"))
	}
	var failed []string
	for _, c := range o.Checks {
		if c.Verdict != verdict.Pass {
			failed = append(failed, c.Verdict.String()+": "+text.Clean(c.Name))
		}
	}
	if len(failed) == 0 {
		// In the verdicts' own words, as a run's header says it.
		parts = append(parts, verdict.Summary{Verdict: verdict.Pass, Checks: []verdict.Result{{Verdict: verdict.Pass}}}.State())
	} else {
		parts = append(parts, strings.Join(failed, "; "))
	}
	if o.Goal != nil && o.Goal.Verdict == verdict.Pass {
		parts = append(parts, words.T("goal met"))
	}
	return strings.Join(parts, words.T(", "))
}

// Explored writes the exploration as one line.
func (j *jsonReporter) Explored(_ *lesson.Scenario, r *explore.Report, _ map[string]string) {
	out := ExploreLine{Type: KindExplore, Lesson: r.Lesson, Set: r.Set, Orders: r.Orders, Explored: r.Explored, Exhaustive: r.Exhaustive,
		Stopped: r.Stopped, Classes: r.Classes, Tasks: r.Tasks, MinSteps: r.MinSteps, MaxSteps: r.MaxSteps,
		Seconds: r.Elapsed.Seconds(), PerOrder: math.Round(float64(r.PerOrder().Microseconds())) / 1000,
		Outcomes: []ExploreOutcome{}, Shortest: map[string][]string{}}
	if !r.Exhaustive {
		out.Seed = r.Seed
	}
	for _, o := range r.Outcomes {
		oj := ExploreOutcome{Orders: o.Orders, Final: o.Final, Lost: o.Lost, Deadlock: o.Deadlock, Forever: o.Forever,
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
		out.Goal = &ExploreGoal{Text: r.GoalText, Check: r.GoalCheck}
		if r.Goal != nil {
			out.Goal.Orders, out.Goal.Shortest = r.Goal.Count, r.Goal.Tasks
		}
	}
	j.enc.Encode(out)
}
