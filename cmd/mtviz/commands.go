package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"mtviz/internal/cpus"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/ui"
)

const listUsage = `Usage: mtviz list [--json]

Lists the built-in lessons: id, title and summary.

Flags:
{{flags}}
`

func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON object per lesson")
	pos, err := parseFlags(fs, args, listUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("list: takes no arguments, got %q", pos[0])
	}
	enc := json.NewEncoder(text.NewJSONWriter(stdout))
	for _, sc := range builtins() {
		switches := map[string][]string{}
		for _, sw := range sc.Switches {
			switches[sw.Name] = sw.Values
		}
		if *asJSON {
			enc.Encode(map[string]any{"id": sc.ID, "title": sc.Title, "summary": sc.Summary, "rounds": sc.Rounds, "tasks": len(sc.Tasks),
				"switches": switches, "sweep": sc.Sweep != nil})
			continue
		}
		fmt.Fprintf(stdout, "%-14s %s\n%-14s %s\n", sc.ID, text.Clean(sc.Title), "", text.Clean(sc.Summary))
		for _, sw := range sc.Switches {
			fmt.Fprintf(stdout, "%-14s switch %s: %s (default %s)\n", "", sw.Name, strings.Join(sw.Values, ", "), sw.Default)
		}
		if sc.Sweep != nil {
			fmt.Fprintf(stdout, "%-14s a sweep over %s: one run per value, plotted\n", "", sc.Sweep.Over)
		}
	}
	return nil
}

const checkUsage = `Usage: mtviz check [--max-size N] FILE...

Checks scenario files without running them. Each problem is printed as
file:line:col: what is wrong. Exit code 2 if any file is wrong. Only regular
files of at most --max-size bytes (default 1 MiB) are read.

Flags:
{{flags}}
`

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	maxSize := fs.Int64("max-size", lesson.MaxFile, "read only files of at most `N` bytes (default 1 MiB)")
	pos, err := parseFlags(fs, args, checkUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("check: name at least one scenario file")
	}
	bad := 0
	for _, p := range pos {
		sc, err := lesson.LoadFileLimit(p, *maxSize)
		if err != nil {
			fmt.Fprintln(stderr, text.CleanLines(err.Error())) // it quotes the file
			bad++
			continue
		}
		for _, w := range sc.Warnings {
			fmt.Fprintf(stdout, "%s: warning: %s\n", text.Clean(w.Pos.String()), text.Clean(w.Msg))
		}
		for _, u := range sc.Untranslated {
			fmt.Fprintf(stdout, "%s: translation: %s\n", text.Clean(u.Pos.String()), text.Clean(u.Msg))
		}
		fmt.Fprintf(stdout, "%s: ok\n", text.Clean(p))
	}
	if bad > 0 {
		return usagef("check: %d of %d file(s) have problems", bad, len(pos))
	}
	return nil
}

const stepsUsage = `Usage: mtviz steps

Prints the scenario vocabulary: the keys of a task, every step, every kind
of shared object and every check, with their settings.
`

func cmdSteps(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("steps", flag.ContinueOnError)
	pos, err := parseFlags(fs, args, stepsUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("steps: takes no arguments")
	}
	fmt.Fprint(stdout, lesson.Vocabulary())
	return nil
}

func cmdPicker(stdout, stderr io.Writer) error {
	return onScreen("mtviz", ui.Config{Scenarios: builtins()})
}

// limitCores makes the process use n cores (0: all).
func limitCores(n int) error { return cpus.Use(n) }
