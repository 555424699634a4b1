package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mtviz/internal/probe"
)

func TestWatchRefusesBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"watch", "--headless", "--pid", "999999999"}, "no process 999999999"},
		{[]string{"watch", "--headless", "--", "/no/such/program"}, "cannot start /no/such/program"},
		{[]string{"watch", "--headless"}, "give --pid PID or a command after --"},
		{[]string{"watch", "--headless", "--pid", "1", "--", "true"}, "not both"},
		{[]string{"watch", "--hz", "0", "--", "true"}, "--hz must be from 1 to 100"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			_, stderr, code := mtviz(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line saying %q", code, stderr, c.want)
			}
		})
	}
}

// A started command's output becomes log lines, its exit status is shown;
// the watch lasts while what it left runs, until --duration, and then what
// is left in its group, or left it, ends with the watch, and the log says so.
func TestWatchCommandEndsWithItsGroup(t *testing.T) {
	mark := "watch-group-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	// One child stays in the group; one leaves it (setsid), as daemons do.
	out, stderr, code := mtviz(t, "watch", "--headless", "--duration", "3s", "--", "bash", "-c",
		"echo hello; (exec -a "+mark+" sleep 30 &); setsid bash -c 'exec -a "+mark+" sleep 30' & sleep 0.3; exit 3")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"hello", "exit 3", "the watch goes on while the rest of its tree lives", "its --duration passed): mtviz ends what is left"} {
		if !strings.Contains(out, want) {
			t.Errorf("the watch did not say %q:\n%s", want, out)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if left, _ := exec.Command("pgrep", "-f", mark).Output(); len(strings.TrimSpace(string(left))) > 0 {
		t.Errorf("a process of the watched group outlived the watch: %s", left)
	}
}

// --pid never signals the watched process: it outlives a watch stopped by
// its duration.
func TestWatchPidNeverSignals(t *testing.T) {
	c := exec.Command("sleep", "30")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { c.Process.Kill(); c.Wait() }()
	out, stderr, code := mtviz(t, "watch", "--json", "--duration", "700ms", "--pid", strconv.Itoa(c.Process.Pid))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"type":"sample"`) {
		t.Errorf("no samples:\n%s", out)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(c.Process.Pid) + "/stat"); err != nil {
		t.Errorf("the watched process is gone after the watch: %v", err)
	}
}

// psRow is one line of ps -eLo pid,ppid,tid,stat,psr.
type psRow struct {
	pid, ppid, tid, psr int
	stat                string
}

func psNow(t *testing.T) []psRow {
	t.Helper()
	b, err := exec.Command("ps", "-eLo", "pid=,ppid=,tid=,stat=,psr=").Output()
	if err != nil {
		t.Fatal(err)
	}
	var rows []psRow
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 5 {
			continue
		}
		var r psRow
		r.pid, _ = strconv.Atoi(f[0])
		r.ppid, _ = strconv.Atoi(f[1])
		r.tid, _ = strconv.Atoi(f[2])
		r.stat = f[3]
		r.psr, _ = strconv.Atoi(f[4])
		rows = append(rows, r)
	}
	return rows
}

// watchLine is one JSON line of watch --json, as these tests read it.
type watchLine struct {
	Type  string  `json:"type"`
	T     float64 `json:"t"`
	Kind  string  `json:"kind"`
	PID   int     `json:"pid"`
	Code  int     `json:"code"`
	Procs []probe.Proc
	Locks []probe.FileLock
}

// truthRun is a watch of testdata/watch/truth.py, with ps and /proc/locks
// read in the moment its flock waiter was first shown.
type truthRun struct {
	lines []watchLine
	ps    []psRow
	locks string  // /proc/locks then
	trigT float64 // the time of the sample that set off the reading
	root  int     // the watched program's PID
}

func watchTruth(t *testing.T) truthRun {
	t.Helper()
	lock := filepath.Join(t.TempDir(), "turns.lock")
	// The interpreter itself, not a shim that runs it (pyenv's is a shell
	// script with children of its own).
	exe, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(os.Args[0], "watch", "--json", "--hz", "20", "--duration", "6s", "--", strings.TrimSpace(string(exe)), "testdata/watch/truth.py", lock)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Wait()
	r := truthRun{trigT: -1}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var l watchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		if l.Type == "event" && l.Kind == "process" && r.root == 0 {
			r.root = l.PID
		}
		waiting := false
		for _, fl := range l.Locks {
			waiting = waiting || fl.Waiting
		}
		if r.ps == nil && waiting && r.root != 0 {
			// Everything is in place (the waiter waits last of all):
			// take the OS's own word now.
			r.ps = psNow(t)
			b, _ := os.ReadFile("/proc/locks")
			r.locks, r.trigT = string(b), l.T
		}
		r.lines = append(r.lines, l)
	}
	if r.ps == nil {
		t.Fatal("the watch never showed the flock waiter; so no comparison")
	}
	return r
}

// sampleAtPs is the sample closest to when ps ran. JSON lines are held
// half a second to go out in time order: ps ran about half a second after
// the sample that set it off was read.
func (r truthRun) sampleAtPs(t *testing.T) *watchLine {
	var best *watchLine
	for i := range r.lines {
		l := &r.lines[i]
		if l.Type != "sample" {
			continue
		}
		if best == nil || math.Abs(l.T-r.trigT-0.55) < math.Abs(best.T-r.trigT-0.55) {
			best = l
		}
	}
	t.Logf("ps ran at about %.2fs; comparing with the sample of %.2fs", r.trigT+0.55, best.T)
	return best
}

// psTree is the tree as ps has it: the root and its descendants.
func (r truthRun) psTree() map[int]bool {
	tree := map[int]bool{r.root: true}
	for changed := true; changed; {
		changed = false
		for _, row := range r.ps {
			if tree[row.ppid] && !tree[row.pid] {
				tree[row.pid], changed = true, true
			}
		}
	}
	return tree
}

// What watch shows agrees with ps and /proc/locks taken in the same moment:
// state letters, parents (an orphan's new one included), thread ids, the
// core a sleeping thread last ran on, the flock's holder and its waiter.
func TestWatchAgreesWithPs(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("this test watches small python3 programs; install python3")
	}
	r := watchTruth(t)
	best := r.sampleAtPs(t)
	byPID := map[int]probe.Proc{}
	for _, p := range best.Procs {
		byPID[p.PID] = p
	}
	tree := r.psTree()
	threadsAgree(t, r.ps, tree, byPID)
	zombies, orphans := 0, 0
	for pid, p := range byPID {
		if p.State == probe.Zombie && p.PPID == r.root {
			zombies++
		}
		if !tree[pid] && pid != r.root {
			orphans++ // in the watch, re-parented out of the tree by ps's account
		}
	}
	if zombies != 1 || orphans != 1 {
		t.Errorf("%d zombies and %d orphans in the watch, want 1 and 1", zombies, orphans)
	}
	locksAgree(t, best.Locks, r.locks)
	// The program's own exit status, as its parent (mtviz) read it.
	exited := false
	for _, l := range r.lines {
		if l.Type == "event" && l.Kind == "exit" && l.PID == r.root && l.Code == 0 {
			exited = true
		}
	}
	if !exited {
		t.Error("no exit event with status 0 for the watched program")
	}
}

// threadsAgree compares every thread of ps's tree with the watch's sample:
// parent, thread id, a stable state letter, a sleeping thread's last core.
func threadsAgree(t *testing.T, ps []psRow, tree map[int]bool, byPID map[int]probe.Proc) {
	t.Helper()
	compared := 0
	for _, r := range ps {
		if !tree[r.pid] && byPID[r.pid].PID == 0 {
			continue
		}
		p, ok := byPID[r.pid]
		if !ok {
			t.Errorf("ps lists PID %d (parent %d, %s), the watch does not", r.pid, r.ppid, r.stat)
			continue
		}
		if p.PPID != r.ppid {
			t.Errorf("PID %d: the watch says parent %d, ps says %d", r.pid, p.PPID, r.ppid)
		}
		i := slices.IndexFunc(p.Threads, func(th probe.Thread) bool { return th.TID == r.tid })
		if i < 0 {
			t.Errorf("ps lists thread %d of PID %d, the watch does not", r.tid, r.pid)
			continue
		}
		th := p.Threads[i]
		if stable := r.stat[0] == 'S' || r.stat[0] == 'Z'; stable && th.State != probe.State(r.stat[:1]) {
			t.Errorf("thread %d: the watch says %s, ps says %s", r.tid, th.State, r.stat)
		}
		if r.stat[0] == 'S' && th.Core != r.psr {
			t.Errorf("sleeping thread %d: the watch says it last ran on cpu%d, ps says cpu%d", r.tid, th.Core, r.psr)
		}
		compared++
	}
	// root, napper, zombie, holder, waiter, orphan: at least six threads.
	if compared < 6 {
		t.Errorf("only %d threads compared; ps:\n%v", compared, ps)
	}
}

// locksAgree: the watch's flocks, its holder and its waiter, are as
// /proc/locks lists them.
func locksAgree(t *testing.T, got []probe.FileLock, locks string) {
	t.Helper()
	holders := 0
	for _, fl := range got {
		want := " " + strconv.Itoa(fl.PID) + " "
		found := false
		for _, l := range strings.Split(locks, "\n") {
			if strings.Contains(l, want) && strings.Contains(l, "FLOCK") && strings.Contains(l, "->") == fl.Waiting {
				found = true
			}
		}
		if !found {
			t.Errorf("the watch's lock %+v is not in /proc/locks:\n%s", fl, locks)
		}
		if !fl.Waiting {
			holders++
		}
	}
	if holders != 1 || len(got) != 2 {
		t.Errorf("locks %+v: want one holder and one waiter", got)
	}
}

// A program started by watch, and what it started, end with mtviz however
// mtviz ends: q-less signals and SIGKILL (then the guard ends its box).
func TestWatchNoLeak(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			mark := fmt.Sprintf("w%d", time.Now().UnixNano())
			c := exec.Command(os.Args[0], "watch", "--headless", "--", "sh", "-c", "sleep 60 & sleep 60 & echo started; wait")
			c.Env = append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_TEST_MARK="+mark)
			out, err := c.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Process.Kill(); c.Wait() })
			sc := bufio.NewScanner(out)
			for sc.Scan() && !strings.Contains(sc.Text(), "started") {
			}
			// mtviz, sh and its two sleeps (the guard carries no environment).
			waitMarked(t, mark, 4)
			c.Process.Signal(sig)
			go io.Copy(io.Discard, out)
			c.Wait()
			noneLeft(t, mark)
		})
	}
}

// The CPU the watch shows agrees with the kernel's own account of the
// program (its utime and stime, its children's once reaped): for busy
// threads under Python's GIL, about one core in all, and for busy processes.
func TestWatchCPUAgreesWithTheKernel(t *testing.T) {
	exe, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal("this test watches small python3 programs; install python3")
	}
	for _, kind := range []string{"threads", "processes"} {
		t.Run(kind, func(t *testing.T) {
			c := exec.Command(os.Args[0], "watch", "--json", "--hz", "20", "--", strings.TrimSpace(string(exe)), "testdata/watch/busy.py", kind)
			c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
			b, err := c.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			var shown, prev float64 // CPU seconds the samples add up to
			var root int
			kernel := -1.0
			sc := bufio.NewScanner(strings.NewReader(string(b)))
			sc.Buffer(nil, 4<<20)
			for sc.Scan() {
				var l struct {
					Type, Kind string
					T          float64
					PID        int
					CPUTime    float64 `json:"cpu_time"`
					Procs      []probe.Proc
				}
				json.Unmarshal(sc.Bytes(), &l)
				if l.Type == "event" && l.Kind == "process" && root == 0 {
					root = l.PID
				}
				if l.Type == "event" && l.Kind == "exit" && l.PID == root {
					kernel = l.CPUTime
				}
				if l.Type != "sample" {
					continue
				}
				cores := 0.0
				for _, p := range l.Procs {
					cores += p.CPU / 100
				}
				if prev > 0 {
					shown += cores * (l.T - prev)
				}
				prev = l.T
			}
			// The kernel's account, read by mtviz when it reaped the program:
			// the program and every child it reaped.
			if kernel < 0 {
				t.Fatal("no exit event for the watched program")
			}
			t.Logf("%s: the watch shows %.2f CPU seconds, the kernel counted %.2f", kind, shown, kernel)
			// Samples every 50 ms miss the slices before the first and after
			// the last, and a sample the reader was too slow for: allow a
			// few tenths of a second either way.
			if slack := max(0.3, 0.15*kernel); shown < kernel-slack || shown > kernel+slack {
				t.Errorf("the watch shows %.2f CPU seconds, the kernel counted %.2f", shown, kernel)
			}
			if kind == "threads" && shown/2 > 1.3 {
				t.Errorf("two busy threads under the GIL used %.2f cores on average over 2 s; the GIL allows about one", shown/2)
			}
		})
	}
}

// A watch does not change what the program does: an orphan that its parent
// left behind runs to its end, and what it prints is shown.
func TestWatchLetsTheOrphanFinish(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("this test watches a small python3 program; install python3")
	}
	prog := `import os, sys, time
if os.fork() == 0:
    time.sleep(1.5)
    print("orphan done, parent now", os.getppid(), flush=True)
    sys.exit(0)
time.sleep(0.3)
print("parent leaves", flush=True)
`
	out, stderr, code := mtviz(t, "watch", "--headless", "--duration", "60s", "--", "python3", "-c", prog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"parent leaves", "the watch goes on while the rest of its tree lives", "orphan done, parent now " + "%"} {
		want = strings.TrimSuffix(want, "%")
		if !strings.Contains(out, want) {
			t.Errorf("the watch did not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mtviz ends what is left") {
		t.Errorf("the watch ended the orphan instead of letting it finish:\n%s", out)
	}
}
