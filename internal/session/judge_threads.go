package session

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"mtviz/internal/sim"
	"mtviz/internal/spec"
)

func (r *record) checkTransitions(c spec.Check) Result {
	var seen []string
	want := c.Values
	i := 0
	for _, ev := range r.events {
		if ev.Kind != sim.KState && ev.Kind != sim.KTask || ev.Task != c.Task || ev.State == sim.NoState {
			continue
		}
		name := ev.State.String()
		if len(seen) == 0 || seen[len(seen)-1] != name {
			seen = append(seen, name)
		}
		if i < len(want) && name == want[i] {
			i++
		}
	}
	if i < len(want) {
		return Result{Detail: fmt.Sprintf("%s went %s; %q never came in that order", c.Task, strings.Join(seen, " → "), want[i])}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%s went %s", c.Task, strings.Join(seen, " → "))}
}

func (r *record) checkRuntime(c spec.Check) Result {
	got := map[string]int{}
	ps := map[int64]bool{}
	for _, ev := range r.events {
		if ev.Kind == sim.KRuntime && copiesOf(c.Task, ev.Task) {
			got[ev.Reason]++
			if ev.Reason == "running" {
				ps[ev.Value] = true
			}
		}
	}
	if len(got) == 0 {
		return Result{Detail: fmt.Sprintf("the runtime trace said nothing of %s (was tracing on?)", c.Task)}
	}
	var missing []string
	for _, s := range c.Values {
		if got[s] == 0 {
			missing = append(missing, s)
		}
	}
	procs := make([]string, 0, len(ps))
	for p := range ps {
		procs = append(procs, "P"+strconv.FormatInt(p, 10))
	}
	slices.Sort(procs)
	detail := fmt.Sprintf("the runtime trace showed %s running %d times (on %s), runnable %d times, waiting %d times",
		c.Task, got["running"], strings.Join(procs, ", "), got["runnable"], got["waiting"])
	if len(missing) > 0 {
		return Result{Detail: detail + "; never " + strings.Join(missing, ", ")}
	}
	return Result{OK: true, Detail: detail}
}

func (r *record) checkLines(c spec.Check) Result {
	var got []string
	for _, ev := range r.events {
		if ev.Kind != sim.KLog {
			continue
		}
		if len(c.Tasks) > 0 && !slices.ContainsFunc(c.Tasks, func(t string) bool { return copiesOf(t, ev.Task) }) {
			continue
		}
		got = append(got, ev.Text)
	}
	if !slices.Equal(got, c.Values) {
		return Result{Detail: fmt.Sprintf("the lines came as %q, not %q", got, c.Values)}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%d lines in the expected order", len(got))}
}

func (r *record) checkBefore(c spec.Check) Result {
	a, b := r.logs("", c.Match), r.logs("", c.Output)
	if len(a) == 0 || len(b) == 0 {
		return Result{Detail: fmt.Sprintf("%q or %q was never logged", c.Match, c.Output)}
	}
	if a[0].T > b[0].T {
		return Result{Detail: fmt.Sprintf("%q came at %.3fs, after %q at %.3fs", a[0].Text, a[0].T.Seconds(), b[0].Text, b[0].T.Seconds())}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%q (%s, %.3fs) came before %q (%s, %.3fs)", a[0].Text, a[0].Task, a[0].T.Seconds(), b[0].Text, b[0].Task, b[0].T.Seconds())}
}

func (r *record) checkDeadlock(c spec.Check) Result {
	want := slices.Clone(c.Tasks)
	slices.Sort(want)
	var found []string
	for _, ev := range r.events {
		if ev.Kind != sim.KDeadlock {
			continue
		}
		got := slices.Clone(ev.Items)
		slices.Sort(got)
		if slices.Equal(got, want) {
			return Result{OK: true, Detail: fmt.Sprintf("found at %.2fs: %s", ev.T.Seconds(), ev.Text)}
		}
		found = append(found, ev.Text)
	}
	if len(found) > 0 {
		return Result{Detail: "other cycles were found: " + strings.Join(found, "; ")}
	}
	return Result{Detail: "no cycle was found in the wait-for graph"}
}

func (r *record) checkHolds(c spec.Check) Result {
	var got []string
	for _, ev := range r.events {
		if ev.Kind == sim.KLock && ev.Object == c.Counter && !strings.HasPrefix(ev.Text, "file ") {
			n := strconv.Itoa(ev.Count)
			if len(got) == 0 || got[len(got)-1] != n {
				got = append(got, n)
			}
		}
	}
	// The counts must appear in this order, each change recorded.
	i := 0
	for _, g := range got {
		if i < len(c.Values) && g == c.Values[i] {
			i++
		}
	}
	if i < len(c.Values) {
		return Result{Detail: fmt.Sprintf("%s's hold count went %s", c.Counter, strings.Join(got, ", "))}
	}
	return Result{OK: true, Detail: fmt.Sprintf("%s's hold count went %s", c.Counter, strings.Join(got, ", "))}
}

func (r *record) checkStoppedBlocked(c spec.Check) Result {
	for _, ev := range r.events {
		if ev.Kind == sim.KState && ev.Task == c.Task && ev.State == sim.Done {
			if strings.Contains(ev.Reason, "while blocked") {
				return Result{OK: true, Detail: fmt.Sprintf("%s ended %s", c.Task, ev.Reason)}
			}
			return Result{Detail: fmt.Sprintf("%s ended %q, not stopped while blocked", c.Task, ev.Reason)}
		}
	}
	return Result{Detail: fmt.Sprintf("%s never ended", c.Task)}
}
