package main

import (
	"flag"
	"fmt"
	"io"

	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/outfile"
	"mtviz/internal/perfetto"
	"mtviz/internal/record"
	"mtviz/internal/report"
	"mtviz/internal/session"
	"mtviz/internal/ui"
	"mtviz/internal/verdict"
)

const replayUsage = `Usage: mtviz replay [flags] FILE

Plays a run recorded with 'mtviz run --record FILE' on the same screen, through
the same fold, so that it shows what the live run showed, verdicts included.
Keys: space pauses, ←/→ seek a second, home/end, > and < change the speed
(1×, 2×, 10×, as fast as it can); ? lists them all.

Flags:
{{flags}}

The file is read as a stream: memory does not grow with it. A truncated,
corrupted, foreign or implausible file (more than 4096 cores, a process
tree more than 512 deep, times out of order or past 31 days...) is refused
with exit code 2 and file:line: what is wrong; headless, what came before
that line is already printed. Exit codes are those of 'mtviz run'.
`

func cmdReplay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	asHeadless := fs.Bool("headless", false, "no screen: print what the live run printed, then the verdicts")
	asJSON := fs.Bool("json", false, "no screen: every event, sample and the summary as JSON Lines")
	tracePath := fs.String("trace", "", "write the recorded run to `FILE` in the Trace Event format, for Perfetto's UI (ui.perfetto.dev) or speedscope (with or without the screen)")
	maxSize := fs.Int64("max-size", lesson.MaxFile, "refuse a recording whose lesson is larger than `N` bytes (default 1 MiB, as for a lesson file)")
	pos, err := parseFlags(fs, args, replayUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("replay: name one recording, as in 'mtviz replay run.jsonl'")
	}
	if *maxSize < 1 {
		return usagef("replay: --max-size must be above 0, not %d", *maxSize)
	}
	outs, files, err := openOutputs("replay", []outfile.Input{{What: "the recording being replayed", Path: pos[0]}},
		outfile.Output{Flag: "--trace", Path: *tracePath})
	if err != nil {
		return err
	}
	return outs.finish(replay(pos[0], *maxSize, files[0], *asHeadless || *asJSON, *asJSON, stdout))
}

func replay(path string, maxSize int64, perfettoFile *outfile.File, headless, asJSON bool, stdout io.Writer) error {
	r, err := record.Open(path, record.Options{MaxScenario: maxSize})
	if err != nil {
		return usageError{"replay: " + err.Error()}
	}
	defer r.Close()
	var consumers []func(fold.Item)
	var pw *perfetto.Writer
	if perfettoFile != nil {
		pw = perfetto.New(perfettoFile, r.Header.Root)
		consumers = append(consumers, pw.Item)
	}
	var out report.Reporter
	var vj *verdict.Judge
	if headless {
		// The replay's one fold: the text reads it, the JSON needs none.
		var own report.Fold
		if !asJSON {
			tl := fold.New(fold.Config{Scenario: r.Scenario, Cores: r.Header.Cores, Root: r.Header.Root, Watch: r.Header.Watch})
			consumers = append(consumers, tl.Apply)
			own = report.Own(tl)
		}
		out = report.New(stdout, asJSON, own)
		out.Begin(r.Scenario, r.Header.Cores)
		vj = session.NewJudge(r.Scenario, r.Header)
		consumers = append(consumers, out.Item, vj.Apply)
	}
	// One pass reads the file, checks every line and feeds what is asked:
	// the headless text streams out as the file is read. A line found wrong
	// ends it with file:line and exit 2; the screen opens only on a file
	// checked to its end.
	rec, err := r.Finish(func(it fold.Item) {
		for _, c := range consumers {
			c(it)
		}
	})
	if err != nil {
		return usageError{"replay: " + err.Error()}
	}
	if pw != nil {
		if err := pw.Close(); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	if out != nil {
		sum := session.Decide(vj, rec.End)
		out.Summary(sum)
		return verdictError(sum)
	}
	return onScreen("replay", ui.Config{Replay: rec})
}
