package verdict

import (
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// Variant is one run of a comparison, as the comparison's checks see it:
// the switches it ran with and its figures.
type Variant struct {
	Set     map[string]string
	Figures Figures
}

// compareJudges decide a comparison's checks from its variants: one entry
// per compare check of the vocabulary (a test fails when one has none).
var compareJudges = map[lesson.CheckKind]func(c lesson.CheckSpec, sw string, vs []Variant) Result{
	lesson.CheckMore: judgeMore,
}

// JudgeCompare decides a comparison's own checks.
func JudgeCompare(sc *lesson.Scenario, vs []Variant) []Result {
	var out []Result
	for _, c := range sc.CompareChecks {
		r := undecided("this version cannot decide a %s compare check", c.Kind)
		if judge := compareJudges[c.Kind]; judge != nil {
			r = judge(c.Spec, sc.Compare, vs)
		}
		r.Name, r.OK = c.Name, r.Verdict == Pass
		out = append(out, r)
	}
	return out
}

func judgeMore(c lesson.CheckSpec, sw string, vs []Variant) Result {
	m := c.(*lesson.MoreCheck)
	var of, than *Variant
	for i := range vs {
		switch vs[i].Set[sw] {
		case m.Of:
			of = &vs[i]
		case m.Than:
			than = &vs[i]
		}
	}
	if of == nil || than == nil {
		return undecided("the comparison did not run both %s=%s and %s=%s", sw, m.Of, sw, m.Than)
	}
	a, b := of.Figures.Get(m.Figure), than.Figures.Get(m.Figure)
	if m.Figure == "work" && of.Figures.WorkUnit != than.Figures.WorkUnit {
		return undecided("%s counts %s and %s counts %s: they cannot be compared", m.Of, of.Figures.WorkUnit, m.Than, than.Figures.WorkUnit)
	}
	if b <= 0 {
		return undecided("%s was measured as 0 for %s, nothing to compare with", m.Figure, m.Than)
	}
	d := words.F("%s: %s for %s against %s for %s, %.2f× (at least %.3g× wanted)",
		m.Figure, WithUnit(m.Figure, a), m.Of, WithUnit(m.Figure, b), m.Than, a/b, m.Factor)
	if a >= m.Factor*b {
		return pass("%s", d)
	}
	for _, v := range []*Variant{of, than} {
		if v.Figures.Others > BusyLimit {
			return undecided("%s; other programs used %.2f cores during %s=%s", d, v.Figures.Others, sw, v.Set[sw])
		}
	}
	return fail("%s", d)
}
