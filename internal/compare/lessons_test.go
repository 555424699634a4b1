package compare

import (
	"context"
	"strings"
	"testing"
	"time"

	"mtviz/internal/cpus"
	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/session"
	"mtviz/internal/verdict"
)

// osView is what the probe read of one run, by task: the PIDs the engine
// said each task's processes had, the most threads /proc counted in any of
// them, and how many distinct PIDs the probe saw alive.
type osView struct {
	pids    map[string][]int
	threads map[string]int
	seen    map[string]int
}

func readOS(r Result) osView {
	v := osView{pids: map[string][]int{}, threads: map[string]int{}, seen: map[string]int{}}
	// The engine's word on a child's PID can come after the first sample
	// that shows the child: learn every PID first, then read the samples.
	task := map[int]string{}
	items, err := r.Rec.ReadAll()
	if err != nil {
		panic(err)
	}
	for _, it := range items {
		for _, ev := range it.Events {
			if ev.Kind() == event.KProcess && ev.PID > 0 {
				base := ev.Task
				if i := strings.LastIndex(base, "-"); i > 0 && strings.Trim(base[i+1:], "0123456789") == "" {
					base = base[:i]
				}
				task[ev.PID] = base
				v.pids[base] = append(v.pids[base], ev.PID)
			}
		}
	}
	alive := map[int]bool{}
	for _, it := range items {
		s := it.Sample
		if s == nil {
			continue
		}
		for _, p := range s.Procs {
			name, ok := task[p.PID]
			if !ok || p.State == "Z" || p.State == "X" {
				continue
			}
			v.threads[name] = max(v.threads[name], p.NThreads)
			if !alive[p.PID] {
				alive[p.PID] = true
				v.seen[name]++
			}
		}
	}
	return v
}

// sweepLesson runs a built-in sweep and keeps each point's run.
func sweepLesson(t *testing.T, id string) ([]Point, []Result, *lesson.Scenario) {
	t.Helper()
	sc, err := lesson.Builtin(id)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var rs []Result
	pts, err := RunSweep(ctx, sc, session.Options{}, nil, nil, func(p Point, r Result) {
		t.Logf("%s %s: %s", p.Series, p.Over, figs(sc, p))
		r.Timeline, r.Raw = nil, nil // the recording is enough
		rs = append(rs, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(Plan(sc)); len(pts) != want {
		t.Fatalf("%d points, want %d", len(pts), want)
	}
	return pts, rs, sc
}

func figs(sc *lesson.Scenario, p Point) string {
	var out []string
	for _, f := range sc.Sweep.Figures {
		fg, _ := lesson.FigureNamed(f)
		out = append(out, f+" "+WithUnit(fg, p.Value(f)))
	}
	return strings.Join(out, ", ") + " (others " + Format(lesson.Figure{Name: "cpu"}, p.Figures.Others) + ")"
}

// judged checks the sweep's own verdicts: none fails, and one not decided
// has its reason in a point's measured load from other programs.
func judged(t *testing.T, sc *lesson.Scenario, pts []Point) {
	t.Helper()
	busy := false
	for _, p := range pts {
		busy = busy || p.Figures.Others > verdict.BusyLimit
	}
	for _, r := range verdict.JudgeSweep(sc, pts, cpus.All()) {
		t.Logf("%v %s: %s", r.Verdict, r.Name, r.Detail)
		switch {
		case r.Verdict == verdict.Fail:
			t.Errorf("%s failed: %s", r.Name, r.Detail)
		case r.Verdict == verdict.Undecided && !(busy && strings.Contains(r.Detail, "other programs")):
			t.Errorf("%s not decided on an idle machine: %s", r.Name, r.Detail)
		}
	}
}

// switching: every point ran as many tasks as it said, as the OS saw them:
// processes with their own PIDs, threads as threads /proc counted in one
// process; and the sweep's checks hold.
func TestLessonSwitching(t *testing.T) {
	pts, rs, sc := sweepLesson(t, "switching")
	for i, p := range pts {
		if p.Figures.Work <= 0 || p.Figures.Switches <= 0 {
			t.Errorf("%s %s: work %v, switches %v: nothing measured", p.Series, p.Over, p.Figures.Work, p.Figures.Switches)
		}
		n := int(p.X)
		os := readOS(rs[i])
		// A probe sample the run was too busy to take in is dropped; on a
		// machine other programs keep busy, a short-lived process can fall
		// between the samples that were kept. Then the point says so.
		miss := func(format string, a ...any) {
			t.Helper()
			if p.Figures.Others > verdict.BusyLimit {
				t.Logf("not decided (other programs used %.2f cores): "+format, append([]any{p.Figures.Others}, a...)...)
				return
			}
			t.Errorf(format, a...)
		}
		switch p.Series {
		case "processes":
			if len(os.pids["p"]) != n {
				t.Errorf("processes %d: the engine started %d", n, len(os.pids["p"]))
			}
			if os.seen["p"] != n {
				miss("processes %d: the probe saw %d of them alive", n, os.seen["p"])
			}
		case "threads":
			// Each locked goroutine holds a thread of its own, beside the
			// runtime's few.
			if os.threads["threads"] < n {
				miss("threads %d: /proc counted at most %d threads in the process", n, os.threads["threads"])
			}
		case "goroutines":
			if len(os.pids) != 0 {
				t.Errorf("goroutines %d started processes: %v", n, os.pids)
			}
		}
	}
	judged(t, sc, pts)
}

// cpu-vs-io: the I/O points really asked another process (the server, a
// child of mtviz the probe saw), and the sweep's checks hold.
func TestLessonCPUvsIO(t *testing.T) {
	pts, rs, sc := sweepLesson(t, "cpu-vs-io")
	for i, p := range pts {
		if p.Figures.Units <= 0 {
			t.Errorf("%s %s: no work counted", p.Series, p.Over)
		}
		os := readOS(rs[i])
		if p.Series == "io" && os.seen["server disk"] != 1 {
			t.Errorf("io %s: the probe saw %d server processes alive, want 1 (engine: %v)", p.Over, os.seen["server disk"], os.pids)
		}
	}
	judged(t, sc, pts)
}
