package explore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mtviz/internal/lesson"
	"mtviz/internal/verdict"
	"mtviz/scenarios"
)

func loadLesson(t testing.TB, id string, set map[string]string) *lesson.Scenario {
	t.Helper()
	data, err := scenarios.Read(id + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := lesson.LoadSet(id+".yaml", data, set)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func explore(t *testing.T, sc *lesson.Scenario, opt Options) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := Explore(ctx, sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func lostSome(r *Report) (lost, wrong int) {
	for _, o := range r.Outcomes {
		if o.Lost["balance"] > 0 {
			lost += o.Orders
		}
		if o.Final["balance"] != 0 {
			wrong += o.Orders
		}
	}
	return lost, wrong
}

// race-play: every one of its 70 orders is run; 40 end wrong, and the
// lesson says so. Its locked twin has 6 orders, none losing an update.
func TestExploreRacePlay(t *testing.T) {
	sc := loadLesson(t, "race-play", nil)
	r := explore(t, sc, Options{})
	lost, wrong := lostSome(r)
	if !r.Exhaustive || r.Orders != 70 || r.Explored != 70 || r.Classes != 70 || wrong != 40 || lost != 56 || len(r.Outcomes) != 13 {
		t.Fatalf("race-play: exhaustive %v, %d orders, %d explored, %d classes, %d wrong, %d losing one, %d outcomes",
			r.Exhaustive, r.Orders, r.Explored, r.Classes, wrong, lost, len(r.Outcomes))
	}
	if r.MinSteps != 8 || r.MaxSteps != 8 || r.Goal == nil || r.Goal.Count != 40 || len(r.Broken) != 1 || r.Broken[0].Check != "the balance ended at 0" {
		t.Errorf("steps %d-%d, goal %+v, broken %+v", r.MinSteps, r.MaxSteps, r.Goal, r.Broken)
	}
	for _, says := range []string{"70 orders of 8", "40 of them end with the balance wrong", "30 end at 0, and in 16", "13 outcomes", "6 orders of 16 steps"} {
		if !strings.Contains(strings.Join(strings.Fields(sc.Lesson), " "), says) {
			t.Errorf("the lesson text does not say %q", says)
		}
	}
	locked := explore(t, loadLesson(t, "race-play", map[string]string{"lock": "on"}), Options{})
	lost, wrong = lostSome(locked)
	if !locked.Exhaustive || locked.Orders != 6 || lost != 0 || wrong != 0 || len(locked.Broken) != 0 || locked.Goal != nil {
		t.Errorf("locked: %+v, %d losing one, %d wrong", locked, lost, wrong)
	}
}

// The shortest order that breaks the balance, written as a schedule and
// read back, replays to the same wrong balance, lost update and verdicts,
// 100 times out of 100.
func TestShortestBreakingScheduleReplays(t *testing.T) {
	sc := loadLesson(t, "race-play", nil)
	r := explore(t, sc, Options{})
	b := r.Broken[0]
	data := Format(Header{Lesson: sc.ID, Set: sc.Set, What: "breaks: " + b.Check}, b.Tasks)
	s, err := Read("shortest.schedule", data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Tasks(), b.Tasks) {
		t.Fatalf("read back %v, wrote %v", s.Tasks(), b.Tasks)
	}
	var first *Order
	for i := 0; i < 100; i++ {
		o, err := Replay(context.Background(), sc, 0, s)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = o
			if o.Final["balance"] == 0 || o.Lost["balance"] == 0 || o.Summary.Verdict != verdict.Fail || o.Goal.Verdict != verdict.Pass {
				t.Fatalf("the shortest breaking order ended %v with %v lost, verdict %v", o.Final, o.Lost, o.Summary.Verdict)
			}
			continue
		}
		if o.outcomeKey() != first.outcomeKey() || !slices.Equal(o.Tasks(), first.Tasks()) || o.Free {
			t.Fatalf("replay %d ended %s, the first %s", i+1, o.outcomeKey(), first.outcomeKey())
		}
	}
}

// deadlock-play deadlocks in 2 of its 6 orders, after two steps; with the
// locks taken in the same order, in none. condition-play's consumer waits
// forever in 1 of 2 orders; with the flag, in none.
func TestExploreDeadlockAndConditionPlay(t *testing.T) {
	r := explore(t, loadLesson(t, "deadlock-play", nil), Options{})
	dead := 0
	for _, o := range r.Outcomes {
		if o.Deadlock {
			dead += o.Orders
		}
	}
	if r.Orders != 6 || r.Classes != 3 || dead != 2 || r.Goal == nil || len(r.Goal.Tasks) != 2 || r.MinSteps != 2 {
		t.Errorf("deadlock-play: %d orders, %d classes, %d deadlocks, goal %+v", r.Orders, r.Classes, dead, r.Goal)
	}
	r = explore(t, loadLesson(t, "deadlock-play", map[string]string{"order": "same"}), Options{})
	if r.Orders != 3 || r.Goal != nil || len(r.Outcomes) != 1 || r.Outcomes[0].Deadlock {
		t.Errorf("deadlock-play order=same: %+v", r)
	}
	r = explore(t, loadLesson(t, "condition-play", nil), Options{})
	if r.Orders != 2 || r.Goal == nil || r.Goal.Count != 1 || len(r.Goal.Tasks) != 5 || !slices.ContainsFunc(r.Outcomes, func(o *Outcome) bool { return o.Forever }) {
		t.Errorf("condition-play: %+v goal %+v", r, r.Goal)
	}
	r = explore(t, loadLesson(t, "condition-play", map[string]string{"flag": "on"}), Options{})
	if r.Orders != 2 || r.Goal != nil || len(r.Broken) != 0 {
		t.Errorf("condition-play flag=on: %+v", r)
	}
}

// More orders than --max: a seeded sample, said so, the same for the same
// seed; ctrl+c keeps what was run.
func TestExploreSampleAndStop(t *testing.T) {
	sc := loadLesson(t, "race-play", nil)
	a := explore(t, sc, Options{Max: 12, Seed: 7})
	b := explore(t, sc, Options{Max: 12, Seed: 7})
	if a.Exhaustive || a.Explored != 12 || a.Orders < 12 {
		t.Fatalf("sample: exhaustive %v, %d explored, about %d orders", a.Exhaustive, a.Explored, a.Orders)
	}
	if len(a.Outcomes) != len(b.Outcomes) || a.Orders != b.Orders {
		t.Errorf("the same seed gave two samples: %d/%d outcomes, %d/%d orders", len(a.Outcomes), len(b.Outcomes), a.Orders, b.Orders)
	}
	for i := range a.Outcomes {
		if a.Outcomes[i].key != b.Outcomes[i].key || a.Outcomes[i].Orders != b.Outcomes[i].Orders {
			t.Errorf("outcome %d: %s ×%d against %s ×%d", i, a.Outcomes[i].key, a.Outcomes[i].Orders, b.Outcomes[i].key, b.Outcomes[i].Orders)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var seen []Progress
	r, err := Explore(ctx, sc, Options{Progress: func(p Progress) {
		seen = append(seen, p)
		cancel()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Stopped || r.Exhaustive || r.Explored == 0 || r.Explored >= 70 || len(seen) == 0 {
		t.Errorf("stopped: %v, exhaustive %v, %d explored, %d progress calls", r.Stopped, r.Exhaustive, r.Explored, len(seen))
	}
}

// A stop that cuts a run short, at whatever moment, is a stop: never an
// error that the lesson did not run the same way twice (a task stopped is
// not ready to follow its prefix). The moments vary; any one may fail.
func TestExploreStoppedMidRun(t *testing.T) {
	sc := loadLesson(t, "race-play", nil)
	for i := range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		stop := time.AfterFunc(time.Duration(i%8)*time.Millisecond+time.Duration(i)*37*time.Microsecond, cancel)
		r, err := Explore(ctx, sc, Options{Max: 1000000})
		stop.Stop()
		cancel()
		if err != nil {
			t.Fatalf("stop %d: %v", i, err)
		}
		if !r.Stopped && !r.Exhaustive {
			t.Fatalf("stop %d: neither stopped nor done", i)
		}
	}
}

// A schedule that names a task which cannot take a step there is refused
// at its line.
func TestScheduleRefused(t *testing.T) {
	sc := loadLesson(t, "deadlock-play", nil)
	for _, c := range []struct{ src, says string }{
		{"# a takes both, then b cannot take m2\na\n\na\nb\n", "s:5: b cannot lock here: it waits for m2, held by a (a could move)"},
		{"a\nb\nb\n", "s:3: the run was over after 2 steps; b has no step to take"},
		{"a\nc\n", "s:2: c is not a task of this lesson (a, b)"},
		{"a\na\na\na\na\n", "s:5: a has ended: it has no step left here (b could move)"},
		{"a\nb\na\n", "s:3: the run was over after 2 steps; a has no step to take"},
	} {
		s, err := Read("s", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Replay(context.Background(), sc, 0, s)
		var le *LineError
		if !errors.As(err, &le) || err.Error() != c.says {
			t.Errorf("%q: %v; want %s", c.src, err, c.says)
		}
	}
	// A schedule that stops early leaves the rest to run freely.
	s, _ := Read("s", []byte("a\n"))
	o, err := Replay(context.Background(), sc, 0, s)
	if err != nil || !o.Free || len(o.Steps) != 1 {
		t.Errorf("a schedule of one step: %+v, %v", o, err)
	}
	for _, c := range []struct{ src, says string }{
		{"", "s: the schedule names no step"},
		{"a b\n", `s:1: "a b" is not a task name`},
		{"ok\n\x1b]2;x\n", `s:2: "?]2;x" is not a task name`},
	} {
		if _, err := Read("s", []byte(c.src)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v; want %s", c.src, err, c.says)
		}
	}
	if err := Refuse(loadLesson(t, "fork", nil)); err == nil || !strings.Contains(err.Error(), "is a process") {
		t.Errorf("a lesson of processes: %v", err)
	}
}

// Written schedules never write over a file mtviz did not write.
func TestWriteScheduleFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.schedule")
	data := Format(Header{Lesson: "race-play", Set: map[string]string{"lock": "off"}}, []string{"t1", "t2"})
	if err := WriteFile(p, data); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, data); err != nil {
		t.Errorf("writing over its own schedule: %v", err)
	}
	s, err := ReadFile(p)
	if err != nil || !slices.Equal(s.Tasks(), []string{"t1", "t2"}) {
		t.Errorf("read back: %v %v", s, err)
	}
	other := filepath.Join(dir, "lesson.yaml")
	os.WriteFile(other, []byte("title: mine\n"), 0o644)
	if err := WriteFile(other, data); err == nil {
		t.Error("wrote over a file mtviz did not write")
	}
	if !strings.Contains(string(data), "# replay: mtviz run race-play --set lock=off --schedule FILE") {
		t.Errorf("header:\n%s", data)
	}
}
