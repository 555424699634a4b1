package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The family lesson leaves, once ready: mtviz, its server, watcher (a
// daemon process), child and runaway (orphans mtviz adopted; runaway waits
// in a blocking read for the server's answer), grandchild, and the
// external sleep that grandchild runs: seven marked processes.
const familySize = 7

// waitMarked waits until the processes carrying the marker number at least
// n, and returns their PIDs.
func waitMarked(t *testing.T, mark string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		found := marked(mark)
		if len(found) >= n {
			return pidsOf(found)
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d processes started:\n%s", len(found), n, strings.Join(found, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pidsOf(found []string) []int {
	var out []int
	for _, f := range found {
		pid, _ := strconv.Atoi(strings.Fields(f)[0])
		out = append(out, pid)
	}
	return out
}

// noneLeft waits until no process carries the marker; a zombie carries no
// readable environment, and is not running. The wait is a liveness bound.
func noneLeft(t *testing.T, mark string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		left := marked(mark)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes outlived mtviz:\n%s", strings.Join(left, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mainPID finds mtviz itself among the marked processes.
func mainPID(t *testing.T, mark string) int {
	t.Helper()
	for _, f := range marked(mark) {
		if !strings.Contains(f, "__child") && strings.Contains(f, " run ") {
			return pidsOf([]string{f})[0]
		}
	}
	t.Fatal("mtviz itself is not running")
	return 0
}

// headlessFamily starts mtviz headless on the family lesson, with a marker.
func headlessFamily(t *testing.T, env ...string) (*exec.Cmd, string) {
	t.Helper()
	mark := fmt.Sprintf("h%d", time.Now().UnixNano())
	c := exec.Command(os.Args[0], "run", "testdata/family.yaml", "--headless")
	c.Env = append(append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_TEST_MARK="+mark), env...)
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "family ready") && !said {
				said = true
				ready <- true
			}
		}
		if !said {
			close(ready)
		}
	}()
	if !<-ready {
		c.Wait()
		t.Fatal("the family lesson never got ready")
	}
	waitMarked(t, mark, familySize)
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c, mark
}

func TestNoLeakHeadlessSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			c, mark := headlessFamily(t)
			c.Process.Signal(sig)
			c.Wait()
			noneLeft(t, mark)
		})
	}
}

func TestNoLeakHeadlessPanic(t *testing.T) {
	// The family takes about 1.7 s to get ready here (its processes are
	// mtviz itself, a large binary): the panic comes well after.
	c, mark := headlessFamily(t, "MTVIZ_FAULT=panic-after:5s")
	err := c.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
		t.Errorf("a panic should end mtviz with a failure, got %v", err)
	}
	noneLeft(t, mark)
}

// The same ways out of the terminal program, as a person would take them.
func TestNoLeakTUI(t *testing.T) {
	cases := []struct {
		name string
		end  func(t *testing.T, session, mark string)
		code string
	}{
		// Leaving a lesson before its end is a run stopped early: exit 1.
		{"q", func(t *testing.T, s, _ string) { tmux(t, "send-keys", "-t", s, "q") }, "1"},
		{"ctrl+c", func(t *testing.T, s, _ string) { tmux(t, "send-keys", "-t", s, "C-c") }, "1"},
		{"SIGTERM", func(t *testing.T, _, mark string) { syscall.Kill(mainPID(t, mark), syscall.SIGTERM) }, ""},
		{"SIGKILL", func(t *testing.T, _, mark string) { syscall.Kill(mainPID(t, mark), syscall.SIGKILL) }, ""},
		{"terminal closed (SIGHUP)", func(t *testing.T, s, _ string) { tmux(t, "kill-session", "-t", s) }, ""},
		// SIGQUIT's default would leave the terminal raw: it quits as q does.
		{"SIGQUIT", func(t *testing.T, _, mark string) { syscall.Kill(mainPID(t, mark), syscall.SIGQUIT) }, "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, mark := startTUI(t, 120, 40, "run", "testdata/family.yaml")
			screenShows(t, s, "family ready")
			waitMarked(t, mark, familySize)
			c.end(t, s, mark)
			if c.code != "" {
				// The terminal is restored: the shell's line, not the
				// lesson screen.
				if screen := screenShows(t, s, "MTVIZ-EXIT "+c.code); strings.Contains(screen, "╭─ Tasks") {
					t.Errorf("the terminal was not restored:\n%s", screen)
				}
			}
			noneLeft(t, mark)
		})
	}
}

