package verdict

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// counterJudge: a counter's value at each round's end is mtviz's own copy
// plus what each process added to its own copy, as the Counters panel
// totals them (processes share no memory: each counts in its own).
type counterJudge struct {
	c      *lesson.CounterCheck
	copies map[int]map[string]int64 // round → process task → its copy's last value
}

func (j *counterJudge) event(f *facts, ev *event.Event) {
	if ev.Kind() != event.KCounter || ev.Task == "" || ev.CounterChange().Object != j.c.Counter {
		return
	}
	if j.copies == nil {
		j.copies = map[int]map[string]int64{}
	}
	byTask := j.copies[ev.Round]
	if byTask == nil {
		byTask = map[string]int64{}
		j.copies[ev.Round] = byTask
	}
	byTask[ev.Task] = ev.CounterChange().Value
}

func (j *counterJudge) decide(f *facts) Result {
	c := j.c
	if len(f.ends) == 0 {
		return undecided("no round finished")
	}
	init := f.counts.start[c.Counter]
	var bad, procs []string
	for _, ev := range f.ends {
		v := ev.RoundEnd().Values[c.Counter]
		byTask := j.copies[ev.Round]
		for _, task := range slices.Sorted(maps.Keys(byTask)) {
			d := byTask[task] - init
			v += d
			if len(f.ends) == 1 && d != 0 {
				procs = append(procs, words.F("%s %+d", task, d))
			}
		}
		if v != c.Equals {
			bad = append(bad, words.F("round %d ended at %d", ev.Round, v))
		}
	}
	from := ""
	switch {
	case len(procs) > 0:
		from = words.T("; processes counted in their own copies: ") + strings.Join(procs, words.T(", "))
	case len(j.copies) > 0:
		from = words.T(", with what processes counted in their own copies")
	}
	if len(bad) > 0 {
		return fail("%s ended at %d in %d of %d rounds; %s%s", c.Counter, c.Equals, len(f.ends)-len(bad), len(f.ends), strings.Join(bad, words.T(", ")), from)
	}
	if len(f.ends) == 1 {
		return pass("%s ended at %d%s", c.Counter, c.Equals, from)
	}
	return pass("%s ended at %d in all %d rounds%s", c.Counter, c.Equals, len(f.ends), from)
}

type driftJudge struct {
	noEvents
	c *lesson.DriftCheck
}

func (j *driftJudge) decide(f *facts) Result {
	c := j.c
	if len(f.ends) == 0 {
		return undecided("no round finished")
	}
	drifted, lost := 0, int64(0)
	var finals []string
	for _, ev := range f.ends {
		re := ev.RoundEnd()
		v := re.Values[c.Counter]
		if v != c.Equals {
			drifted++
		}
		lost += re.LostBy[c.Counter]
		finals = append(finals, fmt.Sprint(v))
	}
	detail := words.F("%s ended away from %d in %d of %d rounds (final values %s); %d updates were lost to a stale write",
		c.Counter, c.Equals, drifted, len(f.ends), strings.Join(finals, words.T(", ")), lost)
	if drifted > 0 {
		return pass("%s", detail)
	}
	if lost > 0 {
		// Lost updates that cancel out leave the balance where it began.
		detail += words.T(" (they cancelled out)")
	}
	if cores := f.cores(); cores < c.NeedsCores {
		return undecided("%s; with %d core(s) tasks seldom switch mid-update, and no round drifted (the race is expected with %d cores)", detail, cores, c.NeedsCores)
	}
	return fail("%s; this machine gave no race in these rounds", detail)
}

func (f *facts) cores() int { return f.coreCount }
