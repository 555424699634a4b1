package probe

import (
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// Real status files, with the counts they hold.
var statusFiles = []struct {
	path string
	want Switches
}{
	{"testdata/status/sleep", Switches{Vol: 1, Invol: 6}},
	{"testdata/status/ksoftirqd", Switches{Vol: 13416, Invol: 1192}},
}

func TestParseSwitches(t *testing.T) {
	for _, f := range statusFiles {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseSwitches(b)
		if !ok || got != f.want {
			t.Errorf("%s: got %+v %v, want %+v", f.path, got, ok, f.want)
		}
		// Cut anywhere, a file gives its true counts or nothing: never a
		// number that lost its last digits.
		last := strings.LastIndexByte(string(b), '\n')
		for n := range len(b) {
			got, ok := parseSwitches(b[:n])
			if ok && got != f.want || ok && n <= last {
				t.Fatalf("%s cut to %d bytes: got %+v %v", f.path, n, got, ok)
			}
		}
	}
}

func TestParseSwitchesRefusesGarbage(t *testing.T) {
	for _, in := range []string{
		"",
		"voluntary_ctxt_switches:\t5\n",
		"nonvoluntary_ctxt_switches:\t5\n",
		"voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t\n",
		"voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t-1\n",
		"voluntary_ctxt_switches:\t5x\nnonvoluntary_ctxt_switches:\t1\n",
		"voluntary_ctxt_switches:\t18446744073709551616\nnonvoluntary_ctxt_switches:\t1\n",
		"voluntary_ctxt_switches: 5 \nnonvoluntary_ctxt_switches:\t1\n",
		"\x00\xff garbage\n\n\n",
	} {
		if got, ok := parseSwitches([]byte(in)); ok {
			t.Errorf("parsed %q as %+v", in, got)
		}
	}
	largest := "voluntary_ctxt_switches:\t18446744073709551615\nnonvoluntary_ctxt_switches: 0\n"
	if got, ok := parseSwitches([]byte(largest)); !ok || got.Vol != 1<<64-1 {
		t.Errorf("the largest count: %+v %v", got, ok)
	}
}

// Reading the switches of every thread at 10 Hz must not feed the garbage
// collector.
func TestParseSwitchesAllocatesNothing(t *testing.T) {
	b, err := os.ReadFile(statusFiles[0].path)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { parseSwitches(b) }); n != 0 {
		t.Errorf("%.0f allocations per parse", n)
	}
}

// parseSwitchesPlain is parseSwitches written the obvious way, as the
// fuzzer's reference.
func parseSwitchesPlain(b []byte) (Switches, bool) {
	var sw Switches
	var vol, invol bool
	lines := strings.Split(string(b), "\n")
	for _, line := range lines[:len(lines)-1] { // the last has no newline
		for _, c := range []struct {
			key  string
			v    *uint64
			seen *bool
		}{{"voluntary_ctxt_switches:", &sw.Vol, &vol}, {"nonvoluntary_ctxt_switches:", &sw.Invol, &invol}} {
			rest, found := strings.CutPrefix(line, c.key)
			if !found {
				continue
			}
			rest = strings.TrimLeft(rest, " \t")
			n, err := strconv.ParseUint(rest, 10, 64)
			if err != nil {
				return Switches{}, false
			}
			*c.v, *c.seen = n, true
		}
	}
	if !vol || !invol {
		return Switches{}, false
	}
	return sw, true
}

// FuzzParseSwitches: status files are outside input too. Seeds are in
// testdata/status and testdata/fuzz/FuzzParseSwitches.
func FuzzParseSwitches(f *testing.F) {
	addSeeds(f, "testdata/status/*")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseSwitches(b)
		want, wantOK := parseSwitchesPlain(b)
		if got != want || ok != wantOK {
			t.Fatalf("got %+v %v, the plain parser %+v %v", got, ok, want, wantOK)
		}
	})
}

