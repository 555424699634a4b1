package verdict

import (
	"math"

	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// BusyLimit is how many cores other programs may use during a phase before
// a CPU check cannot tell what the lesson's tasks could have used.
const BusyLimit = 0.25

// spare is how many cores more than a bound must have been free for a
// check of "at most that many" to be able to fail.
const spare = 0.5

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// phaseUse is what a phase used of the cores, and what it could have used.
type phaseUse struct {
	phase  string
	used   float64 // cores mtviz's tree used, mean over the phase's samples
	others float64 // cores other programs used meanwhile
	free   float64 // cores the phase could have had: the run's, less the others'
	n      int     // samples
}

func (f *facts) use(phase string) phaseUse {
	used, others, n := f.phaseCPU(phase)
	free := float64(f.coreCount)
	if f.machineCores > 0 {
		free = min(free, float64(f.machineCores)-others)
	}
	return phaseUse{phase: phase, used: used, others: others, free: max(0, free), n: n}
}

func (u phaseUse) String() string {
	return words.F("during %s this run used %.2f cores (mean of %d probe samples of mtviz and its processes), other programs %.2f, leaving %.2f free",
		u.phase, u.used, u.n, u.others, u.free)
}

// cpuMaxJudge: a phase used at most Max cores. That holds trivially when
// the phase could not have used more: then it is not decided.
type cpuMaxJudge struct {
	noEvents
	c *lesson.CPUCheck
}

func (j *cpuMaxJudge) decide(f *facts) Result {
	c := j.c
	u := f.use(c.Phase)
	if u.n == 0 {
		return undecided("no probe sample fell inside phase %s", c.Phase)
	}
	d := words.F("%s; at most %.2f allowed", u, c.Max)
	if round2(u.used) > c.Max {
		return fail("%s", d)
	}
	if u.free < c.Max+spare {
		return undecided("%s; with %.2f cores free it could not have used much more than %.2f, so staying under it proves nothing", d, u.free, c.Max)
	}
	return pass("%s", d)
}

// cpuMinJudge: a phase used at least Min cores.
type cpuMinJudge struct {
	noEvents
	c *lesson.CPUMinCheck
}

func (j *cpuMinJudge) decide(f *facts) Result {
	c := j.c
	u := f.use(c.Phase)
	if u.n == 0 {
		return undecided("no probe sample fell inside phase %s", c.Phase)
	}
	d := words.F("%s; at least %.2f wanted", u, c.Min)
	need := c.NeedsCores
	if need == 0 {
		need = int(math.Ceil(c.Min))
	}
	if round2(u.used) >= c.Min {
		return pass("%s", d)
	}
	if cores := f.cores(); cores < need {
		return undecided("%s; this needs %d cores and this run had %d", d, need, cores)
	}
	if u.free < c.Min {
		return undecided("%s: other programs left too few cores free to use %.2f", d, c.Min)
	}
	return fail("%s", d)
}

// ratioJudge: cores used during one phase over those used during another.
// Both phases must have had the cores the comparison needs, whatever the
// ratio came to: on a busy machine, or with fewer cores, it is not decided.
type ratioJudge struct {
	noEvents
	c *lesson.CPURatioCheck
}

func (j *ratioJudge) decide(f *facts) Result {
	c := j.c
	a, b := f.use(c.Phase), f.use(c.Over)
	if a.n == 0 || b.n == 0 {
		return undecided("no probe sample fell inside phase %s or %s", c.Phase, c.Over)
	}
	need := c.NeedsCores
	if need == 0 {
		need = 2
	}
	if b.used <= 0 {
		return undecided("%s used no measurable CPU, so there is nothing to compare %s with", c.Over, c.Phase)
	}
	ratio := a.used / b.used
	d := words.F("%s used %.2f cores, %s used %.2f: ratio %.2f (at least %.2f wanted)", c.Phase, a.used, c.Over, b.used, ratio, c.Min)
	if cores := f.cores(); cores < need {
		return undecided("%s; the comparison needs %d cores and this run had %d", d, need, cores)
	}
	for _, u := range []phaseUse{a, b} {
		if u.free < float64(need)-BusyLimit {
			return undecided("%s; during %s other programs used %.2f cores, leaving %.2f of the %d the comparison needs", d, u.phase, u.others, u.free, need)
		}
	}
	return holds(round2(ratio) >= c.Min, d)
}
