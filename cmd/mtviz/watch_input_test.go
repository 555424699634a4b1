package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A line of 100,000 bytes is shown in pieces, and what comes after it is
// shown too (it once dropped everything after a line over 64 KiB); a piece
// never cuts a character in two.
func TestWatchSplitsLongLines(t *testing.T) {
	out, errb, code := mtviz(t, "watch", "--headless", "--", "python3", "-c",
		`print("a" * 100000); print("after"); print("\u00e9" * 700, flush=True)`)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	pieces, as := 0, 0
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "aaaa"); i >= 0 {
			pieces++
			as += strings.Count(l[i:], "a")
		}
	}
	if as != 100000 || pieces != (100000+511)/512 {
		t.Errorf("the long line came out as %d pieces holding %d of its 100000 bytes:\n%.2000s", pieces, as, out)
	}
	if !strings.Contains(out, "after") || !strings.Contains(out, "… aaaa") {
		t.Errorf("the line after the long one, or the mark of a piece, is missing:\n%.3000s", out)
	}
	if strings.Contains(out, `\xc3`) || strings.Count(out, "é") != 700 {
		t.Errorf("a piece cut a character in two (or lost some): %d of 700", strings.Count(out, "é"))
	}
	if strings.Contains(out, "not shown") {
		t.Errorf("lines were dropped:\n%s", out)
	}
}

// zombie starts a child of the test that ends at once and is not reaped.
func zombie(t *testing.T) int {
	c := exec.Command("true")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Wait() })
	pid := c.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if strings.Contains(string(b), ") Z ") {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not become a zombie")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// watch --pid of a zombie, or of a thread id, says what it is and ends
// (a zombie was once watched forever, a thread taken for a process); a
// process that becomes a zombie while watched ends the watch.
func TestWatchPidOfZombieOrThread(t *testing.T) {
	z := zombie(t)
	if errb, code := mtvizBounded(t, "watch", "--headless", "--pid", strconv.Itoa(z)); code != exitUsage ||
		!strings.Contains(errb, "process "+strconv.Itoa(z)+" is a zombie") {
		t.Errorf("a zombie: exit %d, %q", code, errb)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*")
	tid := ""
	for _, task := range tasks {
		if b := filepath.Base(task); b != strconv.Itoa(os.Getpid()) {
			tid = b
		}
	}
	if tid == "" {
		t.Fatal("the test has one thread")
	}
	if errb, code := mtvizBounded(t, "watch", "--headless", "--pid", tid); code != exitUsage ||
		!strings.Contains(errb, tid+" is a thread of process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("a thread id: exit %d, %q", code, errb)
	}

	c := exec.Command("sleep", "0.5")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Wait() // reaped only after the watch: a zombie until then
	out, _, code := mtvizWithin(t, 30*time.Second, "watch", "--headless", "--pid", strconv.Itoa(c.Process.Pid))
	if code != exitOK || !strings.Contains(out, "has ended") {
		t.Errorf("a process that became a zombie: exit %d\n%s", code, out)
	}
}

// mtvizWithin runs mtviz, and fails the test if it takes longer than d.
func mtvizWithin(t *testing.T, d time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	c := exec.CommandContext(ctx, os.Args[0], args...)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if ctx.Err() != nil {
		t.Fatalf("mtviz %v hung", args)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	}
	return out.String(), errb.String(), 0
}