func TestSwitchCount(t *testing.T) {
	var c switchCount
	steps := []struct{ in, want Switches }{
		{Switches{100, 10}, Switches{}}, // a base, not a burst of 100
		{Switches{103, 10}, Switches{3, 0}},
		{Switches{103, 12}, Switches{0, 2}},
		{Switches{2, 1}, Switches{}}, // went back: another task, a new base
		{Switches{7, 1}, Switches{5, 0}},
	}
	for i, s := range steps {
		if got := c.update(s.in); got != s.want {
			t.Errorf("step %d: %+v gave %+v, want %+v", i, s.in, got, s.want)
		}
	}
}

// Samples of a probe that does not read switches say nothing of them.
func TestSwitchesJSON(t *testing.T) {
	b, _ := json.Marshal(Sample{Procs: []Proc{{Threads: []Thread{{}}}}})
	if strings.Contains(string(b), "switches") {
		t.Errorf("zero switches written: %s", b)
	}
	b, _ = json.Marshal(Thread{Switches: Switches{Vol: 3}})
	if !strings.Contains(string(b), `"switches":{"vol":3}`) {
		t.Errorf("got %s", b)
	}
}

// waitAsleep waits until a thread of this process is off its run queue in
// a sleep. /proc/.../wchan names where it sleeps only then (a woken or
// preempted thread shows 0), and the kernel only takes a sleeping thread
// off the run queue in a voluntary switch.
func waitAsleep(t *testing.T, tid int) {
	t.Helper()
	path := "/proc/self/task/" + strconv.Itoa(tid) + "/wchan"
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && string(b) != "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("thread %d never seen asleep (wchan %q)", tid, b)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// readSwitches reads a thread of this process the plain way; false once
// the thread is gone.
func readSwitches(tid int) (Switches, bool) {
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return Switches{}, false
	}
	return parseSwitchesPlain(b)
}

// inOrder says whether counts never go back from one reading to the next.
func inOrder(readings ...Switches) bool {
	for i := 1; i < len(readings); i++ {
		if readings[i].Vol < readings[i-1].Vol || readings[i].Invol < readings[i-1].Invol {
			return false
		}
	}
	return true
}

// A thread seen put to sleep n times after the probe's first sample
// switched voluntarily at least n times: the probe's deltas, summed over
// samples, must say so for the thread, its process and the samples.
func TestSwitchesCountWakeups(t *testing.T) {
	const n = 200
	wake, woke, tids := make(chan struct{}), make(chan struct{}), make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Never unlocked: the thread ends with the goroutine.
		runtime.LockOSThread()
		tids <- syscall.Gettid()
		for range wake {
			woke <- struct{}{}
		}
	}()
	defer wg.Wait()
	defer close(wake)
	tid, pid := <-tids, os.Getpid()

	p := New(Options{Switches: true})
	defer p.Close()
	var tl switchTally
	sample := func(first bool) { tl.sample(t, p, pid, tid, first) }
	sample(true)
	for i := range n {
		// woke says the thread ran, so the sleep seen next is a new one.
		wake <- struct{}{}
		<-woke
		waitAsleep(t, tid)
		if i%50 == 49 || i == n-1 {
			sample(false)
		}
	}
	if tl.thread.Vol < n || tl.proc.Vol < tl.thread.Vol || tl.all.Vol < tl.proc.Vol {
		t.Errorf("after %d sleeps: thread %d voluntary switches, process %d, samples %d", n, tl.thread.Vol, tl.proc.Vol, tl.all.Vol)
	}
	t.Logf("%d sleeps: thread %+v, process %+v, samples %+v", n, tl.thread, tl.proc, tl.all)
}

// switchTally sums the switches the probe reported for one thread, its
// process and whole samples.
type switchTally struct{ thread, proc, all Switches }

