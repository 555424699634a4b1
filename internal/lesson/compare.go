package lesson

import (
	"maps"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// compareChecks are the checks of a comparison: claims about one figure of
// two of its variants, named by the values of the compared switch.
var compareChecks = []schema{
	{name: string(CheckMore), doc: "the figure of the variant `of` is at least `factor` × the same figure of the variant `than` (both values of the compared switch)",
		check: func() CheckSpec { return &MoreCheck{} }, checkRules: ruleMore,
		fields: []field{
			{name: "figure", kind: kString, required: true, doc: "the figure", set: func(d any, v any) { d.(*MoreCheck).Figure = v.(string) }},
			{name: "of", kind: kString, required: true, doc: "the variant that has more", set: func(d any, v any) { d.(*MoreCheck).Of = v.(string) }},
			{name: "than", kind: kString, required: true, doc: "the variant it is compared with", set: func(d any, v any) { d.(*MoreCheck).Than = v.(string) }},
			{name: "factor", kind: kFloat, required: true, doc: "how many times more, above 0", set: func(d any, v any) { d.(*MoreCheck).Factor = v.(float64) }},
		}},
}

// CompareCheckNames lists every check a comparison can make.
func CompareCheckNames() []CheckKind { return checkKinds(compareChecks) }

func ruleMore(l *loader, c CheckSpec, n ast.Node) {
	m := c.(*MoreCheck)
	l.positive(n, "factor", m.Factor)
	if _, ok := FigureNamed(m.Figure); !ok || m.Figure == "speedup" {
		l.errorf(n, "unknown figure %q%s; a comparison's figures: %s", m.Figure, didYouMean(m.Figure, FigureNames()), strings.Join(slices.DeleteFunc(FigureNames(), func(s string) bool { return s == "speedup" }), ", "))
	}
	if m.Of == m.Than && m.Of != "" {
		l.errorf(n, "check \"more\" compares %q with itself: the ratio is always 1", m.Of)
	}
}

// compare reads `compare: SWITCH`, `compare: SWITCH=a,b`, or
// `compare: {switch: SWITCH, values: [a, b], checks: [...]}`.
func (l *loader) compare(sc *Scenario, n ast.Node) {
	var vals []string
	var checksNode ast.Node
	if fields, isMap := n.(*ast.MappingNode); isMap {
		for _, f := range fields.Values {
			key, ok := l.key(f)
			if !ok {
				continue
			}
			switch key {
			case "switch":
				sc.Compare, _ = l.str(f.Value, "switch of compare")
			case "values":
				vals, _ = l.list(f.Value, "values of compare", false)
			case "checks":
				checksNode = f.Value
			default:
				l.errorf(f.Key, "unknown key %q in compare; it takes: switch, values, checks", key)
			}
		}
	} else {
		text, _ := l.str(n, "compare")
		name, list, _ := strings.Cut(text, "=")
		sc.Compare = name
		if list != "" {
			vals = strings.Split(list, ",")
		}
	}
	i := slices.IndexFunc(l.switchDecl, func(s Switch) bool { return s.Name == sc.Compare })
	if i < 0 {
		l.errorf(n, "compare names switch %q, which is not declared under switches", sc.Compare)
		return
	}
	known := l.switchDecl[i].Values
	for _, v := range vals {
		if !slices.Contains(known, v) {
			l.errorf(n, "compare: %q is not a value of switch %s (%s)", v, sc.Compare, strings.Join(known, ", "))
		}
	}
	sc.CompareValues = vals
	if checksNode == nil {
		return
	}
	items, _ := l.sequence(checksNode, "checks of compare")
	compared := known
	if len(vals) > 0 {
		compared = vals
	}
	for _, it := range items {
		c, ok := l.check(it, compareChecks, "compare check")
		if !ok {
			continue
		}
		m := c.Spec.(*MoreCheck)
		for _, v := range []string{m.Of, m.Than} {
			if !slices.Contains(compared, v) {
				l.errorAt(c.Pos, "compare check %q names %q, which is not a compared value of switch %s (%s)", c.Kind, v, sc.Compare, strings.Join(compared, ", "))
			}
		}
		sc.CompareChecks = append(sc.CompareChecks, c)
	}
}

// compareUnits refuses a compare check that sets a figure of one unit
// against the same figure of another: work counted in busy work units
// against work counted in answers.
func (l *loader) compareUnits(sc *Scenario, data []byte) {
	for _, c := range sc.CompareChecks {
		m := c.Spec.(*MoreCheck)
		if m.Figure != "work" {
			continue
		}
		units := map[string]string{}
		for _, v := range []string{m.Of, m.Than} {
			set := maps.Clone(sc.Set)
			set[sc.Compare] = v
			other, err := LoadSet(sc.File, data, set)
			if err != nil {
				return
			}
			units[v] = WorkUnit(other)
		}
		if units[m.Of] != units[m.Than] {
			l.errorAt(c.Pos, "compare check %q sets the work of %s (%s) against that of %s (%s): figures of different units cannot be compared; compare speedup in a sweep, or cpu",
				c.Kind, m.Of, units[m.Of], m.Than, units[m.Than])
		}
	}
}

// WorkUnit is what a run's work figure counts: "work units" (busy steps),
// "answers" (request steps), both, or "" when nothing counts work.
func WorkUnit(sc *Scenario) string {
	kinds := map[Op]bool{}
	for _, t := range sc.Tasks {
		Walk(t.Steps, func(st *Step) {
			if st.Counts() != "" && (st.Op == OpBusy || st.Op == OpRequest) {
				kinds[st.Op] = true
			}
		})
	}
	switch {
	case kinds[OpBusy] && kinds[OpRequest]:
		return "work units and answers"
	case kinds[OpBusy]:
		return "work units"
	case kinds[OpRequest]:
		return "answers"
	}
	return ""
}