func TestNoLeakTUIPanicRestoresTerminal(t *testing.T) {
	needTmux(t)
	s, mark := startTUI(t, 120, 40, "run", "testdata/family.yaml")
	screenShows(t, s, "family ready")
	waitMarked(t, mark, familySize)
	// A panic cannot be typed; a second mtviz process is not this one. So
	// this run is started again with the fault injected.
	tmux(t, "kill-session", "-t", s)
	noneLeft(t, mark)
	s, mark = startTUIEnv(t, 120, 40, []string{"MTVIZ_FAULT=panic-after:3s"}, "run", "testdata/family.yaml")
	screen := screenShows(t, s, "MTVIZ-EXIT 1")
	if strings.Contains(screen, "╭─ Tasks") {
		t.Errorf("the terminal was not restored after the panic:\n%s", screen)
	}
	noneLeft(t, mark)
}

// esc ends the lesson's processes while mtviz goes on; r ends the old run's
// processes before the new run starts its own.
func TestNoLeakBackAndRestart(t *testing.T) {
	s, mark := startTUI(t, 120, 40, "run", "testdata/family.yaml")
	screenShows(t, s, "family ready")
	first := waitMarked(t, mark, familySize)
	tmux(t, "send-keys", "-t", s, "r")
	deadline := time.Now().Add(30 * time.Second)
	for {
		now := pidsOf(marked(mark))
		old, fresh := 0, 0
		for _, p := range now {
			if contains(first, p) {
				old++
			} else {
				fresh++
			}
		}
		// Only mtviz itself may be in both runs.
		if old == 1 && fresh >= familySize-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after restart: %d processes of the old run, %d new", old, fresh)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tmux(t, "send-keys", "-t", s, "Escape")
	screenShows(t, s, "filter")
	deadline = time.Now().Add(15 * time.Second)
	for len(marked(mark)) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("after esc, the lesson's processes are still there:\n%s", strings.Join(marked(mark), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	tmux(t, "send-keys", "-t", s, "C-c")
	screenShows(t, s, "MTVIZ-EXIT 0")
	noneLeft(t, mark)
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// However mtviz ends, it leaves no socket file; the private directory a
// SIGKILL leaves behind is removed by the next run that makes one, and a
// directory a live mtviz holds, in another PID namespace, is not.
func TestNoStaleRunFiles(t *testing.T) {
	tmp := t.TempDir()
	c, mark := headlessFamily(t, "TMPDIR="+tmp)
	c.Process.Signal(syscall.SIGKILL)
	c.Wait()
	noneLeft(t, mark)
	left, _ := filepath.Glob(filepath.Join(tmp, "mtviz-run-*"))
	for _, d := range left {
		if socks, _ := filepath.Glob(filepath.Join(d, "*.sock")); len(socks) > 0 {
			t.Errorf("socket files left: %v", socks)
		}
	}
	if len(left) == 0 {
		t.Fatal("the killed run had no private directory: was it a run with processes?")
	}
	// A run that holds its directory for a minute, in a PID namespace of its
	// own (as in a container sharing /tmp), when the machine lets us make one.
	held := filepath.Join(t.TempDir(), "held.yaml")
	os.WriteFile(held, []byte("title: held\nobjects: {f: {kind: flock}}\ntasks:\n  - {name: a, steps: [{lock: f}, {log: holding}, {sleep: 60s}, {unlock: f}]}\n"), 0o600)
	args := []string{os.Args[0], "run", held, "--headless"}
	if exec.Command("unshare", "--pid", "--fork", "true").Run() == nil {
		args = append([]string{"unshare", "--pid", "--fork"}, args...)
	}
	live := exec.Command(args[0], args[1:]...)
	live.Env = append(os.Environ(), "MTVIZ_MAIN=1", "TMPDIR="+tmp)
	live.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, _ := live.StdoutPipe()
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-live.Process.Pid, syscall.SIGKILL); live.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), "holding") {
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "mtviz-run-*"))
	var liveDir string
	for _, d := range dirs {
		if !slices.Contains(left, d) {
			liveDir = d
		}
	}
	if liveDir == "" {
		t.Fatalf("the live run's directory is not among %v", dirs)
	}
	file := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(file, []byte("title: p\ntasks:\n  - {name: a, kind: process, steps: [{log: hi}]}\n"), 0o600)
	// A lesson with no checks decides nothing: exit 3.
	c = exec.Command(os.Args[0], "run", file, "--headless")
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1", "TMPDIR="+tmp)
	if b, err := c.CombinedOutput(); c.ProcessState == nil || c.ProcessState.ExitCode() != exitUndecided {
		t.Fatalf("%v: %s", err, b)
	}
	for _, d := range left {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("the directory %s of the killed run is still there", d)
		}
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("the directory of a live run was removed: %v", err)
	}
}

