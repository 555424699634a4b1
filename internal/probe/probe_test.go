package probe

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/cpu"
	"go.uber.org/goleak"
)

// The test binary doubles as a helper process, chosen by an environment
// variable, so the tests need no program but themselves.
const helperEnv = "MTVIZ_PROBE_HELPER"

func init() {
	// A helper whose main thread itself must sleep: locking in init keeps
	// main on the main thread (TID == PID).
	if os.Getenv(helperEnv) == "main-sleeper" {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		code := m.Run()
		stopFixture()
		if code == 0 {
			if err := goleak.Find(); err != nil {
				fmt.Fprintln(os.Stderr, "goleak:", err)
				code = 1
			}
		}
		os.Exit(code)
	case "orphan-maker":
		// Start a child, say its PID, and end without waiting for it once
		// told to (a line on stdin).
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), helperEnv+"=sleeper")
		if err := c.Start(); err != nil {
			os.Exit(3)
		}
		fmt.Println(c.Process.Pid)
		bufio.NewReader(os.Stdin).ReadByte()
		os.Exit(0)
	case "main-sleeper":
		// For each byte read, sleep a few times, then answer with a byte.
		in := bufio.NewReader(os.Stdin)
		for {
			if _, err := in.ReadByte(); err != nil {
				os.Exit(0)
			}
			for range 10 {
				time.Sleep(time.Millisecond)
			}
			os.Stdout.Write([]byte{'.'})
		}
	case "sleeper":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "threads":
		// Hold about ten OS threads until stdin closes.
		n, _ := strconv.Atoi(os.Getenv("MTVIZ_THREADS"))
		for i := 0; i < n; i++ {
			go func() {
				runtime.LockOSThread()
				select {}
			}()
		}
		fmt.Println("ready")
		bufio.NewReader(os.Stdin).ReadByte()
		os.Exit(0)
	}
}

func helper(t testing.TB, mode string) *exec.Cmd {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), helperEnv+"="+mode)
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return c
}

func findProc(s Sample, pid int) (Proc, bool) {
	for _, p := range s.Procs {
		if p.PID == pid {
			return p, true
		}
	}
	return Proc{}, false
}

// poll samples until cond holds for the sample, or fails after a generous
// bound (a liveness limit, not a speed requirement).
func poll(t *testing.T, p *Probe, cond func(Sample) bool) Sample {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := p.Sample()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the probe never reported what was expected; last sample: %+v", s.Procs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The probe sees a real child: its PID, its parent (us), its state, and its
// disappearance once reaped.
func TestProbeSeesChild(t *testing.T) {
	c := helper(t, "sleeper")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	pid := c.Process.Pid
	p := New(Options{Threads: true})
	defer p.Close()
	s := poll(t, p, func(s Sample) bool {
		pr, ok := findProc(s, pid)
		return ok && pr.State == "S"
	})
	pr, _ := findProc(s, pid)
	if pr.PPID != os.Getpid() {
		t.Errorf("child's parent is %d, want %d", pr.PPID, os.Getpid())
	}
	if pr.NThreads < 1 || len(pr.Threads) != pr.NThreads {
		t.Errorf("child reports %d threads and lists %d", pr.NThreads, len(pr.Threads))
	}
	self, ok := findProc(s, os.Getpid())
	if !ok || self.State != "R" && self.State != "S" {
		t.Errorf("the probe does not report its own process sensibly: %+v", self)
	}
	for _, th := range self.Threads {
		if th.Core < 0 || th.Core >= runtime.NumCPU() {
			t.Errorf("thread %d last ran on core %d of %d", th.TID, th.Core, runtime.NumCPU())
		}
	}
	c.Process.Kill()
	c.Wait()
	s = poll(t, p, func(s Sample) bool { _, ok := findProc(s, pid); return !ok })
	_ = s
}

// A child that exits unwaited is a zombie (Z) as /proc reports it; after it
// is reaped its PID is gone.
func TestProbeSeesZombie(t *testing.T) {
	c := helper(t, "none-such-mode")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	pid := c.Process.Pid
	p := New(Options{})
	defer p.Close()
	poll(t, p, func(s Sample) bool { pr, ok := findProc(s, pid); return ok && pr.State == "Z" })
	c.Wait()
	poll(t, p, func(s Sample) bool { _, ok := findProc(s, pid); return !ok })
}

// When its parent ends, a child is adopted: the probe reads its new parent
// from the OS (PID 1, or the nearest subreaper).
func TestProbeSeesOrphanAdopted(t *testing.T) {
	maker := helper(t, "orphan-maker")
	out, err := maker.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := maker.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{})
	defer p.Close()
	if err := maker.Start(); err != nil {
		t.Fatal(err)
	}
	var orphan int
	if _, err := fmt.Fscan(out, &orphan); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(orphan, syscall.SIGKILL)
	poll(t, p, func(s Sample) bool { pr, ok := findProc(s, orphan); return ok && pr.PPID == maker.Process.Pid })
	in.Write([]byte("x"))
	maker.Wait()
	s := poll(t, p, func(s Sample) bool {
		pr, ok := findProc(s, orphan)
		return ok && pr.PPID != maker.Process.Pid
	})
	pr, _ := findProc(s, orphan)
	if pr.PPID != 1 && pr.PPID != os.Getpid() {
		// Some other ancestor is a subreaper; still an adoption, but say so.
		t.Logf("orphan adopted by %d", pr.PPID)
	}
	if pr.PPID == maker.Process.Pid {
		t.Errorf("orphan still names its dead parent %d", pr.PPID)
	}
}

