package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mtvizBounded runs the program and kills it if it hangs: a refusal must
// come at once, so a hang is a failure, not a wait.
func mtvizBounded(t *testing.T, args ...string) (stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, os.Args[0], args...)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	var errb strings.Builder
	c.Stderr = &errb
	err := c.Run()
	if ctx.Err() != nil {
		t.Fatalf("mtviz %v hung", args)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return errb.String(), ee.ExitCode()
	}
	return errb.String(), 0
}

// Hostile scenario files are refused before anything parses them, with
// the file named and exit 2; odd but valid ones are accepted.
func TestHostileScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, "deep.yaml")
	os.WriteFile(deep, []byte("title: x\ntasks: "+strings.Repeat("[", 50000)+"\n"), 0o600)
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, append([]byte("title: x\nlesson: |\n"), []byte(strings.Repeat("  a long lesson\n", 80000))...), 0o600)
	indented := filepath.Join(dir, "indent.yaml")
	os.WriteFile(indented, []byte("title: x\ntasks:\n"+strings.Repeat(" ", 300)+"- {steps: [{log: a}]}\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", fifo}, fifo + ": not a regular file"},
		{[]string{"run", fifo, "--headless"}, fifo + ": not a regular file"},
		{[]string{"check", "/dev/zero"}, "/dev/zero: not a regular file"},
		{[]string{"check", dir + "/"}, "not a regular file"},
		{[]string{"check", deep}, deep + ":2:1: brackets nested more than 64 deep"},
		{[]string{"check", big}, big + ": 1280019 bytes, more than the 1048576"},
		{[]string{"check", indented}, indented + ":3:1: indented more than 256 columns"},
	} {
		errb, code := mtvizBounded(t, c.args...)
		if code != exitUsage || !strings.Contains(errb, c.want) {
			t.Errorf("mtviz %v: exit %d, %q; want 2 and %q", c.args, code, errb, c.want)
		}
	}
	// The size cap can be raised.
	if errb, code := mtvizBounded(t, "check", "--max-size", "2000000", big); code != exitUsage || strings.Contains(errb, "bytes, more than") {
		t.Errorf("--max-size did not raise the cap: exit %d, %q", code, errb)
	}

	// A byte-order mark and a file name that is no id are fine.
	odd := filepath.Join(dir, "My Lesson (2).yaml")
	src, _ := os.ReadFile("testdata/pass.yaml")
	os.WriteFile(odd, append([]byte("\xef\xbb\xbf"), src...), 0o600)
	if errb, code := mtvizBounded(t, "run", odd, "--headless"); code != exitOK {
		t.Errorf("a valid file with a BOM and an odd name: exit %d, %q", code, errb)
	}
}

// Escape sequences in a lesson's title, text and log lines never reach the
// terminal: the headless text shows them escaped.
func TestEscapesNeverReachTheTerminal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "osc.yaml")
	os.WriteFile(file, []byte(`title: "retitle \e]2;pwned\a"
lesson: "clipboard \e]52;c;aGk=\a"
tasks:
  - name: main
    steps:
      - log: "log \e]2;owned\a \e[31mred"
      - run: {program: printf, args: ["out \033]2;x\007\n"]}
`), 0o600)
	out, errb, code := mtviz(t, "run", file, "--headless")
	if code != exitUndecided { // a lesson with no checks decides nothing
		t.Fatalf("exit %d: %s", code, errb)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("control characters reached the output:\n%q", out)
	}
	if !strings.Contains(out, `\x1b]2;owned\x07`) {
		t.Errorf("the log line is not shown escaped:\n%s", out)
	}
}

// A run step's program is a process like any other: what it leaves in the
// background dies with the step, a descendant holding its pipes cannot keep
// the step waiting, it never sees the hub's key, and --max-procs counts it.
func TestRunStepLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bg.yaml")
	os.WriteFile(file, []byte(`title: background
tasks:
  - name: main
    steps:
      - run: {program: sh, args: ["-c", "sleep 303 >/dev/null 2>&1 & echo quiet"]}
      - run: {program: sh, args: ["-c", "sleep 304 & echo holding"]}
      - run: {program: sh, args: ["-c", "env | grep -c MTVIZ_TOKEN || true"]}
      - log: done
`), 0o600)
	mark := fmt.Sprintf("r%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, os.Args[0], "run", file, "--headless")
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_TEST_MARK="+mark)
	out, err := c.Output()
	if ctx.Err() != nil {
		t.Fatal("a descendant holding the program's pipe kept the step waiting")
	}
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitUndecided) {
		t.Fatalf("%v (a lesson with no checks exits 3):\n%s", err, out)
	}
	if !strings.Contains(string(out), "sh | 0") {
		t.Errorf("the program saw the hub's key or did not run:\n%s", out)
	}
	noneLeft(t, mark)

	many := filepath.Join(dir, "many.yaml")
	os.WriteFile(many, []byte("title: many\ntasks:\n  - {name: w, count: 4, steps: [{run: {program: sleep, args: ['0']}}]}\n"), 0o600)
	if errb, code := mtvizBounded(t, "run", many, "--headless", "--max-procs", "2"); code != exitUsage || !strings.Contains(errb, "starts 4 processes") {
		t.Errorf("--max-procs did not count run steps: exit %d, %q", code, errb)
	}
}

// A headless run whose every task is blocked in a cycle prints the cycle at
// once and ends with its verdicts, instead of waiting for --timeout.
func TestHeadlessDeadlockEnds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cycle.yaml")
	os.WriteFile(file, []byte(`title: join cycle
tasks:
  - {name: a, steps: [{join: b}]}
  - {name: b, steps: [{join: a}]}
checks:
  - deadlock: {tasks: [a, b]}
`), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, os.Args[0], "run", file, "--headless")
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	out, err := c.Output()
	if ctx.Err() != nil {
		t.Fatalf("the deadlocked run did not end:\n%s", out)
	}
	if err != nil {
		t.Errorf("%v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "deadlock: a joins b; b joins a") || !strings.Contains(string(out), "PASS") {
		t.Errorf("the cycle or the verdict is missing:\n%s", out)
	}
}
