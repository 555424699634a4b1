package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/cpus"
	"mtviz/internal/outfile"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/spec"
	"mtviz/internal/text"
	"mtviz/internal/ui"
	"mtviz/internal/verdict"
)

const compareUsage = `Usage: mtviz compare [flags] LESSON|FILE
       mtviz compare [--headless|--json] --replay FILE FILE...

Runs one lesson several ways, one way after another, each with the whole
machine, and shows them side by side aligned at their start: on screen, or
with --headless each variant's verdicts and a table of the figures that
differ (CPU used, work per second, context switches, lost updates, wall
time), each with its ratio to the first variant.

Without --cores or --set it compares the lesson on one core and on all of
them, or along the switch the lesson names for comparing ('mtviz list' shows
each lesson's switches).

Flags:
{{flags}}

Exit codes: 0 every variant's checks held, 1 one failed or a run was stopped,
2 bad usage or input, 3 none failed but one could not be decided.
`

type compareFlags struct {
	runFlags
	cores      string
	sets       setFlags
	allFigures bool
	recordDir  string
	replay     bool
}

// setFlags collects repeated --set NAME=A,B.
type setFlags []compare.Axis

func (s *setFlags) String() string { return "" }
func (s *setFlags) Set(v string) error {
	name, vals, ok := strings.Cut(v, "=")
	if !ok || name == "" || vals == "" {
		return fmt.Errorf("--set takes NAME=A,B, not %q", v)
	}
	for _, a := range *s {
		if a.Name == name {
			return fmt.Errorf("--set %s is given twice", name)
		}
	}
	*s = append(*s, compare.Axis{Name: name, Values: strings.Split(vals, ",")})
	return nil
}

// coreList reads --cores 1,2,all.
func coreList(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if p == "all" {
			out = append(out, 0)
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > cpus.All() {
			return nil, usagef("compare: --cores takes a list of core counts from 1 to %d or the word all, as in 1,all; not %q", cpus.All(), p)
		}
		out = append(out, n)
	}
	return out, nil
}

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	var f compareFlags
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	f.register(fs, false)
	fs.Lookup("headless").Usage = "no screen: print each variant's verdicts, then the table"
	fs.Lookup("json").Usage = `no screen: one {"type":"variant"} line per variant, then one {"type":"compare"} line`
	fs.Lookup("timeout").Usage = "headless: stop the comparison when it has lasted longer than `D` (10m, 90s, or plain seconds)"
	fs.StringVar(&f.cores, "cores", "", "the cores of each variant, a `LIST`: 1,all or 1,2,4 (all: every core)")
	fs.Var(&f.sets, "set", "one of the lesson's switches and the values to compare, `NAME=A,B`; give --set again for another switch (every combination runs)")
	fs.BoolVar(&f.allFigures, "all-figures", false, "list every figure, not only those that differ")
	fs.StringVar(&f.recordDir, "record", "", "also write each variant's recording into `DIR`")
	fs.BoolVar(&f.replay, "replay", false, "compare recordings made with 'run --record' or 'compare --record', even from other machines, instead of running")
	pos, err := parseFlags(fs, args, compareUsage, stdout)
	if err != nil {
		return err
	}
	if err := f.validate(fs); err != nil {
		return err
	}
	if f.replay {
		return compareReplay(f, pos, stdout)
	}
	if len(pos) != 1 {
		return usagef("compare: name one lesson or file, as in 'mtviz compare race --cores 1,all'")
	}
	sc, err := resolve("compare", pos[0], f.maxSize)
	if err != nil {
		return err
	}
	variants, err := planCompare(sc, f)
	if err != nil {
		return err
	}
	opt := f.options()
	for _, v := range variants {
		if _, err := compare.Prepare(sc, v, opt); err != nil {
			return usageError{"compare: " + v.Label + ": " + err.Error()}
		}
	}
	if f.recordDir != "" {
		if st, err := os.Stat(f.recordDir); err != nil || !st.IsDir() {
			return usagef("compare: --record %s: not a directory", f.recordDir)
		}
		// The files each variant will write, checked now: the directory
		// can be written, and none of them is the lesson.
		var inputs []outfile.Input
		if isFile(pos[0]) {
			inputs = append(inputs, outfile.Input{What: "the lesson being compared", Path: pos[0]})
		}
		var outs []outfile.Output
		for i := range variants {
			outs = append(outs, outfile.Output{Flag: "--record", Path: compare.SavePath(f.recordDir, sc.ID, i)})
		}
		if err := outfile.Check(inputs, outs); err != nil {
			return usagef("compare: %v", err)
		}
	}
	if !f.headless && !f.json {
		return onScreen("compare", ui.Config{Scenarios: builtins(), Compare: &ui.CompareConfig{Scenario: sc, Variants: variants, Session: opt, RecordDir: f.recordDir}})
	}
	ctx, done := headlessContext(f.timeout)
	defer done()
	out := newComparePrinter(stdout, f.json)
	out.begin(sc, len(variants))
	var rs []compare.Result
	for i, v := range variants {
		if ctx.Err() != nil {
			break
		}
		out.start(i, len(variants), v)
		r, err := compare.Run(ctx, sc, v, opt, nil)
		if err != nil {
			return err
		}
		if f.recordDir != "" {
			if err := compare.Save(f.recordDir, sc.ID, i, r); err != nil {
				return fmt.Errorf("compare: %w", err)
			}
		}
		out.variant(r)
		rs = append(rs, r)
	}
	out.table(rs, f.allFigures)
	own := out.checks(sc, rs)
	if len(rs) < len(variants) {
		return checkFailed{}
	}
	return verdictError(own)
}

