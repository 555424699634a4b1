package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"mtviz/internal/perfetto"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/ui"
)

const replayUsage = `Usage: mtviz replay [flags] FILE

Plays a run recorded with 'mtviz run --record FILE' on the same screen, through
the same fold, so that it shows what the live run showed, verdicts included.
Keys: space pauses, ←/→ seek a second, home/end, > and < change the speed
(1×, 2×, 10×, as fast as it can); ? lists them all.

Flags:
  --headless        no screen: print what the live run printed, then the verdicts
  --json            no screen: every event, sample and the summary as JSON Lines
  --trace FILE      write the recorded run in the Trace Event format, for Perfetto's
                    UI (ui.perfetto.dev) or speedscope (with or without the screen)

A truncated, corrupted or foreign file is refused with exit code 2 and
file:line: what is wrong. Exit codes are those of 'mtviz run'.
`

func cmdReplay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	asHeadless := fs.Bool("headless", false, "")
	asJSON := fs.Bool("json", false, "")
	tracePath := fs.String("trace", "", "")
	pos, err := parseFlags(fs, args, replayUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("replay: name one recording, as in 'mtviz replay run.jsonl'")
	}
	rec, err := record.ReadFile(pos[0])
	if err != nil {
		return usageError{"replay: " + err.Error()}
	}
	if *tracePath != "" {
		if err := writeTrace(*tracePath, rec); err != nil {
			return err
		}
	}
	if *asHeadless || *asJSON {
		out := newPrinter(stdout, *asJSON, rec.Scenario, rec.Header.Cores, rec.Header.Root)
		out.tl.Watch = rec.Header.Watch
		for _, it := range rec.Items {
			out.item(it)
		}
		sum, _ := session.Judge(rec)
		out.summary(sum)
		return verdictError(sum)
	}
	return onScreen("replay", ui.Config{Replay: rec})
}

// writeTrace writes a recording in the Chrome trace event format.
func writeTrace(path string, rec *record.Recording) error {
	f, err := os.Create(path)
	if err != nil {
		return usagef("replay: --trace: %v", errText(err))
	}
	pw := perfetto.New(f, rec.Header.Root)
	for _, it := range rec.Items {
		pw.Item(it)
	}
	if err := pw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("replay: --trace: %w", err)
	}
	return f.Close()
}
