package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"

	"mtviz/internal/engine"
	"mtviz/internal/event"
	"mtviz/internal/explore"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/record"
	"mtviz/internal/report"
	"mtviz/internal/text"
)

// turnFlags are run's flags for choosing the order of the steps.
type turnFlags struct {
	sets      setFlags
	scheduler string
	schedule  string
}

func (t *turnFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.sets, "set", "one of the lesson's switches, `NAME=V`; give --set again for another")
	fs.StringVar(&t.scheduler, "scheduler", "", "`you`: the goroutine tasks stop before each visible step and you choose who takes it (s on the screen does the same)")
	fs.StringVar(&t.schedule, "schedule", "", "give the tasks their turns in the order of `FILE` (a schedule, one task a line, or a recording made with the scheduler)")
}

// given says whether any of them was.
func (t *turnFlags) given() bool {
	return len(t.sets) > 0 || t.scheduler != "" || t.schedule != ""
}

// prepare applies --set, and checks --scheduler and --schedule against the
// lesson: a schedule is read, then played once on the engine alone, so
// that a line naming a task which cannot take a step there is refused,
// with the file and line, before anything is shown.
func (t *turnFlags) prepare(sc *lesson.Scenario, f *runFlags) (*lesson.Scenario, error) {
	sc, err := applySets("run", sc, t.sets)
	if err != nil {
		return nil, err
	}
	if t.scheduler != "" && t.scheduler != "you" {
		return nil, usagef("run: --scheduler takes you (you choose who takes each step), not %q", t.scheduler)
	}
	if t.scheduler == "" && t.schedule == "" {
		return sc, nil
	}
	if sc.Sweep != nil {
		return nil, usagef("run: %s is a sweep of many runs; the scheduler plays one run", sc.ID)
	}
	if err := engine.SchedulerRefuse(sc); err != nil {
		return nil, usageError{"run: " + err.Error()}
	}
	if t.scheduler != "" && (f.headless || f.json) {
		return nil, usagef("run: --scheduler you needs the screen, where you choose; headless, give the order with --schedule FILE")
	}
	f.scheduler = true
	if t.schedule == "" {
		return sc, nil
	}
	if err := explore.Refuse(sc); err != nil {
		return nil, usageError{"run: --schedule: " + err.Error()}
	}
	s, err := readSchedule(t.schedule, sc, f.maxSize)
	if err != nil {
		return nil, usageError{"run: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	if _, err := explore.Replay(ctx, sc, f.cores, s); err != nil {
		return nil, usageError{"run: " + err.Error()}
	}
	f.schedule = s
	return sc, nil
}

// readSchedule reads a schedule file, or the turns of a run of the same
// lesson recorded while someone chose (--record). Only a regular file is
// read: a FIFO or a device would wait for ever or never end.
func readSchedule(path string, sc *lesson.Scenario, maxSize int64) (*explore.Schedule, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &explore.LineError{File: path, Msg: "cannot read it: " + errText(err)}
	}
	if !st.Mode().IsRegular() {
		return nil, &explore.LineError{File: path, Msg: "not a regular file"}
	}
	head := make([]byte, 64)
	if fh, err := os.Open(path); err == nil {
		n, _ := io.ReadFull(fh, head)
		head = head[:n]
		fh.Close()
	}
	if !bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) {
		return explore.ReadFile(path)
	}
	// Only the turns are kept, at most a schedule's worth, as the file
	// streams by.
	var evs []event.Event
	r, err := record.Open(path, record.Options{MaxScenario: maxSize})
	if err != nil {
		return nil, err
	}
	if r.Header.Scenario != sc.ID || !maps.Equal(r.Header.Set, sc.Set) {
		r.Close()
		return nil, fmt.Errorf("--schedule %s is a recording of %s %s, not of %s %s: its turns are another lesson's", text.Clean(path),
			r.Header.Scenario, lesson.SetText(r.Header.Set), sc.ID, lesson.SetText(sc.Set))
	}
	defer r.Close()
	if _, err := r.Finish(func(it fold.Item) {
		for _, ev := range it.Events {
			if ev.Kind() == event.KTurn && len(evs) <= explore.MaxTurns {
				evs = append(evs, ev)
			}
		}
	}); err != nil {
		return nil, err
	}
	if len(evs) > explore.MaxTurns {
		return nil, fmt.Errorf("%s: a schedule has at most %d steps, and the recording holds more turns", path, explore.MaxTurns)
	}
	return explore.FromEvents(path, evs)
}

// followSchedule gives the run's tasks the schedule's turns, then lets the
// rest run freely; it says, headless, what it did.
func followSchedule(ctx context.Context, turns *engine.Turns, s *explore.Schedule, note func(string)) {
	n, err := explore.Follow(ctx, turns, s)
	if err != nil {
		if ctx.Err() == nil {
			note(report.ScheduleStopped(n+1, err))
		}
		turns.Free()
		return
	}
	b, err := turns.Settle(ctx)
	if err == nil && !b.Over {
		note(report.ScheduleTaken(n))
		turns.Free()
	}
}
