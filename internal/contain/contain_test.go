package contain

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The test binary is also a guard, and a stand-in for mtviz that makes a
// box, starts a daemon in it and waits to be killed.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == GuardCommand {
		os.Exit(RunGuard(os.Stdin))
	}
	if os.Getenv("CONTAIN_HELPER") != "" {
		b := New()
		c := daemon(os.Getenv("CONTAIN_HELPER"))
		b.Prepare(c)
		if err := c.Run(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("started", b.Cgroup())
		time.Sleep(time.Hour) // until killed
	}
	goleak.VerifyTestMain(m)
}

// daemon is a command that double-forks a setsid'd sleep, tagged with a
// number of seconds nobody else sleeps, and returns at once.
func daemon(tag string) *exec.Cmd {
	return exec.Command("sh", "-c", "(setsid sleep "+tag+" </dev/null >/dev/null 2>&1 &) ; exit 0")
}

// sleeping lists the live processes sleeping for tag's seconds.
func sleeping(tag string) []int {
	var out []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmd, err := os.ReadFile(d + "/cmdline")
		if err != nil || !strings.Contains(string(cmd), "sleep\x00"+tag) {
			continue
		}
		// sleep itself (setsid's command line names it too), not a zombie.
		if st, _ := os.ReadFile(d + "/stat"); !strings.Contains(string(st), "(sleep) ") || strings.Contains(string(st), ") Z ") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		out = append(out, pid)
	}
	return out
}

func waitGone(t *testing.T, tag string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(sleeping(tag)) > 0 {
		if time.Now().After(deadline) {
			for _, p := range sleeping(tag) {
				env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p))
				st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
				cg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", p))
				t.Logf("%d: %s\n%q\n%s", p, st, env, cg)
			}
			t.Fatalf("the daemon still runs: %v", sleeping(tag))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStarted waits until the daemon has become sleep (setsid and sh
// exec it a moment after its starter returned).
func waitStarted(t *testing.T, tag string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(sleeping(tag)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the daemon did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func tag() string { return fmt.Sprintf("30%d.%d", os.Getpid()%100, time.Now().UnixNano()%1000000) }

// paths runs a test with a cgroup, where this machine allows one, and
// with marks only.
func paths(t *testing.T, f func(t *testing.T, cgroup bool)) {
	t.Run("marks", func(t *testing.T) {
		t.Setenv(envNoCgroup, "1")
		f(t, false)
	})
	t.Run("cgroup", func(t *testing.T) {
		if b := New(); !b.Cgroup() {
			b.Close()
			t.Skip("this machine lets mtviz make no cgroup v2 (not root, no delegated subtree, or no cgroup.kill)")
		} else {
			b.Close()
		}
		f(t, true)
	})
}

// A double-forked, setsid'd daemon (no longer in its starter's group or
// session, its parent gone) is ended with its box; a sub-box ends its own
// and leaves its parent's.
func TestBoxEndsDaemonsThatLeftTheGroup(t *testing.T) {
	paths(t, func(t *testing.T, cgroup bool) {
		b := New()
		if b.Cgroup() != cgroup {
			t.Fatalf("a box is a cgroup: %v, want %v", b.Cgroup(), cgroup)
		}
		round := b.Sub("1")
		inRun, inRound := tag(), tag()+"1"
		for _, c := range []struct {
			box *Box
			tag string
		}{{b, inRun}, {round, inRound}} {
			cmd := daemon(c.tag)
			c.box.Prepare(cmd)
			if err := cmd.Run(); err != nil {
				t.Fatal(err)
			}
		}
		waitStarted(t, inRun)
		waitStarted(t, inRound)
		round.Close()
		waitGone(t, inRound)
		if len(sleeping(inRun)) == 0 {
			t.Error("ending a round ended its run's daemon")
		}
		b.Close()
		waitGone(t, inRun)
	})
}

// SIGKILL of the process that made the box: its guard ends the box.
func TestGuardEndsTheBoxAfterSIGKILL(t *testing.T) {
	paths(t, func(t *testing.T, cgroup bool) {
		tg := tag()
		c := exec.Command(os.Args[0])
		c.Env = append(os.Environ(), "CONTAIN_HELPER="+tg)
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != fmt.Sprint("started ", cgroup) {
			t.Fatalf("the helper said %q", sc.Text())
		}
		waitStarted(t, tg)
		c.Process.Kill()
		c.Wait()
		waitGone(t, tg)
	})
}
