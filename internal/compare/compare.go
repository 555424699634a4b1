// Package compare runs one lesson several ways, one way after another, each
// with the machine to itself, and measures each: the cores it may use and
// the lesson's own switches make a variant. A sweep is the same along one
// switch, with one curve per value of another. Every variant is a
// recording, and its figures and verdicts come from folding that recording,
// so comparing two saved runs gives what the live comparison gave.
package compare

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"

	"mtviz/internal/cpus"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

// Variant is one way to run a lesson.
type Variant struct {
	Label string            `json:"label"`
	Cores int               `json:"cores"` // 0: every core
	Set   map[string]string `json:"set,omitempty"`
}

// Axis is one switch and the values a comparison gives it.
type Axis struct {
	Name   string
	Values []string
}

// Variants makes every combination of the cores and the switches' values,
// the first axis changing slowest.
func Variants(cores []int, axes []Axis) []Variant {
	if len(cores) == 0 {
		cores = []int{0}
	}
	out := []Variant{{}}
	grow := func(labels []string, apply func(v *Variant, i int)) {
		next := make([]Variant, 0, len(out)*len(labels))
		for _, v := range out {
			for i := range labels {
				nv := Variant{Label: v.Label, Cores: v.Cores, Set: maps.Clone(v.Set)}
				apply(&nv, i)
				next = append(next, nv)
			}
		}
		out = next
	}
	if len(cores) > 1 || cores[0] != 0 {
		grow(make([]string, len(cores)), func(v *Variant, i int) { v.Cores = cores[i] })
	}
	for _, a := range axes {
		grow(a.Values, func(v *Variant, i int) {
			if v.Set == nil {
				v.Set = map[string]string{}
			}
			v.Set[a.Name] = a.Values[i]
		})
	}
	var order []string
	for _, a := range axes {
		order = append(order, a.Name)
	}
	for i := range out {
		out[i].Label = label(out[i], len(cores) > 1 || cores[0] != 0, order)
	}
	return out
}

// Default is the comparison a lesson gets when none is asked for: along the
// switch it names for comparing, or one core against all of them.
func Default(sc *lesson.Scenario) []Variant {
	for _, s := range sc.Switches {
		if s.Name == sc.Compare {
			vals := s.Values
			if len(sc.CompareValues) > 0 {
				vals = sc.CompareValues
			}
			return Variants(nil, []Axis{{Name: s.Name, Values: vals}})
		}
	}
	return Variants([]int{1, 0}, nil)
}

// label names a variant: its cores, then its switches in the order given.
func label(v Variant, withCores bool, order []string) string {
	var parts []string
	if withCores {
		c := "all"
		if v.Cores > 0 {
			c = strconv.Itoa(v.Cores)
		}
		parts = append(parts, "cores="+c)
	}
	for _, k := range order {
		parts = append(parts, k+"="+v.Set[k])
	}
	if len(parts) == 0 {
		return "as is"
	}
	return strings.Join(parts, " ")
}

// Result is one variant run and measured.
type Result struct {
	Variant
	Rec      *record.Recording
	Raw      []byte // the recording as written
	Summary  verdict.Summary
	Figures  verdict.Figures
	Timeline *fold.Timeline // the fold of the whole recording
}

// Prepare loads the lesson as the variant sets it and says whether it may
// run: a switch the lesson lacks is refused here, before anything starts.
func Prepare(base *lesson.Scenario, v Variant, opt session.Options) (*lesson.Scenario, error) {
	sc := base
	if len(v.Set) > 0 {
		var err error
		if sc, err = lesson.Reload(base, v.Set); err != nil {
			return nil, err
		}
	}
	opt.Cores = v.Cores
	if err := session.Refuse(sc, opt); err != nil {
		return nil, err
	}
	return sc, nil
}

// Run runs one variant to its end, on its cores, passing every item to each
// as it comes (nil: none), and measures it from its recording.
func Run(ctx context.Context, base *lesson.Scenario, v Variant, opt session.Options, each func(*session.Session, fold.Item)) (Result, error) {
	sc, err := Prepare(base, v, opt)
	if err != nil {
		return Result{}, err
	}
	// The cores go back to what they were: a comparison opened from a
	// screen started with --cores 1 leaves it on one core.
	before := cpus.Current()
	if err := cpus.Use(v.Cores); err != nil {
		return Result{}, err
	}
	defer cpus.Use(before)
	var buf bytes.Buffer
	opt.Cores, opt.AutoKeys, opt.Record, opt.Label, opt.Switches = v.Cores, true, &buf, v.Label, true
	opt.Perfetto = nil // a --trace file is the screen's first run's, not a variant's
	s := session.Start(ctx, sc, opt)
	for it := range s.Items() {
		if each != nil {
			each(s, it)
		}
	}
	s.Wait()
	if err := s.RecordError(); err != nil {
		return Result{}, err
	}
	rec, err := record.ReadBytes(v.Label, buf.Bytes(), record.Options{MaxScenario: int64(len(sc.Source))})
	if err != nil {
		return Result{}, err
	}
	r, err := Measure(rec, v)
	r.Raw = buf.Bytes()
	return r, err
}