func (f *runFlags) options() session.Options {
	return session.Options{Hz: f.hz, MaxProcs: f.maxProcs, MaxTasks: f.maxTasks, GoTrace: traceModes[f.goTrace]}
}

// planCompare makes the variants the flags ask for, or the lesson's own.
func planCompare(sc *spec.Scenario, f compareFlags) ([]compare.Variant, error) {
	var cores []int
	if f.cores != "" {
		var err error
		if cores, err = coreList(f.cores); err != nil {
			return nil, err
		}
	}
	axes := []compare.Axis(f.sets)
	for _, a := range axes {
		if _, err := spec.Reload(sc, map[string]string{a.Name: a.Values[0]}); err != nil {
			if se, ok := err.(*spec.SetError); ok {
				return nil, usagef("compare: --set %s: %s", a.Name, se.Msg)
			}
			return nil, err
		}
		for _, v := range a.Values[1:] {
			if _, err := spec.Reload(sc, map[string]string{a.Name: v}); err != nil {
				return nil, usagef("compare: --set %s: %v", a.Name, err)
			}
		}
	}
	vs := compare.Variants(cores, axes)
	if f.cores == "" && len(axes) == 0 {
		vs = compare.Default(sc)
	}
	if len(vs) < 2 {
		return nil, usagef("compare: that is one variant; give two or more, as in --cores 1,all")
	}
	if len(vs) > 16 {
		return nil, usagef("compare: %d variants is more than 16", len(vs))
	}
	return vs, nil
}

func compareReplay(f compareFlags, files []string, stdout io.Writer) error {
	if len(files) < 2 {
		return usagef("compare: --replay needs two or more recordings")
	}
	var rs []compare.Result
	for _, file := range files {
		rec, err := record.ReadFile(file, record.Options{MaxScenario: f.maxSize})
		if err != nil {
			return usageError{"compare: " + err.Error()}
		}
		r, err := compare.FromRecording(rec, filepath.Base(file))
		if err != nil {
			return usageError{"compare: " + err.Error()}
		}
		rs = append(rs, r)
	}
	if !f.headless && !f.json {
		return onScreen("compare", ui.Config{Compare: &ui.CompareConfig{Scenario: rs[0].Rec.Scenario, Done: rs}})
	}
	out := newComparePrinter(stdout, f.json)
	out.begin(rs[0].Rec.Scenario, len(rs))
	for i, r := range rs {
		out.start(i, len(rs), r.Variant)
		out.variant(r)
	}
	out.table(rs, f.allFigures)
	return verdictError(out.checks(rs[0].Rec.Scenario, rs))
}

// comparePrinter writes a comparison headless.
type comparePrinter struct {
	w    io.Writer
	json bool
	enc  *json.Encoder
	t0   time.Time
}

func newComparePrinter(w io.Writer, asJSON bool) *comparePrinter {
	return &comparePrinter{w: w, json: asJSON, enc: json.NewEncoder(text.NewJSONWriter(w)), t0: time.Now()}
}

