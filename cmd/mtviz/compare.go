package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mtviz/internal/compare"
	"mtviz/internal/cpus"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/record"
	"mtviz/internal/report"
	"mtviz/internal/session"
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
	out := report.New(stdout, f.json, nil)
	out.CompareBegin(sc, len(variants))
	var rs []compare.Result
	for i, v := range variants {
		if ctx.Err() != nil {
			break
		}
		out.VariantStart(i, len(variants), v)
		r, err := compare.Run(ctx, sc, v, opt, nil)
		if err != nil {
			return err
		}
		if f.recordDir != "" {
			if err := compare.Save(f.recordDir, sc.ID, i, r); err != nil {
				return fmt.Errorf("compare: %w", err)
			}
		}
		out.Variant(r)
		rs = append(rs, r)
	}
	out.Table(rs, f.allFigures)
	own := compareOutcome(out, sc, rs)
	if len(rs) < len(variants) {
		return checkFailed{}
	}
	return verdictError(own)
}

func (f *runFlags) options() session.Options {
	return session.Options{Hz: f.hz, MaxProcs: f.maxProcs, MaxTasks: f.maxTasks, GoTrace: traceModes[f.goTrace]}
}

// planCompare makes the variants the flags ask for, or the lesson's own.
func planCompare(sc *lesson.Scenario, f compareFlags) ([]compare.Variant, error) {
	var cores []int
	if f.cores != "" {
		var err error
		if cores, err = coreList(f.cores); err != nil {
			return nil, err
		}
	}
	axes := []compare.Axis(f.sets)
	for _, a := range axes {
		if _, err := lesson.Reload(sc, map[string]string{a.Name: a.Values[0]}); err != nil {
			if se, ok := err.(*lesson.SetError); ok {
				return nil, usagef("compare: --set %s: %s", a.Name, se.Msg)
			}
			return nil, err
		}
		for _, v := range a.Values[1:] {
			if _, err := lesson.Reload(sc, map[string]string{a.Name: v}); err != nil {
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
	out := report.New(stdout, f.json, nil)
	out.CompareBegin(rs[0].Rec.Scenario, len(rs))
	for i, r := range rs {
		out.VariantStart(i, len(rs), r.Variant)
		out.Variant(r)
	}
	out.Table(rs, f.allFigures)
	return verdictError(compareOutcome(out, rs[0].Rec.Scenario, rs))
}

// compareOutcome reports a comparison's own checks and what it came to,
// and returns that.
func compareOutcome(out report.Reporter, sc *lesson.Scenario, rs []compare.Result) verdict.Summary {
	sum := compare.Outcome(sc, rs)
	out.Outcome(sc, compare.Checks(sc, rs), sum)
	return sum
}
