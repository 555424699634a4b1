package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mtviz/internal/record"
)

// tmuxSocket is the tests' own tmux server: a person's own sessions, on the
// default server, are never touched.
const tmuxSocket = "mtviz-test"

// tmux drives the real program in a real terminal, as a person would.
func tmux(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tmuxSocket}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func needTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("this test drives mtviz in tmux; install it (apt-get install -y tmux)")
	}
}

// screenShows waits until the pane shows every one of want, and returns it.
func screenShows(t *testing.T, session string, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen := tmux(t, "capture-pane", "-p", "-t", session)
		missing := ""
		for _, w := range want {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it shows:\n%s", missing, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenLacks waits until the pane no longer shows text.
func screenLacks(t *testing.T, session, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Contains(tmux(t, "capture-pane", "-p", "-t", session), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the screen still shows %q", text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// marked lists the processes whose environment carries the test's marker.
func marked(mark string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil {
			continue
		}
		if strings.Contains(string(env), "MTVIZ_TEST_MARK="+mark) {
			cmd, _ := os.ReadFile(d + "/cmdline")
			found = append(found, filepath.Base(d)+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return found
}

// startTUI opens mtviz in a detached tmux session of the given size.
func startTUI(t *testing.T, w, h int, args ...string) (session, mark string) {
	t.Helper()
	return startTUIEnv(t, w, h, nil, args...)
}

func startTUIEnv(t *testing.T, w, h int, env []string, args ...string) (session, mark string) {
	t.Helper()
	needTmux(t)
	bin, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	mark = fmt.Sprintf("t%d", time.Now().UnixNano())
	session = "mtviz-" + mark
	// The shell line is the test's own, never text from a scenario file.
	line := fmt.Sprintf("env MTVIZ_MAIN=1 MTVIZ_TEST_MARK=%s %s %s %s; echo MTVIZ-EXIT $?; sleep 60",
		mark, strings.Join(env, " "), bin, strings.Join(args, " "))
	tmux(t, "new-session", "-d", "-s", session, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), line)
	t.Cleanup(func() { exec.Command("tmux", "-L", tmuxSocket, "kill-session", "-t", session).Run() })
	return session, mark
}

// A person opens the picker, picks race, sees both balances and the core
// bars, quits, and nothing of mtviz is left running.
func TestTUIPickRaceAndQuit(t *testing.T) {
	s, mark := startTUI(t, 100, 30)
	screenShows(t, s, "fork", "zombie", "filter")
	tmux(t, "send-keys", "-t", s, "/race")
	screenShows(t, s, "race-steps", "Lost updates")
	tmux(t, "send-keys", "-t", s, "Enter")
	screen := screenShows(t, s, "balance", "locked", "cpu0", "Tasks", "racy-5", "ended off")
	t.Logf("lesson screen:\n%s", screen)
	tmux(t, "send-keys", "-t", s, "?")
	screenShows(t, s, "any other key closes", "pause/resume", "restart")
	tmux(t, "send-keys", "-t", s, "Escape")
	// Wait for the help to close: an escape followed at once by q reads as
	// alt+q.
	screenLacks(t, s, "any other key closes")
	tmux(t, "send-keys", "-t", s, "q")
	// Quitting before the lesson's end is a run stopped early: exit 1.
	screenShows(t, s, "MTVIZ-EXIT 1")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind after quitting:\n%s", strings.Join(left, "\n"))
	}
}

// esc goes back to the picker, and the terminal is usable at 80×24.
func TestTUIBackAndSmallTerminal(t *testing.T) {
	s, mark := startTUI(t, 80, 24, "run", "gil")
	screenShows(t, s, "gil", "cpu0", "free-1") // the running phase's lanes come first
	tmux(t, "send-keys", "-t", s, " ")
	screenShows(t, s, "paused")
	tmux(t, "send-keys", "-t", s, "Escape")
	screenShows(t, s, "filter")
	tmux(t, "send-keys", "-t", s, "C-c")
	screenShows(t, s, "MTVIZ-EXIT 0")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

// From the picker, tab compares the selected lesson: gil's three ways side
// by side, then the figures that differ; q quits with the verdict and leaves
// nothing running.
func TestTUICompareFromPicker(t *testing.T) {
	s, mark := startTUI(t, 120, 36)
	screenShows(t, s, "filter")
	tmux(t, "send-keys", "-t", s, "/gil")
	screenShows(t, s, "One core for all threads")
	tmux(t, "send-keys", "-t", s, "Tab")
	screenShows(t, s, "mtviz compare", "mode=free", "mode=gil", "mode=processes", "running 1 of 3")
	// Wait for the end: q before it would stop the runs (exit 1).
	screenLacks(t, s, "▶ running")
	screen := screenShows(t, s, "cpu cores", "threads")
	t.Logf("compare screen:\n%s", screen)
	tmux(t, "send-keys", "-t", s, "Home")
	screenShows(t, s, "t 0.0s")
	screenLacks(t, s, "(following)")
	tmux(t, "send-keys", "-t", s, "q")
	// A finished comparison exits with its verdict: 0, 1 when a variant's
	// check failed on this machine, 3 when one was not decided; never 2.
	screen = screenShows(t, s, "MTVIZ-EXIT")
	if !strings.Contains(screen, "MTVIZ-EXIT 0") && !strings.Contains(screen, "MTVIZ-EXIT 1") && !strings.Contains(screen, "MTVIZ-EXIT 3") {
		t.Errorf("a finished comparison should exit with its verdict:\n%s", screen)
	}
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

// A sweep draws its charts as points arrive; s stops it and keeps the
// points (its checks then not decided); q exits 1, for it was stopped.
func TestTUISweepStopKeepsPoints(t *testing.T) {
	s, mark := startTUI(t, 100, 30, "run", "testdata/variants.yaml")
	screenShows(t, s, "work /s against tasks", "switches /s against tasks", "goroutines", "point 2 of 6")
	tmux(t, "send-keys", "-t", s, "s")
	screen := screenShows(t, s, "of 6 points", "Checks", "NOT DECIDED")
	t.Logf("stopped sweep:\n%s", screen)
	tmux(t, "send-keys", "-t", s, "q")
	screenShows(t, s, "MTVIZ-EXIT 1")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

// orphan on screen, with no key pressed: the parent ends after the same
// delay as headless, the child lives on under its adopter, mtviz, and every
// check holds.
func TestTUIOrphanWithoutAKey(t *testing.T) {
	s, mark := startTUI(t, 120, 36, "run", "orphan")
	screen := screenShows(t, s, "child: my parent is now", "every check held")
	t.Logf("orphan:\n%s", screen)
	tmux(t, "send-keys", "-t", s, "q")
	screenShows(t, s, "MTVIZ-EXIT 0")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

// Every run on the screen is written: the first to the paths asked, a
// restart's and another lesson's beside them, numbered, past a file that
// is there already (never replaced); the log says where each goes.
func TestTUIEveryRunWritten(t *testing.T) {
	dir := t.TempDir()
	rec, trace := filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.json")
	taken := filepath.Join(dir, "run-2.json")
	os.WriteFile(taken, []byte("someone else's"), 0o644)
	s, mark := startTUI(t, 160, 40, "run", "testdata/pass.yaml", "--record", rec, "--trace", trace)
	// The log wraps between words: a path is one.
	screenShows(t, s, "this run is written to --record", rec+",", "--trace", trace, "every check held", "the run is written")
	tmux(t, "send-keys", "-t", s, "r")
	// run-2.json is taken: the second run is -3, both files alike.
	screenShows(t, s, "this run is written to --record", filepath.Join(dir, "run-3.jsonl")+",", filepath.Join(dir, "run-3.json")+" ", "every check held", "the run is written")
	tmux(t, "send-keys", "-t", s, "Escape")
	screenShows(t, s, "filter")
	tmux(t, "send-keys", "-t", s, "/fork")
	screenShows(t, s, "fork()")
	tmux(t, "send-keys", "-t", s, "Enter")
	screenShows(t, s, "this run is written to --record", filepath.Join(dir, "run-4.jsonl")+",")
	tmux(t, "send-keys", "-t", s, "q")
	// fork was stopped before its end: exit 1, its files written all the same.
	screenShows(t, s, "MTVIZ-EXIT 1")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
	if b, _ := os.ReadFile(taken); string(b) != "someone else's" {
		t.Errorf("%s was replaced: %q", taken, b)
	}
	for path, lesson := range map[string]string{rec: "pass", filepath.Join(dir, "run-3.jsonl"): "pass", filepath.Join(dir, "run-4.jsonl"): "fork"} {
		r, err := record.ReadFile(path, record.Options{})
		if err != nil {
			t.Errorf("run %s: %v", path, err)
			continue
		}
		if r.Header.Scenario != lesson || r.Count == 0 {
			t.Errorf("%s holds %s (%d items), want %s", path, r.Header.Scenario, r.Count, lesson)
		}
	}
	for _, path := range []string{trace, filepath.Join(dir, "run-3.json"), filepath.Join(dir, "run-4.json")} {
		var doc struct {
			TraceEvents []json.RawMessage `json:"traceEvents"`
		}
		if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &doc) != nil || len(doc.TraceEvents) == 0 {
			t.Errorf("trace %s: not a trace with events (%v)", path, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*mtviz-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