// r pressed three times in a row while the old run is still stopping starts
// one new run, not three.
func TestFastRestartsRunOnce(t *testing.T) {
	s, mark := startTUI(t, 120, 40, "run", "testdata/family.yaml")
	screenShows(t, s, "family ready")
	first := waitMarked(t, mark, familySize)
	// Three separate key presses (sent together, a terminal would read
	// "rrr" as one key).
	for i := 0; i < 3; i++ {
		tmux(t, "send-keys", "-t", s, "r")
		time.Sleep(30 * time.Millisecond)
	}
	// Wait for the new family: none of the first one's processes but mtviz.
	deadline := time.Now().Add(30 * time.Second)
	for {
		fresh := 0
		for _, p := range pidsOf(marked(mark)) {
			if !contains(first, p) {
				fresh++
			}
		}
		if fresh >= familySize-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new run after r:\n%s", strings.Join(marked(mark), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Let any second run that was wrongly started show up.
	time.Sleep(2 * time.Second)
	if n := len(marked(mark)); n != familySize {
		t.Errorf("%d processes after three fast restarts, want one family of %d:\n%s", n, familySize, strings.Join(marked(mark), "\n"))
	}
	tmux(t, "send-keys", "-t", s, "C-c")
	screenShows(t, s, "MTVIZ-EXIT")
	noneLeft(t, mark)
}

// zombiesOf lists the zombie children of pid.
func zombiesOf(pid int) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(pid) {
			out = append(out, s[:i+1])
		}
	}
	return out
}

// Background children of a run step's program die with the step and are
// reaped by mtviz, which adopted them: no zombie of mtviz piles up across
// restarts.
func TestNoZombiesAcrossRestarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bg.yaml")
	os.WriteFile(file, []byte(`title: background children
tasks:
  - name: keeper
    kind: process
    steps: [{sleep: 1h}]
  - name: main
    steps:
      - run: {program: sh, args: ["-c", "sleep 301 & sleep 302 & echo started"]}
      - log: started them
      - sleep: 1h
`), 0o600)
	s, mark := startTUI(t, 120, 40, "run", file)
	screenShows(t, s, "started them")
	pid := mainPID(t, mark)
	for i := 0; i < 3; i++ {
		tmux(t, "send-keys", "-t", s, "r")
		time.Sleep(1500 * time.Millisecond)
		screenShows(t, s, "started them")
	}
	// mtviz reaps the zombies it adopted within a few seconds.
	deadline := time.Now().Add(10 * time.Second)
	for len(zombiesOf(pid)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if z := zombiesOf(pid); len(z) > 0 {
		t.Errorf("zombies of mtviz after restarts:\n%s", strings.Join(z, "\n"))
	}
	tmux(t, "send-keys", "-t", s, "C-c")
	screenShows(t, s, "MTVIZ-EXIT")
	noneLeft(t, mark)
}
