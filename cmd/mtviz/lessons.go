package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/ui"
	"mtviz/internal/verdict"
)

// A teacher's on-ramp: a starter file, a built-in lesson's source, and a
// folder of one's own lessons beside the built-ins.

const showUsage = `Usage: mtviz show LESSON

Prints a built-in lesson's scenario file (YAML) as it is embedded in mtviz:
a start for a lesson of your own ('mtviz new NAME --from LESSON' writes it
to a file).
`

func cmdShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	pos, err := parseFlags(fs, args, showUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show: name one built-in lesson, as in 'mtviz show race'")
	}
	sc, err := builtin(pos[0], "show")
	if err != nil {
		return err
	}
	_, err = stdout.Write(sc.Source)
	return err
}

// builtin finds a built-in lesson by id, or says which one was meant.
func builtin(id, cmd string) (*lesson.Scenario, error) {
	all := builtins()
	var ids []string
	for _, sc := range all {
		if sc.ID == id {
			return sc, nil
		}
		ids = append(ids, sc.ID)
	}
	hint := ""
	if m := lesson.Closest(id, ids); m != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", m)
	}
	return nil, usagef("%s: no lesson %q%s; run 'mtviz list' for the lessons", cmd, text.Clean(id), hint)
}

const newUsage = `Usage: mtviz new NAME [--from LESSON]

Writes NAME.yaml, a lesson of your own to start from: a commented file
that loads and runs as it is ('mtviz run NAME.yaml'). With --from, the
file is a copy of a built-in lesson, under your name. An existing file is
never overwritten.

Flags:
{{flags}}
`

// starter is the file 'mtviz new' writes: every part of a lesson, each
// said in a comment, and a check that holds.
const starter = `# A lesson of your own. 'mtviz steps' lists every step, object and check;
# 'mtviz check FILE' finds mistakes without running it; 'mtviz run FILE'
# runs it on screen (--headless: in text).
id: NAME
title: Two tasks and a lock
summary: two tasks take turns with a lock, and both count
lesson: |
  Two tasks each add to a shared counter, holding a lock while they do,
  so that no update is lost. Watch their lanes take turns: L is a task
  blocked on the lock, held by the other.

# Shared objects, by name: counter, lock, rlock, gil, condition, event,
# queue (size: N), flock, server, broker.
objects:
  total: {kind: counter}
  m: {kind: lock}

# Tasks: goroutines by default; kind: process for a real child process;
# count: N (or cores) for copies named NAME-1, NAME-2...
tasks:
  - name: main
    steps:
      - spawn: worker
      - join: worker
      - log: "both are done: total is {total}"
  - name: worker
    count: 2
    steps:
      - repeat:
          times: 5
          steps:
            - lock: m
            - add: {counter: total, n: 1}
            - sleep: 100ms        # held a while: the other waits (L)
            - unlock: m

# What the run must show, decided from what the engine and the OS reported.
# Each check may have a name: (what its verdict says), and a when: switch=value.
checks:
  - counter: {counter: total, equals: 10, name: no update was lost}
  - blocked: {task: worker, on: m, name: a worker waited for the lock}
`

var lessonName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

func cmdNew(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	from := fs.String("from", "", "start from the built-in `LESSON` ('mtviz list' names them)")
	pos, err := parseFlags(fs, args, newUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("new: name the lesson, as in 'mtviz new my-lesson'")
	}
	path := pos[0]
	if !strings.HasSuffix(path, ".yaml") {
		path += ".yaml"
	}
	id := strings.TrimSuffix(filepath.Base(path), ".yaml")
	if !lessonName.MatchString(id) {
		return usagef("new: a lesson's name is lower-case letters, digits and dashes, starting with a letter, not %q", text.Clean(id))
	}
	body := strings.Replace(starter, "id: NAME", "id: "+id, 1)
	if *from != "" {
		sc, err := builtin(*from, "new")
		if err != nil {
			return err
		}
		body = renameID(string(sc.Source), id)
	}
	if _, err := lesson.Load(path, []byte(body)); err != nil {
		return fmt.Errorf("new: the file would not load (a bug in mtviz): %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usagef("new: %s exists; mtviz never overwrites a file: choose another name", text.Clean(path))
	}
	if err != nil {
		return usagef("new: %s: %v", text.Clean(path), errText(err))
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return fmt.Errorf("new: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("new: %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "wrote %s; run it with 'mtviz run %s'\n", text.Clean(path), text.Clean(path))
	return nil
}

// renameID gives a copied lesson its new id.
func renameID(src, id string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "id:") {
			lines[i] = "id: " + id
			return strings.Join(lines, "\n")
		}
	}
	return "id: " + id + "\n" + src
}

// lessonsIn loads every lesson file of a folder, in name order: the
// broken ones are reported, the others kept.
func lessonsIn(dir string, maxSize int64, stderr io.Writer) ([]*lesson.Scenario, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	var out []*lesson.Scenario
	for _, f := range files {
		sc, err := lesson.LoadFileLimit(f, maxSize)
		if err != nil {
			fmt.Fprintln(stderr, text.Clean(err.Error()))
			continue
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, usagef("run: %s holds no lesson that loads (*.yaml)", text.Clean(dir))
	}
	return out, nil
}

// runDir opens a folder of lessons: on screen the picker lists them before
// the built-ins; headless, each runs in turn and the worst verdict is the
// exit code's.
func runDir(dir string, f runFlags, stdout, stderr io.Writer) error {
	scs, err := lessonsIn(dir, f.maxSize, stderr)
	if err != nil {
		return err
	}
	opt := f.options()
	opt.Cores = f.cores
	if !f.headless && !f.json {
		if err := limitCores(f.cores); err != nil {
			return err
		}
		return onScreen("run", ui.Config{Scenarios: append(scs, builtins()...), Session: opt})
	}
	var all []verdict.Result
	for _, sc := range scs {
		if sc.Sweep != nil {
			fmt.Fprintf(stdout, "%s: a sweep; run it alone with 'mtviz run %s'\n", sc.ID, text.Clean(sc.File))
			continue
		}
		if err := headless(sc, opt, f, stdout); err != nil {
			var ce checkFailed
			var nd notDecided
			switch {
			case errors.As(err, &ce):
				all = append(all, verdict.Result{Verdict: verdict.Fail})
			case errors.As(err, &nd):
				all = append(all, verdict.Result{Verdict: verdict.Undecided})
			default:
				return err
			}
			continue
		}
		all = append(all, verdict.Result{Verdict: verdict.Pass})
		fmt.Fprintln(stdout)
	}
	return verdictError(verdict.Summary{Verdict: verdict.Worst(all), Checks: all})
}
