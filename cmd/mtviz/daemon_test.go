package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bothPaths runs a test where mtviz makes a cgroup for each lesson round
// and watched command (this machine, as root, allows it) and where it does
// not (MTVIZ_NO_CGROUP=1, for tests only: marks in the environment, the
// subreaper and the guard do the work).
func bothPaths(t *testing.T, f func(t *testing.T, env []string)) {
	t.Run("cgroup", func(t *testing.T) { f(t, nil) })
	t.Run("no cgroup", func(t *testing.T) { f(t, []string{"MTVIZ_NO_CGROUP=1"}) })
}

// startMarked starts mtviz with a test marker, and waits until its output
// says ready and n marked processes run.
func startMarked(t *testing.T, env []string, ready string, n int, args ...string) (*exec.Cmd, string) {
	t.Helper()
	mark := fmt.Sprintf("d%d", time.Now().UnixNano())
	c := exec.Command(os.Args[0], args...)
	c.Env = append(append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_TEST_MARK="+mark), env...)
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), ready) {
	}
	go io.Copy(io.Discard, out)
	waitMarked(t, mark, n)
	return c, mark
}

// daemonLesson runs, from mtviz and from a child process, a program that
// leaves a setsid'd sleep behind (out of its group and session, its
// parent gone), then waits or ends. The program waits until the daemon
// has left its group (it writes a file once setsid has run), so that the
// step's own end, which kills the program's group, does not catch it
// first on a busy machine.
func daemonLesson(t *testing.T, then string) string {
	dir := t.TempDir()
	leave := func(secs, tag string) string {
		file := filepath.Join(dir, tag)
		return fmt.Sprintf(`"setsid sh -c 'echo > %s; exec sleep %s' </dev/null >/dev/null 2>&1 & while [ ! -e %s ]; do sleep 0.01; done; echo left"`, file, secs, file)
	}
	file := filepath.Join(dir, "daemon.yaml")
	os.WriteFile(file, []byte(`title: daemons left by programs
tasks:
  - name: main
    steps:
      - run: {program: sh, args: ["-c", `+leave("301", "a")+`]}
      - spawn: child
      - join: child
      - log: both left theirs
      - `+then+`
  - name: child
    kind: process
    steps:
      - run: {program: sh, args: ["-c", `+leave("302", "b")+`]}
checks:
  - logs_count: {task: main, match: both left theirs, min: 1}
`), 0o600)
	return file
}

// A run step's program that starts `setsid sleep 301 &` leaves nothing
// once the lesson passed and ended; nor once mtviz is killed mid-lesson.
func TestRunStepSetsidDaemonEndsWithTheLesson(t *testing.T) {
	bothPaths(t, func(t *testing.T, env []string) {
		c, mark := startMarked(t, env, "both left theirs", 0, "run", daemonLesson(t, "log: done"), "--headless")
		if err := c.Wait(); err != nil {
			t.Fatalf("the lesson failed: %v", err)
		}
		noneLeft(t, mark)

		// mtviz, the child process's end aside: the two daemons.
		c, mark = startMarked(t, env, "both left theirs", 3, "run", daemonLesson(t, "sleep: 1h"), "--headless")
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		noneLeft(t, mark)
	})
}

// A watched command's double-forked, setsid'd daemon is gone after the
// watch ends as it should, and after SIGKILL of mtviz. The watch lasts
// while any process of the program's tree lives, the daemon included:
// --duration ends it, and mtviz ends what is left.
func TestWatchedDaemonEndsWithTheWatch(t *testing.T) {
	bothPaths(t, func(t *testing.T, env []string) {
		daemon := "(setsid sleep 303 </dev/null >/dev/null 2>&1 &); echo started; "
		c, mark := startMarked(t, env, "started", 2, "watch", "--headless", "--duration", "2", "--", "sh", "-c", daemon+"sleep 0.5")
		if err := c.Wait(); err != nil {
			t.Fatalf("the watch failed: %v", err)
		}
		noneLeft(t, mark)

		// mtviz, sh and the daemon.
		c, mark = startMarked(t, env, "started", 3, "watch", "--headless", "--", "sh", "-c", daemon+"sleep 3600")
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		noneLeft(t, mark)
	})
}