// sample takes one sample and checks the probe read each known thread's
// own status between two readings of it, then adds up what it reported.
func (tl *switchTally) sample(t *testing.T, p *Probe, pid, tid int, first bool) {
	t.Helper()
	before := map[int]Switches{}
	if pr := p.procs[pid]; pr != nil {
		for id := range pr.threads {
			if sw, ok := readSwitches(id); ok {
				before[id] = sw
			}
		}
	}
	s := p.Sample()
	for id, b := range before {
		a, ok := readSwitches(id)
		th := p.procs[pid].threads[id]
		if !ok || th == nil {
			continue // ended meanwhile
		}
		if !inOrder(b, th.sw.last, a) {
			t.Fatalf("thread %d: the probe read %+v between %+v and %+v", id, th.sw.last, b, a)
		}
	}
	if _, ok := before[tid]; !ok && !first {
		t.Fatalf("thread %d of %d not read", tid, pid)
	}
	if !tl.add(t, s, pid, tid) {
		t.Fatalf("thread %d of %d not in the sample", tid, pid)
	}
	if first && (tl.thread != Switches{}) {
		t.Errorf("a thread's first reading counted %+v", tl.thread)
	}
}

// add sums a sample's switches, checking each total is its parts' sum; it
// says whether the thread was in the sample.
func (tl *switchTally) add(t *testing.T, s Sample, pid, tid int) bool {
	t.Helper()
	var sum Switches
	seen := false
	for _, pr := range s.Procs {
		var threads Switches
		for _, th := range pr.Threads {
			threads.add(th.Switches)
			if pr.PID == pid && th.TID == tid {
				tl.thread.add(th.Switches)
				seen = true
			}
		}
		if threads != pr.Switches {
			t.Errorf("process %d: %+v, its threads %+v", pr.PID, pr.Switches, threads)
		}
		if pr.PID == pid {
			tl.proc.add(pr.Switches)
		}
		sum.add(pr.Switches)
	}
	if sum != s.Switches {
		t.Errorf("sample: %+v, its processes %+v", s.Switches, sum)
	}
	tl.all.add(s.Switches)
	return seen
}

// The probe's reading of a main thread agrees with gopsutil's, which reads
// /proc/PID/status (the main thread's counts): each of ours is at most
// gopsutil's taken just after, and at least gopsutil's taken just before.
func TestMainThreadSwitchesMatchGopsutil(t *testing.T) {
	c := helper(t, "main-sleeper")
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Wait()
	defer in.Close()
	pid := c.Process.Pid
	gp, err := process.NewProcess(int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Root: pid, Switches: true})
	defer p.Close()

	const rounds = 5
	var ours, theirs [rounds]Switches
	var deltas Switches
	for i := range rounds {
		s := p.Sample()
		pr, ok := findProc(s, pid)
		if !ok {
			t.Fatalf("helper %d not in the sample", pid)
		}
		for _, th := range pr.Threads {
			if th.TID == pid && i > 0 {
				deltas.add(th.Switches)
			}
		}
		th := p.procs[pid].threads[pid]
		if th == nil || !th.sw.read {
			t.Fatalf("main thread of %d not read", pid)
		}
		ours[i] = th.sw.last
		n, err := gp.NumCtxSwitches()
		if err != nil {
			t.Fatal(err)
		}
		theirs[i] = Switches{Vol: uint64(n.Voluntary), Invol: uint64(n.Involuntary)}
		// The helper's main thread sleeps a few times, then answers.
		if _, err := in.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(out, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range rounds {
		if !inOrder(ours[i], theirs[i]) {
			t.Errorf("round %d: ours %+v, gopsutil's just after %+v", i, ours[i], theirs[i])
		}
		if i > 0 && !inOrder(theirs[i-1], ours[i]) {
			t.Errorf("round %d: ours %+v, gopsutil's of the round before %+v", i, ours[i], theirs[i-1])
		}
	}
	if ours[rounds-1].Vol <= ours[0].Vol || theirs[rounds-1].Vol <= theirs[0].Vol {
		t.Errorf("the main thread's counts did not move: ours %v, gopsutil's %v", ours, theirs)
	}
	if want := (Switches{ours[rounds-1].Vol - ours[0].Vol, ours[rounds-1].Invol - ours[0].Invol}); deltas != want {
		t.Errorf("the deltas add up to %+v, the readings moved by %+v", deltas, want)
	}
}