func (p *comparePrinter) begin(sc *spec.Scenario, n int) {
	if !p.json {
		fmt.Fprintf(p.w, "%s: %s, %d variants, one after another\n", sc.ID, text.Clean(sc.Title), n)
	}
}

func (p *comparePrinter) start(i, n int, v compare.Variant) {
	if !p.json {
		fmt.Fprintf(p.w, "\nvariant %d of %d: %s\n", i+1, n, text.Clean(v.Label))
	}
}

func (p *comparePrinter) variant(r compare.Result) {
	if p.json {
		p.enc.Encode(struct {
			Type    string            `json:"type"`
			Label   string            `json:"label"`
			Cores   int               `json:"cores"`
			Set     map[string]string `json:"set,omitempty"`
			Figures verdict.Figures   `json:"figures"`
			// Seconds, as every time mtviz prints (the summary's own is a Duration).
			Duration float64 `json:"duration"`
			verdict.Summary
		}{"variant", r.Label, r.Summary.Cores, r.Set, r.Figures, seconds(r.Summary.Duration), r.Summary})
		return
	}
	for _, c := range r.Summary.Checks {
		fmt.Fprintf(p.w, "  %-11s %s\n              %s\n", c.Verdict.Mark(), text.Clean(c.Name), text.Clean(c.Detail))
	}
	for _, e := range r.Summary.Errors {
		fmt.Fprintf(p.w, "  error: %s\n", text.Clean(e))
	}
	fmt.Fprintf(p.w, "  %s, on %d core(s) in %.1fs\n", r.Summary.State(), r.Summary.Cores, seconds(r.Summary.Duration))
}

func (p *comparePrinter) table(rs []compare.Result, all bool) {
	rows := compare.Table(rs, all)
	if p.json {
		type fig struct {
			Unit   string    `json:"unit"`
			Values []float64 `json:"values"`
			Ratios []float64 `json:"ratios"`
		}
		out := struct {
			Type     string         `json:"type"`
			Variants []string       `json:"variants"`
			Figures  map[string]fig `json:"figures"`
		}{Type: "compare", Figures: map[string]fig{}}
		for _, r := range rs {
			out.Variants = append(out.Variants, r.Label)
		}
		for _, r := range rows {
			out.Figures[r.Figure.Name] = fig{r.Figure.Unit, r.Values, r.Ratios}
		}
		p.enc.Encode(out)
		return
	}
	fmt.Fprintln(p.w)
	if len(rows) == 0 {
		fmt.Fprintln(p.w, "no figure differs by more than 5% between the variants")
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	head := []string{"figure"}
	for _, r := range rs {
		head = append(head, text.Clean(r.Label))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range rows {
		cells := []string{figureTitle(row.Figure)}
		for i, v := range row.Values {
			c := compare.Format(row.Figure, v)
			if row.Apart {
				c += " " + row.Units[i]
			}
			if i > 0 && row.Ratios[i] != 0 {
				c += " (" + compare.Ratio(row.Ratios[i]) + ")"
			}
			cells = append(cells, c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	for _, row := range rows {
		if row.Apart {
			fmt.Fprintf(p.w, "%s is counted in different units by the variants (%s): no ratio is made\n", row.Figure.Name, strings.Join(row.Units, ", "))
		}
	}
}

// checks prints the comparison's own checks, and returns what the whole
// comparison came to.
func (p *comparePrinter) checks(sc *spec.Scenario, rs []compare.Result) verdict.Summary {
	sum := compare.Outcome(sc, rs)
	own := compare.Checks(sc, rs)
	if p.json {
		p.enc.Encode(struct {
			Type    string           `json:"type"`
			Checks  []verdict.Result `json:"checks"`
			Verdict verdict.Verdict  `json:"verdict"`
			State   string           `json:"state"`
		}{"outcome", own, sum.Verdict, sum.State()})
		return sum
	}
	if len(own) > 0 {
		fmt.Fprintln(p.w)
	}
	for _, c := range own {
		fmt.Fprintf(p.w, "%s  %s\n      %s\n", c.Verdict.Mark(), text.Clean(c.Name), text.Clean(c.Detail))
	}
	fmt.Fprintf(p.w, "\n%s: %s\n", sc.ID, sum.State())
	return sum
}

func figureTitle(f spec.Figure) string {
	if f.Unit == "" {
		return f.Name
	}
	return f.Name + " (" + f.Unit + ")"
}
