package lesson

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Switch is a setting a lesson declares so that one file can run several
// ways (a lock on or off, how many tasks, goroutines or processes). Only
// its declared values are accepted; `$name` where a value goes stands for
// the one in effect, and a `choose` step keeps the steps of that value.
type Switch struct {
	Name    string
	Values  []string
	Default string
	Doc     string
}

var valueRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$`)

// Sweep runs a lesson once per value of the switch Over, for each value of
// the switch Series when set, and measures Figures at every point.
type Sweep struct {
	Over    string
	Series  string
	Figures []string
	Checks  []Check `json:"-"`
}

// Figure is one thing measured of a run, for comparisons and sweeps.
type Figure struct {
	Name, Unit, Doc string
}

// Figures are what a run can be measured by, each decided from what the OS
// and the engine reported.
var Figures = []Figure{
	{"wall", "s", "the run's wall time"},
	{"cpu", "cores", "cores used by mtviz and its processes, on average over the work"},
	{"work", "/s", "work units counted by busy and request steps, per second of work"},
	{"switches", "/s", "context switches of every thread, voluntary and involuntary, per second of work (from /proc)"},
	{"lost", "", "updates lost to a stale write"},
	{"threads", "", "the most threads the processes had at once (from /proc)"},
	{"speedup", "×", "sweeps: work per second over that of the series' first point, so that series of different work compare"},
}

// FigureNamed returns the figure called name.
func FigureNamed(name string) (Figure, bool) {
	for _, f := range Figures {
		if f.Name == name {
			return f, true
		}
	}
	return Figure{}, false
}

// SetError is a --set the lesson does not take: the lesson's fault is not
// the file's, so it names no line.
type SetError struct{ Msg string }

func (e *SetError) Error() string { return e.Msg }

// Reload loads a scenario again from its source with some switches set.
func Reload(sc *Scenario, set map[string]string) (*Scenario, error) {
	return LoadSet(sc.File, sc.Source, set)
}

// switches reads the `switches:` mapping: name: {values: [...], default: v, doc: ...}.
func (l *loader) switches(n ast.Node) []Switch {
	entries, ok := l.mapping(n, "switches")
	if !ok {
		return nil
	}
	var out []Switch
	for _, kv := range entries {
		name, ok := l.key(kv)
		if !ok {
			continue
		}
		if !nameRE.MatchString(name) {
			l.errorf(kv.Key, "switch name %q must start with a letter and hold only letters, digits, _ . -", name)
			continue
		}
		sw := Switch{Name: name}
		fields, ok := l.mapping(kv.Value, fmt.Sprintf("switch %q", name))
		if !ok {
			continue
		}
		for _, f := range fields {
			key, ok := l.key(f)
			if !ok {
				continue
			}
			switch key {
			case "values":
				items, _ := l.sequence(f.Value, "values of switch "+name)
				for _, it := range items {
					if v, ok := l.str(it, "a value of switch "+name); ok {
						if !valueRE.MatchString(v) {
							l.errorf(it, "value %q of switch %s must be a plain word or number", v, name)
						} else if slices.Contains(sw.Values, v) {
							l.errorf(it, "value %q of switch %s is given twice", v, name)
						}
						sw.Values = append(sw.Values, v)
					}
				}
			case "default":
				sw.Default, _ = l.str(f.Value, "default of switch "+name)
			case "doc":
				sw.Doc, _ = l.str(f.Value, "doc of switch "+name)
			default:
				l.errorf(f.Key, "unknown key %q in switch %s; it takes: values, default, doc", key, name)
			}
		}
		switch {
		case len(sw.Values) == 0:
			l.errorf(kv.Key, "switch %s needs values: the list of what it may be", name)
			continue
		case sw.Default == "":
			sw.Default = sw.Values[0]
		case !slices.Contains(sw.Values, sw.Default):
			l.errorf(kv.Key, "switch %s: default %q is not one of its values (%s)", name, sw.Default, strings.Join(sw.Values, ", "))
		}
		out = append(out, sw)
	}
	return out
}

// applySet puts the switches in effect: defaults, then what the caller set.
func (l *loader) applySet(sws []Switch, set map[string]string) map[string]string {
	eff := map[string]string{}
	for _, sw := range sws {
		eff[sw.Name] = sw.Default
	}
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := set[k]
		i := slices.IndexFunc(sws, func(s Switch) bool { return s.Name == k })
		if i < 0 {
			l.setErr = append(l.setErr, fmt.Sprintf("%s has no switch %q%s", l.file, k, switchList(sws)))
			continue
		}
		if !slices.Contains(sws[i].Values, v) {
			l.setErr = append(l.setErr, fmt.Sprintf("switch %s is one of %s, not %q", k, strings.Join(sws[i].Values, ", "), v))
			continue
		}
		eff[k] = v
	}
	return eff
}

func switchList(sws []Switch) string {
	if len(sws) == 0 {
		return " (it has none)"
	}
	n := make([]string, len(sws))
	for i, s := range sws {
		n[i] = s.Name
	}
	return " (it has: " + strings.Join(n, ", ") + ")"
}

// subst gives the value a `$name` scalar stands for; other text is itself.
func (l *loader) subst(n ast.Node, s string) string {
	if len(s) < 2 || s[0] != '$' || !nameRE.MatchString(s[1:]) {
		return s
	}
	v, ok := l.set[s[1:]]
	if !ok {
		l.errorf(n, "%s names switch %q, which is not declared under switches", s, s[1:])
		return s
	}
	return v
}

// text is a scalar's text with `$name` put in, for the places that look at
// a value before decoding it; an unknown switch is reported where it is
// decoded.
func (l *loader) text(n ast.Node) string {
	s, _ := scalar(n)
	if len(s) > 1 && s[0] == '$' {
		if v, ok := l.set[s[1:]]; ok {
			return v
		}
	}
	return s
}

// choose keeps the steps listed under the value a switch has:
//
//   - choose:
//     switch: kind
//     threads: [...]
//     processes: [...]
//
// Every case is checked; only the chosen one runs. A task spawned only in
// cases not chosen does not run at all.
func (l *loader) choose(kv *ast.MappingValueNode, depth int) []Step {
	fields, ok := l.mapping(kv.Value, "step \"choose\"")
	if !ok {
		return nil
	}
	var sw *Switch
	for _, f := range fields {
		if k, _ := scalar(f.Key); k == "switch" {
			name, _ := l.str(f.Value, "switch of choose")
			for i := range l.switchDecl {
				if l.switchDecl[i].Name == name {
					sw = &l.switchDecl[i]
				}
			}
			if sw == nil {
				l.errorf(f.Value, "choose names switch %q, which is not declared under switches", name)
				return nil
			}
		}
	}
	if sw == nil {
		l.errorf(kv.Key, "choose needs switch: the switch whose value picks the steps")
		return nil
	}
	var out []Step
	for _, f := range fields {
		k, ok := l.key(f)
		if !ok || k == "switch" {
			continue
		}
		if !slices.Contains(sw.Values, k) {
			l.errorf(f.Key, "choose: %q is not a value of switch %s (%s)", k, sw.Name, strings.Join(sw.Values, ", "))
			continue
		}
		steps := l.stepList(f.Value, depth+1)
		if k == l.set[sw.Name] {
			out = steps
			continue
		}
		if l.chosenOut == nil {
			l.chosenOut = map[string]bool{}
		}
		walkSpawns(steps, func(t string) { l.chosenOut[t] = true })
	}
	return out
}

// when decides a check's `when: switch=value|value`: whether it applies.
func (l *loader) when(n ast.Node, s string) bool {
	name, vals, ok := strings.Cut(s, "=")
	if !ok {
		l.errorf(n, "when must be switch=value (or switch=a|b), not %q", s)
		return false
	}
	i := slices.IndexFunc(l.switchDecl, func(sw Switch) bool { return sw.Name == name })
	if i < 0 {
		l.errorf(n, "when names switch %q, which is not declared under switches", name)
		return false
	}
	hit := false
	for _, v := range strings.Split(vals, "|") {
		if !slices.Contains(l.switchDecl[i].Values, v) {
			l.errorf(n, "when: %q is not a value of switch %s (%s)", v, name, strings.Join(l.switchDecl[i].Values, ", "))
		}
		hit = hit || l.set[name] == v
	}
	return hit
}

// sweep reads `sweep: {over: SWITCH, series: SWITCH, figures: [...], checks: [...]}`.
func (l *loader) sweep(n ast.Node) *Sweep {
	fields, ok := l.mapping(n, "sweep")
	if !ok {
		return nil
	}
	sw := &Sweep{}
	for _, f := range fields {
		key, ok := l.key(f)
		if !ok {
			continue
		}
		switch key {
		case "over", "series":
			name, _ := l.str(f.Value, key+" of sweep")
			if !slices.ContainsFunc(l.switchDecl, func(s Switch) bool { return s.Name == name }) {
				l.errorf(f.Value, "sweep %s names switch %q, which is not declared under switches", key, name)
			}
			if key == "over" {
				sw.Over = name
			} else {
				sw.Series = name
			}
		case "figures":
			items, _ := l.sequence(f.Value, "figures of sweep")
			for _, it := range items {
				name, _ := l.str(it, "a figure")
				if _, ok := FigureNamed(name); !ok {
					l.errorf(it, "unknown figure %q; figures: %s", name, figureNames())
				}
				sw.Figures = append(sw.Figures, name)
			}
		case "checks":
			sw.Checks = l.sweepChecks(f.Value)
		default:
			l.errorf(f.Key, "unknown key %q in sweep; it takes: over, series, figures, checks", key)
		}
	}
	if sw.Over == "" {
		l.errorf(n, "sweep needs over: the switch whose values are the points")
	}
	if sw.Over != "" && sw.Over == sw.Series {
		l.errorf(n, "sweep: over and series must be two different switches")
	}
	if len(sw.Figures) == 0 {
		l.errorf(n, "sweep needs figures: what to measure at each point (%s)", figureNames())
	}
	var series []string
	for _, s := range l.switchDecl {
		if s.Name == sw.Series {
			series = s.Values
		}
	}
	for _, c := range sw.Checks {
		cv, _ := CurveOf(c.Spec)
		if !slices.Contains(sw.Figures, cv.Figure) {
			l.errorAt(c.Pos, "sweep check %q is about figure %q, which the sweep does not measure", c.Kind, cv.Figure)
		}
		for _, v := range cv.Series {
			if !slices.Contains(series, v) {
				l.errorAt(c.Pos, "sweep check %q names series %q, which is not a value of switch %s (%s)", c.Kind, v, sw.Series, strings.Join(series, ", "))
			}
		}
	}
	return sw
}

func figureNames() string {
	n := make([]string, len(Figures))
	for i, f := range Figures {
		n[i] = f.Name
	}
	return strings.Join(n, ", ")
}

// curveFields are the settings of every sweep check.
func curveFields() []field {
	cv := func(d any) *Curve { c, _ := CurveOf(d.(CheckSpec)); return c }
	return []field{
		{name: "figure", kind: kString, required: true, doc: "the figure, one the sweep measures", set: func(d any, v any) { cv(d).Figure = v.(string) }},
		{name: "series", kind: kList, one: true, doc: "the series it is about, one or a list (default: every one)", set: func(d any, v any) { cv(d).Series = v.([]string) }},
		{name: "factor", kind: kFloat, required: true, doc: "the factor, above 0", set: func(d any, v any) { cv(d).Factor = v.(float64) }},
		{name: "needs_cores", kind: kInt, doc: "below this many cores the check is not decided (default 2: a curve about the cores needs more than one)", set: func(d any, v any) { cv(d).NeedsCores = int(v.(int64)) }},
	}
}

func ruleCurve(l *loader, c CheckSpec, n ast.Node) {
	cv, _ := CurveOf(c)
	l.positive(n, "factor", cv.Factor)
	if _, ok := FigureNamed(cv.Figure); !ok {
		l.errorf(n, "unknown figure %q%s; figures: %s", cv.Figure, didYouMean(cv.Figure, FigureNames()), figureNames())
	}
}

// sweepChecks are the verdicts a sweep can reach over its points.
var sweepChecks = []schema{
	{name: string(CheckGrows), doc: "the figure at the largest point is at least factor × the one at the smallest, for each series",
		check: func() CheckSpec { return &GrowsCheck{} }, checkRules: ruleCurve, fields: curveFields()},
	{name: string(CheckLevelsOff), doc: "the figure grows from one task up to tasks = cores (by half the cores' worth at least), and past that point never exceeds factor × its value there, for each series",
		check: func() CheckSpec { return &LevelsOffCheck{} }, checkRules: ruleCurve, fields: curveFields()},
	{name: string(CheckRises), doc: "the figure at the largest point is at least factor × its value where tasks = cores, for each series",
		check: func() CheckSpec { return &RisesCheck{} }, checkRules: ruleCurve, fields: curveFields()},
}

// SweepCheckNames lists every sweep check of the vocabulary.
func SweepCheckNames() []CheckKind { return checkKinds(sweepChecks) }

// FigureNames lists every figure.
func FigureNames() []string {
	n := make([]string, len(Figures))
	for i, f := range Figures {
		n[i] = f.Name
	}
	return n
}

func (l *loader) sweepChecks(n ast.Node) []Check {
	items, _ := l.sequence(n, "checks of sweep")
	var out []Check
	for _, it := range items {
		if c, ok := l.check(it, sweepChecks, "sweep check"); ok {
			out = append(out, c)
		}
	}
	return out
}

// walkSpawns calls f on every task a spawn step of ss, or of the steps
// inside them, names.
func walkSpawns(ss []Step, f func(string)) {
	Walk(ss, func(st *Step) {
		if s, ok := st.Do.(*SpawnStep); ok {
			for _, t := range s.Tasks {
				f(t)
			}
		}
	})
}

// dropUnchosen removes the tasks only a case not chosen would have started,
// and the tasks only they would have spawned: what the chosen steps can
// reach from the tasks that start with the round is what runs.
func (l *loader) dropUnchosen(sc *Scenario, spawned map[string]bool) {
	if len(l.chosenOut) == 0 {
		return
	}
	byName := map[string]*Task{}
	for i := range sc.Tasks {
		byName[sc.Tasks[i].Name] = &sc.Tasks[i]
	}
	reached := map[string]bool{}
	var reach func(string)
	reach = func(name string) {
		if reached[name] || byName[name] == nil {
			return
		}
		reached[name] = true
		walkSpawns(byName[name].Steps, reach)
	}
	for _, t := range sc.Tasks {
		if !spawned[t.Name] && !l.chosenOut[t.Name] {
			reach(t.Name)
		}
	}
	kept := sc.Tasks[:0]
	for _, t := range sc.Tasks {
		if reached[t.Name] {
			kept = append(kept, t)
		}
	}
	sc.Tasks = kept
}

func setText(set map[string]string) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + set[k]
	}
	return strings.Join(keys, " ")
}
