package session

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/probe"
)

// procFork confirms the fork lesson's main fact from the raw run.
func procFork(t *testing.T, f facts) {
	parent, child := f.pid(t, "parent"), f.pid(t, "child")
	r := f.read(child)
	if len(r) == 0 || r[0].PPID != parent {
		t.Errorf("the probe did not read child %d with parent %d: %+v", child, parent, r)
	}
}

// procProcess confirms the process lesson's main fact from the raw run.
func procProcess(t *testing.T, f facts) {
	a, b, c := f.pid(t, "two-seconds"), f.pid(t, "three-seconds"), f.pid(t, "four-seconds")
	if a == b || b == c || a == c {
		t.Errorf("PIDs not distinct: %d %d %d", a, b, c)
	}
	if len(f.read(c)) <= len(f.read(a)) {
		t.Error("the 4 s child was not seen for longer than the 2 s one")
	}
}

// procClock confirms the clock lesson's main fact from the raw run.
func procClock(t *testing.T, f facts) {
	clock := f.pid(t, "clock")
	if clock == os.Getpid() || len(f.read(clock)) == 0 {
		t.Errorf("the clock did not run as a separate process the probe saw")
	}
}

// procDaemon confirms the daemon lesson's main fact from the raw run.
func procDaemon(t *testing.T, f facts) {
	if f.logged("helper", "finished my work") {
		t.Error("the daemon child finished its work")
	}
	if !f.logged("worker", "finished my work") {
		t.Error("the non-daemon child did not finish")
	}
}

// procPool confirms the pool lesson's main fact from the raw run.
func procPool(t *testing.T, f facts) {
	pids := map[int]bool{}
	for _, ev := range f.events {
		if ev.Kind() == event.KProcess && strings.HasPrefix(ev.Task, "worker-") {
			pids[ev.PID] = true
		}
	}
	if len(pids) > runtime.GOMAXPROCS(0) {
		t.Errorf("%d worker processes for %d cores", len(pids), runtime.GOMAXPROCS(0))
	}
}

// procSubprocess confirms the subprocess lesson's main fact from the raw run.
func procSubprocess(t *testing.T, f facts) {
	for _, ev := range f.events {
		if ev.Kind() == event.KRun && ev.ProgramEnd().Program == "sort" && ev.ProgramEnd().Output != "apple\nbanana\ncherry\n" {
			t.Errorf("sort printed %q", ev.ProgramEnd().Output)
		}
	}
}

// procIpcQueue confirms the ipc-queue lesson's main fact from the raw run.
func procIpcQueue(t *testing.T, f facts) {
	var got []string
	for _, ev := range f.events {
		if ev.Kind() == event.KGet {
			got = append(got, ev.QueueGet().Item)
		}
	}
	if strings.Join(got, "") != "ABC" {
		t.Errorf("reader got %v", got)
	}
}

// procZombie confirms the zombie lesson's main fact from the raw run.
func procZombie(t *testing.T, f facts) {
	child := f.pid(t, "child")
	sawZ := false
	for _, p := range f.read(child) {
		sawZ = sawZ || p.State == probe.Zombie
	}
	if !sawZ {
		t.Error("the probe never read Z for the child")
	}
}

// procCrash confirms the crash lesson's main fact from the raw run.
func procCrash(t *testing.T, f facts) {
	panicky, threaded, master := f.pid(t, "panicky"), f.pid(t, "threaded"), f.pid(t, "master")
	var crashedAt time.Duration
	codes := map[int]int{}
	for _, ev := range f.events {
		if ev.Kind() == event.KExit {
			codes[ev.PID] = ev.Exit().Code
			if ev.PID == panicky {
				crashedAt = ev.T
			}
		}
	}
	if codes[panicky] != 2 || codes[threaded] != 2 {
		t.Errorf("exit codes: panicky %d, threaded %d; a Go panic exits 2", codes[panicky], codes[threaded])
	}
	later := false
	for _, s := range f.samples {
		for _, p := range s.Procs {
			later = later || p.PID == master && s.T > crashedAt && p.State != probe.Zombie
		}
	}
	if crashedAt == 0 || !later {
		t.Errorf("the probe did not see the master alive after the crash at %v", crashedAt)
	}
}

// procAsync confirms the async lesson's main fact from the raw run.
func procAsync(t *testing.T, f facts) {
	loop, threads, server := f.pid(t, "eventloop"), f.pid(t, "threads"), f.pid(t, "server disk")
	most := func(pid int) int {
		n := 0
		for _, p := range f.read(pid) {
			n = max(n, p.NThreads)
		}
		return n
	}
	if n := most(loop); n == 0 || n > 16 {
		t.Errorf("the probe read at most %d threads in eventloop (PID %d), want 1 to 16", n, loop)
	}
	if n := most(threads); n < 250 {
		t.Errorf("the probe read at most %d threads in threads (PID %d), want 250 or more", n, threads)
	}
	for _, ev := range f.events {
		if ev.Kind() == event.KProcess && ev.Task == "eventloop" && ev.Process().GoMaxProcs != 1 {
			t.Errorf("eventloop said GOMAXPROCS %d", ev.Process().GoMaxProcs)
		}
	}
	// The server was mtviz's child, and the probe saw it go.
	if r := f.read(server); len(r) == 0 || r[0].PPID != os.Getpid() {
		t.Errorf("the probe did not read the server (PID %d) as mtviz's child: %+v", server, r)
	}
	gone := false
	for _, s := range f.samples {
		gone = gone || slices.Contains(s.Gone, server)
	}
	if !gone {
		t.Errorf("the probe never saw the server (PID %d) gone", server)
	}
}

// procOrphan confirms the orphan lesson's main fact from the raw run.
func procOrphan(t *testing.T, f facts) {
	parent, child := f.pid(t, "parent"), f.pid(t, "child")
	r := f.read(child)
	if len(r) < 2 || r[0].PPID != parent || r[len(r)-1].PPID == parent {
		t.Errorf("the probe did not read the orphan's new parent: %+v", r)
	}
}