// Two hand-made readings 2.9 ms apart, one tick between them: that says
// more about the 10 ms tick than about the task, and is not a 345% share.
// Over 100 ms, ten ticks are one core. A sample never adds up to more than
// the machine's cores.
func TestCPUOverTheIntervalBetweenReads(t *testing.T) {
	var c cpuClock
	t0 := time.Unix(1000, 0)
	if got := c.update(1000, t0); got != 0 {
		t.Errorf("first reading gave %.0f%%", got)
	}
	if got := c.update(1001, t0.Add(2900*time.Microsecond)); got > 100 {
		t.Errorf("one tick in 2.9 ms gave %.0f%%", got)
	}
	if got := c.update(1010, t0.Add(100*time.Millisecond)); got < 99 || got > 101 {
		t.Errorf("ten ticks in 100 ms gave %.0f%%, want 100", got)
	}
	procs := []Proc{{CPU: 150}, {CPU: 120}, {CPU: 30}}
	limitCPU(procs, 2)
	total := 0.0
	for _, p := range procs {
		total += p.CPU
	}
	if total > 200.0001 {
		t.Errorf("a sample of 2 cores adds up to %.1f%%", total)
	}
}

// The probe's own reading of /proc/stat agrees with gopsutil's, core by
// core, within the few ticks that pass between the two reads.
func TestCoresAgreeWithGopsutil(t *testing.T) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	ours := parseCPULines(b)
	theirs, err := cpu.Times(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != len(theirs) || len(ours) == 0 {
		t.Fatalf("%d cores read here, %d by gopsutil", len(ours), len(theirs))
	}
	for i, c := range theirs {
		busy := cpuTotal(c) - c.Idle - c.Iowait
		// Two reads a moment apart: each core gains at most a few ticks.
		if d := ours[i].total - cpuTotal(c); d > 0.1 || d < -0.1 {
			t.Errorf("core %d: total %.2fs here, %.2fs by gopsutil", i, ours[i].total, cpuTotal(c))
		}
		if d := ours[i].busy - busy; d > 0.1 || d < -0.1 {
			t.Errorf("core %d: busy %.2fs here, %.2fs by gopsutil", i, ours[i].busy, busy)
		}
	}
}
