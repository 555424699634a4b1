package main

import (
	"io"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/cpus"
	"mtviz/internal/lesson"
	"mtviz/internal/report"
	"mtviz/internal/session"
)

// sweepHeadless runs a lesson's sweep without a screen: a line per point as
// it is measured (or a {"type":"point"} line), the table, the verdicts.
func sweepHeadless(sc *lesson.Scenario, opt session.Options, f runFlags, stdout io.Writer) error {
	ctx, done := headlessContext(f.timeout)
	defer done()
	out := report.New(stdout, f.json, nil)
	out.SweepBegin(sc, len(compare.Plan(sc)))
	began := time.Now()
	pts, err := compare.RunSweep(ctx, sc, opt, func(k, n int, v compare.Variant) {
		out.PointStart(k, n, v, timeLeft(began, k, n))
	}, nil, func(p compare.Point, r compare.Result) {
		out.Point(sc, p)
	})
	if err != nil && len(pts) == 0 {
		return usageError{"run: " + err.Error()}
	}
	if f.csv != "" {
		if werr := compare.WriteCSV(f.csv, sc, pts); werr != nil {
			return usageError{"run: " + werr.Error()}
		}
	}
	cores := opt.Cores
	if cores <= 0 {
		cores = cpus.All()
	}
	sum := compare.SweepSummary(sc, pts, cores, time.Since(began))
	sum.Stopped = sum.Stopped || ctx.Err() != nil
	if err != nil {
		sum.Errors = append(sum.Errors, err.Error())
	}
	out.SweepEnd(sc, pts, sum)
	return verdictError(sum)
}

// timeLeft guesses from the points so far; below 0 before the first.
func timeLeft(began time.Time, k, n int) time.Duration {
	if k == 0 {
		return -1
	}
	per := time.Since(began) / time.Duration(k)
	return per * time.Duration(n-k)
}