// SavePath is where Save writes the i-th variant (from 0) of lesson id.
func SavePath(dir, id string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d.jsonl", id, i+1))
}

// Save writes a variant's recording into dir as ID-N.jsonl (N from 1),
// beside its old self and renamed over it once whole.
func Save(dir, id string, i int, r Result) error {
	return outfile.WriteFile("--record", SavePath(dir, id, i), r.Raw)
}

// Measure folds a recording and decides its checks and figures: the one path
// for a live variant and a replayed one.
func Measure(rec *record.Recording, v Variant) (Result, error) {
	tl := fold.New(fold.Config{Scenario: rec.Scenario, Cores: rec.Header.Cores, Root: rec.Header.Root})
	vj := session.NewJudge(rec.Scenario, rec.Header)
	if err := rec.Each(func(it fold.Item) { tl.Apply(it); vj.Apply(it) }); err != nil {
		return Result{}, err
	}
	return Result{Variant: v, Rec: rec, Summary: session.Decide(vj, rec.End), Figures: vj.Figures(), Timeline: tl}, nil
}

// FromRecording makes a variant of a saved run, labelled by what it was.
func FromRecording(rec *record.Recording, name string) (Result, error) {
	v := Variant{Label: rec.Header.Label, Cores: rec.Header.Cores, Set: rec.Header.Set}
	if v.Label == "" {
		v.Label = fmt.Sprintf("%s cores=%d", name, rec.Header.Cores)
	}
	return Measure(rec, v)
}

// Row is one figure across the variants.
type Row struct {
	Figure lesson.Figure
	Values []float64
	Ratios []float64 // each value over the first variant's (0 when that is 0, or Apart)
	// Apart: the variants measure this figure in different units (work in
	// work units against work in answers): no ratio is made.
	Apart bool
	Units []string // each value's unit, when Apart
}

// Table is the figures that differ between the variants: by more than 5%
// (any difference for lost updates), or every figure when all is set.
func Table(rs []Result, all bool) []Row {
	var rows []Row
	for _, f := range lesson.Figures {
		r := Row{Figure: f}
		differ := false
		for _, res := range rs {
			r.Values = append(r.Values, res.Figures.Get(f.Name))
			r.Units = append(r.Units, res.Figures.WorkUnit)
			r.Apart = r.Apart || f.Name == "work" && res.Figures.WorkUnit != rs[0].Figures.WorkUnit
		}
		if !r.Apart {
			r.Units = nil
		}
		for _, v := range r.Values {
			ratio := 0.0
			if r.Values[0] != 0 && !r.Apart {
				ratio = v / r.Values[0]
			}
			r.Ratios = append(r.Ratios, ratio)
			if f.Name == "lost" && v != r.Values[0] || (r.Values[0] == 0) != (v == 0) || ratio != 0 && (ratio > 1.05 || ratio < 1/1.05) {
				differ = true
			}
		}
		if differ || all || r.Apart {
			rows = append(rows, r)
		}
	}
	return rows
}

// Format writes a figure's value for a table.
func Format(f lesson.Figure, v float64) string { return verdict.Format(f.Name, v) }

// WithUnit writes a figure's value and its unit.
func WithUnit(f lesson.Figure, v float64) string { return verdict.WithUnit(f.Name, v) }

// Ratio writes a ratio to the first variant.
func Ratio(r float64) string {
	if r >= 100 {
		return verdict.Format("work", r) + "×"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// Checks decides a comparison's own checks from its variants.
func Checks(sc *lesson.Scenario, rs []Result) []verdict.Result {
	vs := make([]verdict.Variant, len(rs))
	for i, r := range rs {
		vs[i] = verdict.Variant{Set: r.Set, Figures: r.Figures}
	}
	return verdict.JudgeCompare(sc, vs)
}

// Outcome is what a comparison came to: its variants' checks and its own.
func Outcome(sc *lesson.Scenario, rs []Result) verdict.Summary {
	w := Worst(rs)
	own := Checks(sc, rs)
	w.Checks = append(w.Checks, own...)
	if v := verdict.Worst(w.Checks); w.Verdict != verdict.Fail {
		w.Verdict = v
	}
	w.OK = w.Verdict == verdict.Pass && !w.Stopped
	return w
}

// Worst is the verdict a set of runs reaches together: a failure or a
// stopped run beats not decided, which beats a pass; runs with no checks
// decide nothing. Its checks are every run's.
func Worst(rs []Result) verdict.Summary {
	var w verdict.Summary
	for _, r := range rs {
		w.Checks = append(w.Checks, r.Summary.Checks...)
		w.Stopped = w.Stopped || r.Summary.Stopped
	}
	w.Verdict = verdict.Worst(w.Checks)
	for _, r := range rs {
		if r.Summary.Verdict == verdict.Fail {
			w.Verdict = verdict.Fail
		}
	}
	w.OK = w.Verdict == verdict.Pass && !w.Stopped
	return w
}
